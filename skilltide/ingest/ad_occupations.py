"""An ad's occupation: its mapped value read as a code, or its title (or mapped name) coded.

:func:`occupations` gives each new ad its ``occupation, occupation_score,
occupation_source``; :func:`title_codes` is the coder's top code per title, as both ingest
and the recode of stored ads (:mod:`skilltide.ingest.recode`) use it.

Example
-------
>>> import polars as pl
>>> new = pl.DataFrame({"occupation": ["15-1252", None], "title": ["Dev", None]})
>>> occupations(new, coder=None).rows()
[('15-1252.00', None, 'mapped'), (None, None, None)]
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skilltide.ingest.occupation_codes import is_name, soc_code
from skilltide.ingest.occupation_crosswalk import crosswalk_keys, crosswalk_occupations


def occupations(
    new: pl.DataFrame,
    coder: Any,
    xwalk: dict[str, list[str]] | None = None,
    esco: dict[str, tuple[str, list[str]]] | None = None,
) -> pl.DataFrame:
    """``occupation, occupation_score, occupation_source`` of each row of ``new`` (its
    ``occupation`` as read and ``title``):

    - ``mapped``: the value is an O*NET-SOC code in a common form, stored as ``15-1252.00``
      (:func:`~skilltide.ingest.occupation_codes.soc_code`);
    - ``mapped_isco``: the value is a code of the ISCO-08 crosswalk ``xwalk``
      (:mod:`skilltide.ingest.occupation_isco`): its SOC occupation, or the one ``coder``
      chooses among several from the ad's title;
    - ``mapped_esco``: the value is an ESCO occupation of ``esco``
      (:mod:`skilltide.ingest.occupation_esco`): its ISCO-08 group's SOC occupation, or the
      one ``coder`` chooses among several from the ESCO occupation's labels;
    - ``mapped_title``: the value is no code (an occupation's name): ``coder`` codes it as a
      title (no coder, or no code for it: the occupation is NULL);
    - ``coder``: no value: ``coder`` codes the ad's title (no code: all NULL).
    """
    mapped = new["occupation"].str.strip_chars().replace("", None)
    # each distinct value read once (a batch has few: one per occupation)
    values = mapped.unique().to_frame("v").with_columns(soc_code(pl.col("v")).alias("code"))
    keys = crosswalk_keys(values["v"], xwalk or {}, esco or {})
    values = values.with_columns(  # through the crosswalk only where the value is no SOC code
        pl.when(pl.col("code").is_null()).then(keys[key]).alias(key) for key in keys.columns
    )
    read = mapped.to_frame("v").join(values, on="v", how="left", maintain_order="left")
    code, through = read["code"], read.select("isco", "esco")
    crossed = read["isco"].is_not_null() | read["esco"].is_not_null()
    named = mapped.is_not_null() & code.is_null() & ~crossed
    out = pl.DataFrame(
        {
            "occupation": code,
            "occupation_score": pl.Series([None] * new.height, dtype=pl.Float64),
            "occupation_source": pl.Series([None] * new.height, dtype=pl.String),
        }
    ).with_columns(
        pl.when(code.is_not_null())
        .then(pl.lit("mapped"))
        .when(named)
        .then(pl.lit("mapped_title"))
        .alias("occupation_source"),
        # what the coder codes: the mapped name, else the title of an ad with no value
        pl.when(named & is_name(mapped))
        .then(mapped)
        .when(mapped.is_null())
        .then(new["title"])
        .alias("_coded"),
    )
    if crossed.any():
        read = crosswalk_occupations(through, new["title"], xwalk or {}, esco or {}, coder)
        out = out.with_columns(
            pl.coalesce(pl.col("occupation"), read["occupation"]).alias("occupation"),
            read["occupation_score"].alias("occupation_score"),
            pl.coalesce(read["occupation_source"], pl.col("occupation_source")),
        )
    missing = out.with_row_index("i").filter(pl.col("_coded").is_not_null())
    if coder is None or missing.height == 0:
        return out.drop("_coded")
    codes = title_codes(missing["_coded"].to_list(), coder)
    idx = missing.select("i").hstack(codes.select(pl.col("occupation").alias("code"), "score"))
    filled = out.with_row_index("i").join(idx, on="i", how="left", maintain_order="left")
    coded = pl.col("_coded").is_not_null()
    return filled.select(
        pl.when(coded).then(pl.col("code")).otherwise(pl.col("occupation")).alias("occupation"),
        pl.when(coded)
        .then(pl.col("score"))
        .otherwise(pl.col("occupation_score"))
        .alias("occupation_score"),
        pl.when(pl.col("occupation_source").is_null() & pl.col("code").is_not_null())
        .then(pl.lit("coder"))
        .otherwise(pl.col("occupation_source"))
        .alias("occupation_source"),
    )


def title_codes(titles: list[str], coder: Any) -> pl.DataFrame:
    """``title, occupation, score`` in the order of ``titles``: each title's top code from
    ``coder`` (``predict(titles, top=1)``; null when it has none)."""
    predicted = coder.predict(titles, top=1).filter(pl.col("rank") == 1)
    return (
        pl.DataFrame({"title": titles})
        .with_row_index("input_index")
        .join(
            predicted.select(
                pl.col("input_index").cast(pl.UInt32),
                pl.col("onetsoc_code").alias("occupation"),
                pl.col("score").cast(pl.Float64),
            ),
            on="input_index",
            how="left",
            maintain_order="left",
        )
        .select("title", "occupation", "score")
    )
