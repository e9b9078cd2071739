"""Stored ads read again through the ISCO-08 crosswalk and ESCO's occupations.

An ad's mapped ISCO-08 code (:mod:`skilltide.ingest.occupation_isco`) or ESCO occupation
(:mod:`skilltide.ingest.occupation_esco`) is read when it is ingested, through what is stored
then. :func:`read_stored` reads the stored ads again when that changes
(``skilltide onet crosswalk``) or a new title coder chooses among a code's occupations
(:mod:`skilltide.ingest.recode`), in the same run.

Example
-------
>>> import pathlib, tempfile
>>> from skilltide.store import Warehouse
>>> db = pathlib.Path(tempfile.mkdtemp()) / "w.duckdb"
>>> with Warehouse(db) as wh, wh.run("example") as run:
...     read_stored(run, coder=None)  # no ads: none changed
0
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skilltide.ingest.ad_occupations import title_codes
from skilltide.ingest.occupation_codes import is_name
from skilltide.ingest.occupation_crosswalk import crosswalk_keys, crosswalk_occupations
from skilltide.ingest.occupation_esco import SOURCE as ESCO
from skilltide.ingest.occupation_esco import esco_table
from skilltide.ingest.occupation_isco import SOURCE as ISCO
from skilltide.ingest.occupation_isco import crosswalk
from skilltide.store import frame

# Stored ads whose mapped value (their first posting's) is no SOC code but may be read through
# the crosswalk: read again when it or the coder changes. A name (most mapped_title ads) that
# is neither an ISCO-08 code (a digit first, or ESCO's URI of it) nor an ESCO occupation (a
# UUID, or a preferred label: occupation_esco.label_key) is not loaded. Its spaces are
# polars' \\s, Unicode's: RE2's \\s is ASCII, and ESCO writes two labels with U+00A0
# ('pipeline\xa0superintendent'). A final sigma is σ on both sides: DuckDB's lower() gives σ
# where polars gives ς (ΛΟΓΙΣΤΉΣ).
_LABEL = (
    "replace(lower(trim(regexp_replace({}, '[\\s\\p{{Z}}\\x{{0B}}\\x{{85}}]+', ' ', 'g'))),"
    " 'ς', 'σ')"
)
_STORED = (
    "SELECT a.ad_id, a.title, p.occupation AS v, a.occupation, a.occupation_score,"
    " a.occupation_source FROM ads a JOIN ad_postings p ON p.ad_id = a.ad_id"
    " AND p.file_id = a.file_id AND p.row_number = a.row_number"
    f" WHERE (a.occupation_source IN ('{ISCO}', '{ESCO}') OR (a.occupation_source ="
    " 'mapped_title' AND (regexp_matches(p.occupation, '^\\s*[0-9]')"
    " OR regexp_matches(p.occupation, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-|/esco/isco/[Cc][0-9]')"
    f" OR {_LABEL.format('p.occupation')} IN"
    f" (SELECT {_LABEL.format('label')} FROM esco_occupations))))"
)
_CODES = {"title": pl.String, "title_occupation": pl.String, "title_score": pl.Float64}


def read_stored(run: Any, coder: Any) -> int:
    """Read the stored ads' ISCO-08 and ESCO values through what is stored now, with
    ``coder``, in ``run``: ``mapped_title`` ads whose value is a code of it become
    ``mapped_isco`` or ``mapped_esco``, and those whose code it no longer holds
    ``mapped_title`` (no occupation; a name, such as a preferred label, coded as a title).
    Returns the ads changed."""
    con = run.con
    xwalk, esco = crosswalk(con), esco_table(con)
    # with nothing stored only mapped_isco/esco ads can change (a recode reads every source)
    only_read = f"{_STORED} AND a.occupation_source IN ('{ISCO}', '{ESCO}')"
    stored = frame(con, _STORED if xwalk else only_read)
    if stored.is_empty():
        return 0
    keys = crosswalk_keys(stored["v"], xwalk, esco)
    now_read = crosswalk_occupations(keys, stored["title"], xwalk, esco, coder)
    sets = pl.DataFrame(
        {"group": list(xwalk), "socs": list(xwalk.values())},
        schema={"group": pl.String, "socs": pl.List(pl.String)},
    )
    read = stored.with_columns(
        now_read["occupation"].alias("new_occupation"),
        now_read["occupation_score"].alias("new_score"),
        now_read["occupation_source"].fill_null("mapped_title").alias("source"),
        now_read["group"],
    ).join(sets, on="group", how="left", maintain_order="left")
    # No choice now (no coder could be read, say) but one made before, read the same way,
    # that the code still allows: kept, not lost.
    kept = (
        pl.col("new_occupation").is_null()
        & (pl.col("occupation_source") == pl.col("source"))
        & (pl.col("socs").list.contains(pl.col("occupation").str.slice(0, 7)).fill_null(False))
    )
    # Read so before but now neither (ESCO removed, say): a name (a preferred label) is coded
    # as a title, as an ingest without them codes it, not left unknown.
    retitle = (
        (pl.col("source") == "mapped_title")
        & pl.col("occupation_source").is_in([ISCO, ESCO])
        & is_name(pl.col("v").str.strip_chars())
    )
    read = read.with_columns(name=pl.when(retitle).then(pl.col("v").str.strip_chars()))
    names = read["name"].drop_nulls().unique().sort().to_list()
    codes = pl.DataFrame(schema=_CODES)
    if coder is not None and names:
        codes = title_codes(names, coder).rename(
            {"occupation": "title_occupation", "score": "title_score"}
        )
    read = read.join(codes, left_on="name", right_on="title", how="left", maintain_order="left")
    read_now = pl.col("source") != "mapped_title"
    now = read.select(
        "ad_id",
        pl.when(kept)
        .then("occupation")
        .when(read_now)
        .then("new_occupation")
        .otherwise("title_occupation")
        .alias("occupation"),
        pl.when(kept)
        .then("occupation_score")
        .when(read_now)
        .then("new_score")
        .otherwise("title_score")
        .alias("occupation_score"),
        pl.col("source").alias("occupation_source"),
        pl.col("occupation").alias("before"),
        pl.col("occupation_score").alias("score_before"),
        pl.col("occupation_source").alias("source_before"),
    )
    # a mapped_title ad that stays one keeps what the title coder gave it
    read_so = [ISCO, ESCO]
    changed = now.filter(
        pl.col("occupation_source").is_in(read_so) | pl.col("source_before").is_in(read_so)
    ).filter(
        pl.col("occupation").ne_missing(pl.col("before"))
        | pl.col("occupation_score").ne_missing(pl.col("score_before"))
        | pl.col("occupation_source").ne_missing(pl.col("source_before"))
    )
    if changed.is_empty():
        return 0
    _changed = changed.select(  # read by name below
        "ad_id", "occupation", "occupation_score", "occupation_source"
    ).to_arrow()
    con.execute(
        "UPDATE ads SET occupation = c.occupation, occupation_score = c.occupation_score,"
        " occupation_source = c.occupation_source FROM _changed c WHERE ads.ad_id = c.ad_id"
    )
    del _changed
    return changed.height


def ads_coder_or_none(wh: Any) -> Any:
    """The title coder of the warehouse's ads (:func:`skilltide.ingest.ads_coder.choose`),
    None when none is stored or it cannot be read (then only single codes are read)."""
    from skilltide.errors import UserError
    from skilltide.ingest import ads_coder

    try:
        return ads_coder.choose(wh).coder
    except UserError:
        return None
