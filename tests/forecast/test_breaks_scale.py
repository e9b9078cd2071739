"""The per-series scale of break tests: steady growth, linear or exponential, seasonal or not,
is no break, and a rising slope is one."""

from __future__ import annotations

import json

import numpy as np

from skilltide.forecast.breaks import detect_breaks_report
from skilltide.forecast.breaks_scale import (
    LOG,
    RATIO,
    RAW,
    choose_scale,
    exact_rows,
    seasonal_factors,
)
from tests.forecast.test_breaks import to_panel

T = np.arange(48.0)


def share_with_breaks(Y: np.ndarray, **options) -> float:
    report = detect_breaks_report(to_panel(Y), **options)
    return report.summary()["series_with_breaks"] / Y.shape[0]


def test_linear_growth_is_not_read_as_trend_breaks():
    Y = np.random.default_rng(1).poisson(20 + 3 * T, size=(60, 48)).astype(float)
    assert share_with_breaks(Y) <= 0.12
    # the old behaviour (every count series on log1p) broke nearly all of them
    assert share_with_breaks(Y, transform="log1p") >= 0.9


def test_exponential_growth_is_not_read_as_trend_breaks():
    Y = np.random.default_rng(2).poisson(20 * 1.04**T, size=(60, 48)).astype(float)
    assert share_with_breaks(Y) <= 0.12
    assert share_with_breaks(Y, transform="none") >= 0.9


def test_each_series_gets_the_scale_its_no_break_line_fits():
    rng = np.random.default_rng(3)
    Y = np.vstack(
        [
            rng.poisson(20 + 3 * T, size=(10, 48)),
            rng.poisson(20 * 1.06**T, size=(10, 48)),
        ]
    ).astype(float)
    assert choose_scale(Y, "trend").tolist() == [RAW] * 10 + [LOG] * 10
    assert detect_breaks_report(to_panel(Y)).summary()["log_scale"] == 10
    assert (choose_scale(Y, "trend", "log1p") == LOG).all()
    assert (choose_scale(Y, "trend", "none") == RAW).all()


def test_a_trend_break_in_linear_growth_is_still_found():
    rng = np.random.default_rng(4)
    mean = 50 + 2 * T + np.maximum(T - 24, 0) * 8  # the slope quadruples at month 24
    Y = rng.poisson(mean, size=(20, 48)).astype(float)
    breaks = detect_breaks_report(to_panel(Y)).breaks
    near = breaks.filter(
        (breaks["kind"] == "trend")
        & ((breaks["break_ds"].dt.year() - 2020) * 12 + breaks["break_ds"].dt.month() - 1 - 24)
        .abs()
        .le(2)
    )
    assert near["unique_id"].n_unique() >= 17


def test_a_noise_free_line_is_not_tested():
    Y = np.vstack([20 + 3 * T, 5 + 0.1 * T])
    report = detect_breaks_report(to_panel(Y))
    summary = report.summary()
    assert (summary["exact_line"], summary["tested"], summary["breaks"]) == (2, 0, 0)
    noisy = Y[0] + np.random.default_rng(5).normal(size=48)
    assert exact_rows(np.vstack([Y[0], noisy]), "trend").tolist() == [True, False]


def test_a_noise_free_line_on_either_scale_is_not_tested_whatever_the_transform():
    Y = np.vstack([10 + T, np.expm1(1 + 0.05 * T)])  # a line in y, a line in log1p(y)
    for transform in ("auto", "log1p", "none"):
        summary = detect_breaks_report(to_panel(Y), transform=transform).summary()
        assert (summary["exact_line"], summary["breaks"]) == (2, 0), transform
    noisy = np.random.default_rng(6).poisson(30, size=(1, 48)).astype(float)
    summary = detect_breaks_report(to_panel(np.vstack([Y, noisy]))).summary()
    assert summary["log_scale"] <= summary["tested"] == 1  # counts only tested series


def near_and_far(Y: np.ndarray, month: int, transform: str) -> tuple[int, int]:
    """Series with a break within two months of ``month``, and series with one elsewhere."""
    b = detect_breaks_report(to_panel(Y), market_aggregate=False, transform=transform).breaks
    off = ((b["break_ds"].dt.year() - 2020) * 12 + b["break_ds"].dt.month() - 1 - month).abs()
    return b.filter(off <= 2)["unique_id"].n_unique(), b.filter(off > 2)["unique_id"].n_unique()


SEASON = 1 + 0.5 * np.sin(2 * np.pi * np.arange(72.0) / 12)  # swings that grow with the level


def test_linear_growth_with_multiplicative_seasonality_is_not_read_as_breaks():
    t = np.arange(72.0)
    Y = np.random.default_rng(7).poisson((20 + 3 * t) * SEASON, size=(60, 72)).astype(float)
    summary = detect_breaks_report(to_panel(Y), market_aggregate=False).summary()
    assert summary["series_with_breaks"] <= 0.15 * 60
    assert summary["ratio_scale"] >= 50  # tested with its seasonal factors divided out
    assert (choose_scale(Y, "trend+season") == RATIO).mean() >= 0.8
    # until 2026-12-06 (log scale, a bent trend) nearly every one got a break
    assert share_with_breaks(Y, transform="log1p", market_aggregate=False) >= 0.9


def test_a_level_shift_in_seasonal_growth_is_found_at_its_month():
    t = np.arange(72.0)
    mean = (20 + 3 * t) * SEASON * np.where(t >= 36, 1.4, 1.0)
    Y = np.random.default_rng(8).poisson(mean, size=(30, 72)).astype(float)
    near, far = near_and_far(Y, 36, "auto")
    assert near >= 15 and far <= 20
    # on the log scale (the choice until 2026-12-06) most breaks were found at other months
    assert near_and_far(Y, 36, "log1p")[1] >= 25


def test_a_rising_slope_is_found_where_it_rises_not_read_as_exponential_growth():
    t = np.arange(72.0)
    mean = 20 + 3 * t + 6 * np.maximum(t - 36, 0)  # convex: the no-break line prefers log
    Y = np.random.default_rng(9).poisson(mean, size=(30, 72)).astype(float)
    assert (choose_scale(Y, "trend+season") == RAW).mean() >= 0.6
    assert near_and_far(Y, 36, "auto")[0] >= 15
    # judged without its break the series looked exponential
    assert near_and_far(Y, 36, "log1p")[0] <= 5


def test_seasonal_factors_recover_multiplicative_swings():
    t = np.arange(72.0)
    factors = seasonal_factors(((50 + 2 * t) * SEASON)[None, :])[0]
    assert np.allclose(factors, SEASON / SEASON[:12].mean(), atol=0.02)
    assert np.isnan(seasonal_factors(np.zeros((1, 72)))).all()  # no level to divide by


def test_breaks_detect_says_which_scales_the_series_were_tested_on(cli, tmp_path):
    t = np.arange(72.0)
    Y = np.random.default_rng(10).poisson((20 + 3 * t) * SEASON, size=(6, 72)).astype(float)
    src = tmp_path / "seasonal.csv"
    to_panel(Y).write_csv(src)
    summary = detect_breaks_report(to_panel(Y)).summary()
    assert summary["ratio_scale"] >= 4
    result = cli("breaks", "detect", src, "--out", tmp_path / "b.csv")
    assert result.exit_code == 0, result.output
    assert (
        f"tested on the log scale {summary['log_scale']}, "
        f"seasonally adjusted by ratio {summary['ratio_scale']}"
    ) in result.output
    as_json = json.loads(cli("breaks", "detect", src, "--json").output)
    assert as_json["ratio_scale"] == summary["ratio_scale"]
