"""Monthly panels in long format: ``unique_id`` (Utf8), ``ds`` (Date, first of month), ``y``.

A panel is read from a CSV/Parquet file (:func:`read_panel`) or from the warehouse's
``demand`` table (:func:`warehouse_panel`). :func:`validate_panel` refuses what cannot be
forecast or tested honestly: duplicate ``(unique_id, ds)`` pairs, dates that are not the
first day of a month, and series observed at a coarser frequency (quarterly, yearly).
Gaps are never filled silently: :func:`fill_gaps` fills them with an explicit value
(0 for count panels, where a missing month means no ad mentioned the skill).

Example
-------
>>> import polars as pl
>>> from datetime import date
>>> frame = pl.DataFrame({"unique_id": ["a", "a"], "ds": [date(2024, 1, 1), date(2024, 3, 1)],
...                       "y": [1.0, 3.0]})
>>> fill_gaps(validate_panel(frame))["y"].to_list()
[1.0, 0.0, 3.0]
"""

from __future__ import annotations

import math
from functools import reduce
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.textfile import ragged_record, refuse_binary

__all__ = [
    "PANEL_SCHEMA",
    "fill_gaps",
    "read_panel",
    "refuse_gaps",
    "refuse_negative",
    "validate_panel",
]

PANEL_SCHEMA = {"unique_id": pl.Utf8, "ds": pl.Date, "y": pl.Float64}
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m")


def read_panel(
    path: str | Path, *, id_col: str = "unique_id", ds_col: str = "ds", y_col: str = "y"
) -> pl.DataFrame:
    """Read a long-format monthly panel from a CSV or Parquet file and validate it.

    ``ds`` may be a date, a datetime at midnight, or text ``YYYY-MM-DD`` / ``YYYY-MM``;
    it must fall on the first day of a month. Columns other than the three named are
    dropped. Errors name the file, the (1-based data) row and the field.

    Example
    -------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "panel.csv"
    >>> _ = p.write_text("unique_id,ds,y\\npython,2024-01,3\\npython,2024-02,5\\n")
    >>> read_panel(p)["ds"].to_list()
    [datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)]
    """
    path = Path(path)
    if len({id_col, ds_col, y_col}) < 3:  # one column read twice: a confusing error later
        raise UserError(
            f"--id-col {id_col!r}, --ds-col {ds_col!r} and --y-col {y_col!r}: "
            "name three different columns"
        )
    if not path.exists():
        raise UserError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            raw = pl.read_parquet(path)
        elif suffix in (".csv", ".txt"):
            refuse_binary(path)  # polars reads UTF-16 as columns of garbage
            raw = pl.read_csv(
                path, schema_overrides={id_col: pl.Utf8, ds_col: pl.Utf8}, infer_schema_length=0
            )
        else:
            raise UserError(f"{path}: unknown panel format {suffix!r} (use .csv or .parquet)")
    except (pl.exceptions.PolarsError, OSError) as exc:
        if suffix != ".parquet" and (ragged := ragged_record(path)):  # polars does not say
            raise UserError(f"{path}, row {ragged.row}: {ragged.describe()}") from None
        raise UserError(f"{path}: cannot read the panel: {str(exc).splitlines()[0]}") from None
    missing = [c for c in (id_col, ds_col, y_col) if c not in raw.columns]
    if missing:
        months = parse_dates(pl.Series(raw.columns, dtype=pl.Utf8)).is_not_null().sum()
        if months >= 2:  # one column per month, as Job-SDF's files
            raise UserError(
                f"{path}: a wide panel ({months} month columns such as {raw.columns[-1]!r}); "
                "give a long panel (unique_id, ds, y), or import this one with `skilltide "
                "ingest demand FILE --panel NAME` and use the warehouse panel (`forecast run "
                "--panel NAME`, `breaks detect --panel NAME`)"
            )
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)} (found {', '.join(raw.columns)});"
            " name them with --id-col/--ds-col/--y-col"
        )
    raw = raw.select(
        pl.col(id_col).alias("unique_id"), pl.col(ds_col).alias("ds"), pl.col(y_col).alias("y")
    ).with_row_index("_row", offset=1)
    if raw.height == 0:
        raise UserError(f"{path}: the panel has no rows")
    frame = _coerce(raw, source=str(path), names={"unique_id": id_col, "ds": ds_col, "y": y_col})
    return validate_panel(frame, source=str(path), names={"ds": ds_col, "unique_id": id_col})


def parse_dates(text: pl.Series) -> pl.Series:
    """Text ``YYYY-MM-DD`` or ``YYYY-MM`` as dates (null where neither fits)."""
    text = text.str.strip_chars()
    return reduce(
        lambda acc, fmt: acc.fill_null(text.str.strptime(pl.Date, fmt, strict=False)),
        _DATE_FORMATS[1:],
        text.str.strptime(pl.Date, _DATE_FORMATS[0], strict=False),
    )


def _coerce(raw: pl.DataFrame, *, source: str, names: dict[str, str]) -> pl.DataFrame:
    """Cast to the panel schema, naming the first row whose value does not fit."""
    where = f"{source}, row {{row}}, field {{field}}"
    ids = raw["unique_id"]
    if ids.dtype != pl.Utf8:
        ids = ids.cast(pl.Utf8)
    bad = raw.filter(ids.is_null() | (ids.str.strip_chars() == ""))
    if bad.height:
        raise UserError(where.format(row=bad["_row"][0], field=names["unique_id"]) + ": empty id")

    ds = raw["ds"]
    if ds.dtype == pl.Utf8:
        parsed = parse_dates(ds)
    elif ds.dtype == pl.Date:
        parsed = ds
    elif isinstance(ds.dtype, pl.Datetime):
        not_midnight = raw.filter(ds.dt.truncate("1d") != ds)
        if not_midnight.height:
            row = not_midnight.row(0, named=True)
            raise UserError(
                where.format(row=row["_row"], field=names["ds"])
                + f": {row['ds']} is not a month (a time of day is given)"
            )
        parsed = ds.dt.date()
    else:
        raise UserError(f"{source}, field {names['ds']}: dates of type {ds.dtype} are not months")
    unparsed = raw.filter(parsed.is_null())
    if unparsed.height:
        row = unparsed.row(0, named=True)
        raise UserError(
            where.format(row=row["_row"], field=names["ds"])
            + f": {_shown(row['ds'])} is not a date (use YYYY-MM or YYYY-MM-01)"
        )

    y = raw["y"]
    y_num = y.cast(pl.Float64, strict=False) if y.dtype != pl.Float64 else y
    bad_y = raw.filter(y_num.is_null() | y_num.is_nan() | y_num.is_infinite())
    if bad_y.height:
        row = bad_y.row(0, named=True)
        raise UserError(
            where.format(row=row["_row"], field=names["y"])
            + f": {_shown(row['y'])} is not a number (leave the row out for a missing month)"
        )
    return pl.DataFrame({"_row": raw["_row"], "unique_id": ids, "ds": parsed, "y": y_num})


def _shown(value: Any) -> str:
    return "an empty value" if value is None else repr(value)


def validate_panel(
    frame: pl.DataFrame, *, source: str = "panel", names: dict[str, str] | None = None
) -> pl.DataFrame:
    """Check a long panel and return it sorted by ``unique_id, ds`` in the panel schema.

    Refuses (with :class:`~skilltide.errors.UserError`) missing columns, dates that are not
    the first of a month, duplicate ``(unique_id, ds)`` pairs and series whose months are
    all a multiple of 2+ months apart (quarterly or yearly data mixed into a monthly panel).

    Example
    -------
    >>> from datetime import date
    >>> validate_panel(pl.DataFrame({"unique_id": ["a", "a"], "y": [1.0, 2.0],
    ...                              "ds": [date(2024, 1, 1), date(2024, 1, 1)]}))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skilltide.errors.UserError: panel, rows 1 and 2: duplicate unique_id 'a', ds 2024-01-01 (1 ...
    """
    names = {"unique_id": "unique_id", "ds": "ds", **(names or {})}
    missing = [c for c in PANEL_SCHEMA if c not in frame.columns]
    if missing:
        raise UserError(f"{source}: missing column(s) {', '.join(missing)}")
    if "_row" not in frame.columns:
        frame = frame.with_row_index("_row", offset=1)
    if frame["ds"].dtype != pl.Date or frame["y"].dtype not in (
        pl.Float64,
        pl.Float32,
        pl.Int64,
        pl.Int32,
    ):
        frame = _coerce(frame, source=source, names={"y": "y", **names})
    frame = frame.with_columns(pl.col("unique_id").cast(pl.Utf8), pl.col("y").cast(pl.Float64))

    off_month = frame.filter(pl.col("ds").dt.day() != 1)
    if off_month.height:
        row = off_month.row(0, named=True)
        raise UserError(
            f"{source}, row {row['_row']}, field {names['ds']}: {row['ds']} is not the first day "
            "of a month (panels are monthly; aggregate daily or weekly data to months first)"
        )

    dup = (
        frame.group_by("unique_id", "ds")
        .agg(pl.col("_row").sort().alias("rows"), pl.len().alias("n"))
        .filter(pl.col("n") > 1)
        .sort(pl.col("rows").list.first())
    )
    if dup.height:
        row = dup.row(0, named=True)
        rows = " and ".join(str(r) for r in row["rows"][:2])
        raise UserError(
            f"{source}, rows {rows}: duplicate unique_id {row['unique_id']!r}, ds {row['ds']} "
            f"({dup.height} duplicated pair(s) in all)"
        )

    frame = frame.sort("unique_id", "ds")
    steps = (
        frame.with_columns(_month_index("ds").alias("_m"))
        .with_columns(pl.col("_m").diff().over("unique_id").alias("_step"))
        .filter(pl.col("_step").is_not_null())
        .group_by("unique_id")
        .agg(pl.col("_step").alias("steps"), pl.col("_row").first().alias("row"))
        .filter(pl.col("steps").list.min() > 1)  # gcd > 1 needs every step > 1
    )
    for row in steps.iter_rows(named=True):
        step = reduce(math.gcd, row["steps"])
        if step > 1 and len(row["steps"]) >= 2:
            raise UserError(
                f"{source}, row {row['row']}, field {names['ds']}: series "
                f"{row['unique_id']!r} is observed every {step} months, not monthly "
                "(mixed frequencies; give one row per month)"
            )
    return frame.select(list(PANEL_SCHEMA))


def fill_gaps(
    frame: pl.DataFrame, value: float | None = 0.0, to_panel_end: bool = False
) -> pl.DataFrame:
    """Add the missing months between each series' first and last month, with ``y = value``.

    For count panels a missing month means no ad mentioned the skill, so ``value=0.0`` (the
    default) is right; pass ``value=None`` to mark the added months as null instead.
    Months before a series' first observation are not added; months after its last are
    added up to the panel's last month with ``to_panel_end`` (forecasts start there).

    Example
    -------
    >>> from datetime import date
    >>> f = pl.DataFrame({"unique_id": ["a", "a"], "ds": [date(2024, 1, 1), date(2024, 4, 1)],
    ...                   "y": [2.0, 5.0]})
    >>> fill_gaps(f, value=0.0)["y"].to_list()
    [2.0, 0.0, 0.0, 5.0]
    """
    if frame.height == 0:
        return frame.select(list(PANEL_SCHEMA))
    end = pl.lit(frame["ds"].max()) if to_panel_end else pl.col("ds").max()
    grid = (
        frame.group_by("unique_id")
        .agg(pl.col("ds").min().alias("first"), end.alias("last"))
        .select(
            "unique_id",
            pl.date_ranges("first", "last", interval="1mo").alias("ds"),
        )
        .explode("ds")
    )
    extra = [c for c in frame.columns if c not in PANEL_SCHEMA]
    filled = grid.join(frame, on=["unique_id", "ds"], how="left")
    if value is not None:
        filled = filled.with_columns(pl.col("y").fill_null(float(value)))
    if extra:  # constant per-series columns (group_id, skill_id) follow the series
        filled = filled.with_columns(pl.col(extra).fill_null(strategy="forward").over("unique_id"))
        filled = filled.with_columns(pl.col(extra).fill_null(strategy="backward").over("unique_id"))
    return filled.sort("unique_id", "ds").select(list(PANEL_SCHEMA) + extra)


def refuse_gaps(
    frame: pl.DataFrame, *, source: str = "panel", to_panel_end: bool = False
) -> pl.DataFrame:
    """Return ``frame`` if no series misses a month between its first and last (with
    ``to_panel_end``: the panel's last), else refuse it naming the first series and month
    missing (fill them with :func:`fill_gaps`).

    Example
    -------
    >>> from datetime import date
    >>> f = pl.DataFrame({"unique_id": ["a", "a"], "ds": [date(2024, 1, 1), date(2024, 3, 1)],
    ...                   "y": [2.0, 5.0]})
    >>> refuse_gaps(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skilltide.errors.UserError: panel: series 'a' has no row for 2024-02 (1 missing month(s) ...
    """
    missing = fill_gaps(
        frame.select(list(PANEL_SCHEMA)), value=None, to_panel_end=to_panel_end
    ).filter(pl.col("y").is_null())
    whole = missing.filter(~pl.col("ds").is_in(frame["ds"].unique().implode()))["ds"]
    if whole.len() and frame["unique_id"].n_unique() > 1:  # a gap in the source, not zeros
        raise UserError(
            f"{source}: no series has a row for {whole.min():%Y-%m}: a month the source lacks "
            "(--fill 0 would make it a month without ads); `skilltide ingest demand` "
            "interpolates such months in its warehouse panel"
        )
    if missing.height:
        row = missing.row(0, named=True)
        ends = f", up to the panel's last month {frame['ds'].max():%Y-%m}" if to_panel_end else ""
        raise UserError(
            f"{source}: series {row['unique_id']!r} has no row for {row['ds']:%Y-%m} "
            f"({missing.height} missing month(s) in {missing['unique_id'].n_unique()} series"
            f"{ends}); fill them explicitly with --fill (0 for counts: no ad mentioned the "
            "skill)"
        )
    return frame


def refuse_negative(frame: pl.DataFrame, *, source: str = "panel") -> pl.DataFrame:
    """Return ``frame`` if no ``y`` is negative, else refuse it naming the first such value:
    demand (counts, shares) cannot be negative, and forecasts clipped at 0 would hide it."""
    negative = frame.filter(pl.col("y") < 0)
    if negative.height:
        row = negative.row(0, named=True)
        raise UserError(
            f"{source}: series {row['unique_id']!r} has y = {row['y']} in {row['ds']:%Y-%m} "
            f"({negative.height} negative value(s)); demand (counts, shares) cannot be negative"
        )
    return frame


def _month_index(column: str) -> pl.Expr:
    return pl.col(column).dt.year().cast(pl.Int64) * 12 + pl.col(column).dt.month().cast(pl.Int64)


def __getattr__(name: str):
    """The warehouse's panels moved to :mod:`.demand_panel`; their names stay importable from
    here, looked up when asked for (an import at the top would be a cycle: that module reads
    this one's :func:`fill_gaps`, and importing it first failed)."""
    if name in ("require_demand", "warehouse_panel"):
        from skilltide.forecast import demand_panel

        return getattr(demand_panel, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
