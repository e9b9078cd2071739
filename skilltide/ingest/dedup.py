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

import numpy as np
import polars as pl
import pyarrow as pa


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
    # Two literal passes (memchr) cost half of one two-pattern Aho–Corasick replace_many.
    text = lower.str.replace_all(" ", "", literal=True).str.replace_all("⁞", "", literal=True)
    return frame.select(
        pl.concat_str([clean("company"), clean("title"), text], separator="\x1f").alias("key")
    )["key"]


def ad_ids(frame: pl.DataFrame) -> pl.Series:
    """``'ad:' + md5(dedup key)[:20]`` per row (stable across runs, versions and machines)."""
    # Digested straight from the Arrow buffer (UTF-8 bytes), not via Python strings.
    keys = dedup_key(frame).to_arrow()
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    keys = keys.cast(pa.large_string())
    if len(keys) == 0:
        return pl.Series("ad_id", [], pl.String)
    _, offsets, data = keys.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64)[keys.offset : keys.offset + len(keys) + 1]
    data = memoryview(data if data is not None else b"").cast("B")
    md5 = hashlib.md5
    ids = [
        "ad:" + md5(data[a:b]).hexdigest()[:20]
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]
    return pl.Series("ad_id", ids, pl.String)
