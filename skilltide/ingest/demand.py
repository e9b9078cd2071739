"""Monthly demand panels: from the ads table (panel 'ads') or imported already aggregated.

The 'ads' panel counts, for each month and group, the ads (``demand_totals.ads``) and the ads
mentioning each skill (``demand.count``; ``share = count / total``). An ad counts once, in the
month it was first posted. Granularities: ``market`` (group ``all``), ``region``,
``major_group`` (``15-0000``), ``occupation`` (O*NET-SOC code) and ``company``; an ad with no
value for a granularity is in group ``unknown`` there, so every granularity adds up to the
market (tested).

:func:`import_demand` reads an aggregated panel in long form (skill, month, count, optional
group and total) or one of the wide real formats: Job-SDF (``<gran>_id, skill_id,
2021-01 … 2023-12``) and the Hacker News term counts (long form with ``term``/``num_posts``).

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

import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from skilltide.errors import UserError
from skilltide.ingest.readers import sha256_file
from skilltide.store import Warehouse, append, frame

GRANULARITIES = ("market", "region", "major_group", "occupation", "company")
DEMAND_FIELDS = ("skill", "month", "count", "group", "total", "granularity")
_DEFAULT_COLUMNS = {
    "skill": ["skill", "skill_id", "term"],
    "month": ["month", "ds", "date"],
    "count": ["count", "demand", "n"],
    "group": ["group", "group_id"],
    "total": ["total", "num_posts", "ads"],
    "granularity": ["granularity"],
}

_ADS_GROUPS = """
CREATE OR REPLACE TEMP TABLE _ad_groups AS
SELECT ad_id, (row_number() OVER ())::INTEGER AS a, month, 'all' AS market,
       coalesce(nullif(trim(region), ''), 'unknown') AS region,
       CASE WHEN regexp_matches(occupation, '^\\d{2}-\\d{4}')
            THEN substr(occupation, 1, 2) || '-0000' ELSE 'unknown' END AS major_group,
       coalesce(nullif(trim(occupation), ''), 'unknown') AS occupation,
       coalesce(nullif(trim(company), ''), 'unknown') AS company
FROM ads
"""
# Integer codes: ``a`` per ad (above), ``s`` per skill id, ``c`` per group of one granularity.
_SKILL_CODES = """
CREATE OR REPLACE TEMP TABLE _skill_codes AS
SELECT skill_id, (row_number() OVER (ORDER BY skill_id))::INTEGER AS s
FROM (SELECT DISTINCT skill_id FROM ad_skills)
"""
_AD_SKILL_CODES = """
CREATE OR REPLACE TEMP TABLE _ad_skill_codes AS
SELECT g.a, k.s FROM ad_skills JOIN _skill_codes k USING (skill_id) JOIN _ad_groups g USING (ad_id)
"""
_GROUP_CODES = """
CREATE OR REPLACE TEMP TABLE _group_codes AS
SELECT {g} AS group_id, (row_number() OVER (ORDER BY {g}))::INTEGER AS c
FROM (SELECT DISTINCT {g} FROM _ad_groups)
"""
_DEMAND = """
INSERT INTO demand (panel, granularity, group_id, skill_id, month, count, total, share, run_id)
SELECT 'ads', '{g}', gc.group_id, k.skill_id, x.month, x.n, t.ads, x.n / t.ads, ?
FROM (SELECT c, s, month, count(*) AS n
      FROM (SELECT a, month, c FROM _ad_groups JOIN _group_codes ON {g} = group_id)
      JOIN _ad_skill_codes USING (a)
      GROUP BY ALL) x
JOIN _group_codes gc USING (c)
JOIN _skill_codes k USING (s)
JOIN _totals t ON t.granularity = '{g}' AND t.group_id = gc.group_id AND t.month = x.month
"""


def refresh_ads_panel(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Rebuild panel 'ads' in ``demand``/``demand_totals`` from ``ads`` and ``ad_skills``."""
    # Row order inside the tables does not matter; not keeping it lets DuckDB stream the
    # aggregates into the tables in parallel with less memory.
    order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = false")
    try:
        return _rebuild_ads_panel(con, run_id)
    finally:
        con.execute(f"SET preserve_insertion_order = {bool(order)}")


def _rebuild_ads_panel(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    con.execute("DELETE FROM demand WHERE panel = 'ads'")
    con.execute("DELETE FROM demand_totals WHERE panel = 'ads'")
    con.execute(_ADS_GROUPS)
    # Totals: one GROUPING SETS pass; the granularity is the one grouping column present.
    sets = ", ".join(f"(month, {g})" if g != "market" else "(month)" for g in GRANULARITIES)
    label = " ".join(f"WHEN grouping({g}) = 0 THEN '{g}'" for g in GRANULARITIES if g != "market")
    group = "coalesce(" + ", ".join(g for g in GRANULARITIES if g != "market") + ", 'all')"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _totals AS"
        f" SELECT CASE {label} ELSE 'market' END AS granularity, {group} AS group_id, month,"
        " count(*) AS ads"
        f" FROM _ad_groups GROUP BY GROUPING SETS ({sets})"
    )
    con.execute(
        "INSERT INTO demand_totals (panel, granularity, group_id, month, ads, run_id)"
        " SELECT 'ads', granularity, group_id, month, ads, ? FROM _totals",
        [run_id],
    )
    # Counts: one aggregation per granularity on integer codes (ad, skill, group) instead of
    # one GROUPING SETS pass on strings: the company granularity has most of the rows (≈ 11M
    # of 17M at 1M ads), and its string hash table spilled under the run's memory cap (the
    # panel took half the time: 44 s -> 21 s at 1M ads).
    con.execute(_SKILL_CODES)
    con.execute(_AD_SKILL_CODES)
    for g in GRANULARITIES:
        con.execute(_GROUP_CODES.format(g=g))
        con.execute(_DEMAND.format(g=g), [run_id])
    rows = con.execute(
        "SELECT (SELECT count(*) FROM demand WHERE panel = 'ads'), (SELECT count(*) FROM _totals)"
    ).fetchall()[0]
    for table in ("_totals", "_group_codes", "_ad_skill_codes", "_skill_codes", "_ad_groups"):
        con.execute(f"DROP TABLE {table}")
    return {"demand": int(rows[0]), "demand_totals": int(rows[1])}


# -- importing aggregated panels ------------------------------------------------------------
def read_panel(path: Path, mapping: dict[str, str] | None = None) -> tuple[pl.DataFrame, str]:
    """Read an aggregated panel into long form ``(row, granularity, group_id, skill, month,
    count, total)`` (``row``: the 1-based record of the file); returns the frame and the
    detected layout (``long``, ``wide-months``)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    raw = _read_any(path)
    month_columns = [c for c in raw.columns if re.fullmatch(r"\d{4}-\d{2}", c)]
    if len(month_columns) >= 2 and not (mapping or {}).get("month"):
        return _wide_months(path, raw, month_columns), "wide-months"
    cols = _resolve(path, raw.columns, mapping or {})
    out = (
        raw.with_row_index("row", offset=1)
        .select(
            "row",
            pl.lit(None, dtype=pl.String).alias("granularity")
            if cols["granularity"] is None
            else pl.col(cols["granularity"]).cast(pl.String).alias("granularity"),
            (
                pl.lit("all") if cols["group"] is None else pl.col(cols["group"]).cast(pl.String)
            ).alias("group_id"),
            pl.col(cols["skill"]).cast(pl.String).alias("skill"),
            pl.col(cols["month"]).cast(pl.String).alias("month"),
            pl.col(cols["count"]).cast(pl.Float64, strict=False).alias("count"),
            (
                pl.lit(None, dtype=pl.Float64)
                if cols["total"] is None
                else pl.col(cols["total"]).cast(pl.Float64, strict=False)
            ).alias("total"),
        )
        .with_columns(
            pl.col("granularity").fill_null("market" if cols["group"] is None else "group")
        )
    )
    return out, "long"


def _read_any(path: Path) -> pl.DataFrame:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return pl.read_parquet(path)
        if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
            return pl.read_ndjson(path)
        if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")):
            sep = "\t" if ".tsv" in name or name.endswith(".txt") else ","
            return pl.read_csv(path, separator=sep, infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UserError(f"{path}: cannot read it as a panel: {str(exc).splitlines()[0]}") from None
    raise UserError(f"{path}: unknown panel file type (use .csv, .tsv, .parquet or .jsonl)")


def _resolve(path: Path, columns: list[str], mapping: dict[str, str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for field in DEMAND_FIELDS:
        if field in mapping:
            if mapping[field] not in columns:
                raise UserError(
                    f"{path}: field {field}: no column {mapping[field]!r} "
                    f"(columns: {', '.join(columns[:20])})"
                )
            found[field] = mapping[field]
        else:
            found[field] = next((c for c in _DEFAULT_COLUMNS[field] if c in columns), None)
    for field in ("skill", "month", "count"):
        if found[field] is None:
            raise UserError(
                f"{path}: field {field}: no column for it (columns: "
                f"{', '.join(columns[:20])}); use --map {field}=COLUMN"
            )
    return found


def _wide_months(path: Path, raw: pl.DataFrame, months: list[str]) -> pl.DataFrame:
    ids = [c for c in raw.columns if c not in months]
    skill = "skill_id" if "skill_id" in ids else None
    groups = [c for c in ids if c != skill and c.endswith("_id")]
    if skill is None or len(groups) > 1:
        raise UserError(
            f"{path}: wide panel needs a skill_id column and at most one <group>_id "
            f"column, found {', '.join(ids)}"
        )
    granularity = groups[0][: -len("_id")] if groups else "market"
    if granularity == "r0":
        granularity = "market"
    long = raw.with_row_index("row", offset=1).unpivot(
        index=["row", *ids], on=months, variable_name="month", value_name="count"
    )
    return long.select(
        "row",
        pl.lit(granularity).alias("granularity"),
        (
            pl.lit("all")
            if granularity == "market" or not groups
            else pl.col(groups[0]).cast(pl.String)
        ).alias("group_id"),
        pl.col(skill).cast(pl.String).alias("skill"),
        pl.col("month"),
        pl.col("count").cast(pl.Float64, strict=False),
        pl.lit(None, dtype=pl.Float64).alias("total"),
    )


def _check_values(path: Path, long: pl.DataFrame) -> None:
    """Stop at the first field without a usable value, or at a repeated skill × group × month."""
    number = pl.col("count").is_null() | pl.col("count").is_nan() | pl.col("count").is_infinite()
    total = pl.col("total")
    bad_total = total.is_nan() | total.is_infinite() | (total < 0)
    checks = [
        ("skill", pl.col("skill").str.strip_chars().fill_null("") == "", "no skill"),
        ("group", pl.col("group_id").is_null(), "no group"),
        ("count", number | (pl.col("count") < 0), "no count >= 0"),
        ("total", bad_total, "a total < 0 or not a number"),
    ]
    for field, bad, what in checks:
        rows = long.filter(bad.fill_null(False))
        if rows.height:
            first = rows.row(0, named=True)
            raise UserError(
                f"{path}, row {first['row']}, field {field}: {rows.height} rows with {what} "
                f"(first: skill {first['skill']!r}, month {first['month']!r})"
            )
    key = ["granularity", "group_id", "skill", "m"]
    repeated = long.filter(pl.struct(key).is_duplicated())
    if repeated.height:
        first = repeated.filter(pl.struct(key) == repeated.select(pl.struct(key))[0, 0])
        raise UserError(
            f"{path}, rows {', '.join(map(str, first['row'].head(3)))}: skill "
            f"{first['skill'][0]!r}, group {first['group_id'][0]!r} appears more than once in "
            f"month {first['m'][0]:%Y-%m} ({', '.join(map(repr, first['month'].head(3)))}); "
            "give one row per skill, group and month (aggregate daily or weekly data first)"
        )


def import_demand(
    wh: Warehouse,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    panel: str | None = None,
) -> dict[str, Any]:
    """Import an aggregated panel into ``demand`` (and ``demand_totals`` when totals are given).

    The file must have one row per skill, group and month (a month is ``YYYY-MM`` or any date
    in it), a skill and group in every row and counts (and totals) that are numbers >= 0;
    otherwise nothing is imported and the error names the row and field.
    Rows of the same panel and granularity are replaced. Skill names that match a taxonomy
    alias (case-insensitive) get that skill's id; others are kept as ``<panel>:<name>``.
    """
    path = Path(path)
    panel = panel or path.stem.split(".")[0]
    if panel == "ads":
        raise UserError("--panel ads is reserved for the panel built from ingested ads")
    long, layout = read_panel(path, mapping)
    bad_month = long.with_columns(
        pl.col("month").str.slice(0, 7).str.to_date("%Y-%m", strict=False).alias("m")
    )
    unparsed = bad_month.filter(pl.col("m").is_null())
    if unparsed.height:
        row = unparsed.row(0, named=True)
        raise UserError(
            f"{path}, row {row['row']}, field month: {row['month']!r} is not a month (YYYY-MM)"
        )
    _check_values(path, bad_month)
    long = bad_month.drop("month").rename({"m": "month"})
    with wh.run("ingest demand", {"file": str(path), "panel": panel, "map": mapping}) as run:
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
        long = long.group_by("granularity", "group_id", "skill_id", "month").agg(
            pl.col("count").sum(), pl.col("total").max()
        )
        for gran in long["granularity"].unique().to_list():
            run.con.execute("DELETE FROM demand WHERE panel = ? AND granularity = ?", [panel, gran])
            run.con.execute(
                "DELETE FROM demand_totals WHERE panel = ? AND granularity = ?", [panel, gran]
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
            "run_id": run.run_id,
        }
        run.notes.update(summary)
    return summary
