"""Skill polarization: how far an occupation leans to the social-cognitive skill cluster.

Alabdulkareem et al. (2018) found that the complementarity network of O*NET skills splits
into a social-cognitive and a sensory-physical cluster, and that occupations relying on the
first earn more. :func:`social_cognitive_community` names the community that holds most of
a set of anchor skills, :func:`community_lean` scores each occupation's lean (by default the
mean importance of its skills in that community minus the mean importance of the others),
and :func:`wage_correlation` tests the lean against
wages (Spearman), for example OEWS mean annual wages read by :func:`oews_wages`, whose
employment :func:`employment_weights` spreads over O*NET-SOC occupations.

Example
-------
>>> import polars as pl
>>> frame = pl.DataFrame({"occupation": ["a", "a", "b", "b"], "skill": ["x", "y", "x", "y"],
...                       "weight": [3.0, 1.0, 1.0, 3.0]})
>>> community_lean(frame, {"x"})["lean"].to_list()
[2.0, -2.0]
>>> community_lean(frame, {"x"}, method="share")["lean"].to_list()
[0.75, 0.25]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from skilltide.errors import UserError

__all__ = [
    "community_lean",
    "employment_weights",
    "oews_wages",
    "social_cognitive_community",
    "wage_correlation",
]

#: O*NET skills Alabdulkareem et al. place in the social-cognitive cluster.
SOCIAL_COGNITIVE_ANCHORS = ("Active Listening", "Critical Thinking", "Writing", "Persuasion")


def social_cognitive_community(
    membership: dict[str, int],
    names: dict[str, str],
    anchors: Iterable[str] = SOCIAL_COGNITIVE_ANCHORS,
) -> int:
    """The community number holding most of the ``anchors`` (skill names)."""
    wanted = {a.lower() for a in anchors}
    votes: dict[int, int] = {}
    for node, community in membership.items():
        if names.get(node, node).lower() in wanted:
            votes[community] = votes.get(community, 0) + 1
    if not votes:
        raise UserError(f"none of the anchor skills {sorted(wanted)} is in the network")
    return max(sorted(votes), key=lambda c: votes[c])


def community_lean(
    frame: pl.DataFrame, skills: set[str], method: str = "difference"
) -> pl.DataFrame:
    """Per occupation, how far its weights lean to ``skills``.

    ``difference``: mean weight over ``skills`` minus mean weight over the other skills
    (level-free: an occupation rating everything high does not lean); ``share``:
    Σ_{s∈skills} w_os / Σ_s w_os.
    """
    inside = pl.col("skill").is_in(list(skills))
    if method == "difference":
        score = pl.col("weight").filter(inside).mean() - pl.col("weight").filter(~inside).mean()
    elif method == "share":
        score = pl.col("weight").filter(inside).sum() / pl.col("weight").sum()
    else:
        raise UserError(f"method must be difference or share, not {method!r}")
    return frame.group_by("occupation").agg(score.alias("lean")).sort("occupation")


def oews_wages(path: str | Path) -> pl.DataFrame:
    """Detailed-occupation mean annual wage and employment from an OEWS national xlsx.

    Returns ``soc, a_mean, tot_emp``; '*' (not available) becomes null and '#' (top-coded)
    the 2024 top code, 239,200. The data are the workbook's first sheet, whatever the file
    is called (BLS names that sheet after its file, ``national_M2024_dl``).
    """
    path = Path(path)
    try:
        raw = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
    except Exception as exc:
        raise UserError(f"{path}: cannot read the OEWS workbook: {exc}") from None
    missing = {"OCC_CODE", "O_GROUP", "A_MEAN", "TOT_EMP"} - set(raw.columns)
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    return raw.filter(pl.col("O_GROUP") == "detailed").select(
        pl.col("OCC_CODE").alias("soc"),
        pl.when(pl.col("A_MEAN") == "#")
        .then(pl.lit("239200"))
        .otherwise(pl.col("A_MEAN"))
        .cast(pl.Float64, strict=False)
        .alias("a_mean"),
        pl.col("TOT_EMP").cast(pl.Float64, strict=False).alias("tot_emp"),
    )


def wage_correlation(lean: pl.DataFrame, wages: pl.DataFrame) -> dict[str, float]:
    """Spearman ρ between occupations' lean and wage, O*NET-SOC codes matched to SOC.

    O*NET codes ``XX-XXXX.YY`` map to SOC ``XX-XXXX``; several O*NET occupations under one
    SOC code are averaged. Returns ``rho``, ``p_value`` and ``n`` (matched SOC codes).
    """
    from scipy import stats

    joined = (
        lean.with_columns(soc=pl.col("occupation").str.slice(0, 7))
        .group_by("soc")
        .agg(pl.col("lean").mean())
        .join(wages.filter(pl.col("a_mean").is_not_null()), on="soc")
    )
    if joined.height < 3:
        raise UserError("fewer than 3 occupations matched the wage table")
    result = stats.spearmanr(joined["lean"].to_numpy(), joined["a_mean"].to_numpy())
    return {"rho": float(result.statistic), "p_value": float(result.pvalue), "n": joined.height}


def employment_weights(occupations: list[str], employment: pl.DataFrame) -> pl.DataFrame:
    """Employment per O*NET-SOC occupation from SOC-level ``soc, tot_emp``.

    An occupation whose detailed SOC code is not in ``employment`` takes its broad group's
    (``XX-XXX0``), which OEWS publishes instead of some detailed codes (31-1120 for home
    health aides 31-1121 and personal care aides 31-1122).

    Example
    -------
    >>> emp = pl.DataFrame({"soc": ["15-1252", "31-1120"], "tot_emp": [100.0, 80.0]})
    >>> employment_weights(["15-1252.00", "15-1252.01", "31-1122.00", "47-2111.00"], emp).rows()
    [('15-1252.00', 50.0), ('15-1252.01', 50.0), ('31-1122.00', 80.0), ('47-2111.00', 0.0)]
    """
    detailed = pl.col("occupation").str.slice(0, 7)
    published = employment["soc"].to_list()
    return (
        pl.DataFrame({"occupation": occupations}, schema={"occupation": pl.String})
        .with_columns(
            soc=pl.when(detailed.is_in(published))
            .then(detailed)
            .otherwise(detailed.str.slice(0, 6) + "0")
        )
        .join(employment.select("soc", "tot_emp"), on="soc", how="left")
        .with_columns(
            weight=(pl.col("tot_emp") / pl.len().over("soc")).fill_null(0.0).cast(pl.Float64)
        )
        .select("occupation", "weight")
        .sort("occupation")
    )
