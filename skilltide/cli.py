"""The ``skilltide`` command: parsing and printing only; every command calls a module function.

Stage groups live beside their stage (``skilltide/onet/cli.py``, ``skilltide/ingest/cli.py``,
...) and add themselves here through their ``register(app)``.

Exit status: 0 success, 1 a user error (bad input, missing file, bad data) reported on
one line, 2 a usage error (unknown option, bad value), 3 partial success (some rows or
files quarantined; ``skilltide run`` only).
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from skilltide import __version__
from skilltide.config import Settings
from skilltide.console import command, echo, emit_json, exit_code, result
from skilltide.errors import UserError

_SHORT_H = re.compile(r"-h=?\d+")  # -h6, -h=6: the horizon written as one word


class _RootGroup(TyperGroup):
    """The root command group: ``-h`` is help everywhere, and ``forecast … -h 6`` (``-h`` was
    ``--horizon`` before 2026-12-07) is refused, not answered with help and status 0."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if args[:1] == ["forecast"] and any(
            _SHORT_H.fullmatch(a) or (a == "-h" and b.isdigit()) for a, b in pairwise([*args, ""])
        ):
            raise typer.BadParameter(
                "it is help; give the horizon as --horizon N",
                ctx=_command_context(ctx, args),
                param_hint="'-h'",
            )
        return super().parse_args(ctx, args)


def _command_context(ctx: typer.Context, args: list[str]) -> typer.Context:
    """The context of the (sub)command ``args`` name, so that an error prints its usage line
    (``skilltide forecast run [OPTIONS]``), not the root's."""
    for name in args:
        group = ctx.command
        sub = group.get_command(ctx, name) if hasattr(group, "get_command") else None
        if sub is None:
            break
        ctx = type(ctx)(sub, info_name=name, parent=ctx)  # typer's own click, not `click`
    return ctx


app = typer.Typer(
    cls=_RootGroup,
    name="skilltide",
    help="Skill-demand analytics and forecasting for labour markets.\n\n"
    "Example: skilltide demo --out demo && skilltide status --db demo/skilltide.duckdb",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},  # every command's, inherited
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skilltide {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Skill-demand analytics and forecasting for labour markets."""


@command(app)
def status(
    settings: Settings,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    last: Annotated[int, typer.Option(help="How many recent runs to list.", min=1)] = 10,
) -> None:
    """What the warehouse holds: schema version, tables with row counts, the demand panels
    with their breaks and forecasts, the last runs.

    Example: skilltide status --json --db demo/skilltide.duckdb
    """
    from skilltide.store import Warehouse
    from skilltide.warehouse_status import panel_lines
    from skilltide.warehouse_status import status as warehouse_status

    if not settings.db.exists():
        raise UserError(
            f"{settings.db}: no warehouse here (give --db the warehouse's path, or run"
            " `skilltide demo` or `skilltide ingest ads FILE…` first)"
        )
    from skilltide.ingest.ads_coder import describe
    from skilltide.onet.crosswalk import stored as stored_crosswalk

    with Warehouse(settings.db) as wh:
        report = warehouse_status(wh, last=last)
        report["ads_coder"] = describe(wh)
        report["crosswalk"] = stored_crosswalk(wh)
    if as_json:
        emit_json(report)
        return
    result(f"warehouse {settings.db}  (schema version {report['schema_version']})")
    filled = {t: n for t, n in report["tables"].items() if n}
    width = max((len(t) for t in filled), default=0)
    for table, rows in filled.items():
        result(f"  {table:<{width}} {rows:>12,}")
    if empty := len(report["tables"]) - len(filled):
        result(f"  and {empty} empty tables (--json lists every table)")
    if report["panels"]:
        result("demand panels:")
    for line in panel_lines(report["panels"]):
        result(f"  {line}")
    coder = report["ads_coder"]
    built = f"build run {coder['coder_run']}" if coder["coder_run"] else "none stored yet"
    result(f"ads' occupations coded by the {coder['model']} title coder ({built})")
    if xwalk := report["crosswalk"]:
        esco = xwalk["esco_occupations"]
        files = ", ".join(Path(f).name for f in xwalk["files"])
        result(
            f"ISCO-08 crosswalk: {xwalk['isco_codes']:,} codes → {xwalk['soc_codes']:,} SOC"
            f" occupations{f', {esco:,} ESCO occupations' if esco else ''}"
            f" (run {xwalk['run_id']}: {files})"
        )
    if report["runs"]:
        result("last runs:")
    for run in report["runs"]:
        line = f"  {run['started']}  {run['run_id']}  {run['status']:<11} {run['command']}"
        if run["error"]:
            line += f"  ({run['error']})"
        result(line)


@command(app, warehouse=False)
def demo(
    settings: Settings,
    out: Annotated[
        Path, typer.Option(help="Folder for the synthetic data, warehouse and report.")
    ] = Path("skilltide-demo"),
    size: Annotated[str, typer.Option(help="small | default | large")] = "default",
    seed: Annotated[int, typer.Option(help="Seed of the synthetic market.")] = 7,
    generate_only: Annotated[
        Path | None,
        typer.Option("--generate-only", help="Only write the synthetic market to this folder."),
    ] = None,
) -> None:
    """Generate a synthetic labour market and run every stage on it, end to end.

    Example: skilltide demo --out demo --size small
    """
    from skilltide import demo as demo_module

    if generate_only is not None:
        written = demo_module.generate(generate_only, size=size, seed=seed)
        echo(settings, f"wrote the synthetic market ({size}, seed {seed}) to {written}")
        return
    summary = demo_module.run_demo(out, size=size, seed=seed, settings=settings)
    for line in summary:
        echo(settings, line)


@command(app, warehouse=False)
def init(
    settings: Settings,
    ads: Annotated[
        Path | None, typer.Option(help="Folder of ad files the config should point at.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where to write the config.")] = Path("skilltide.toml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example config for `skilltide run`.

    Example: skilltide init --ads /data/ads && skilltide run --config skilltide.toml
    """
    from skilltide.pipeline_config import write_example_config

    echo(settings, f"wrote {write_example_config(out, ads=ads, force=force)}")
    if ads is not None and not ads.exists():  # a typo would fail only at the first run
        typer.echo(f"warning: {ads}: no such folder yet; skilltide run reads it", err=True)
    # [onet] and [taxonomy] are commented out: as written, a run on a new warehouse fails
    echo(
        settings,
        f"next: give the ads a skill vocabulary in {out} ([onet] dirs: an O*NET release folder,"
        " such as `skilltide onet download --release 30.1` writes; or [taxonomy] files), unless"
        f" the warehouse has one; then: skilltide run --config {out}",
    )


@command(app, "run")
def run_command(
    settings: Settings,
    log_json: Annotated[
        bool,
        typer.Option(
            "--log-json",
            help="Log one JSON object per line on stderr, and nothing else (no stage table"
            " on stdout unless --json): a log file of both streams stays JSON lines.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Run the whole pipeline from the config file: ingest, demand, breaks, forecast, graph, report.

    Only stages whose inputs changed recompute. Exit status: 0 success, 3 partial success
    (rows or files quarantined), 1 failure, 2 usage error, 75 another run holds the
    warehouse, 130 or 143 stopped by Ctrl-C or SIGTERM (the stage under way rolls back).

    Example: skilltide run --config skilltide.toml --log-json
    """
    from skilltide.errors import WarehouseLocked
    from skilltide.logs import EventLog
    from skilltide.pipeline import EXIT_BUSY, run_pipeline

    log = EventLog(as_json=log_json, quiet=settings.quiet)
    try:
        if settings.config_path is None:
            raise UserError("no config file: pass --config FILE (skilltide init writes an example)")
        summary = run_pipeline(settings, log)
    except WarehouseLocked as exc:
        log.error("run.busy", error=str(exc))
        raise typer.Exit(EXIT_BUSY) from None
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: logged as run.finish 'interrupted'
        if not log_json and getattr(exc, "rolled_back", None):  # set by Warehouse.run
            typer.echo("error: interrupted; the stage under way rolled back", err=True)
        elif not log_json:  # between the stages' runs (hashing files, say): nothing to undo
            typer.echo(
                "error: interrupted between warehouse runs; finished ones are kept", err=True
            )
        raise typer.Exit(exit_code(exc)) from None
    except UserError as exc:  # a bad config: nothing ran
        if not log_json:
            raise
        log.error("run.refused", error=" ".join(str(exc).split()))
        raise typer.Exit(1) from None
    if as_json:
        emit_json(summary.to_dict(), compact=log_json)  # with --log-json: one JSON line
    elif not log_json:  # the log's stage.finish and run.finish events say the same
        for stage in summary.stages:
            echo(settings, f"  {stage.stage:<24} {stage.status:<8} {stage.seconds:>8.2f}s")
        echo(settings, f"run {summary.run_id}: {summary.status}")
    if summary.error and not log_json:  # logged as stage.failed
        typer.echo(f"error: {summary.error}", err=True)
    raise typer.Exit(summary.exit_code)


def _register_stages() -> None:
    from skilltide.forecast import cli as forecast_cli
    from skilltide.graph import cli as graph_cli
    from skilltide.ingest import cli as ingest_cli
    from skilltide.onet import cli as onet_cli
    from skilltide.reports import cli as reports_cli

    for module in (onet_cli, ingest_cli, graph_cli, forecast_cli, reports_cli):
        module.register(app)


_register_stages()


def main() -> None:
    """Console-script entry point."""
    app()
