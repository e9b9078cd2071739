"""Structural breaks of a warehouse demand panel, written to the ``breaks`` table.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
>>> detect_breaks_warehouse(wh)["breaks"]
0
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.break_source import known_after_detection
from skilltide.forecast.breaks import detect_breaks_report
from skilltide.forecast.breaks_detectors import check_break_options
from skilltide.forecast.panel import (
    fill_gaps,
    parse_dates,
    read_panel,
    refuse_gaps,
    warehouse_panel,
)
from skilltide.store import Run, Warehouse, append

__all__ = [
    "detect_breaks_file",
    "detect_breaks_warehouse",
    "latest_breaks_run",
    "read_breaks",
    "write_frame",
]


def detect_breaks_warehouse(
    wh: Warehouse,
    panel: str = "ads",
    granularity: str = "market",
    *,
    value: str = "count",
    method: str = "auto",
    alpha: float = 0.05,
    min_size: int = 6,
    written: Callable[[Run], None] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Detect breaks in one demand panel and replace its rows in ``breaks``, in one run.

    Reads ``demand`` (``value`` = count or share) at ``granularity``, runs
    :func:`~skilltide.forecast.breaks.detect_breaks` and writes one row per break with the
    run id; ``written(run)`` is called last, inside the run (``--out``). Returns a JSON-able
    summary (run id, series tested, breaks by kind and scope, market-wide months, seconds).
    """
    args = {
        "panel": panel,
        "granularity": granularity,
        "value": value,
        "method": method,
        "alpha": alpha,
        "min_size": min_size,
        **options,
    }
    from skilltide.forecast.demand_panel import demand_rows

    check_break_options(method, alpha, min_size)  # a usage mistake is no failed run
    with wh.run("breaks detect", args) as run:
        with run.stage("read panel") as rec:
            long = warehouse_panel(run.con, panel, granularity, value=value)
            rec["rows"] = long.height
            # provenance: the runs that wrote the demand rows read and what the rows held
            # (as forecast run's), so a report can tell breaks found in older data
            demand_runs = run.con.execute(
                "SELECT DISTINCT run_id FROM demand WHERE panel = ? AND granularity = ? ORDER BY 1",
                [panel, granularity],
            ).fetchall()
            run.notes["inputs"] = {
                "demand_runs": [r[0] for r in demand_runs],
                "demand_rows": demand_rows(run, panel, granularity),
            }
        with run.stage("detect") as rec:
            report = detect_breaks_report(
                long.select("unique_id", "ds", "y"),
                method=method,
                alpha=alpha,
                min_size=min_size,
                **options,
            )
            rec["series"] = report.tested
        keys = long.select("unique_id", "group_id", "skill_id").unique()
        rows = report.breaks.join(keys, on="unique_id", how="left").with_columns(
            pl.lit(run.run_id).alias("run_id"),
            pl.lit(panel).alias("panel"),
            pl.lit(granularity).alias("granularity"),
        )
        run.con.execute(
            "DELETE FROM breaks WHERE panel = ? AND granularity = ?", [panel, granularity]
        )
        run.count("breaks", append(run.con, "breaks", rows))
        summary = {
            "run_id": run.run_id,
            "panel": panel,
            "granularity": granularity,
            "value": value,
            **report.summary(),
            "partial_month": _left_out(run.con, panel),
        }
        run.notes.update({k: v for k, v in summary.items() if k != "run_id"})
        summary["seconds"] = round(sum(s.get("seconds", 0.0) for s in run.stages), 3)
        if written is not None:
            written(run)
    return summary


def _left_out(con, panel: str) -> dict | None:
    """The incomplete last month the panel was read without (see ``warehouse_panel``)."""
    from skilltide.ingest.coverage import partial_month

    partial = partial_month(con, panel)
    return None if partial is None else partial.as_dict()


def latest_breaks_run(wh: Warehouse, panel: str, granularity: str) -> str | None:
    """The run id of the breaks stored for ``(panel, granularity)``: the newest ``breaks
    detect`` run of it, also when it found none (not when an ``ingest demand`` of the panel
    removed its results since), or None."""
    if not wh.has_table("breaks"):
        return None
    stored = wh.con.execute(
        "SELECT max(run_id) FROM breaks WHERE panel = ? AND granularity = ?", [panel, granularity]
    ).fetchone()[0]
    if stored is not None:
        return stored
    # a run that found no breaks leaves no rows: "no breaks found" is not "never looked"
    return wh.con.execute(
        """SELECT arg_max(run_id, started) FROM runs
           WHERE command = 'breaks detect' AND status = 'success'
             AND args->>'panel' = $panel AND args->>'granularity' = $granularity
             AND started > coalesce((SELECT max(started) FROM runs
                 WHERE command = 'ingest demand' AND args->>'panel' = $panel
                   AND status = 'success'), TIMESTAMP '1970-01-01')""",
        {"panel": panel, "granularity": granularity},
    ).fetchone()[0]


def detect_breaks_file(
    path: str | Path,
    out: str | Path | None = None,
    *,
    fill: float | None = None,
    id_col: str = "unique_id",
    ds_col: str = "ds",
    y_col: str = "y",
    method: str = "auto",
    alpha: float = 0.05,
    min_size: int = 6,
    **options: Any,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Breaks of a long-format CSV/Parquet panel; written to ``out`` (.csv/.parquet) if given,
    with ``known_ds`` (:func:`~skilltide.forecast.break_source.known_after_detection`).

    ``fill`` fills missing months with that value first (e.g. 0 for counts); without it a
    series with a missing month is refused.
    """
    long = read_panel(path, id_col=id_col, ds_col=ds_col, y_col=y_col)
    # a gap is refused naming the file, series and month, as forecast panel does
    long = refuse_gaps(long, source=str(path)) if fill is None else fill_gaps(long, value=fill)
    report = detect_breaks_report(long, method=method, alpha=alpha, min_size=min_size, **options)
    found = known_after_detection(
        report.breaks, min_size, panel=long, min_length=options.get("min_length", 12)
    )
    if out is not None:
        write_frame(found, out)
    return found, {"input": str(path), **report.summary()}


def write_frame(frame: pl.DataFrame, out: str | Path) -> Path:
    """Write ``frame`` as Parquet (``.parquet``) or CSV (anything else)."""
    out = Path(out)
    if not out.parent.exists():
        raise UserError(f"{out}: folder {out.parent} does not exist")
    from skilltide.outfile import write_frame as write_whole

    return write_whole(frame, out)


def read_breaks(path: str | Path) -> pl.DataFrame:
    """Read known breaks (``unique_id``, ``break_ds`` and optionally ``known_ds``) from a CSV
    or Parquet file, such as ``breaks detect --out`` writes (with ``known_ds``) or a list of
    known events (without it: each is used from its ``break_ds``).

    Dates are ``YYYY-MM-DD`` or ``YYYY-MM``; errors name the file, row and field.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            raw = pl.read_parquet(path)
        else:
            raw = pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UserError(f"{path}: cannot read the breaks: {str(exc).splitlines()[0]}") from None
    missing = [c for c in ("unique_id", "break_ds") if c not in raw.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}")
    columns = [c for c in ("break_ds", "known_ds") if c in raw.columns]
    out = raw.select(pl.col("unique_id").cast(pl.Utf8), *columns)
    for name in columns:
        given = out[name]
        if given.dtype == pl.Date:
            parsed = given
        elif isinstance(given.dtype, pl.Datetime):
            parsed = given.dt.date().set(given.dt.truncate("1d") != given, None)
        else:
            parsed = parse_dates(given.cast(pl.Utf8))
        bad = (parsed.is_null() & given.is_not_null()) | (parsed.is_null() & (name == "break_ds"))
        bad = bad | (parsed.dt.day() != 1).fill_null(False)
        if bad.any():
            row = int(bad.arg_true()[0])
            raise UserError(
                f"{path}, row {row + 1}, field {name}: {given[row]!r} is not a month"
                " (use YYYY-MM or YYYY-MM-01)"
            )
        out = out.with_columns(parsed.alias(name))
    if "known_ds" in out.columns:
        early = (out["known_ds"] < out["break_ds"]).fill_null(False)
        if early.any():
            row = int(early.arg_true()[0])
            raise UserError(
                f"{path}, row {row + 1}, field known_ds: {out['known_ds'][row]} is before the "
                f"break ({out['break_ds'][row]}); a break cannot be known before it happens"
            )
    return out
