"""Replication of Alabdulkareem et al. (2018) on the real O*NET 29.3 Skills and OEWS 2024."""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.polarization import read_onet_skills_excel
from skilltide.graph.analysis import analyse
from skilltide.graph.build import bipartite_matrix, select_edges
from skilltide.graph.polarization import (
    community_lean,
    oews_wages,
    social_cognitive_community,
    wage_correlation,
)
from tests.conftest import shared_path

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def test_skill_polarization_and_wages():
    importance, names = read_onet_skills_excel(shared_path("onet", "29.3", "Skills.xlsx"))
    wages = oews_wages(shared_path("oews", "national_M2024_dl.xlsx"))
    edges = select_edges(importance, weight="rca")
    result = analyse(bipartite_matrix(edges), names=names, n_null=8, seed=0)
    theta = {
        r["node_id"]: int(r["value"])
        for r in result.node_metrics.filter(
            pl.col("metric") == "complementarity_community"
        ).iter_rows(named=True)
    }
    by_name = {names[s]: c for s, c in theta.items()}
    social = social_cognitive_community(theta, names)
    # two large communities, social-cognitive vs sensory-physical/technical
    sizes = pl.Series(list(theta.values())).value_counts()["count"].sort(descending=True)
    assert sizes[0] + sizes[1] >= 0.85 * len(theta)
    for skill in ("Active Listening", "Critical Thinking", "Writing", "Persuasion"):
        assert by_name[skill] == social
    for skill in ("Equipment Maintenance", "Repairing", "Operation and Control"):
        assert by_name[skill] != social
    summary = {r["metric"]: r for r in result.summary.iter_rows(named=True)}
    assert summary["complementarity_modularity"]["observed"] > 0.05
    assert summary["modularity"]["z_score"] > 5  # far above degree-preserving randomisations
    lean = community_lean(importance, {s for s, c in theta.items() if c == social})
    corr = wage_correlation(lean, wages)
    assert corr["n"] > 600
    assert corr["rho"] > 0.3 and corr["p_value"] < 0.001
