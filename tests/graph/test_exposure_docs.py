"""Automation overlay by hand and the polarization helpers."""

from __future__ import annotations

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.graph.exposure import automation_exposure
from skilltide.graph.polarization import (
    community_lean,
    social_cognitive_community,
    wage_correlation,
)


def _workbank():
    return pl.DataFrame(
        {
            "onetsoc_code": ["a", "b"],
            "share_green_light": [0.8, 0.2],
            "share_red_light": [0.0, 0.5],
            "share_rnd_opportunity": [0.1, 0.1],
            "share_low_priority": [0.1, 0.2],
            "mean_worker_has": [2.0, 4.0],
            "mean_desire": [4.0, 2.0],
            "mean_capability": [3.0, 3.0],
        }
    )


def test_exposure_weighted_by_employment_and_edges():
    edges = pl.DataFrame(
        {
            "occupation": ["a", "b", "c", "a"],
            "skill": ["x", "x", "x", "y"],
            "weight": [1.0, 1.0, 2.0, 1.0],
        }
    )
    employment = pl.DataFrame({"occupation": ["a", "b", "c"], "weight": [300.0, 100.0, 50.0]})
    communities = pl.DataFrame({"occupation": ["a", "b", "c"], "community": [0, 0, 1]})
    out = automation_exposure(
        edges, _workbank(), occupation_weights=employment, communities=communities
    )
    x = out.filter((pl.col("level") == "skill") & (pl.col("node_id") == "x")).row(0, named=True)
    # weights: a 300, b 100 (covered), c 50 × 2 = 100 (no WORKBank data)
    assert x["share_green_light"] == pytest.approx((0.8 * 300 + 0.2 * 100) / 400)
    assert x["mean_worker_has"] == pytest.approx((2.0 * 300 + 4.0 * 100) / 400)
    assert x["coverage"] == pytest.approx(400 / 500)
    assert x["n_occupations"] == 2
    c0 = out.filter((pl.col("level") == "community") & (pl.col("node_id") == "0")).row(
        0, named=True
    )
    assert c0["share_red_light"] == pytest.approx(0.5 * 100 / 400)
    c1 = out.filter((pl.col("level") == "community") & (pl.col("node_id") == "1")).row(
        0, named=True
    )
    assert c1["coverage"] == 0.0 and c1["share_green_light"] is None
    occupations = out.filter(pl.col("level") == "occupation")
    assert occupations["node_id"].to_list() == ["a", "b"]


def test_workbank_rows_without_code_or_sharing_a_code():
    wb = pl.concat(
        [
            _workbank(),
            _workbank().head(1).with_columns(share_green_light=pl.lit(0.4)),
            _workbank().head(1).with_columns(onetsoc_code=pl.lit(None, dtype=pl.String)),
        ]
    )
    edges = pl.DataFrame({"occupation": ["a"], "skill": ["x"], "weight": [1.0]})
    out = automation_exposure(edges, wb)
    occupation = out.filter(pl.col("level") == "occupation")
    assert occupation.height == 1
    assert occupation["share_green_light"][0] == pytest.approx((0.8 + 0.4) / 2)


def test_polarization_helpers():
    frame = pl.DataFrame(
        {
            "occupation": ["a", "a", "b", "b", "c", "c"],
            "skill": ["x", "y"] * 3,
            "weight": [4.0, 1.0, 2.0, 2.0, 1.0, 4.0],
        }
    )
    lean = community_lean(frame, {"x"})
    assert lean["lean"].to_list() == [3.0, 0.0, -3.0]
    with pytest.raises(UserError, match="method"):
        community_lean(frame, {"x"}, method="ratio")
    membership = {"x": 1, "y": 0, "z": 1}
    assert social_cognitive_community(membership, {"x": "Writing", "z": "Persuasion"}) == 1
    with pytest.raises(UserError, match="anchor"):
        social_cognitive_community(membership, {})
    wages = pl.DataFrame({"soc": ["11-1011", "11-1021", "47-2111"], "a_mean": [200.0, 150.0, 60.0]})
    lean = pl.DataFrame(
        {
            "occupation": ["11-1011.00", "11-1011.03", "11-1021.00", "47-2111.00"],
            "lean": [2.0, 4.0, 1.0, -1.0],
        }
    )
    result = wage_correlation(lean, wages)
    assert result["n"] == 3 and result["rho"] == pytest.approx(1.0)


def test_oews_workbook_is_read_under_any_file_name(tmp_path):
    """A renamed copy of the BLS file (a browser's "national_M2024_dl (1).xlsx") was refused:
    the data sheet was looked up by the file's name."""
    import shutil

    from skilltide.graph.polarization import oews_wages
    from tests.conftest import shared_path

    original = shared_path("oews", "national_M2024_dl.xlsx")
    renamed = tmp_path / "national_M2024_dl (1).xlsx"
    shutil.copy(original, renamed)
    assert oews_wages(renamed).equals(oews_wages(original))
