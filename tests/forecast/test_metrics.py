"""Metrics on hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from skilltide.forecast import metrics
from skilltide.forecast.backtest import evaluate, rolling_forecasts
from skilltide.forecast.models.baselines import Naive
from tests.forecast._panels import panel

P = np.array([2.0, 0.0, 4.0, 1.0])
G = np.array([1.0, 0.0, 2.0, 3.0])


def test_mae_rmse():
    assert metrics.mae(P, G) == pytest.approx((1 + 0 + 2 + 2) / 4)
    assert metrics.rmse(P, G) == pytest.approx(math.sqrt((1 + 0 + 4 + 4) / 4))


def test_jobsdf_smape_counts_zero_over_zero_as_zero():
    expected = 100 * np.mean([1 / 3, 0.0, 2 / 6, 2 / 4])
    assert metrics.smape_jobsdf(P, G) == pytest.approx(expected)
    assert metrics.smape(P, G) == pytest.approx(2 * expected)


def test_jobsdf_rrmse_divides_by_predictions():
    expected = 100 * math.sqrt(((1 + 0 + 4 + 4) / 4) / ((4 + 0 + 16 + 1) / 4))
    assert metrics.rrmse_jobsdf(P, G) == pytest.approx(expected)
    assert math.isnan(metrics.rrmse_jobsdf(np.zeros(2), np.ones(2)))


def test_mase_uses_in_sample_naive_scale():
    history = np.array([[1.0, 3.0, 5.0], [0.0, 0.0, 0.0]])
    scale = metrics.naive_scale(history)
    np.testing.assert_allclose(scale, [2.0, 0.0])
    pred = np.array([[7.0, 9.0], [1.0, 1.0]])
    true = np.array([[8.0, 9.0], [0.0, 0.0]])
    # the zero-scale series is skipped; errors 1 and 0 divided by 2
    assert metrics.mase(pred, true, scale) == pytest.approx(0.25)


def test_evaluate_by_step_and_subset():
    frame = panel({"a/x": np.arange(10.0), "a/y": np.full(10, 5.0)})
    bt = rolling_forecasts(frame, {"naive": Naive}, horizon=2, n_windows=3)
    out = evaluate(bt, {"flat": ["a/y"]})

    def get(step, scenario):
        return out.filter(
            pl.col("metric") == "mae", pl.col("horizon") == step, pl.col("scenario") == scenario
        )["value"].item()

    assert get(1, "all") == pytest.approx(0.5)  # x errs 1 per step-1, y errs 0
    assert get(2, "all") == pytest.approx(1.0)
    assert get(0, "flat") == 0.0
    assert out.filter(pl.col("scenario") == "flat")["n_series"].unique().to_list() == [1]
