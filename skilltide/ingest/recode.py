"""Stored ads coded again when a new title coder is built.

Ingest codes an ad's occupation from its title when no occupation column is mapped
(:func:`skilltide.ingest.batches.occupations`), with the coder stored at the time. Ads
ingested before a coder existed have no occupation, and ads coded by an older coder (an
earlier O*NET release) keep its codes: their occupation panels would mix two coders, or show
them as ``unknown``. :func:`recode_stored_ads` codes every stored ad whose occupation did not
come from a mapped column again, from its stored title (each distinct title once), and
rebuilds demand panel ``ads`` when a code changed, in the run that built the coder.

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

from skilltide.ingest.batches import title_codes
from skilltide.store import frame


def _codable(ads: str) -> str:
    """Ads whose occupation the coder gave (or could have given): not mapped, with a title."""
    return (
        f"{ads}.occupation_source IS DISTINCT FROM 'mapped'"
        f" AND nullif(trim({ads}.title), '') IS NOT NULL"
    )


def recode_stored_ads(run: Any, coder: Any) -> dict[str, int]:
    """Code the run's stored ads again with ``coder``; rebuild panel 'ads' if codes changed.

    Returns ``{"titles": …, "ads": …, "changed": …}``: distinct titles coded, ads coded and
    ads whose occupation changed.
    """
    from skilltide.ingest.demand import refresh_ads_panel

    con = run.con
    sql = f"SELECT DISTINCT title FROM ads WHERE {_codable('ads')} ORDER BY title"
    titles = frame(con, sql)["title"]
    counts = {"titles": titles.len(), "ads": 0, "changed": 0}
    if titles.is_empty():
        return counts
    with run.stage("recode ads") as record:
        _codes = title_codes(titles.to_list(), coder).to_arrow()  # read by name below
        counts["ads"], counts["changed"] = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE a.occupation IS DISTINCT FROM c.occupation"
            " OR a.occupation_score IS DISTINCT FROM c.score)"
            f" FROM ads a JOIN _codes c USING (title) WHERE {_codable('a')}"
        ).fetchall()[0]
        if counts["changed"]:
            con.execute(
                "UPDATE ads SET occupation = c.occupation, occupation_score = c.score,"
                " occupation_source = CASE WHEN c.occupation IS NULL THEN NULL ELSE 'coder' END"
                f" FROM _codes c WHERE ads.title = c.title AND {_codable('ads')}"
            )
        record.update(counts)
    panel = con.execute("SELECT count(*) FROM demand_totals WHERE panel = 'ads'").fetchall()[0]
    if counts["changed"] and panel[0]:
        with run.stage("demand panel 'ads'") as record:
            record.update(refresh_ads_panel(con, run.run_id))
    return counts
