"""``skilltide report`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo


def register(app: typer.Typer) -> None:
    """Add ``skilltide report`` to the root app."""

    @command(app, name="report")
    def report(
        settings: Settings,
        out: Annotated[
            Path | None,
            typer.Option(
                help="Folder to write report.html (and charts/) to, or an .html file "
                "[config [report] out, default ./skilltide-report].",
                show_default=False,
            ),
        ] = None,
        title: Annotated[str | None, typer.Option(help="Title at the top of the report.")] = None,
        granularity: Annotated[
            str | None,
            typer.Option(
                help="Demand granularity: market | region | major_group | occupation | company "
                "[config [report] granularity, default market].",
                show_default=False,
            ),
        ] = None,
        panel: Annotated[
            str | None,
            typer.Option(
                help="Demand panel to report on [config [report] panel, default ads].",
                show_default=False,
            ),
        ] = None,
        export: Annotated[
            str | None,
            typer.Option(help="Also write every chart as png or svg to OUT/charts/."),
        ] = None,
        max_series: Annotated[
            int, typer.Option(help="Series in the skill explorer (the busiest first).", min=1)
        ] = 200,
    ) -> None:
        """Write a self-contained HTML report (opens offline, in any browser) from the warehouse.

        Example: skilltide report --db demo/skilltide.duckdb --out demo/report --export png
        """
        from skilltide.errors import UserError
        from skilltide.reports import render_report
        from skilltide.store import Warehouse

        if export is not None and export not in ("png", "svg"):
            raise typer.BadParameter(f"'{export}' is not one of png, svg", param_hint="--export")
        if not settings.db.exists():
            raise UserError(
                f"{settings.db}: no warehouse here (run `skilltide demo` or "
                "`skilltide ingest ads FILE…` first)"
            )
        config = settings.section("report")
        out = out or (settings.path(config["out"]) if "out" in config else None)
        out = out or Path("skilltide-report")
        title = title or config.get("title")
        granularity = granularity or str(config.get("granularity", "market"))
        panel = panel or str(config.get("panel", "ads"))
        with Warehouse(settings.db) as wh:
            path = render_report(
                wh,
                out,
                title=title,
                granularity=granularity,
                export=export,
                panel=panel,
                max_series=max_series,
            )
        size = path.stat().st_size / 1e6
        echo(settings, f"wrote {path} ({size:.1f} MB)")
        if export:
            echo(settings, f"charts as {export} in {path.parent / 'charts'}")
        if settings.quiet:
            typer.echo(str(path))
