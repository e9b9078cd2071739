"""Candidates at a coarser level (:mod:`skilltide.onet.coder_levels`): distinct 6-digit SOC
codes or major groups scored by summed probabilities."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.onet.coder_levels import CANDIDATES, at_level, predict_at, soc_titles

PREDICTED = pl.DataFrame(
    {
        "input_index": [0, 0, 0, 0, 1, 1],
        "rank": [1, 2, 3, 4, 1, 2],
        "onetsoc_code": [
            "29-2061.00",  # LPNs: the best single code
            "29-1141.01",  # three Registered Nurses specialties: together more probable
            "29-1141.03",
            "29-1141.00",
            "15-1252.00",
            "15-1253.00",
        ],
        "title": ["LPN", "Acute Care Nurses", "Critical Care Nurses", "RN", "SD", "QA"],
        "score": [0.3, 0.25, 0.2, 0.1, 0.5, 0.5],
    }
).cast({"rank": pl.Int32})
SOC = {"29-2061": "Licensed Practical Nurses", "29-1141": "Registered Nurses"}


def test_soc_level_sums_the_specialties_into_one_distinct_code():
    out = at_level(PREDICTED, "soc", 5, SOC)
    first = out.filter(pl.col("input_index") == 0)
    assert first["onetsoc_code"].to_list() == ["29-1141", "29-2061"]
    assert first["title"].to_list() == ["Registered Nurses", "Licensed Practical Nurses"]
    assert first["score"].to_list() == [0.55, 0.3]
    assert first["rank"].to_list() == [1, 2]
    assert out.schema == PREDICTED.schema


def test_equal_sums_go_to_the_better_ranked_code_and_top_cuts():
    out = at_level(PREDICTED, "soc", 1, SOC)
    assert out.rows() == [
        (0, 1, "29-1141", "Registered Nurses", 0.55),
        (1, 1, "15-1252", None, 0.5),  # 0.5 each: 15-1252 ranked first; no title given
    ]


def test_major_level_names_the_group_holding_the_most_probability():
    two = pl.DataFrame(
        {
            "input_index": [0, 0, 0],
            "rank": [1, 2, 3],
            "onetsoc_code": ["11-1021.00", "43-1011.00", "43-6014.00"],
            "title": ["a", "b", "c"],
            "score": [0.4, 0.35, 0.25],
        }
    ).cast({"rank": pl.Int32})
    out = at_level(two, "major", 5)
    assert out["onetsoc_code"].to_list() == ["43-0000", "11-0000"]
    assert out["title"][0] == "Office and Administrative Support Occupations"
    assert out["score"].to_list() == [0.6, 0.4]


def test_onet_level_is_the_candidates_as_they_are():
    assert at_level(PREDICTED, "onet", 5).equals(PREDICTED)
    assert at_level(PREDICTED, "onet", 1)["onetsoc_code"].to_list() == [
        "29-2061.00",
        "15-1252.00",
    ]


def test_an_unknown_level_is_refused():
    with pytest.raises(UserError, match="--level must be one of onet, soc, major"):
        at_level(PREDICTED, "broad", 5)


def test_soc_titles_are_those_of_the_00_occupation():
    codes = ["29-1141.01", "29-1141.00", "29-1141.03"]
    assert soc_titles(codes, ["Acute", "Registered Nurses", "Critical"]) == {
        "29-1141": "Registered Nurses"
    }


class _Coder:
    codes = np.array(["29-1141.00", "29-1141.01"], dtype=object)
    code_titles = np.array(["Registered Nurses", "Acute Care Nurses"], dtype=object)

    def __init__(self):
        self.asked = []

    def predict(self, titles, top):
        self.asked.append(top)
        return PREDICTED.filter(pl.col("input_index") == 0)


def test_predict_at_asks_for_more_candidates_than_it_reports():
    coder = _Coder()
    out = predict_at(coder, ["RN"], 1, "soc")
    assert coder.asked == [CANDIDATES]
    assert out.rows() == [(0, 1, "29-1141", "Registered Nurses", 0.55)]
    predict_at(coder, ["RN"], 3, "onet")
    assert coder.asked == [CANDIDATES, 3]
