"""A mapped occupation value as an O*NET-SOC code, in whatever common form a file writes it.

A file's occupation column (``--map occupation=COL``) may write one occupation as
``15-1252``, ``151252``, ``15-1252.00``, ``15 - 1252``, ``15125200``, ``15-1252.00 Software
Developers`` or, from a spreadsheet or pandas that read the codes as numbers, ``151252.0``:
:func:`soc_code` reads all of them as the O*NET-SOC code ``15-1252.00`` (a SOC
code without O*NET detail is its ``.00`` occupation; ``15-1252.01`` keeps its detail), so the
demand panels have one group per occupation. A value that is no code (``Software
Developer``) is an occupation's name: ingest codes it with the run's title coder, as if it
were a title, and records ``occupation_source = 'mapped_title'``
(:func:`skilltide.ingest.ad_occupations.occupations`).

How mapped values are read is part of every stored file's version (:data:`READING`): the
first ingest after it changed reads each file it is given again once, and the stored ads of
the files it is not given are read as now by :func:`normalise_stored` (run by every ingest
and every recode of the stored ads), so that no ``15-1252`` is kept beside ``15-1252.00``.

Example
-------
>>> import polars as pl
>>> s = pl.Series(["15-1252", "151252", " 15-1252.01 ", "15 1252.00 Software Developers",
...                "151252.0", "Software Developer", "2024-01"])
>>> pl.select(soc_code(pl.lit(s))).to_series().to_list()
['15-1252.00', '15-1252.00', '15-1252.01', '15-1252.00', '15-1252.00', None, None]
"""

from __future__ import annotations

import re

import polars as pl

from skilltide.onet.esco import URI, UUID
from skilltide.store import frame

# How mapped occupation values are read (1: SOC/O*NET-SOC codes normalised, other values coded
# as titles; 2: codes written as numbers, 151252.0, read too; before: stored as written).
READING = 2
# A mapped value that is no code is an occupation's name, coded as a title, only when it has a
# letter: the title coder gave '2411.0' (an ISCO-08 code) Physical Scientists at 0.001. A
# URI (an ESCO occupation's, say) or a value holding a UUID (its own, ``…/``, ``urn:uuid:…``) is
# no name either.
NAME = r"\p{L}"
NOT_NAME = rf"://|{UUID}"


def is_name(expr: pl.Expr) -> pl.Expr:
    """Whether a mapped value that is no code (``expr``) is a name the title coder codes."""
    return expr.str.contains(NAME) & ~expr.str.contains(NOT_NAME)


def is_name_sql(column: str) -> str:
    """:func:`is_name` in SQL, for ``column``."""
    return f"(regexp_matches({column}, '{NAME}') AND NOT regexp_matches({column}, '{NOT_NAME}'))"


# a code (a number's ".0" after it), maybe followed by a separator and the occupation's name
_CODE = (
    r"^([0-9]{2})\s*-?\s*([0-9]{4})(?:\s*\.?\s*([0-9]{2}))?(?:\.0+)?"
    r"(?:$|[\s\-\u2013\u2014:|,;/]+[^0-9].*$)"
)


# an ad's first posting ``p``, whose mapped value the ad's occupation was read from
_FIRST_POSTING = "p.ad_id = ads.ad_id AND p.file_id = ads.file_id AND p.row_number = ads.row_number"


def soc_code(expr: pl.Expr) -> pl.Expr:
    """``expr`` (text) as an O*NET-SOC code ``NN-NNNN.NN``; NULL where it is no code."""
    parts = expr.str.strip_chars().str.extract_groups(_CODE)
    major, detailed = parts.struct.field("1"), parts.struct.field("2")
    suffix = parts.struct.field("3").fill_null("00")
    # a UUID (an ESCO occupation's) that opens with 8 digits is no code: 37442765-f7bb-…
    return pl.when(detailed.is_not_null() & ~expr.str.contains(NOT_NAME)).then(
        pl.concat_str(major, pl.lit("-"), detailed, pl.lit("."), suffix)
    )


def normalise_stored(con) -> int:
    """Read the stored ads' mapped values as :func:`soc_code` does now (those stored before
    were kept as written, or read as names): a code in its one form, a name as
    ``mapped_title`` without an occupation (the recode that follows codes it from its
    posting), a value without a letter or a URI as no name (:func:`is_name`). Returns the
    ads changed."""
    return (
        _names_now_codes(con)
        + _codes_stored_as_written(con)
        + _coded_non_names(con)
        + _uuids_read_as_codes(con)
    )


def _uuids_read_as_codes(con) -> int:
    """``mapped`` ads whose mapped value is a UUID opening with 8 digits, read as a SOC code
    before 2026-12-07 (``37442765-f7bb-…`` as 37-4427.65): ``mapped_title`` without an
    occupation, which the stored ESCO occupations then read."""
    return con.execute(
        "UPDATE ads SET occupation = NULL, occupation_score = NULL, occupation_source ="
        " 'mapped_title' FROM ad_postings p WHERE ads.occupation_source = 'mapped'"
        f" AND {_FIRST_POSTING}"
        f" AND regexp_matches(p.occupation, '{UUID}')"
    ).fetchall()[0][0]


def _coded_non_names(con) -> int:
    """``mapped_title`` ads coded from a mapped value that is no name (:func:`is_name`): one
    without a letter or a URI, coded as titles before 2026-12-07."""
    return con.execute(
        "UPDATE ads SET occupation = NULL, occupation_score = NULL FROM ad_postings p"
        " WHERE ads.occupation_source = 'mapped_title' AND ads.occupation IS NOT NULL"
        f" AND {_FIRST_POSTING}"
        f" AND NOT {is_name_sql('p.occupation')}"
    ).fetchall()[0][0]


def _names_now_codes(con) -> int:
    """``mapped_title`` ads whose mapped value (their first posting's) reads as a code now."""
    values = frame(
        con,
        "SELECT DISTINCT p.occupation AS v FROM ads a JOIN ad_postings p ON p.ad_id = a.ad_id"
        " AND p.file_id = a.file_id AND p.row_number = a.row_number"
        " WHERE a.occupation_source = 'mapped_title' AND p.occupation IS NOT NULL",
    )
    _codes = (  # read by name below
        values.with_columns(soc_code(pl.col("v")).alias("code"))
        .filter(pl.col("code").is_not_null())
        .to_arrow()
    )
    if _codes.num_rows == 0:
        return 0
    return con.execute(
        "UPDATE ads SET occupation = c.code, occupation_score = NULL, occupation_source ="
        " 'mapped' FROM ad_postings p, _codes c WHERE ads.occupation_source = 'mapped_title'"
        f" AND {_FIRST_POSTING}"
        " AND p.occupation = c.v"
    ).fetchall()[0][0]


def _codes_stored_as_written(con) -> int:
    """``mapped`` ads whose value was stored as written (before reading 1)."""
    values = frame(
        con, "SELECT DISTINCT occupation AS v FROM ads WHERE occupation_source = 'mapped'"
    )
    values = values.with_columns(soc_code(pl.col("v")).alias("code"))
    _stale = values.filter(pl.col("code").is_null() | (pl.col("code") != pl.col("v"))).to_arrow()
    if _stale.num_rows == 0:
        return 0
    # a first posting stored before migration 0012 has no mapped value: the name is kept there
    con.execute(
        "UPDATE ad_postings p SET occupation = a.occupation FROM ads a, _stale c"
        " WHERE p.occupation IS NULL AND p.ad_id = a.ad_id AND p.file_id = a.file_id"
        " AND p.row_number = a.row_number AND a.occupation_source = 'mapped'"
        " AND a.occupation = c.v AND c.code IS NULL"
    )
    return con.execute(  # _stale is read by name
        "UPDATE ads SET occupation = c.code, occupation_score = NULL, occupation_source ="
        " CASE WHEN c.code IS NULL THEN 'mapped_title' ELSE 'mapped' END"
        " FROM _stale c WHERE ads.occupation_source = 'mapped' AND ads.occupation = c.v"
    ).fetchall()[0][0]


def uncoded(con, run_id: str) -> dict | None:
    """The ads ``run_id`` stored whose mapped occupation value is no code and got none from
    the title coder (an ISCO-08 code without a crosswalk, a name it cannot read):
    ``{"ads": n, "values": [[value, ads], …], "isco_crosswalk": bool, "esco_occupations":
    bool, "esco_unknown": [uri, stored] | None, "isco_unchosen": m}`` with the three commonest
    values, or None when there are none; ``esco_unknown``: a URI or UUID the stored ESCO file
    (of ``stored`` occupations) lacks;
    ``isco_unchosen`` of them are ISCO-08 codes of the crosswalk or ESCO occupations whose
    occupation no coder chose (no title, or none of its occupations known). They count as
    ``unknown`` in the occupation panels, so ingest warns of them."""
    rows = con.execute(
        "SELECT p.occupation, count(*) AS n, count(*) FILTER (a.occupation_source IN"
        " ('mapped_isco', 'mapped_esco')) AS isco FROM ads a JOIN ad_postings p"
        " ON p.ad_id = a.ad_id AND p.file_id = a.file_id AND p.row_number = a.row_number"
        " WHERE a.run_id = ? AND a.occupation_source IN"
        " ('mapped_title', 'mapped_isco', 'mapped_esco')"
        " AND a.occupation IS NULL GROUP BY 1 ORDER BY n DESC, 1",
        [run_id],
    ).fetchall()
    if not rows:
        return None
    crosswalk = con.execute("SELECT count(*) FROM isco_soc").fetchall()[0][0] > 0
    esco = con.execute("SELECT count(*) FROM esco_occupations").fetchall()[0][0]
    # an ESCO URI or UUID the stored file lacks (another ESCO version's)
    unknown = [v for v, _, m in rows if not m and re.search(URI, v)] if esco else []
    return {
        "ads": sum(n for _, n, _ in rows),
        "values": [[v, n] for v, n, _ in rows[:3]],
        "isco_crosswalk": crosswalk,
        "esco_occupations": esco > 0,
        "esco_unknown": [unknown[0], esco] if unknown else None,
        "isco_unchosen": sum(m for _, _, m in rows),
    }
