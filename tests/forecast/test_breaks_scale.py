"""The per-series scale of break tests: steady growth, linear or exponential, is no break."""

from __future__ import annotations

import numpy as np

from skilltide.forecast.breaks import detect_breaks_report
from skilltide.forecast.breaks_scale import choose_log, exact_rows, log_rows
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
    assert log_rows(Y, "trend").tolist() == [False] * 10 + [True] * 10
    assert detect_breaks_report(to_panel(Y)).summary()["log_scale"] == 10
    assert choose_log(Y, "trend", "log1p").all() and not choose_log(Y, "trend", "none").any()


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
