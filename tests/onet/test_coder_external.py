"""The external SOC title lists of the coder benchmark: readers, code matching, the ESCO chain."""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks._soc_lists import (
    code_level,
    code_matches,
    code_prefix,
    jobbert_soc2018,
    read_census_index,
    read_direct_match,
    read_esco_isco,
    read_isco_soc2010,
    read_jobbert,
    read_soc2010_2018,
)
from benchmarks.title_coding_external import hit_rates
from tests.conftest import shared_path


@pytest.mark.parametrize(
    ("candidate", "code", "expected"),
    [
        ("51-9141.00", "51-91XX", True),
        ("51-9199.01", "51-91XX", True),
        ("51-9061.00", "51-91XX", False),
        ("19-1029.01", "19-1020", True),
        ("19-1023.00", "19-1020", True),
        ("19-1031.00", "19-1020", False),
        ("51-6091.00", "51-609X", True),
        ("51-6011.00", "51-609X", False),
        ("51-4121.06", "51-4XXX", True),
        ("29-1141.00", "29-1141", True),
        ("29-1141.00", "29-1142", False),
        ("13-2011.00", "13-20XX", True),
        ("13-1111.00", "13-20XX", False),
    ],
)
def test_aggregate_codes_match_their_fixed_prefix(candidate, code, expected):
    assert code_matches(candidate, code) is expected


def test_code_levels_and_bad_codes():
    assert [code_level(c) for c in ["29-1141", "19-1020", "51-609X", "51-91XX", " 51-4XXX"]] == [
        "detailed",
        "broad",
        "broad",
        "minor",
        "minor",
    ]
    assert code_prefix(" 11-1011 ") == "11-1011"
    for bad in ["11-10", "1-1011", "none", "11-X011"]:
        with pytest.raises(ValueError, match="not a SOC"):
            code_prefix(bad)


def test_hit_rates_any_prefix_top1_and_top5():
    ranked = [["19-1029.01", "11-1011.00"], ["11-1011.00", "51-9141.00"], []]
    wanted = [["19-102"], ["51-91", "27"], ["11"]]
    assert hit_rates(ranked, wanted) == {"n": 3, "top1": 33.33, "top5": 66.67}


@pytest.mark.shared_data
def test_census_index_reader_counts():
    path = shared_path("soc", "census", "Census-2022-Occupation-Index_Final.xlsx")
    rows = read_census_index(path, coded_only=False)
    coded = read_census_index(path)
    assert rows.height == 34_539
    assert coded.height == 34_256
    assert rows.filter(pl.col("census_code").is_null()).height == 281
    assert coded["census_code"].str.contains(r"^\d{4}$").all()  # leading zeros kept
    levels = coded["soc_code"].map_elements(code_level, return_dtype=pl.String).value_counts()
    by_level = dict(levels.iter_rows())
    # SOURCE.md: 4,449 wildcard rows; 22,689 detailed + 17 detailed codes with stray spaces.
    assert by_level["detailed"] == 22_706
    assert by_level["broad"] + by_level["minor"] == 34_256 - 22_706
    assert coded.filter(pl.col("soc_code").str.contains("X")).height == 4_449
    assert coded.select(pl.col("title").str.to_lowercase().n_unique()).item() == 30_245


@pytest.mark.shared_data
def test_direct_match_reader_counts():
    rows = read_direct_match(shared_path("soc", "bls", "soc_2018_direct_match_title_file.xlsx"))
    assert rows.height == 6_520
    assert rows["soc_code"].n_unique() == 864
    assert rows["soc_code"].str.slice(0, 2).n_unique() == 23
    assert rows.filter(pl.col("title") == "Combat Control  Specialist").height == 1  # as written
    assert rows.filter(pl.col("title") != pl.col("title").str.strip_chars()).height == 0


@pytest.mark.shared_data
def test_jobbert_chain_keeps_the_documented_share():
    titles = read_jobbert(shared_path("soc", "jobbert", "titles.test.csv"))
    esco = read_esco_isco(shared_path("soc", "esco", "occupations_en.csv"))
    isco_soc = read_isco_soc2010(shared_path("soc", "bls", "isco_soc_crosswalk.xls"))
    xwalk = read_soc2010_2018(shared_path("soc", "bls", "soc_2010_to_2018_crosswalk.xlsx"))
    assert titles.height == 15_463
    assert esco.height == 2_942 and esco.filter(pl.col("isco").str.starts_with("0")).height == 21
    assert isco_soc["soc2010"].str.contains(r"^\d\d-\d{4}$").all()  # trailing spaces stripped
    assert isco_soc["isco"].str.contains(r"^\d{4}$").sum() > 1_000
    # SOURCE.md (through SOC 2010): 27 % of rows map to one SOC code, 78 % to one major group.
    by_isco = isco_soc.group_by("isco").agg(
        codes=pl.col("soc2010").n_unique(), majors=pl.col("soc2010").str.slice(0, 2).n_unique()
    )
    joined = titles.join(esco, on="esco_uri").join(by_isco, on="isco")
    assert joined.height == titles.height
    assert round(100 * (joined["codes"] == 1).mean()) == 27
    assert round(100 * (joined["majors"] == 1).mean()) == 78
    chained = jobbert_soc2018(titles, esco, isco_soc, xwalk)
    assert chained.height == titles.height
    assert chained["row"].to_list() == list(range(titles.height))
    assert (chained["soc2018"].list.len() > 0).all()
    single_major = (chained["majors"].list.len() == 1).mean()
    assert 0.70 < single_major < 0.78  # SOC 2010 → 2018 splits a few more across groups


def test_extra_training_titles_take_the_00_code_else_the_smallest_and_skip_aggregates():
    from benchmarks.title_coding_extra import as_training_titles

    onet = pl.Series(["15-1252.00", "29-1141.00", "29-1141.03", "11-9199.01", "11-9199.11"])
    titles = pl.DataFrame(
        {
            "title": ["Coder", "Charge Nurse", "Hydrologist aide", "Compliance lead", "Foreman"],
            "soc_code": ["15-1252", "29-1141", "19-1020", "11-9199", "51-91XX"],
        }
    )
    out = as_training_titles(titles, onet)
    assert out.rows() == [
        ("15-1252.00", "Coder", "alternate"),
        ("29-1141.00", "Charge Nurse", "alternate"),  # .00 over the .03 specialty
        ("11-9199.01", "Compliance lead", "alternate"),  # no .00: the smallest under it
    ]  # 19-1020 (broad) and 51-91XX (minor) fix no occupation: left out


def _entry(top1: float) -> dict:
    return {"major": {"n": 10, "top1": top1, "top5": 90.0}, "titles_per_second": 100}


def test_external_table_shows_the_static_column_without_a_baseline(capsys):
    from benchmarks.title_coding_external import print_table

    models = {"coder": 80.0, "static": 70.0}
    sets = {
        name: {m: {**_entry(v), "titles_per_cpu_second": 50} for m, v in models.items()}
        for name in ("census", "dmtf", "jobbert")
    }
    fit = {"coder": 6.0, "static": 120.0}
    print_table({"release": "30.1", "training_strings": 1, "fit_seconds": fit, **sets})
    out = capsys.readouterr().out
    assert "static" in out and "coder/1-NN" not in out
    assert "census major" in out and "70.0" in out
    assert "per CPU-s {'coder': 50, 'static': 50}" in out
    skipped = {"static_skipped": "needs the embed extra", "fit_seconds": {"coder": 6.0}}
    print_table({"release": "30.1", "training_strings": 1, **sets, **skipped})
    assert "static coder: skipped (needs the embed extra)" in capsys.readouterr().out
