"""A mapped occupation value read through the stored crosswalk: as an ISCO-08 code
(:mod:`skilltide.ingest.occupation_isco`), else as an ESCO occupation
(:mod:`skilltide.ingest.occupation_esco`). Ingest (:mod:`skilltide.ingest.ad_occupations`)
and the reading of stored ads again (:mod:`skilltide.ingest.occupation_stored`) both read
values so.

Example
-------
>>> import polars as pl
>>> xwalk = {"2211": ["29-1215"]}
>>> esco = {"0b2ee6f1-8cba-4a14-9b52-2ee3ba6e2c4a": ("2211", ["general practitioner"])}
>>> values = pl.Series(["2211", "General Practitioner", "Nurse", None])
>>> keys = crosswalk_keys(values, xwalk, esco)
>>> read = crosswalk_occupations(keys, values, xwalk, esco, coder=None)
>>> read["occupation_source"].to_list()
['mapped_isco', 'mapped_esco', None, None]
>>> read["occupation"].to_list()
['29-1215.00', '29-1215.00', None, None]
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skilltide.ingest.occupation_esco import SOURCE as ESCO
from skilltide.ingest.occupation_esco import esco_key, esco_occupations
from skilltide.ingest.occupation_isco import SOURCE as ISCO
from skilltide.ingest.occupation_isco import isco_key, isco_occupations

Esco = dict[str, tuple[str, list[str]]]


def crosswalk_keys(values: pl.Series, xwalk: dict[str, list[str]], esco: Esco) -> pl.DataFrame:
    """``isco, esco`` of each value: its ISCO-08 code of ``xwalk``, else its ESCO occupation
    of ``esco`` (nulls: neither). Each distinct value is read once."""
    distinct = values.unique().to_frame("v")
    isco = isco_key(distinct["v"], xwalk)
    keyed = distinct.with_columns(
        isco.alias("isco"),
        pl.when(isco.is_null()).then(esco_key(distinct["v"], esco)).alias("esco"),
    )
    return (
        values.to_frame("v")
        .join(keyed, on="v", how="left", maintain_order="left")
        .select("isco", "esco")
    )


def crosswalk_occupations(
    keys: pl.DataFrame, titles: pl.Series, xwalk: dict[str, list[str]], esco: Esco, coder: Any
) -> pl.DataFrame:
    """``occupation, occupation_score, occupation_source, group`` of each row of ``keys``
    (:func:`crosswalk_keys`) and its ad's title: ``mapped_isco`` or ``mapped_esco`` with the
    ISCO-08 group read (the occupation null where no coder chose), all null where neither."""
    isco, ids = keys["isco"], keys["esco"]
    occupation = pl.Series("occupation", [None] * keys.height, dtype=pl.String)
    score = pl.Series("occupation_score", [None] * keys.height, dtype=pl.Float64)
    for read in (  # each only when some row needs it: the coder is costly
        isco_occupations(isco, titles, xwalk, coder) if isco.is_not_null().any() else None,
        esco_occupations(ids, esco, xwalk, coder) if ids.is_not_null().any() else None,
    ):
        if read is not None:
            occupation = pl.select(pl.coalesce(occupation, read["occupation"])).to_series()
            score = pl.select(pl.coalesce(score, read["occupation_score"])).to_series()
    groups = {key: group for key, (group, _) in esco.items()}
    return pl.DataFrame([occupation, score]).with_columns(
        pl.when(isco.is_not_null())
        .then(pl.lit(ISCO))
        .when(ids.is_not_null())
        .then(pl.lit(ESCO))
        .alias("occupation_source"),
        pl.coalesce(isco, ids.replace_strict(groups, default=None, return_dtype=pl.String)).alias(
            "group"
        ),
    )
