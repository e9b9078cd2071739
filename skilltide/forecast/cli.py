"""``skilltide forecast …`` and ``skilltide breaks …`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo, emit_json

forecast_app = typer.Typer(help="Forecast monthly skill demand, backtest models.")
breaks_app = typer.Typer(help="Detect structural breaks in demand series.")


def register(app: typer.Typer) -> None:
    app.add_typer(forecast_app, name="forecast")
    app.add_typer(breaks_app, name="breaks")


# ---------------------------------------------------------------------------------------
# breaks detect (owner: breaks helper)
# ---------------------------------------------------------------------------------------
@command(breaks_app, "detect")
def breaks_detect(
    settings: Settings,
    input: Annotated[
        Path | None,
        typer.Argument(
            help="Long-format CSV/Parquet panel (unique_id, ds, y). Without it: "
            "the warehouse's demand panel, written to the breaks table."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the breaks here (.csv or .parquet).")
    ] = None,
    method: Annotated[str, typer.Option(help="auto | bai-perron | supf | cusum")] = "auto",
    alpha: Annotated[float, typer.Option(help="Significance level per break.")] = 0.05,
    min_size: Annotated[
        int, typer.Option(help="Fewest months on each side of a break.", min=3)
    ] = 6,
    fill: Annotated[
        float | None, typer.Option(help="Fill missing months with this value first (0 for counts).")
    ] = None,
    panel: Annotated[str, typer.Option(help="Warehouse demand panel.")] = "ads",
    granularity: Annotated[str, typer.Option(help="Warehouse granularity.")] = "market",
    value: Annotated[str, typer.Option(help="count | share (warehouse only).")] = "count",
    id_col: Annotated[str, typer.Option(help="Series id column of INPUT.")] = "unique_id",
    ds_col: Annotated[str, typer.Option(help="Month column of INPUT.")] = "ds",
    y_col: Annotated[str, typer.Option(help="Value column of INPUT.")] = "y",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary.")] = False,
) -> None:
    """Find structural breaks (level shifts, trend changes), market-wide or per series.

    Output columns: unique_id, break_ds, kind, size, statistic, p_value, scope, method.

    Example: skilltide breaks detect panel.csv --out breaks.csv
    """
    from skilltide.forecast import breaks_store
    from skilltide.store import Warehouse

    if input is not None:
        found, summary = breaks_store.detect_breaks_file(
            input,
            out,
            fill=fill,
            id_col=id_col,
            ds_col=ds_col,
            y_col=y_col,
            method=method,
            alpha=alpha,
            min_size=min_size,
        )
    else:
        with Warehouse(settings.db) as wh:
            summary = breaks_store.detect_breaks_warehouse(
                wh,
                panel,
                granularity,
                value=value,
                method=method,
                alpha=alpha,
                min_size=min_size,
            )
            found = wh.query(
                "SELECT unique_id, break_ds, kind, size, statistic, p_value, scope, method"
                " FROM breaks WHERE run_id = ? ORDER BY unique_id, break_ds",
                [summary["run_id"]],
            )
        if out is not None:
            breaks_store.write_frame(found, out)
    if out is not None:
        summary["out"] = str(out)
    if as_json:
        emit_json(summary)
        return
    echo(
        settings,
        f"{summary['breaks']} breaks in {summary['series_with_breaks']} of "
        f"{summary['tested']} series tested ({summary['series']} series; "
        f"{summary['too_short']} too short, {summary['constant']} constant); "
        f"{summary['level']} level, {summary['trend']} trend, "
        f"{summary['market']} market-wide",
    )
    if summary["market_months"]:
        echo(settings, "market-wide break months: " + ", ".join(summary["market_months"]))
    if out is not None:
        echo(settings, f"wrote {out}")
    elif input is not None and not settings.quiet:
        typer.echo(found.write_csv(), nl=False)


# ---------------------------------------------------------------------------------------
# end of breaks commands
# ---------------------------------------------------------------------------------------
