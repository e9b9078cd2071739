"""WORKBank automation overlay on the skill–occupation network.

WORKBank (Shao et al. 2025) sorts each occupation's tasks into zones by workers' desire for
automation and experts' rating of AI capability (green light, red light, R&D opportunity,
low priority) and records the Human Agency Scale (HAS, 1 = the agent does it alone .. 5 =
human essential). This module carries those occupation figures to the network:

- occupation: its own shares and means;
- skill: the average over the occupations using it, weighted by occupation weight (employment,
  ad demand, or equal) × edge weight, so a skill is exposed when the occupations that lean on
  it are;
- community: the same average over the occupations of a community.

``coverage`` says how much of that weight has WORKBank data (WORKBank covers 104
occupations), so thin rows can be told apart.

Example
-------
>>> import polars as pl
>>> edges = pl.DataFrame({"occupation": ["a", "b"], "skill": ["x", "x"], "weight": [1.0, 3.0]})
>>> wb = pl.DataFrame({"onetsoc_code": ["a", "b"], "share_green_light": [1.0, 0.0],
...                    "share_red_light": [0.0, 1.0], "share_rnd_opportunity": [0.0, 0.0],
...                    "share_low_priority": [0.0, 0.0], "mean_worker_has": [2.0, 4.0],
...                    "mean_desire": [3.0, 3.0], "mean_capability": [3.0, 3.0]})
>>> out = automation_exposure(edges, wb)
>>> out.filter(pl.col("level") == "skill")["share_green_light"].item()
0.25
"""

from __future__ import annotations

import polars as pl

__all__ = ["EXPOSURE_COLUMNS", "automation_exposure", "edge_intensity"]

EXPOSURE_COLUMNS = [
    "share_green_light",
    "share_red_light",
    "share_rnd_opportunity",
    "share_low_priority",
    "mean_worker_has",
    "mean_desire",
    "mean_capability",
]


def _weighted(frame: pl.DataFrame, key: str, level: str) -> pl.DataFrame:
    covered = pl.col("covered")
    covered_weight = pl.col("w").filter(covered).sum()
    total_weight = pl.col("w").sum()
    return (
        frame.group_by(key)
        .agg(
            covered.filter(covered).len().cast(pl.Int32).alias("n_occupations"),
            pl.when(total_weight > 0).then(covered_weight / total_weight).alias("coverage"),
            *[
                pl.when(covered_weight > 0)
                .then((pl.col(c) * pl.col("w")).filter(covered).sum() / covered_weight)
                .alias(c)
                for c in EXPOSURE_COLUMNS
            ],
        )
        .select(
            pl.lit(level).alias("level"),
            pl.col(key).cast(pl.String).alias("node_id"),
            "n_occupations",
            "coverage",
            *EXPOSURE_COLUMNS,
        )
    )


def edge_intensity(edges: pl.DataFrame, ads: pl.DataFrame | None = None) -> pl.DataFrame:
    """The edge weights the overlay multiplies by occupation weight: ``edges`` as they are,
    or, for counts of ads (``ads``: ``occupation, weight`` = ads per occupation), the share of
    the occupation's ads asking for the skill, as an importance rating is an intensity. So
    demand weighting counts each ad once (ads × share), not ads × ads.

    >>> e = pl.DataFrame({"occupation": ["a", "b"], "skill": ["x", "x"], "weight": [2.0, 5.0]})
    >>> ads = pl.DataFrame({"occupation": ["a", "b"], "weight": [4.0, 50.0]})
    >>> edge_intensity(e, ads)["weight"].to_list()
    [0.5, 0.1]
    """
    edges = edges.select("occupation", "skill", "weight")
    if ads is None:
        return edges
    per_occupation = ads.select("occupation", pl.col("weight").alias("ads"))
    return (
        edges.join(per_occupation, on="occupation", how="left")
        .with_columns(weight=pl.col("weight") / pl.col("ads"))
        .drop("ads")
    )


def automation_exposure(
    edges: pl.DataFrame,
    workbank: pl.DataFrame,
    *,
    occupation_weights: pl.DataFrame | None = None,
    communities: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Exposure rows for occupations, skills and (optionally) communities.

    Parameters
    ----------
    edges : polars.DataFrame
        ``occupation, skill, weight``: the bipartite edges.
    workbank : polars.DataFrame
        ``workbank_occupations``: ``onetsoc_code`` and the :data:`EXPOSURE_COLUMNS`.
    occupation_weights : polars.DataFrame, optional
        ``occupation, weight`` (employment or ad counts); equal weights when omitted.
    communities : polars.DataFrame, optional
        ``occupation, community``.

    Returns
    -------
    polars.DataFrame
        ``level, node_id, n_occupations, coverage`` and the exposure columns; skills with no
        WORKBank-covered occupation get nulls and coverage 0.
    """
    # WORKBank is keyed by occupation title; titles without a code are dropped and titles
    # sharing a code are averaged, so each occupation has one row.
    wb = (
        workbank.select(
            pl.col("onetsoc_code").cast(pl.String).alias("occupation"),
            *[pl.col(c).cast(pl.Float64) for c in EXPOSURE_COLUMNS],
        )
        .filter(pl.col("occupation").is_not_null())
        .group_by("occupation")
        .agg(pl.col(c).mean() for c in EXPOSURE_COLUMNS)
        .with_columns(covered=pl.lit(True))
    )
    occupations = edges.select("occupation").unique()
    if occupation_weights is None:
        occupations = occupations.with_columns(occupation_weight=pl.lit(1.0))
    else:
        occupations = occupations.join(
            occupation_weights.select(
                "occupation", pl.col("weight").cast(pl.Float64).alias("occupation_weight")
            ),
            on="occupation",
            how="left",
        ).with_columns(pl.col("occupation_weight").fill_null(0.0))
    occ = occupations.join(wb, on="occupation", how="left").with_columns(
        pl.col("covered").fill_null(False)
    )
    frames = [
        occ.filter(pl.col("covered")).select(
            pl.lit("occupation").alias("level"),
            pl.col("occupation").alias("node_id"),
            pl.lit(1, dtype=pl.Int32).alias("n_occupations"),
            pl.lit(1.0).alias("coverage"),
            *EXPOSURE_COLUMNS,
        )
    ]
    by_skill = (
        edges.select("occupation", "skill", "weight")
        .join(occ, on="occupation")
        .with_columns(w=pl.col("occupation_weight") * pl.col("weight"))
    )
    frames.append(_weighted(by_skill, "skill", "skill"))
    if communities is not None:
        by_community = (
            communities.select("occupation", "community")
            .join(occ, on="occupation")
            .with_columns(w=pl.col("occupation_weight"))
        )
        frames.append(_weighted(by_community, "community", "community"))
    return pl.concat(frames, how="vertical_relaxed").sort("level", "node_id")
