"""The title-coding benchmark's ceiling analysis on small hand-made frames (no shared data)."""

from __future__ import annotations

import doctest

import polars as pl

import benchmarks.title_coding_ceiling as ceiling
from benchmarks.title_coding_ceiling import (
    ambiguity_bound,
    ceiling_report,
    major_confusion,
    training_overlap,
)

NURSE = ["nurse", "nurse", "nurse", "welder"]
CODES = ["29-1141.00", "29-1141.00", "29-2061.00", "51-4121.06"]


def test_ambiguity_bound_counts_the_best_answer_per_text():
    soc6 = ambiguity_bound(NURSE, CODES, 7)
    assert soc6["ambiguous_keys"] == 1 and soc6["ambiguous_titles"] == 3
    # "nurse" can be right for 2 of its 3 titles, "welder" for its one: 3 of 4.
    assert soc6["forced_errors_top1"] == 1 and soc6["bound_top1"] == 75.0
    assert soc6["bound_top5"] == 100.0
    major = ambiguity_bound(NURSE, CODES, 2)  # both nurse codes are in major group 29
    assert major["ambiguous_titles"] == 0 and major["bound_top1"] == 100.0


def test_ambiguity_bound_levels_and_top5():
    # Two O*NET-SOC codes of one 6-digit code: ambiguous at O*NET-SOC only.
    codes = ["17-2199.01", "17-2199.02"]
    assert ambiguity_bound(["engineer"] * 2, codes, 10)["bound_top1"] == 50.0
    assert ambiguity_bound(["engineer"] * 2, codes, 7)["bound_top1"] == 100.0
    # Six groups for one text: top-5 can cover five of them.
    six = [f"25-11{i:02d}.00" for i in range(6)]
    row = ambiguity_bound(["professor"] * 6, six, 7)
    assert row["bound_top1"] == round(100 / 6, 2) and row["bound_top5"] == round(500 / 6, 2)


def test_training_overlap_sorts_owners():
    keys = ["nurse", "welder", "clerk", "imam"]
    codes = ["29-1141.00", "51-4121.06", "43-9061.00", "21-2011.00"]
    train_keys = ["nurse", "welder", "welder", "clerk"]
    train_codes = ["29-1141.00", "51-4121.06", "47-2011.00", "43-4171.00"]
    assert training_overlap(keys, codes, train_keys, train_codes, 7) == {
        "own_only": 1,
        "own_and_other": 1,
        "other_only": 1,
        "not_in_training": 1,
    }
    # At major level "clerk" (43) is found under its own group.
    assert training_overlap(keys, codes, train_keys, train_codes, 2)["other_only"] == 0


def test_major_confusion_pairs_and_lengths():
    keys = ["manager", "manager", "sales manager", "night shift machine operator"]
    codes = ["11-1021.00", "11-1021.00", "41-1012.00", "51-9199.00"]
    top1 = ["13-1111.00", "13-1111.00", "11-2022.00", None]
    row = major_confusion(keys, codes, top1, ambiguous={"manager"})
    assert row["errors"] == 4 and row["top1_major"] == 0.0
    assert row["pairs"][0] == {"true": "11", "predicted": "13", "count": 2}
    assert row["errors_by_words"] == {"1": 2, "2": 1, "3+": 1}
    assert row["errors_on_ambiguous_texts"] == 2


def test_ceiling_report_uses_the_benchmark_key():
    reported = pl.DataFrame(
        {
            "onetsoc_code": ["29-1141.00", "29-2061.00", "51-4121.06"],
            "reported_title": ["Nurse", "  nurse ", "Welder"],
        }
    )
    train = pl.DataFrame({"onetsoc_code": ["51-4121.06"], "title": ["Welders"]})
    top1 = ["29-1141.00", "29-1141.00", "47-2011.00"]
    report = ceiling_report(reported, train, {"coder": top1})
    bound = report["ambiguity"]["benchmark_key"]["soc6"]
    assert bound["ambiguous_titles"] == 2 and bound["bound_top1"] == round(200 / 3, 2)
    # The coder's normalisation makes "Welders" and "Welder" one text.
    overlap = report["training_overlap"]["coder_normalisation"]["soc6"]
    assert overlap["own_only"] == 1
    assert report["training_overlap"]["benchmark_key"]["soc6"]["own_only"] == 0
    assert report["major_confusion"]["coder"]["pairs"] == [
        {"true": "51", "predicted": "47", "count": 1}
    ]


def test_the_module_example_runs():
    assert doctest.testmod(ceiling).failed == 0
