"""Stored ads coded again when a new title coder is built.

Ingest codes an ad's occupation from its title when no occupation column is mapped
(:func:`skilltide.ingest.ad_occupations.occupations`), with the coder stored at the time. Ads
ingested before a coder existed have no occupation, and ads coded by an older coder (an
earlier O*NET release) keep its codes: their occupation panels would mix two coders, or show
them as ``unknown``. :func:`recode_stored_ads` codes every stored ad whose occupation did not
come from a mapped code again, from its stored title, or from its mapped occupation name when
its mapped value was no code (``mapped_title``; each distinct text once), and rebuilds demand
panel ``ads`` when a code changed, in the run that built the coder.

Example
-------
>>> import polars as pl
>>> class Coder:  # any object with the coder's predict(titles, top=1)
...     def predict(self, titles, top=1):
...         return pl.DataFrame({"input_index": list(range(len(titles))), "rank": 1,
...             "onetsoc_code": ["15-1252.00"] * len(titles), "score": 0.9})
>>> title_codes(["Python developer"], Coder()).row(0)  # what both ingest and recoding use
('Python developer', '15-1252.00', 0.9)
"""

from __future__ import annotations

from typing import Any

from skilltide.ingest.ad_occupations import title_codes
from skilltide.ingest.occupation_codes import is_name_sql, normalise_stored
from skilltide.ingest.occupation_stored import read_stored
from skilltide.store import frame

# Each stored ad the coder codes, and what it codes: the mapped occupation name of an ad whose
# mapped value was no code (its first posting's, as read), else the title of an ad with no
# mapped value. Ads with a mapped code are never coded.
_CODABLE = (
    "SELECT a.ad_id, a.occupation_source AS source,"
    " nullif(trim(CASE WHEN a.occupation_source = 'mapped_title' THEN"
    f" CASE WHEN {is_name_sql('p.occupation')} THEN p.occupation END"
    " ELSE a.title END), '') AS coded"
    " FROM ads a LEFT JOIN ad_postings p ON a.occupation_source = 'mapped_title'"
    " AND p.ad_id = a.ad_id AND p.file_id = a.file_id AND p.row_number = a.row_number"
    " WHERE coalesce(a.occupation_source, '') NOT IN ('mapped', 'mapped_isco', 'mapped_esco')"
)


def recode_stored_ads(run: Any, coder: Any) -> dict[str, int]:
    """Code the run's stored ads again with ``coder``; rebuild panel 'ads' if codes changed.

    Returns ``{"titles": …, "ads": …, "changed": …}``: distinct titles (and mapped occupation
    names) coded, ads coded and ads whose occupation changed.
    """
    con = run.con
    # mapped values stored as written before they were normalised: read as now first
    normalised = normalise_stored(con)
    # ISCO-08 and ESCO values: the coder chooses among a code's occupations
    isco = read_stored(run, coder)
    codable = frame(con, f"SELECT * FROM ({_CODABLE}) WHERE coded IS NOT NULL")
    titles = codable["coded"].unique().sort()
    counts = {"titles": titles.len(), "ads": codable.height, "changed": isco}
    if titles.is_empty():
        refresh_panel_if_changed(run, normalised + isco)
        return counts
    with run.stage("recode ads") as record:
        codes = title_codes(titles.to_list(), coder).rename({"title": "coded"})
        _recoded = codable.join(codes, on="coded", how="left").to_arrow()  # read by name below
        changed = (
            "(ads.occupation IS DISTINCT FROM c.occupation"
            " OR ads.occupation_score IS DISTINCT FROM c.score)"
        )
        counts["changed"] += con.execute(
            f"SELECT count(*) FROM ads JOIN _recoded c USING (ad_id) WHERE {changed}"
        ).fetchall()[0][0]
        if counts["changed"] > isco:
            con.execute(
                "UPDATE ads SET occupation = c.occupation, occupation_score = c.score,"
                " occupation_source = CASE WHEN c.source = 'mapped_title' THEN c.source"
                " WHEN c.occupation IS NULL THEN NULL ELSE 'coder' END"
                f" FROM _recoded c WHERE ads.ad_id = c.ad_id AND {changed}"
            )
        del _recoded
        record.update(counts)
    refresh_panel_if_changed(run, counts["changed"] + normalised)
    return counts


def refresh_panel_if_changed(run: Any, changed: int) -> None:
    """Refresh panel 'ads' (the months of the changed ads) when ads changed and it is built."""
    from skilltide.ingest.demand import refresh_ads_panel

    panel = run.con.execute("SELECT count(*) FROM demand_totals WHERE panel = 'ads'").fetchall()
    if changed and panel[0][0]:
        with run.stage("demand panel 'ads'") as record:
            record.update(refresh_ads_panel(run.con, run.run_id))
