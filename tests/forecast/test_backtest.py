"""Rolling-origin backtests score each series only from the origins that could forecast it."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from skilltide.forecast.backtest import rolling_forecasts
from skilltide.forecast.models.auto import Auto
from skilltide.forecast.models.baselines import Naive
from tests.forecast._panels import panel


def test_a_series_is_not_scored_from_origins_before_its_first_month():
    frame = panel({"old": np.full(12, 10.0)})
    late = panel({"late": np.full(4, 50.0)}, start=date(2020, 9, 1))
    bt = rolling_forecasts(pl.concat([frame, late]), {"naive": Naive}, horizon=2, n_windows=6)
    origins = bt.filter(pl.col("unique_id") == "late")["cutoff"].unique().sort().to_list()
    assert origins == [date(2020, 9, 1), date(2020, 10, 1)]
    # so a missed start (forecast 0, actual 50) is never a residual
    assert bt.filter(pl.col("unique_id") == "late")["yhat"].min() == 50.0


def test_auto_gives_a_segment_without_backtest_rows_its_first_candidate():
    # "new" starts in the last month, alone in its segment: no origin scores it
    frame = panel({"old": 100.0 + np.arange(24.0)})
    new = panel({"new": [4.0]}, start=date(2021, 12, 1))
    auto = Auto(("naive", "window_average")).fit(pl.concat([frame, new]), horizon=2)
    out = auto.predict().filter(pl.col("unique_id") == "new")
    assert out["yhat"].to_list() == [4.0, 4.0]
    assert auto.chosen_models().filter(unique_id="new")["model"].item() == "naive"


def test_the_default_origins_are_the_last_windows_with_a_full_horizon_after_them():
    frame = panel({"s": np.arange(12.0)})  # 2020-01 .. 2020-12
    bt = rolling_forecasts(frame, {"naive": Naive}, horizon=2, n_windows=3)
    origins = bt["cutoff"].unique().sort().to_list()
    assert origins == [date(2020, 8, 1), date(2020, 9, 1), date(2020, 10, 1)]
    assert bt.group_by("cutoff").len()["len"].to_list() == [2, 2, 2]  # 2 steps each
