"""An ad whose first posting is removed falls back to its earliest remaining posting.

A changed (or moved) file has its postings removed before it is read again
(:func:`skilltide.ingest.manifest.remove_file`). An ad first posted in it but also posted in
other files is then its earliest remaining posting — the earliest date, then the file with the
smaller sha256, the earlier row and the smaller path, as
:func:`~skilltide.ingest.batches.store_batch` chooses
— in every field, as ingesting the remaining files afresh would store it:

- date, month, file, row and external id, and the source of the posting's file;
- title, company, region and text length as that posting has them (``ad_postings`` keeps them
  since migration 0012; postings of one ad differ in case and spacing of title and company,
  and in anything else: region, occupation column);
- occupation: the posting's mapped value, else this run's title coder on the posting's title
  (:func:`~skilltide.ingest.ad_occupations.occupations`, as for a new ad; no coder: none);
- skills found in the title: extracted again from the posting's title with this run's matcher.

Not restored (residual): skills found in the ad TEXT stay those of the removed posting, since
the other posting's text is not stored. The two texts give the same ad id, so their
normalised forms are equal once lowercased and stripped of spaces and sentence marks; their
text skills can differ only where the texts differ in letter case around a case-sensitive
(guarded) name or its context (``Go``/``GO``, ``R``), or in word boundaries around a name
(spaces, punctuation other than list marks, or sentence ends: ``Node JS``/``NodeJS``,
``end. Go``/``end Go``). A fresh ingest would extract them from the remaining posting's text.

A posting stored before migration 0012 has those fields NULL (``text_chars`` is never NULL
otherwise): an ad falling back to it takes only its date, month, file, row, external id and
source, and keeps the removed posting's title, company, region, occupation, text length and
skills (the behaviour before 0012).

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.ingest.ads import ingest_ads
>>> from skilltide.store import Warehouse
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> head = "id,posted_at,title,company,region,text\\n"
>>> _ = (d / "a.csv").write_text(head + "1,2024-01-05,Analyst,Acme,North,Uses SQL\\n")
>>> _ = (d / "b.csv").write_text(head + "2,2024-02-01,ANALYST,Acme,South,Uses SQL\\n")
>>> with Warehouse(d / "w.duckdb") as wh:
...     _ = ingest_ads(wh, [d])  # one ad, first posted in a.csv
...     _ = (d / "a.csv").write_text(head + "3,2024-03-01,Clerk,Acme,North,Files\\n")
...     _ = ingest_ads(wh, [d])  # a.csv changed: the ad is b.csv's posting now
...     wh.query("SELECT external_id, title, region FROM ads ORDER BY 1").rows()
[('2', 'ANALYST', 'South'), ('3', 'Clerk', 'North')]
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skilltide.ingest.ad_occupations import occupations
from skilltide.ingest.batches import FIRST_POSTING
from skilltide.ingest.extract import normalise
from skilltide.ingest.occupation_esco import esco_table
from skilltide.ingest.occupation_isco import crosswalk
from skilltide.store import Run, append, frame

# Each fallen-back ad's earliest remaining posting, in store_batch's order (FIRST_POSTING's
# columns: posted_at and row_number are the posting's, sha256 and path its file's).
_EARLIEST = (
    "SELECT p.ad_id, p.posted_at, p.month, p.file_id, p.row_number, p.external_id, f.source,"
    " p.title, p.company, p.region, p.occupation, p.text_chars"
    " FROM ad_postings p JOIN ad_files f USING (file_id)"
    " WHERE p.ad_id IN (SELECT ad_id FROM ads WHERE file_id = ?)"
    f" QUALIFY row_number() OVER (PARTITION BY p.ad_id ORDER BY {', '.join(FIRST_POSTING)}) = 1"
)


def fall_back(run: Run, version: str, matcher: Any, coder: Any) -> int:
    """Move the ads first posted in file ``version`` (its postings removed already) to their
    earliest remaining posting; returns how many moved. ``matcher`` and ``coder`` are the
    run's (``coder`` may be None)."""
    con = run.con
    chosen = frame(con, _EARLIEST, [version])
    if chosen.is_empty():
        return 0
    place = ["ad_id", "source", "external_id", "file_id", "row_number", "posted_at", "month"]
    kept = ["title", "company", "region", "text_chars"]
    coded = ["occupation", "occupation_score", "occupation_source"]
    full = chosen.filter(pl.col("text_chars").is_not_null())  # stored since migration 0012
    parts = [
        full.select(*place, *kept)
        .hstack(occupations(full, coder, crosswalk(con), esco_table(con)))
        .with_columns(pl.lit(run.run_id).alias("run_id"))
    ]
    partial = chosen.filter(pl.col("text_chars").is_null()).select(place)
    if partial.height:  # the removed posting's fields, skills and run: the behaviour before 0012
        stored = frame(con, "SELECT * FROM ads WHERE file_id = ?", [version])
        parts.append(partial.join(stored.select("ad_id", *kept, *coded, "run_id"), on="ad_id"))
    rows = pl.concat(parts, how="vertical_relaxed")
    # Deleted and inserted again, not updated: DuckDB updates several columns of many rows
    # slowly (90,000 ads: 26 s for the two UPDATEs, 0.2 s for this).
    _moved = rows.select("ad_id").to_arrow()  # read by name in the SQL below
    con.execute("DELETE FROM ads WHERE ad_id IN (SELECT ad_id FROM _moved)")
    del _moved
    append(con, "ads", rows)
    if full.height:
        _title_skills_again(run, full.select("ad_id", "title"), matcher)
    return chosen.height


def _title_skills_again(run: Run, ads: pl.DataFrame, matcher: Any) -> None:
    """Replace the title skills of ``ads`` (``ad_id, title``) with those of these titles;
    their text skills are kept (``found_in`` text, or both when the new title has it too)."""
    con = run.con
    _ads = ads.select("ad_id").to_arrow()  # read by name in the SQL below
    con.complete()  # DuckDB refuses new work while an earlier result is unread
    text = con.sql(  # scanned here, where ``_ads`` is a local (not through store.frame)
        "SELECT s.ad_id, s.skill_id FROM ad_skills s SEMI JOIN _ads a ON s.ad_id = a.ad_id"
        " WHERE s.found_in <> 'title'"
    ).pl()
    titled = ads.select(
        "ad_id",
        normalise(pl.col("title"), sentence_start=False).alias("title_norm"),
        pl.lit(" ").alias("text_norm"),  # no text: only the title is matched
    )
    found = matcher.extract_normalised(titled).select("ad_id", "skill_id")
    skills = (
        found.with_columns(pl.lit(True).alias("title"))
        .join(
            text.with_columns(pl.lit(True).alias("text")),
            on=["ad_id", "skill_id"],
            how="full",
            coalesce=True,
        )
        .select(
            "ad_id",
            "skill_id",
            pl.when(pl.col("title") & pl.col("text"))
            .then(pl.lit("both"))
            .when(pl.col("title"))
            .then(pl.lit("title"))
            .otherwise(pl.lit("text"))
            .alias("found_in"),
            pl.lit(run.run_id).alias("run_id"),
        )
    )
    con.execute("DELETE FROM ad_skills WHERE ad_id IN (SELECT ad_id FROM _ads)")
    del _ads
    append(con, "ad_skills", skills)
