"""``skilltide forecast …`` commands (``skilltide breaks …``: :mod:`.breaks_cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.console import command, echo, emit_json, existing_db, result
from skilltide.errors import UserError
from skilltide.forecast.cli_options import (
    DsCol,
    Fill,
    Horizon,
    IdCol,
    Members,
    Weights,
    Workdays,
    YCol,
    breaks_option,
    check_out,
    command_options,
    model_params,
    note_partial,
    parse_cutoffs,
    read_input,
    run_output,
    write_frame,
)
from skilltide.provenance import write_provenance

forecast_app = typer.Typer(help="Forecast monthly skill demand, backtest models.")


def register(app: typer.Typer) -> None:
    from skilltide.forecast.breaks_cli import breaks_app

    app.add_typer(forecast_app, name="forecast")
    app.add_typer(breaks_app, name="breaks")


def warn_breakless(model: str, has_breaks: bool) -> None:
    """On stderr: ``post_break`` was given no breaks, so it forecast the 12-month mean."""
    if model == "post_break" and not has_breaks:
        typer.echo(
            "warning: post_break had no breaks to use, so every series got the mean of its last"
            " 12 months: give --breaks detect, a breaks file, or run breaks detect first",
            err=True,
        )


def warn_stale_breaks(stale: dict | None, panel: str, granularity: str) -> None:
    """On stderr: the stored breaks used were detected before the demand was last updated."""
    if stale:
        named = "" if panel == "ads" else f" --panel {panel}"
        typer.echo(
            f"warning: the stored breaks (run {stale['run_id']}) were detected before the "
            f"demand was last updated (run {stale['demand_run']}): run `skilltide breaks "
            f"detect{named} --granularity {granularity}` again, or give --breaks detect",
            err=True,
        )


DEFAULT_OUT = Path("forecasts.csv")


def default_out(out: Path | None, force: bool) -> Path:
    """``--out``, else ``forecasts.csv`` unless one is there already (``--force`` replaces
    it): a file named with ``--out`` is replaced, as by every ``--out``; one nobody named is
    not."""
    if out is not None:
        return out
    if DEFAULT_OUT.exists() and not force:
        raise UserError(
            f"{DEFAULT_OUT}: already exists (use --force to overwrite, or name the file with --out)"
        )
    return DEFAULT_OUT


@command(forecast_app, "panel")
def panel_command(
    input: Annotated[
        Path, typer.Argument(help="Long panel file (.csv/.parquet): unique_id, ds, y.")
    ],
    horizon: Horizon = 6,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output .csv or .parquet [default: forecasts.csv, which is not overwritten "
            "unless --force].",
            show_default=False,
        ),
    ] = None,
    cutoffs: Annotated[
        str | None,
        typer.Option(
            "--cutoffs", help="Comma-separated YYYY-MM cutoffs (default: the last month)."
        ),
    ] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Model name or 'auto'.")] = "auto",
    members: Members = None,
    weights: Weights = None,
    workdays: Workdays = None,
    breaks: Annotated[
        str | None,
        typer.Option(
            "--breaks",
            help="Structural breaks for auto, ensemble, lgbm and post_break: 'detect' (found "
            "in the data of every fit: each cutoff and each backtest origin, with the data up to "
            "it), 'none' (the default) or a .csv/.parquet of unique_id, break_ds "
            "[, known_ds] such as 'breaks detect --out' writes.",
        ),
    ] = None,
    id_col: IdCol = "unique_id",
    ds_col: DsCol = "ds",
    y_col: YCol = "y",
    fill: Fill = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing forecasts.csv (no --out).")
    ] = False,
    *,
    settings,
) -> None:
    """Forecast a long-format panel file; each cutoff sees only data up to it.

    Example: skilltide forecast panel demand.csv --horizon 3 --cutoffs 2023-06,2023-09 --out f.csv
    """
    from skilltide.forecast.pipeline import forecast_panel

    options = command_options(locals())
    params = model_params(model, members, weights)
    out = default_out(out, force)
    check_out(out)
    frame = read_input(input, fill, workdays, id_col=id_col, ds_col=ds_col, y_col=y_col)
    known = breaks_option(breaks, frame, input)
    forecasts, _ = forecast_panel(
        frame,
        horizon=horizon,
        model=model,
        params=params,
        cutoffs=parse_cutoffs(cutoffs),
        workdays=workdays,
        breaks=known,
    )
    write_frame(forecasts, out)
    warn_breakless(model, known is not None)
    inputs = [input] + ([Path(breaks)] if known is not None and breaks != "detect" else [])
    write_provenance(out, command="forecast panel", inputs=inputs, options=options)
    echo(
        settings,
        f"wrote {forecasts.height} forecasts for {forecasts['unique_id'].n_unique()} "
        f"series to {out}",
    )
    bare = forecasts.filter(forecasts["lo_80"].is_null())["cutoff"].unique().sort()
    if bare.len():
        echo(
            settings,
            "no prediction intervals (lo_*/hi_* empty) for cutoff(s) "
            + ", ".join(f"{c:%Y-%m}" for c in bare)
            + f": too few months up to them to backtest a {horizon}-month horizon",
        )


@command(forecast_app, "run")
def run_command(
    granularity: Annotated[
        str, typer.Option("--granularity", "-g", help="Panel granularity.")
    ] = "market",
    horizon: Horizon = 6,
    model: Annotated[str, typer.Option("--model", "-m", help="Model name or 'auto'.")] = "auto",
    panel: Annotated[str, typer.Option("--panel", help="Demand panel name.")] = "ads",
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    members: Members = None,
    weights: Weights = None,
    workdays: Workdays = None,
    breaks: Annotated[
        str,
        typer.Option(
            "--breaks",
            help="Structural breaks for auto, ensemble, lgbm and post_break: 'stored' (the latest "
            "'breaks detect' run of this panel, if any), 'detect' (in the data of every "
            "fit, backtest origins included) or 'none'.",
        ),
    ] = "stored",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Also write this run's forecasts (.csv/.parquet)."),
    ] = None,
    *,
    settings,
) -> None:
    """Forecast a warehouse demand panel into the forecasts and backtests tables.

    Example: skilltide forecast run --granularity market --horizon 6 --model auto --out fc.csv
    """
    from skilltide.forecast.demand_panel import require_demand
    from skilltide.forecast.warehouse import forecast_warehouse
    from skilltide.store import Warehouse

    options = command_options(locals())
    output_of = run_output(out, "forecast run", options, settings.db)  # checks --out first
    params = model_params(model, members, weights)
    with Warehouse(existing_db(settings.db, "skilltide ingest …")) as wh, output_of as output:

        def write(run) -> None:  # inside the run: a file that cannot be written rolls back
            forecasts = wh.query(
                "SELECT * EXCLUDE (run_id, panel, granularity) FROM forecasts WHERE run_id = ?"
                " ORDER BY unique_id, cutoff, ds, model",
                [run.run_id],
            )
            output.write(run, forecasts)

        require_demand(wh, panel, granularity)
        summary = forecast_warehouse(
            wh,
            panel=panel,
            granularity=granularity,
            horizon=horizon,
            model=model,
            params=params,
            workdays=workdays,
            breaks=breaks,
            written=write if output else None,
        )
        span = wh.query(  # the months forecast, and the last month of data they start from
            "SELECT strftime(max(cutoff), '%Y-%m') AS cutoff, strftime(min(ds), '%Y-%m') AS"
            " first, strftime(max(ds), '%Y-%m') AS last FROM forecasts WHERE run_id = ?",
            [summary["run_id"]],
        ).row(0, named=True)
    if out is not None:
        summary["out"] = str(out)
    warn_breakless(model, summary["breaks"] != "none")
    warn_stale_breaks(summary.get("breaks_stale"), panel, granularity)
    note_partial(summary, "the data: the forecast starts with it")
    if json_out:
        emit_json(summary)
    else:
        echo(
            settings,
            f"run {summary['run_id']}: {summary['forecasts']:,} forecasts for "
            f"{summary['series']:,} series ({model}), {span['first']} to {span['last']} from "
            f"data to {span['cutoff']}",
        )
        if scores := summary.get("backtest"):
            cover = scores.get("coverage_80")
            echo(
                settings,
                f"  backtest: mean absolute error {scores['mae']:,.3g} over steps 1-{horizon}"
                # 0%: intervals that never held the outcome say the most
                + (
                    f", 80% intervals held the outcome {cover:.0%} of the time"
                    if cover is not None
                    else ""
                ),
            )
        if out is not None:
            echo(settings, f"wrote {out}")


@command(forecast_app, "backtest")
def backtest_command(
    input: Annotated[Path, typer.Argument(help="Long panel file (.csv/.parquet).")],
    horizon: Horizon = 3,
    models: Annotated[
        str, typer.Option("--models", help="Comma-separated model names.")
    ] = "naive,seasonal_naive,window_average,blend,tsb,lgbm",
    windows: Annotated[int, typer.Option("--windows", min=1, help="Rolling origins.")] = 4,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Metrics .csv/.parquet.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print metrics as JSON.")] = False,
    workdays: Workdays = None,
    breaks: Annotated[
        str | None,
        typer.Option(
            "--breaks",
            help="Structural breaks for auto, ensemble, lgbm and post_break: 'detect' (at "
            "each origin, in the data up to it), 'none' (the default) or a .csv/.parquet of "
            "unique_id, break_ds [, known_ds]; adds a 'break' scenario.",
        ),
    ] = None,
    id_col: IdCol = "unique_id",
    ds_col: DsCol = "ds",
    y_col: YCol = "y",
    fill: Fill = None,
    *,
    settings,
) -> None:
    """Rolling-origin backtest of several models: metrics by model, step and scenario.

    Example: skilltide forecast backtest demand.csv --horizon 3 --models naive,lgbm --windows 4
    """
    from skilltide.forecast.backtest import n_origins, run_backtest

    options = command_options(locals())
    if out:
        check_out(out)
    frame = read_input(input, fill, workdays, id_col=id_col, ds_col=ds_col, y_col=y_col)
    metrics = run_backtest(
        frame,
        [m.strip() for m in models.split(",")],
        horizon=horizon,
        n_windows=windows,
        workdays=workdays,
        breaks=breaks_option(breaks, frame, input),
    )
    if out:
        write_frame(metrics, out)
        inputs = [input] + ([Path(breaks)] if breaks not in (None, "none", "detect") else [])
        write_provenance(out, command="forecast backtest", inputs=inputs, options=options)
    if json_out:
        emit_json(metrics.to_dicts())
    else:
        pooled = metrics.filter(horizon=0, scenario="all")
        table = pooled.pivot(on="metric", index="model", values="value")
        show = echo if out else lambda _, line: result(line)  # without --out, the table is it
        show(
            settings,
            f"backtest: {pooled['n_series'].max()} series, steps 1-{horizon}, "
            f"{n_origins(frame, horizon, windows)} rolling "
            "origins; errors averaged over all steps (lower is better)",
        )
        width = max(len("model"), *(len(m) for m in table["model"]))
        show(settings, f"{'model':<{width}}" + "".join(f"{c:>14}" for c in table.columns[1:]))
        for row in table.iter_rows():
            cells = "".join("{:>14}".format("" if v is None else f"{v:.3f}") for v in row[1:])
            show(settings, f"{row[0]:<{width}}{cells}")
