"""Import demand panels aggregated elsewhere (``skilltide ingest demand``).

:func:`import_demand` reads an aggregated panel in long form (skill, month, count, optional
group and total) or one of the wide real formats: Job-SDF (``<gran>_id, skill_id,
2021-01 … 2023-12``) and the Hacker News term counts (long form with ``term``/``num_posts``).
Skill names are mapped to the taxonomy; two names of one skill in the same group and month
(``JS`` and ``JavaScript``) are merged keeping the larger count, since ads naming both would
be counted twice by a sum.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "p.csv").write_text("skill,month,count,total\\nPython,2024-01,3,10\\n")
>>> with Warehouse(d / "w.duckdb") as wh:
...     import_demand(wh, d / "p.csv", panel="test")["rows"]
1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.ingest.demand_gaps import drop_months, low_months, parse_months
from skilltide.ingest.demand_periods import DEFAULT_LEVEL_UNIT, PER_MONTH, to_months, uneven_months
from skilltide.ingest.demand_read import read_panel
from skilltide.ingest.readers import sha256_file
from skilltide.store import Warehouse, append, frame

# Results computed from a panel's rows, removed with the rows an import replaces.
DERIVED = ("breaks", "forecasts", "backtests")


def _check_values(path: Path, long: pl.DataFrame, per_month: str | None) -> None:
    """Stop at the first field without a usable value, at a repeated skill × group × month
    (× date with ``per_month``), or at a group and month (date) with two totals."""
    number = pl.col("count").is_null() | pl.col("count").is_nan() | pl.col("count").is_infinite()
    total = pl.col("total")
    bad_total = total.is_nan() | total.is_infinite() | (total < 0)
    checks = [
        ("skill", pl.col("skill").str.strip_chars().fill_null("") == "", "no skill"),
        ("group", pl.col("group_id").is_null(), "no group"),
        ("count", number | (pl.col("count") < 0), "no count >= 0"),
        ("total", bad_total, "a total < 0 or not a number"),
        # the total is the ads of the group and month: fewer than those naming one skill
        # would give a share above 1
        ("total", total < pl.col("count"), "a total below the count"),
    ]
    for field, bad, what in checks:
        rows = long.filter(bad.fill_null(False))
        if rows.height:
            first = rows.row(0, named=True)
            # the value as written: 'n/a' says more than the number it is not
            value = {"count": first["count_text"], "total": first["total"]}.get(field, "")
            shown = (
                "" if value == "" else f", {field} " + ("empty" if value is None else repr(value))
            )
            plural = "row" if rows.height == 1 else "rows"
            raise UserError(
                f"{path}, row {first['row']}, field {field}: {rows.height:,} {plural} with "
                f"{what} (first: skill {first['skill']!r}, month {first['month']!r}{shown})"
            )
    # with --per-month, one row per date (a day, a week) and several per month
    key = ["granularity", "group_id", "skill", "day" if per_month else "m"]
    repeated = long.filter(pl.struct(key).is_duplicated())
    if repeated.height:
        first = repeated.filter(pl.struct(key) == repeated.select(pl.struct(key))[0, 0])
        rows = ", ".join(map(str, first["row"].head(3)))
        where = (
            f"on {first['month'][0]!r}"
            if per_month
            else f"in month {first['m'][0]:%Y-%m} ({', '.join(map(repr, first['month'].head(3)))})"
        )
        fix = (
            "give one row per skill, group and date"
            if per_month
            else "give one row per skill, group and month, or combine daily or weekly rows "
            f"with --per-month {'|'.join(PER_MONTH)}"
        )
        raise UserError(
            f"{path}, rows {rows}: skill {first['skill'][0]!r}, group {first['group_id'][0]!r} "
            f"appears more than once {where}; {fix}"
        )
    # the total is the ads of the group and month (date): one number, not one per skill
    when = ["granularity", "group_id", "day" if per_month else "m"]
    totals = long.filter(pl.col("total").is_not_null()).sort("row")
    clash = totals.filter(pl.col("total").n_unique().over(when) > 1)
    if clash.height:
        first = clash.filter(pl.struct(when) == clash.select(pl.struct(when))[0, 0])
        other = first.filter(pl.col("total") != first["total"][0]).row(0, named=True)
        where = f"date {other['month']!r}" if per_month else f"month {other['m']:%Y-%m}"
        raise UserError(
            f"{path}, rows {first['row'][0]}, {other['row']}, field total: group "
            f"{other['group_id']!r} has totals {first['total'][0]:g} and {other['total']:g} in "
            f"{where}; a total is the group's ads then: give the same on each of its rows"
        )


def merge_names(long: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Any]]:
    """One row per granularity, group, skill id and month, where several names of one skill
    (``JS`` and ``JavaScript``) had a row each: the larger count and total are kept.

    The ads mentioning either name number at least the larger count and at most the sum; a
    sum counts every ad naming both twice, so the larger count (the lower bound) is kept.
    Returns the merged panel and ``{"rows": rows merged away, "names": {skill_id: names}}``.

    >>> rows = pl.DataFrame({"granularity": "market", "group_id": "all",
    ...     "skill_id": ["js", "js", "py"], "skill": ["JS", "JavaScript", "Python"],
    ...     "month": "2024-01", "count": [3.0, 5.0, 2.0], "total": 10.0})
    >>> panel, merged = merge_names(rows)
    >>> panel.sort("skill_id")["count"].to_list(), merged
    ([5.0, 2.0], {'rows': 1, 'names': {'js': ['JS', 'JavaScript']}})
    """
    key = ["granularity", "group_id", "skill_id", "month"]
    grouped = long.group_by(key).agg(
        pl.col("count").max(), pl.col("total").max(), pl.col("skill").alias("names")
    )
    several = grouped.filter(pl.col("names").list.len() > 1)
    names = (
        several.select("skill_id", "names")
        .explode("names")
        .group_by("skill_id")
        .agg(pl.col("names").unique().sort())
        .sort("skill_id")
    )
    merged = {
        "rows": long.height - grouped.height,
        "names": dict(zip(names["skill_id"].to_list(), names["names"].to_list(), strict=True)),
    }
    return grouped.drop("names"), merged


def _read_checked(
    path: Path, mapping: dict[str, str] | None, per_month: str | None
) -> tuple[pl.DataFrame, str]:
    """The panel in long form with months as dates (and ``period``, the date as written); a
    :class:`UserError` naming the row and field of the first bad value."""
    long, layout = read_panel(path, mapping)
    if long.height == 0:  # a header alone: refuse, as an empty file is
        raise UserError(f"{path}: the panel has no rows (only a header)")
    month = pl.col("month")
    # a day written after the month must be one ('2024-01-99' was read as January)
    no_day = (month.str.slice(7, 1) == "-") & month.str.slice(0, 10).str.to_date(
        "%Y-%m-%d", strict=False
    ).is_null()
    long = long.with_columns(
        pl.when(no_day.fill_null(False))
        .then(None)
        .otherwise(month.str.slice(0, 7).str.to_date("%Y-%m", strict=False))
        .alias("m")
    )
    unparsed = long.filter(pl.col("m").is_null())
    if unparsed.height:
        row = unparsed.row(0, named=True)
        raise UserError(
            f"{path}, row {row['row']}, field month: {row['month']!r} is not a month (YYYY-MM)"
        )
    if per_month is not None:
        long = _iso_days(path, long)
    _check_values(path, long, per_month)
    return long.drop("count_text", "day", strict=False).rename(
        {"month": "period", "m": "month"}
    ), layout


def _iso_days(path: Path, long: pl.DataFrame) -> pl.DataFrame:
    """``long`` with ``day``, its ISO date (``YYYY-MM-DD``; ``YYYY-MM`` for a month as
    written), refusing any other form: ``--per-month`` orders the dates by their text, and
    '2024-01-5' sorts after '2024-01-10'."""
    day = pl.col("month").str.slice(0, 10)
    iso = pl.col("month").str.contains(r"^\d{4}-\d{2}(-\d{2}([T ].*)?)?$") & (
        (day.str.len_chars() == 7) | day.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    )
    bad = long.filter(~iso.fill_null(False))
    if bad.height:
        row = bad.row(0, named=True)
        raise UserError(
            f"{path}, row {row['row']}, field month: {row['month']!r} is not an ISO date "
            "(YYYY-MM-DD), which --per-month needs to order the dates"
        )
    return long.with_columns(day.alias("day"))


def import_demand(
    wh: Warehouse,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    panel: str | None = None,
    per_month: str | None = None,
    unit: str | None = None,
    missing_months: list[str] | None = None,
) -> dict[str, Any]:
    """Import an aggregated panel into ``demand`` (and ``demand_totals`` when totals are given).

    The file must have one row per skill, group and month (a month is ``YYYY-MM`` or any date
    in it), a skill and group in every row and counts (and totals) that are numbers >= 0, a
    total no smaller than the count; otherwise nothing is imported and the error names the
    row and field. Daily or weekly rows (one per skill, group and ISO date) are combined into
    months with ``per_month`` = ``sum``, ``mean`` or ``last``
    (:mod:`skilltide.ingest.demand_periods`; ``sum`` leaves out a partial first or last month,
    listed in the summary's ``partial_months``). ``unit`` says what the values measure when
    they are not counts of ads (``index points``; ``value`` by default with ``mean`` and
    ``last``): the report words them so and adds up no series (table ``demand_units``, per
    granularity imported, as the rows are replaced).
    Rows of the same panel and granularity are replaced. Skill names that match a taxonomy
    alias (case-insensitive) get that skill's id; others are kept as ``<panel>:<name>``.
    Names of one skill in the same group and month are merged (:func:`merge_names`); the
    summary's ``merged_rows`` and ``merged_names`` say which. The breaks, forecasts and
    backtests of the replaced rows (:data:`DERIVED`) are removed with them, counted in the
    summary's ``cleared``. ``missing_months`` (``YYYY-MM``) are months the source lacks
    though the file has rows for them: their rows are left out, and the panel reader
    interpolates them (:mod:`skilltide.ingest.demand_gaps`); a panel of counts lists in
    ``low_months`` the months whose ads look too few to be a whole month.
    """
    path = Path(path)
    if panel is not None and not panel.strip():  # an unset shell variable, say
        raise UserError("--panel: give the panel a name (left out: the file's stem)")
    panel = panel or path.stem.split(".")[0]
    if panel == "ads":
        raise UserError("--panel ads is reserved for the panel built from ingested ads")
    if per_month is not None and per_month not in PER_MONTH:
        raise UserError(f"--per-month {per_month}: use one of {', '.join(PER_MONTH)}")
    if unit is not None and not unit.strip():
        raise UserError("--unit: give what the values measure (e.g. 'index points')")
    if unit is None and per_month in ("mean", "last"):
        unit = DEFAULT_LEVEL_UNIT  # a mean or a last value is no count of the month's ads
    args = {"file": str(Path(path).resolve()), "panel": panel, "map": mapping}
    if per_month is not None:
        args["per_month"] = per_month
    if unit is not None:
        args["unit"] = unit = unit.strip()
    missing = parse_months(missing_months or [])  # a usage mistake is no failed run
    if missing:
        args["missing_months"] = [m.strftime("%Y-%m") for m in missing]
    # checked inside the run, so that a refused file is a failed run in `runs`, as for ads
    with wh.run("ingest demand", args) as run:
        long, layout = _read_checked(path, mapping, per_month)
        rows_read, periods, partial, uneven = long.height, long["period"], [], []
        if per_month is not None:
            long, partial = to_months(long, per_month)
            if per_month == "sum":
                uneven = uneven_months(periods, partial)
            if long.height == 0:
                raise UserError(
                    f"{path}: every month is partial ({', '.join(partial)}): --per-month sum "
                    "leaves out months the dates cover only in part"
                )
        else:
            long = long.drop("period")
        long, missing_rows = drop_months(long, missing, path)
        low = low_months(long) if unit is None else []  # an index may fall that far
        aliases = frame(
            run.con,
            "SELECT lower(alias) AS key, min(skill_id) AS skill_id FROM ("
            " SELECT alias, skill_id FROM skill_aliases UNION SELECT name, skill_id FROM skills)"
            " GROUP BY 1",
        )
        long = (
            long.with_columns(pl.col("skill").str.to_lowercase().alias("key"))
            .join(aliases, on="key", how="left")
            .with_columns(
                pl.coalesce("skill_id", pl.lit(f"{panel}:") + pl.col("skill")).alias("skill_id")
            )
        )
        long, merged = merge_names(long)
        # the breaks, forecasts and backtests computed from the rows replaced: kept, the
        # report showed them with the new rows and `forecast run` used the old breaks
        cleared = dict.fromkeys(DERIVED, 0)
        for gran in long["granularity"].unique().to_list():
            for table in DERIVED:
                cleared[table] += run.con.execute(
                    f"DELETE FROM {table} WHERE panel = ? AND granularity = ?", [panel, gran]
                ).fetchone()[0]
            run.con.execute("DELETE FROM demand WHERE panel = ? AND granularity = ?", [panel, gran])
            run.con.execute(
                "DELETE FROM demand_totals WHERE panel = ? AND granularity = ?", [panel, gran]
            )
            run.con.execute(
                "DELETE FROM demand_units WHERE panel = ? AND granularity = ?", [panel, gran]
            )
            if unit is not None:  # the unit of the rows that replace them
                run.con.execute(
                    "INSERT INTO demand_units VALUES (?, ?, ?, ?)", [panel, gran, unit, run.run_id]
                )
        rows = append(
            run.con,
            "demand",
            long.select(
                pl.lit(panel).alias("panel"),
                "granularity",
                "group_id",
                "skill_id",
                "month",
                "count",
                "total",
                pl.when(pl.col("total") > 0).then(pl.col("count") / pl.col("total")).alias("share"),
                pl.lit(run.run_id).alias("run_id"),
            ),
        )
        totals = (
            long.filter(pl.col("total").is_not_null())
            .group_by("granularity", "group_id", "month")
            .agg(pl.col("total").max().alias("ads"))
        )
        n_totals = append(
            run.con,
            "demand_totals",
            totals.select(
                pl.lit(panel).alias("panel"),
                "granularity",
                "group_id",
                "month",
                "ads",
                pl.lit(run.run_id).alias("run_id"),
            ),
        )
        run.count("demand", rows)
        run.count("demand_totals", n_totals)
        summary = {
            "file": str(path),
            "sha256": sha256_file(path),  # provenance: the panel's rows came from these bytes
            "panel": panel,
            "layout": layout,
            "rows": rows,
            "totals": n_totals,
            "granularities": sorted(long["granularity"].unique().to_list()),
            "skills": long["skill_id"].n_unique(),
            "months": long["month"].n_unique(),
            "matched_taxonomy": int(
                long.filter(~pl.col("skill_id").str.starts_with(f"{panel}:"))["skill_id"].n_unique()
            ),
            "merged_rows": merged["rows"],
            "merged_names": merged["names"],
            "per_month": per_month,
            "unit": unit,
            "rows_read": rows_read,
            "partial_months": partial,
            "missing_months": args.get("missing_months", []),
            "missing_rows": missing_rows,
            "low_months": low,
            "dates_per_month": uneven,  # [fewest, most] when weekly sums are uneven
            "cleared": cleared,  # rows of results from the replaced rows, by table
            "run_id": run.run_id,
        }
        run.notes.update(summary)
    return summary
