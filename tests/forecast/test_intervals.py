"""Conformal intervals reach about their nominal coverage on simulated data."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl

from skilltide.forecast.backtest import rolling_forecasts
from skilltide.forecast.intervals import (
    add_intervals,
    conformal_quantiles,
    coverage,
    held_out_coverage,
)
from skilltide.forecast.models.base import Wide
from skilltide.forecast.models.baselines import Naive
from skilltide.forecast.pipeline import forecast_panel
from tests.forecast._panels import panel


def _random_walks(n=400, t=40, seed=3):
    rng = np.random.default_rng(seed)
    levels = rng.uniform(20, 400, n)
    steps = rng.normal(0, 1, (n, t)) * levels[:, None] * 0.08
    y = np.maximum(levels[:, None] + np.cumsum(steps, axis=1), 0.0)
    return panel({f"g/s{i}": y[i] for i in range(n)})


def test_coverage_close_to_nominal_out_of_sample():
    frame = _random_walks()
    wide = Wide.from_panel(frame)
    calib = rolling_forecasts(
        None, {"naive": Naive}, horizon=3, wide=wide, cutoffs=wide.months[20:30]
    )
    test = rolling_forecasts(
        None, {"naive": Naive}, horizon=3, wide=wide, cutoffs=wide.months[31:37]
    )
    q = conformal_quantiles(calib)
    assert (q["q_95"] > q["q_80"]).all()
    assert q.sort("step")["q_80"].is_sorted()  # wider further out
    covered = add_intervals(test, q)
    for level in (80, 95):
        share = covered.select(
            ((pl.col("y") >= pl.col(f"lo_{level}")) & (pl.col("y") <= pl.col(f"hi_{level}"))).mean()
        ).item()
        assert abs(share - level / 100) < 0.05, (level, share)


def test_pipeline_intervals_ordered_and_non_negative():
    frame = _random_walks(n=50, t=30)
    out, bt = forecast_panel(frame, horizon=3, model="naive")
    assert bt.height > 0
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["yhat"]).all()
    assert (out["yhat"] <= out["hi_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    assert out["lo_95"].min() >= 0


def test_held_out_coverage_is_not_nominal_by_construction():
    # origin A's errors are 1, origin B's are 10: A's intervals cannot hold B's outcomes
    bt = pl.DataFrame(
        {
            "model": "m",
            "cutoff": [date(2024, 1, 1)] * 5 + [date(2024, 2, 1)] * 5,
            "step": 1,
            "yhat": 0.0,
            "y": [1.0] * 5 + [10.0] * 5,
            "scale": 1.0,
        }
    )
    assert coverage(bt, conformal_quantiles(bt), 80) == 1.0  # in sample: all held
    assert held_out_coverage(bt, 80) == 0.5
    assert math.isnan(held_out_coverage(bt.filter(pl.col("y") == 1.0), 80))


def test_forecast_run_stores_held_out_coverage(db):
    from skilltide.forecast.warehouse import forecast_warehouse
    from skilltide.store import Warehouse, append

    frame = _random_walks(n=30, t=30)
    with Warehouse(db) as wh:
        with wh.run("seed") as run:
            demand = frame.select(
                panel=pl.lit("ads"),
                granularity=pl.lit("market"),
                group_id=pl.lit("all"),
                skill_id=pl.col("unique_id").str.replace("g/", ""),
                month="ds",
                count="y",
                total=pl.lit(None, dtype=pl.Float64),
                share=pl.lit(None, dtype=pl.Float64),
                run_id=pl.lit("seed"),
            )
            append(run.con, "demand", demand)
        forecast_warehouse(wh, horizon=3, model="naive", breaks="none")
        stored = dict(
            wh.query("SELECT metric, value FROM backtests WHERE metric LIKE 'coverage%'").rows()
        )
        _, bt = forecast_panel(
            wh.query("SELECT 'all/' || skill_id AS unique_id, month AS ds, count AS y FROM demand"),
            horizon=3,
            model="naive",
        )
    for level in (80, 95):
        assert stored[f"coverage_{level}"] == held_out_coverage(bt, level)
