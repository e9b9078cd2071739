"""Captions state the numbers they are given, in plain words."""

from __future__ import annotations

import datetime as dt

import polars as pl

from skilltide.reports import captions, methods_captions


def test_growth_caption_names_the_extremes_and_the_counts():
    frame = pl.DataFrame(
        {
            "label": ["Python", "Excel", "Fax"],
            "growth": [0.4, 0.01, -0.3],
            "lo": [0.2, -0.1, -0.5],
            "hi": [0.6, 0.1, -0.1],
            "basis": "the same season a year earlier (May–Jul 2024)",
        }
    )
    text = captions.growth(frame, "lgbm", dt.date(2025, 6, 1))
    assert "By Jun 2025 the forecast expects Python to rise most: +40%" in text
    assert text.endswith(" Forecast method: lgbm.")  # after the result, not inside it
    assert "+40% on the same season a year earlier (May–Jul 2024)" in text
    assert "(80% interval +20% to +60%)" in text
    assert "Fax is expected to fall most: \u221230%" in text
    # the demo's report read "1 are expected to grow and 0 to shrink"
    assert "Of 3 series with enough ads, 1 is expected to grow and 1 to shrink" in text
    two = captions.growth(
        frame.with_columns(lo=pl.Series([0.2, 0.05, -0.5])), "lgbm", dt.date(2025, 6, 1)
    )
    assert "2 are expected to grow and 1 to shrink" in two


def test_growth_caption_without_intervals():
    # forecasts on a history too short to backtest have no interval (null lo/hi)
    frame = pl.DataFrame(
        {
            "label": ["Python", "Fax"],
            "growth": [0.4, -0.3],
            "lo": [None, None],
            "hi": [None, None],
            "basis": "the last three months",
        },
        schema_overrides={"lo": pl.Float64, "hi": pl.Float64},
    )
    text = captions.growth(frame, "naive", dt.date(2025, 6, 1))
    assert "expects Python to rise most: +40% on the last three months." in text
    assert "Fax is expected to fall most: \u221230%." in text
    assert "80% confidence" not in text and "no prediction interval" in text


def test_growth_caption_does_not_call_a_fall_the_largest_rise():
    # ruanyf's ads: "expects Linux to rise most: \u221214%" when every series falls
    frame = pl.DataFrame(
        {
            "label": ["Linux", "Python"],
            "growth": [-0.14, -0.21],
            "lo": [-0.97, -0.98],
            "hi": [0.68, 0.56],
            "basis": "the same season a year earlier (Jul\u2013Sep 2025)",
        }
    )
    text = captions.growth(frame, "auto", dt.date(2026, 8, 1))
    assert "rise most" not in text
    assert "expects Linux to fall least: \u221214%" in text
    assert "Python is expected to fall most: \u221221%" in text
    alone = captions.growth(frame.head(1), "auto", dt.date(2026, 8, 1))
    assert "expects Linux to change: \u221214%" in alone and "fall most" not in alone


def test_explorer_caption_promises_bands_only_when_there_are_intervals():
    args = ("last value", dt.date(2025, 1, 1), dt.date(2025, 6, 1), False, "ads a month", 5, 5)
    assert "darker band holds the outcome 80% of the time" in captions.explorer(*args)
    bare = captions.explorer(*args, intervals=False)
    assert "band" not in bare and "it has no prediction interval" in bare


def test_break_explanations():
    level = captions.explain_break("level", 25.0, 0.001, "market", dt.date(2024, 1, 1))
    assert level.startswith("Jan 2024: Level shift of +25.00 ads a month, p = 0.001; market-wide")
    # the rule is a quarter of the series (breaks_market.label_scope), not most of them
    assert "a quarter or more of the series" in level and "most series" not in level
    trend = captions.explain_break("trend", -1.5, None, "series", dt.date(2023, 1, 1))
    assert trend == (
        "Jan 2023: Trend change of \u22121.50 ads a month per month; specific to this series."
    )
    share = captions.explain_break("level", 0.02, 0.01, "series", dt.date(2023, 1, 1), "share")
    assert "Level shift of +2.00 percentage points" in share


def test_backtest_caption_compares_with_the_best_baseline():
    frame = pl.DataFrame(
        {
            "model": ["lgbm", "naive", "snaive"],
            "horizon": [3, 3, 3],
            "value": [0.8, 1.0, 1.2],
            "baseline": [False, True, True],
        }
    )
    text = methods_captions.backtests(frame, "mase")
    # the models by the reader's names, not the registry's (lgbm, naive)
    assert (
        "the MASE of the best model (machine-learning model) is 0.8, 20% below the best "
        "simple baseline (last month repeated, 1)" in text
    )
    assert "0.8 ads a month" not in methods_captions.backtests(frame, "mase", "ads a month")
    text = methods_captions.backtests(frame, "mae", "ads a month")
    assert "is 0.8 ads a month, 20% below" in text  # an error in the series' unit


def test_no_market_break():
    assert "No market-wide break" in captions.market_breaks(None)


def test_coverage_caption():
    frame = pl.DataFrame({"model": ["lgbm"], "coverage_80": [0.78], "coverage_95": [0.93]})
    assert methods_captions.coverage(frame).startswith(
        "In backtests, machine-learning model: 78% of outcomes inside its 80% intervals and "
        "93% of outcomes inside its 95% intervals."
    )


def test_exposure_caption_ignores_communities_mostly_without_data():
    frame = pl.DataFrame(
        {
            "community_label": ["1. A, B", "2. C, D", "3. E"],
            "n_skills": [4, 4, 3],
            "mean_exposure": [0.3, 0.1, 0.9],
            "skills_with_exposure": [4, 2, 1],
        }
    )
    text = captions.exposure(frame, "share_green_light")
    assert "'A, B' are the most exposed" in text and "'C, D' the least" in text


def test_network_caption_claims_real_grouping_only_far_from_the_null():
    communities = pl.DataFrame({"community_label": ["1. Python, SQL"], "n_skills": [12]})

    def caption(z: float) -> str:
        summary = pl.DataFrame(
            {"metric": ["modularity"], "observed": [0.4], "null_mean": [0.1], "z_score": [z]}
        )
        return captions.network(communities, 40, 150, summary)

    assert "grouping is real" in caption(12.0)
    assert "no more than chance" in caption(1.2)
    assert "form 1 group of skills that are used together" in caption(12.0)  # "1 groups"


def test_network_caption_quotes_the_modularity_of_the_groups_it_draws():
    """The groups drawn are θ's: the caption quoted the bipartite graph's modularity, and said
    nothing when every randomised θ had one group (no z; O*NET 29.3 skills: 0.12 vs 0, p =
    1/21 over 20)."""
    communities = pl.DataFrame({"community_label": ["1. Writing, Speaking"], "n_skills": [20]})
    summary = pl.DataFrame(
        {
            "metric": ["modularity", "complementarity_modularity"],
            "observed": [0.234, 0.116],
            "null_mean": [0.053, 0.0],
            "z_score": [45.8, None],
            "p_value": [1 / 21, 1 / 21],
            "n_null": [20, 20],
        }
    )
    text = captions.network(communities, 35, 35, summary)
    assert "is 0.12 against 0.00 in randomised networks (all 20 alike, p = 0.048)" in text
    assert "so the grouping is real." in text and "0.23" not in text
    few = summary.with_columns(p_value=pl.lit(1 / 6), n_null=pl.lit(5))
    assert "too few to tell it from chance" in captions.network(communities, 35, 35, few)
    # above 5,000 nodes modularity is not tested: no null, no sentence (and no TypeError)
    untested = summary.with_columns(null_mean=None, z_score=None, p_value=None, n_null=0)
    assert "Modularity" not in captions.network(communities, 35, 35, untested)


def test_signed_percent_has_a_true_minus_and_no_negative_zero():
    assert captions.signed_pct(0.12) == "+12%"
    assert captions.signed_pct(-0.07) == "\u22127%"
    assert captions.signed_pct(-0.004) == "0%"
    assert captions.signed_pct(0.004) == "0%"
    assert captions.signed_pct(float("nan")) == "n/a"


def test_market_breaks_in_neighbouring_months_are_one_event_and_no_share_reads_0():
    import datetime as dt

    frame = pl.DataFrame(
        {
            "break_ds": [dt.date(2018, m, 1) for m in (5, 6, 6, 7)] + [dt.date(2020, 8, 1)],
            "kind": ["level", "level", "trend", "level", "trend"],
            "n_series": [1, 17, 96, 2, 89],
            "share_series": [0.004, 0.065, 0.368, 0.008, 0.341],
        }
    )
    text = captions.market_breaks(frame)
    assert text.startswith(
        "Market-wide breaks: Jun 2018 (its changes counted from May 2018 to Jul 2018): trend "
        "change in 37% of series and "
        "level shift in 8% of series; Aug 2020: trend change in 34% of series."
    )
    single = captions.market_breaks(frame.filter(pl.col("n_series") == 1))
    assert "level shift in <1% of series" in single and " 0% " not in single


def test_profile_caption_says_how_many_occupations_are_similar_enough():
    profile = pl.DataFrame({"occupation": ["Nurse"], "skill": ["CPR"], "value": [81.0]})
    three = pl.DataFrame({"occupation": ["Nurse"] * 3, "neighbour": ["a", "b", "c"]})
    text = captions.profile(profile, "demand", three, 0.1, 8)
    assert "similarity of 0.1 or more (0 = no skill in common, 1 = the same skills)" in text
    assert text.endswith("Nurse has 3 close occupations, fewer than the 8 the chart can list.")
    none = three.filter(pl.col("occupation") == "Cook")
    assert captions.profile(profile, "demand", none).endswith("Nurse has no close occupation.")
    assert "similarity" not in captions.profile(profile, "demand")  # no network: not a word


def test_a_profile_from_the_skill_network_is_not_called_what_ads_ask_for():
    # a panel without occupations (Job-SDF's) took its profiles from the O*NET graph, and
    # the report said "Advertising and Promotions Managers ads most often ask for
    # Management of Financial Resources (1.40)": an RCA weight, from no ad at all
    profile = pl.DataFrame(
        {"occupation": ["Nurse"], "skill": ["Service Orientation"], "value": [1.4]}
    )
    text = captions.profile(profile, "graph")
    assert "ads" not in text.split(".")[0]
    assert text.startswith(
        "In the skill network, the strongest skill of Nurse is Service Orientation (weight 1.40)."
    )
    assert captions.profile(profile.with_columns(value=pl.lit(81.0)), "demand").startswith(
        "Nurse ads most often ask for Service Orientation (81% of its ads)."
    )


def test_the_first_market_break_says_what_a_structural_break_is():
    frame = pl.DataFrame(
        {
            "break_ds": [dt.date(2023, 6, 1)],
            "kind": ["level"],
            "n_series": [73],
            "share_series": [0.487],
        }
    )
    text = captions.market_breaks(frame)
    assert "A structural break is a lasting jump or drop in a skill's demand (level shift)" in text
    assert "or a change in how fast it grows (trend change)" in text


def test_the_communities_caption_names_the_source_in_words_and_an_id_once():
    """Skills are linked by the occupations using both (θ), not by appearing in the same ads,
    as the caption said ('linking skills that ads ask for together')."""
    text = captions.communities("ads", "20261207T025441-fececc", "20261207T025441-fececc")
    assert text.endswith(
        "built from job ads, linking skills that the same occupations' ads ask for (graph and "
        "run 20261207T025441-fececc)."
    )
    assert text.count("20261207T025441-fececc") == 1
    onet = captions.communities("onet", "g1", "r2")
    assert "O*NET's skill ratings of occupations (graph g1, run r2)" in onet


def test_the_communities_caption_says_technology_is_listed_not_rated():
    """A network of O*NET technology skills was 'built from O*NET's skill ratings of
    occupations': technology skills are listed per occupation, not rated."""
    tech = captions.communities("onet", "g1", "r2", "technology")
    assert "built from O*NET's lists of the technology each occupation uses (graph g1" in tech
    assert "O*NET's knowledge ratings" in captions.communities("onet", "g", "g", "knowledge")
