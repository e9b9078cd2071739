"""Structural breaks on simulated series with known breaks."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.breaks import (
    BREAK_SCHEMA,
    DETECTORS,
    detect_breaks,
    detect_breaks_report,
    label_scope,
)
from skilltide.forecast.breaks_dp import bic_partitions
from skilltide.forecast.breaks_supf import null_distribution, sup_f_test

START = date(2020, 1, 1)


def to_panel(Y: np.ndarray, prefix: str = "s") -> pl.DataFrame:
    n, length = Y.shape
    months = pl.date_range(START, date(2100, 1, 1), "1mo", eager=True)[:length]
    return pl.DataFrame(
        {
            "unique_id": np.repeat([f"{prefix}{i:04d}" for i in range(n)], length),
            "ds": np.tile(months.to_numpy(), n),
            "y": Y.ravel(),
        }
    )


def month_index() -> pl.Expr:
    return (pl.col("break_ds").dt.year() - START.year) * 12 + pl.col("break_ds").dt.month() - 1


def noise(rng, n, length=48, level=50.0, sd=5.0):
    return level + sd * rng.standard_normal((n, length))


@pytest.mark.parametrize("method", ["auto", "supf"])
def test_level_shift_is_found_within_two_months_as_level(method):
    rng = np.random.default_rng(1)
    Y = noise(rng, 60)
    Y[:, 24:] += 20.0
    found = detect_breaks(to_panel(Y), method=method).with_columns(month_index().alias("i"))
    near = found.filter((pl.col("i") - 24).abs() <= 2)
    assert near["unique_id"].n_unique() >= 55
    assert (near["kind"] == "level").mean() >= 0.95
    assert near["size"].median() == pytest.approx(20.0, rel=0.2)
    assert found.drop("i").schema == pl.Schema(BREAK_SCHEMA)


@pytest.mark.parametrize("method", ["auto", "supf"])
def test_trend_change_is_found_as_trend(method):
    rng = np.random.default_rng(2)
    Y = noise(rng, 60)
    Y[:, 24:] += 3.0 * np.arange(24)
    found = detect_breaks(to_panel(Y), method=method).with_columns(month_index().alias("i"))
    near = found.filter((pl.col("i") - 24).abs() <= 2)
    assert near["unique_id"].n_unique() >= 45
    assert (near["kind"] == "trend").mean() >= 0.9
    assert near["size"].median() == pytest.approx(3.0, rel=0.3)


def test_stationary_noise_breaks_at_about_the_nominal_rate():
    rng = np.random.default_rng(3)
    panel = to_panel(noise(rng, 600))
    supf = detect_breaks(panel, method="supf")["unique_id"].n_unique() / 600
    auto = detect_breaks(panel)["unique_id"].n_unique() / 600
    assert 0.02 <= supf <= 0.08  # one test per series at alpha = 0.05
    assert auto <= 0.08  # DP + LWZ proposes fewer candidates: at or below nominal
    strict = detect_breaks(panel, method="supf", alpha=0.01)["unique_id"].n_unique() / 600
    assert strict < supf


def test_supf_null_matches_andrews_critical_value():
    # mean-shift test, no trend, one restriction, 15% trimming: Andrews (1993) 5% value 8.85
    null = null_distribution(240, 36, base="level", test="level")
    assert 7.9 <= np.quantile(null, 0.95) <= 9.3


def test_supf_rho_correction_guards_against_autocorrelated_noise():
    rng = np.random.default_rng(4)
    shocks = rng.standard_normal((800, 48))
    ar = np.empty_like(shocks)
    ar[:, 0] = shocks[:, 0]
    for t in range(1, 48):
        ar[:, t] = 0.6 * ar[:, t - 1] + shocks[:, t]
    corrected = (sup_f_test(ar, 6).p_value < 0.05).mean()
    naive = (sup_f_test(ar, 6, ar_correct=False).p_value < 0.05).mean()
    assert corrected < naive / 2


def test_two_breaks_are_placed_by_dynamic_programming():
    rng = np.random.default_rng(5)
    Y = rng.standard_normal((30, 60))
    Y[:, 20:] += 4.0
    Y[:, 40:] -= 6.0
    found = bic_partitions(Y, min_size=6, max_breaks=4)
    assert sum(len(b) == 2 and abs(b[0] - 20) <= 1 and abs(b[1] - 40) <= 1 for b in found) >= 27
    detected = detect_breaks(to_panel(50 + Y))
    assert detected.group_by("unique_id").len()["len"].median() == 2


def test_market_wide_breaks_are_told_from_series_breaks():
    rng = np.random.default_rng(6)
    Y = noise(rng, 40)
    Y[:30, 30:] *= 1.6  # a new source: 30 of 40 series jump in 2022-07
    Y[30:35, 12:] += 25.0  # five skills of their own in 2021-01
    found = detect_breaks(to_panel(Y)).with_columns(month_index().alias("i"))
    market = found.filter(pl.col("scope") == "market")
    own = found.filter(pl.col("unique_id").is_in([f"s{i:04d}" for i in range(30, 35)]))
    assert market["unique_id"].n_unique() >= 25
    assert market["i"].is_between(29, 31).all()
    assert (own.filter((pl.col("i") - 12).abs() <= 2)["scope"] == "series").all()
    assert own.filter((pl.col("i") - 12).abs() <= 2).height == 5
    # the same five own breaks alone are not market-wide at a 25% share of 40 series
    assert (detect_breaks(to_panel(Y[30:]), market_share=0.9)["scope"] == "series").all()


def test_scope_rule_is_explicit():
    coverage = pl.DataFrame({"unique_id": list("abcdefghij"), "from": [0] * 10, "to": [99] * 10})
    found = pl.DataFrame({"unique_id": list("abcdej"), "_m": [50, 50, 51, 49, 50, 20]})
    assert label_scope(found, coverage)["scope"].to_list() == ["market"] * 5 + ["series"]
    # fewer than min_series in the window: series
    assert set(label_scope(found, coverage, min_series=6)["scope"]) == {"series"}
    # share below the threshold: series
    assert set(label_scope(found, coverage, share=0.6)["scope"]) == {"series"}
    # the window is +-1 month: 49 and 51 join an event at 50, 47 would not
    far = pl.DataFrame({"unique_id": list("abcdef"), "_m": [50, 50, 50, 50, 50, 47]})
    assert label_scope(far, coverage)["scope"].to_list() == ["market"] * 5 + ["series"]


def test_short_constant_and_zero_series_have_no_breaks():
    rng = np.random.default_rng(7)
    long = to_panel(noise(rng, 2), prefix="long")
    short = to_panel(np.array([[1.0, 5, 9, 30, 31, 32, 33, 30, 31, 32]]), prefix="short")
    zeros = to_panel(np.zeros((1, 48)), prefix="zero")
    flat = to_panel(np.full((1, 48), 7.0), prefix="flat")
    report = detect_breaks_report(pl.concat([long, short, zeros, flat]))
    assert report.series == 5 and report.tested == 2
    assert report.too_short == 1 and report.constant == 2
    assert not report.breaks["unique_id"].str.starts_with("long").not_().any()
    assert detect_breaks(short).height == 0
    assert detect_breaks(to_panel(np.zeros((0, 48)))).height == 0


def test_cusum_baseline_finds_a_large_shift_only_as_level():
    rng = np.random.default_rng(8)
    Y = noise(rng, 20)
    Y[:, 24:] += 60.0
    found = detect_breaks(to_panel(Y), method="cusum").with_columns(month_index().alias("i"))
    assert found.height >= 18 and (found["kind"] == "level").all()
    assert ((found["i"] - 24).abs() <= 2).mean() >= 0.9


def test_results_are_deterministic():
    rng = np.random.default_rng(9)
    Y = noise(rng, 30)
    Y[:10, 20:] += 15.0
    panel = to_panel(Y)
    found = detect_breaks(panel)
    assert found.height >= 10  # the ten shifted series, at least: not two empty frames
    assert found.equals(detect_breaks(panel))


def test_bad_input_is_refused():
    rng = np.random.default_rng(10)
    panel = to_panel(noise(rng, 2))
    with pytest.raises(UserError, match="missing months between 2020-01 and 2023-12"):
        detect_breaks(panel.filter(pl.col("ds") != date(2021, 3, 1)))
    with pytest.raises(UserError, match="unknown break method 'magic'"):
        detect_breaks(panel, method="magic")
    with pytest.raises(UserError, match="missing column"):
        detect_breaks(panel.drop("y"))
    with pytest.raises(UserError, match="log1p needs y >= 0"):
        detect_breaks(panel.with_columns(pl.col("y") - 100), transform="log1p")
    for alpha in (0.0, 1.0):  # a test at level 0 or 1 finds nothing or everything
        with pytest.raises(UserError, match=f"alpha must be between 0 and 1, not {alpha}"):
            detect_breaks(panel, alpha=alpha)


def test_a_series_shorter_than_two_segments_of_min_size_is_not_tested():
    rng = np.random.default_rng(7)
    report = detect_breaks_report(to_panel(noise(rng, 1, length=14)), min_size=8)
    assert (report.series, report.tested, report.too_short) == (1, 0, 1)
    report = detect_breaks_report(to_panel(noise(rng, 1, length=16)), min_size=8)
    assert (report.series, report.tested, report.too_short) == (1, 1, 0)


def test_every_detector_is_registered():
    assert set(DETECTORS) == {"supf", "bai-perron", "cusum"}


def test_aggregate_event_finds_a_shared_shift_too_small_for_single_series():
    rng = np.random.default_rng(11)
    Y = 50 + 7 * rng.standard_normal((40, 48))
    Y[:, 30:] *= 1.25  # every series +25% in 2022-07: a new job board
    report = detect_breaks_report(to_panel(Y))
    assert report.market_events == ["2022-07"]
    market = report.breaks.filter(pl.col("scope") == "market")
    alone = detect_breaks(to_panel(Y), market_aggregate=False).with_columns(
        month_index().alias("i")
    )
    alone_near = alone.filter((pl.col("i") - 30).abs() <= 2)["unique_id"].n_unique()
    assert market["unique_id"].n_unique() >= 15
    assert market["unique_id"].n_unique() >= alone_near + 8
    chow = market.filter(pl.col("method") == "chow")
    assert (chow["break_ds"] == date(2022, 7, 1)).all() and chow.height >= 10
    assert chow["size"].median() == pytest.approx(12.5, rel=0.35)


def test_seasonal_series_keep_the_nominal_rate_and_gain_power():
    rng = np.random.default_rng(12)
    t = np.arange(60)
    season = 0.3 * np.sin(2 * np.pi * t / 12)
    quiet = np.exp(np.log(50) + season + 0.08 * rng.standard_normal((300, 60)))
    rate = detect_breaks(to_panel(quiet), market_aggregate=False)["unique_id"].n_unique() / 300
    assert rate <= 0.08
    shifted = np.exp(np.log(50) + season + 0.15 * (t >= 30) + 0.08 * rng.standard_normal((100, 60)))

    def found(**kw):
        b = detect_breaks(to_panel(shifted), market_aggregate=False, **kw)
        b = b.with_columns(month_index().alias("i")).filter((pl.col("i") - 30).abs() <= 2)
        return b["unique_id"].n_unique()

    assert found() > found(seasonal=False) + 20


def test_deseasonalise_does_not_turn_a_step_into_yearly_steps():
    from skilltide.forecast.breaks import deseasonalise

    step = np.r_[np.zeros(24), np.ones(24)][None, :]
    assert np.abs(deseasonalise(step) - step).max() < 0.05
    t = np.arange(48)
    wave = (np.sin(2 * np.pi * t / 12) + 0.01 * t)[None, :]
    assert np.allclose(deseasonalise(wave), 0.01 * t, atol=1e-9)


def test_chow_test_at_a_known_month():
    from skilltide.forecast.breaks_supf import chow_test

    rng = np.random.default_rng(13)
    Y = rng.standard_normal((400, 40))
    assert 0.02 <= (chow_test(Y, 20, 6).p_value < 0.05).mean() <= 0.08
    Y[:, 20:] += 2.0
    res = chow_test(Y, 20, 6)
    assert (res.p_value < 0.05).mean() > 0.6 and (res.kind == 0).mean() > 0.8


def test_series_of_different_spans_get_their_own_dates():
    rng = np.random.default_rng(14)
    full = noise(rng, 3)
    full[:, 30:] += 25.0  # 2022-07
    late = noise(rng, 3, length=36)
    late[:, 10:] += 25.0  # starts 2021-01, break 2021-11
    panel = pl.concat(
        [
            to_panel(full, prefix="full"),
            to_panel(late, prefix="late").with_columns(pl.col("ds").dt.offset_by("12mo")),
        ]
    )
    found = detect_breaks(panel, market_aggregate=False)
    assert (
        found.filter(pl.col("unique_id").str.starts_with("full"))["break_ds"].to_list()
        == [date(2022, 7, 1)] * 3
    )
    assert (
        found.filter(pl.col("unique_id").str.starts_with("late"))["break_ds"].to_list()
        == [date(2021, 11, 1)] * 3
    )
