"""``skilltide breaks …`` commands: structural breaks in a panel file or the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo, emit_json, existing_db
from skilltide.forecast.cli_options import (
    BreaksFill,
    breaks_options,
    check_out,
    command_options,
    note_partial,
    run_output,
)
from skilltide.provenance import write_provenance

breaks_app = typer.Typer(help="Detect structural breaks in demand series.")


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
    fill: BreaksFill = None,
    panel: Annotated[str, typer.Option(help="Warehouse demand panel.")] = "ads",
    granularity: Annotated[
        str, typer.Option("--granularity", "-g", help="Warehouse granularity.")
    ] = "market",
    value: Annotated[str, typer.Option(help="count | share (warehouse only).")] = "count",
    id_col: Annotated[str, typer.Option(help="Series id column of INPUT.")] = "unique_id",
    ds_col: Annotated[str, typer.Option(help="Month column of INPUT.")] = "ds",
    y_col: Annotated[str, typer.Option(help="Value column of INPUT.")] = "y",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary.")] = False,
) -> None:
    """Find structural breaks (level shifts, trend changes), market-wide or per series.

    Output columns: unique_id, break_ds, kind, size, statistic, p_value, scope, method,
    known_ds (the first month whose data could reveal the break).

    Example: skilltide breaks detect panel.csv --out breaks.csv
    """
    from skilltide.forecast import breaks_store
    from skilltide.forecast.break_source import known_after_detection
    from skilltide.forecast.demand_panel import require_demand, warehouse_panel
    from skilltide.store import Warehouse

    options = breaks_options(input, command_options(locals()))  # only those that apply
    if out is not None:
        check_out(out)  # before any work, as forecast panel does
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
        output_of = run_output(out, "breaks detect", options, settings.db)
        with Warehouse(existing_db(settings.db, "skilltide ingest …")) as wh, output_of as output:

            def write(run) -> None:  # inside the run: a file that cannot be written rolls back
                found = wh.query(
                    "SELECT unique_id, break_ds, kind, size, statistic, p_value, scope, method"
                    " FROM breaks WHERE run_id = ? ORDER BY unique_id, break_ds",
                    [run.run_id],
                )
                long = warehouse_panel(wh, panel, granularity, value=value)
                output.write(run, known_after_detection(found, min_size, panel=long))

            require_demand(wh, panel, granularity)
            summary = breaks_store.detect_breaks_warehouse(
                wh,
                panel,
                granularity,
                value=value,
                method=method,
                alpha=alpha,
                min_size=min_size,
                written=write if output else None,
            )
    if out is not None:
        summary["out"] = str(out)
        if input is not None:  # a warehouse run's file is traced by its run (RunOutput)
            write_provenance(out, command="breaks detect", inputs=[input], options=options)
    note_partial(summary, "the detection")
    if as_json:
        emit_json(summary)
        return
    echo(
        settings,
        f"{summary['breaks']} breaks in {summary['series_with_breaks']} of "
        f"{summary['tested']} series tested ({summary['series']} series; "
        f"{summary['too_short']} too short, {summary['constant']} constant, "
        f"{summary['exact_line']} exact lines; tested on the log scale "
        f"{summary['log_scale']}, seasonally adjusted by ratio {summary['ratio_scale']}); "
        f"{summary['level']} level, {summary['trend']} trend, "
        f"{summary['market']} market-wide",
    )
    if summary["market_months"]:
        echo(settings, "market-wide break months: " + month_runs(summary["market_months"]))
    if out is not None:
        echo(settings, f"wrote {out}")
    elif input is not None:  # the breaks are the result: printed with --quiet too
        typer.echo(found.write_csv(), nl=False)


def month_runs(months: list[str]) -> str:
    """Sorted ``YYYY-MM`` months with neighbours joined into ranges (one market event is
    often three months: a series within a month of it is market-wide too).

    >>> month_runs(["2018-05", "2018-06", "2018-07", "2020-08", "2022-12", "2023-01"])
    '2018-05..2018-07, 2020-08, 2022-12..2023-01'
    """
    index = [int(m[:4]) * 12 + int(m[5:7]) for m in months]
    runs: list[list[str]] = []
    for i, month in enumerate(months):
        if i and index[i] == index[i - 1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)
