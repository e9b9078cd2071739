"""Revealed comparative advantage (RCA) of a skill in an occupation.

RCA compares the share a skill takes of an occupation's total weight with the share the
skill takes of the whole market (Balassa 1965; used for skills by Alabdulkareem et al. 2018):

    RCA(o, s) = (w_os / Σ_s' w_os') / (Σ_o' w_o's / Σ_o's' w_o's')

RCA > 1 means the occupation uses the skill more than the average occupation does
("effective use").

Example
-------
>>> import polars as pl
>>> frame = pl.DataFrame({"occupation": ["a", "a", "b", "b"], "skill": ["x", "y", "x", "y"],
...                       "weight": [3.0, 1.0, 1.0, 3.0]})
>>> rca(frame)["rca"].to_list()
[1.5, 0.5, 0.5, 1.5]
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["rca", "rca_matrix"]


def rca(
    frame: pl.DataFrame,
    *,
    occupation: str = "occupation",
    skill: str = "skill",
    weight: str = "weight",
) -> pl.DataFrame:
    """Add an ``rca`` column to a long (occupation, skill, weight) frame.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per occupation–skill pair with a non-negative weight.
    occupation, skill, weight : str
        Column names.

    Returns
    -------
    polars.DataFrame
        ``frame`` with a float ``rca`` column (0 where the occupation or skill has no weight).
    """
    total = pl.col(weight).sum()
    occupation_total = pl.col(weight).sum().over(occupation)
    skill_total = pl.col(weight).sum().over(skill)
    expected = occupation_total * skill_total / total
    return frame.with_columns(
        pl.when(expected > 0)
        .then(pl.col(weight) / expected)
        .otherwise(0.0)
        .cast(pl.Float64)
        .alias("rca")
    )


def rca_matrix(weights: np.ndarray) -> np.ndarray:
    """RCA of a dense occupation × skill weight matrix (rows occupations, columns skills).

    Example
    -------
    >>> rca_matrix(np.array([[3.0, 1.0], [1.0, 3.0]]))
    array([[1.5, 0.5],
           [0.5, 1.5]])
    """
    weights = np.asarray(weights, dtype=float)
    expected = np.outer(weights.sum(axis=1), weights.sum(axis=0)) / weights.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(expected > 0, weights / expected, 0.0)
    return out
