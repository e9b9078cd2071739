"""A title coder's candidates at a coarser level: distinct 6-digit SOC codes or major groups.

The coder ranks O*NET-SOC occupations (``29-1141.00`` Registered Nurses and its specialties
``.01``–``.04`` are five of them). A user who wants 6-digit SOC codes (OEWS and most labour
statistics) or major groups gets the top-K *distinct* codes at that level instead, each
scored by the sum of the calibrated probabilities of the O*NET-SOC candidates under it, so
five specialties of one occupation fill one slot, and the most probable group is the one
holding the most probability, not the group of the single most probable occupation. Ties go
to the group whose best candidate ranks higher (deterministic).

Levels: ``onet`` (the candidates as they are), ``soc`` (``15-1252``, titled by its ``.00``
occupation), ``major`` (``15-0000``, titled by the SOC 2018 major group).

Example
-------
>>> import polars as pl
>>> predicted = pl.DataFrame({
...     "input_index": [0, 0, 0], "rank": [1, 2, 3],
...     "onetsoc_code": ["29-1141.01", "29-2061.00", "29-1141.03"],
...     "title": ["Acute Care Nurses", "Licensed Practical Nurses", "Critical Care Nurses"],
...     "score": [0.4, 0.35, 0.25]})
>>> at_level(predicted, "soc", 2, {"29-1141": "Registered Nurses"}).rows()
[(0, 1, '29-1141', 'Registered Nurses', 0.65), (0, 2, '29-2061', None, 0.35)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.onet.soc import MAJOR_GROUPS

LEVELS = ("onet", "soc", "major")
# Candidates the coder is asked for per title before summing (a re-ranker returns at most
# its own candidate count, 30 by default).
CANDIDATES = 30


def check_level(level: str) -> None:
    """Refuse an unknown level before a coder is read or built."""
    if level not in LEVELS:
        raise UserError(f"--level must be one of {', '.join(LEVELS)}, got {level!r}")


def candidates_for(level: str, top: int) -> int:
    """How many O*NET-SOC candidates to ask the coder for to report ``top`` at ``level``."""
    return top if level == "onet" else max(top, CANDIDATES)


def soc_titles(codes: Sequence[str], titles: Sequence[str]) -> dict[str, str]:
    """6-digit SOC code → title of its ``.00`` occupation (else of its first code).

    >>> soc_titles(["11-1011.03", "11-1011.00"], ["Chief Sustainability Officers",
    ...     "Chief Executives"])
    {'11-1011': 'Chief Executives'}
    """
    out: dict[str, str] = {}
    for code, title in sorted(zip(codes, titles, strict=True)):
        out.setdefault(code[:7], title)
    return out


def predict_at(coder: Any, titles: Sequence[str | None], top: int, level: str) -> pl.DataFrame:
    """``coder.predict`` at ``level``: the ``top`` distinct codes per title (see
    :func:`at_level`), from the coder's :data:`CANDIDATES` best O*NET-SOC codes."""
    check_level(level)
    predicted = coder.predict(titles, top=candidates_for(level, top))
    if level == "onet":
        return predicted
    return at_level(predicted, level, top, soc_titles(coder.codes, coder.code_titles))


def at_level(
    predicted: pl.DataFrame,
    level: str,
    top: int,
    soc: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The ``top`` distinct codes at ``level`` per title from a coder's ``predict`` frame.

    ``predicted`` has ``(input_index, rank, onetsoc_code, title, score)``; the result has
    the same columns, ``onetsoc_code`` holding the level's code (``15-1252``, ``15-0000``)
    and ``score`` the summed probability. ``soc`` maps 6-digit codes to titles
    (:func:`soc_titles`; a missing code gets a null title).
    """
    check_level(level)
    if level == "onet":
        return predicted.filter(pl.col("rank") <= top)
    width = 7 if level == "soc" else 2
    group = pl.col("onetsoc_code").str.slice(0, width)
    out = (
        predicted.sort("input_index", "rank")
        .group_by("input_index", group.alias("code"), maintain_order=True)
        .agg(pl.col("score").sum(), pl.col("rank").min().alias("best"))
        .sort(["input_index", "score", "best"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("input_index").alias("rank"))
        .filter(pl.col("rank") <= top)
    )
    if level == "major":
        out = out.with_columns(pl.col("code") + "-0000")
        names = MAJOR_GROUPS
    else:
        names = dict(soc or {})
    return out.select(
        "input_index",
        pl.col("rank").cast(pl.Int32),
        pl.col("code").alias("onetsoc_code"),
        pl.col("code").replace_strict(names, default=None, return_dtype=pl.String).alias("title"),
        pl.col("score").round(6),
    )
