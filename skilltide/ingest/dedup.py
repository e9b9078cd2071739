"""Duplicate ads: the same company, title and normalised text are the same ad.

The ad id is a digest of ``lower(company) | lower(title) | normalised text``, where the text is
normalised as for skill extraction (:func:`skilltide.ingest.extract.normalise`: punctuation and
line breaks to spaces), lowercased and with spaces removed. Equal ids within a
batch, a file, across files and across runs are one ad, stored once; every posting is kept
in ``ad_postings``, and the ad counts in the month it was FIRST posted (earliest date seen).

Example
-------
>>> import polars as pl
>>> f = pl.DataFrame({"company": ["Acme", "ACME "], "title": ["Analyst", "analyst"],
...                   "text_norm": [" Uses  SQL ", " uses sql "]})
>>> ids = ad_ids(f)
>>> ids[0] == ids[1], ids[0][:3]
(True, 'ad:')
"""

from __future__ import annotations

import hashlib

import polars as pl


def dedup_key(frame: pl.DataFrame) -> pl.Series:
    """The normalised ``company | title | text`` string that identifies an ad."""

    def clean(name: str) -> pl.Expr:
        return pl.col(name).fill_null("").str.to_lowercase().str.strip_chars()

    # Spaces are dropped rather than collapsed (one literal pass, far cheaper than a regex);
    # ``text_lower`` (the normalised text lowercased, shared with extraction) when given.
    lower = (
        pl.col("text_lower")
        if "text_lower" in frame.columns
        else pl.col("text_norm").str.to_lowercase()
    )
    text = lower.str.replace_many([" ", "⁞"], ["", ""])
    return frame.select(
        pl.concat_str([clean("company"), clean("title"), text], separator="\x1f").alias("key")
    )["key"]


def ad_ids(frame: pl.DataFrame) -> pl.Series:
    """``'ad:' + md5(dedup key)[:20]`` per row (stable across runs, versions and machines)."""
    keys = dedup_key(frame).to_list()
    return pl.Series(
        "ad_id", ["ad:" + hashlib.md5(k.encode()).hexdigest()[:20] for k in keys], pl.String
    )
