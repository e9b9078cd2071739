"""Monthly demand panel 'ads', built from the ads table.

The 'ads' panel counts, for each month and group, the ads (``demand_totals.ads``) and the ads
mentioning each skill (``demand.count``; ``share = count / total``). An ad counts once, in the
month it was first posted. Granularities: ``market`` (group ``all``), ``region``,
``major_group`` (``15-0000``), ``occupation`` (O*NET-SOC code) and ``company``; an ad with no
value for a granularity is in group ``unknown`` there, so every granularity adds up to the
market (tested). A month's rows depend only on the ads first posted in it, so a refresh
recomputes only the months whose ads or skills changed since the last one (their counts and
sums of row hashes, kept in ``demand_months``). Panels aggregated elsewhere are imported by
:mod:`skilltide.ingest.demand_import` and :mod:`skilltide.ingest.demand_read` (re-exported
here).

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with Warehouse(d / "w.duckdb") as wh, wh.run("example") as run:
...     refresh_ads_panel(run.con, run.run_id)
{'demand': 0, 'demand_totals': 0, 'months_rebuilt': 0, 'months_kept': 0}
"""

from __future__ import annotations

import hashlib
from contextlib import suppress

import duckdb

GRANULARITIES = ("market", "region", "major_group", "occupation", "company")
# Per month: its ads and their skills, counted and fingerprinted (sums of row hashes) from the
# columns the panel reads. ad_skills rows of no stored ad are left out, as the panel does.
_MONTHS = """
CREATE OR REPLACE TEMP TABLE _months AS
SELECT month, a.ads, a.ads_hash, coalesce(k.skills, 0) AS skills,
       coalesce(k.skills_hash, 0::HUGEINT) AS skills_hash
FROM (SELECT month, count(*) AS ads,
             sum(hash(ad_id, region, occupation, company)::HUGEINT) AS ads_hash
      FROM ads GROUP BY month) a
LEFT JOIN (SELECT a.month, count(*) AS skills,
                  sum(hash(s.ad_id, s.skill_id)::HUGEINT) AS skills_hash
           FROM ad_skills s JOIN ads a USING (ad_id) GROUP BY a.month) k USING (month)
"""
_CHANGED = """
CREATE OR REPLACE TEMP TABLE _changed AS
SELECT coalesce(n.month, o.month) AS month
FROM _months n FULL JOIN (SELECT * FROM demand_months WHERE panel = 'ads') o ON n.month = o.month
WHERE n.ads IS DISTINCT FROM o.ads OR n.ads_hash IS DISTINCT FROM o.ads_hash
   OR n.skills IS DISTINCT FROM o.skills OR n.skills_hash IS DISTINCT FROM o.skills_hash
"""
_ADS_GROUPS = """
CREATE OR REPLACE TEMP TABLE _ad_groups AS
SELECT ad_id, (row_number() OVER ())::INTEGER AS a, month, 'all' AS market,
       coalesce(nullif(trim(region), ''), 'unknown') AS region,
       CASE WHEN regexp_matches(occupation, '^\\d{2}-\\d{4}')
            THEN substr(occupation, 1, 2) || '-0000' ELSE 'unknown' END AS major_group,
       coalesce(nullif(trim(occupation), ''), 'unknown') AS occupation,
       coalesce(nullif(trim(company), ''), 'unknown') AS company
FROM ads WHERE month IN (SELECT month FROM _changed)
"""
# Integer codes: ``a`` per ad (above), ``s`` per skill id, ``c`` per group of one granularity.
_SKILL_CODES = """
CREATE OR REPLACE TEMP TABLE _skill_codes AS
SELECT skill_id, (row_number() OVER (ORDER BY skill_id))::INTEGER AS s
FROM (SELECT DISTINCT skill_id FROM ad_skills WHERE ad_id IN (SELECT ad_id FROM _ad_groups))
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

_SETS = ", ".join(f"(month, {g})" if g != "market" else "(month)" for g in GRANULARITIES)
_LABEL = " ".join(f"WHEN grouping({g}) = 0 THEN '{g}'" for g in GRANULARITIES if g != "market")
_GROUP = "coalesce(" + ", ".join(g for g in GRANULARITIES if g != "market") + ", 'all')"
_TOTALS = f"""
CREATE OR REPLACE TEMP TABLE _totals AS
SELECT CASE {_LABEL} ELSE 'market' END AS granularity, {_GROUP} AS group_id, month,
       count(*) AS ads
FROM _ad_groups GROUP BY GROUPING SETS ({_SETS})
"""
_INSERT_TOTALS = """
INSERT INTO demand_totals (panel, granularity, group_id, month, ads, run_id)
SELECT 'ads', granularity, group_id, month, ads, ? FROM _totals
"""
# What the panel's rows are computed by: months stored under another definition are rebuilt.
_QUERIES = (_MONTHS, _ADS_GROUPS, _TOTALS, _INSERT_TOTALS, _SKILL_CODES, _AD_SKILL_CODES)
DEFINITION = hashlib.sha256("\n".join([*_QUERIES, _GROUP_CODES, _DEMAND]).encode()).hexdigest()[:16]


def refresh_ads_panel(
    con: duckdb.DuckDBPyConnection, run_id: str, full: bool = False
) -> dict[str, int]:
    """Bring panel 'ads' in ``demand``/``demand_totals`` up to date with ``ads`` and
    ``ad_skills``: recompute the months whose ads or skills changed (every month when ``full``,
    on a warehouse never refreshed this way, or when the panel's definition changed). Returns
    the rows written and the months recomputed and kept."""
    # Row order inside the tables does not matter; not keeping it lets DuckDB stream the
    # aggregates into the tables in parallel with less memory.
    order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = false")
    try:
        return _refresh_ads_panel(con, run_id, full)
    finally:
        # After a failed statement the transaction refuses every other one: restoring the
        # setting then would replace the failure's own message with "transaction is aborted".
        with suppress(duckdb.TransactionException):
            con.execute(f"SET preserve_insertion_order = {bool(order)}")


def _refresh_ads_panel(con: duckdb.DuckDBPyConnection, run_id: str, full: bool) -> dict[str, int]:
    con.execute(_MONTHS)
    stored = con.execute(
        "SELECT count(*), count(*) FILTER (definition <> ?) FROM demand_months WHERE panel = 'ads'",
        [DEFINITION],
    ).fetchall()[0]
    if full or stored[0] == 0 or stored[1] > 0:
        for table in ("demand", "demand_totals", "demand_months"):
            con.execute(f"DELETE FROM {table} WHERE panel = 'ads'")
    con.execute(_CHANGED)
    rebuilt, kept = con.execute(  # a month left without ads is changed, and not in _months
        "SELECT (SELECT count(*) FROM _changed),"
        " (SELECT count(*) FROM _months WHERE month NOT IN (SELECT month FROM _changed))"
    ).fetchall()[0]
    rows = {"demand": 0, "demand_totals": 0}
    if rebuilt:
        for table in ("demand", "demand_totals", "demand_months"):
            con.execute(
                f"DELETE FROM {table} WHERE panel = 'ads' AND month IN (SELECT month FROM _changed)"
            )
        rows = _rebuild_months(con, run_id)
        con.execute(
            "INSERT INTO demand_months (panel, month, ads, ads_hash, skills, skills_hash,"
            " definition, run_id) SELECT 'ads', month, ads, ads_hash, skills, skills_hash, ?, ?"
            " FROM _months WHERE month IN (SELECT month FROM _changed)",
            [DEFINITION, run_id],
        )
    for table in ("_changed", "_months"):
        con.execute(f"DROP TABLE {table}")
    return {**rows, "months_rebuilt": int(rebuilt), "months_kept": int(kept)}


def _rebuild_months(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Panel rows of the months in ``_changed`` (their old rows already deleted)."""
    con.execute(_ADS_GROUPS)
    # Totals: one GROUPING SETS pass; the granularity is the one grouping column present.
    con.execute(_TOTALS)
    con.execute(_INSERT_TOTALS, [run_id])
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
        "SELECT (SELECT count(*) FROM demand WHERE panel = 'ads'"
        "        AND month IN (SELECT month FROM _changed)), (SELECT count(*) FROM _totals)"
    ).fetchall()[0]
    for table in ("_totals", "_group_codes", "_ad_skill_codes", "_skill_codes", "_ad_groups"):
        con.execute(f"DROP TABLE {table}")
    return {"demand": int(rows[0]), "demand_totals": int(rows[1])}


# The importer moved to its own module; these names stay importable from here.
from skilltide.ingest.demand_import import import_demand  # noqa: E402
from skilltide.ingest.demand_read import DEMAND_FIELDS, read_panel  # noqa: E402

__all__ = ["DEMAND_FIELDS", "GRANULARITIES", "import_demand", "read_panel", "refresh_ads_panel"]
