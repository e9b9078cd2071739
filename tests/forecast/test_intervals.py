"""Conformal intervals reach about their nominal coverage on simulated data."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from skilltide.forecast.backtest import rolling_forecasts
from skilltide.forecast.intervals import (
    ACTIVE,
    POOLED,
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
    pooled = q.filter(pl.col("band") == POOLED)
    assert pooled.sort("step")["q_80"].is_sorted()  # wider further out
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


def _small_and_large(n=200, t=40, seed=5):
    """Poisson series of about 3 ads a month and smooth ones of about 3,000: after scaling,
    the small ones err far more."""
    rng = np.random.default_rng(seed)
    small = {f"g/small{i}": rng.poisson(3.0, t).astype(float) for i in range(n)}
    large = {f"g/large{i}": 3000.0 * (1 + rng.normal(0, 0.02, t)) for i in range(n)}
    return panel(small | large)


def _coverage_by_group(frame, level=80):
    wide = Wide.from_panel(frame)
    calib = rolling_forecasts(
        None, {"naive": Naive}, horizon=2, wide=wide, cutoffs=wide.months[20:30]
    )
    test = rolling_forecasts(
        None, {"naive": Naive}, horizon=2, wide=wide, cutoffs=wide.months[31:37]
    )
    covered = add_intervals(test, conformal_quantiles(calib)).with_columns(
        group=pl.col("unique_id").str.extract(r"g/([a-z]+)"),
        inside=(pl.col("y") >= pl.col(f"lo_{level}")) & (pl.col("y") <= pl.col(f"hi_{level}")),
    )
    return dict(covered.group_by("group").agg(pl.col("inside").mean()).rows())


def test_small_and_large_series_each_get_about_their_nominal_coverage():
    # pooled over both, one quantile would be too wide for the large series (covering ~100 %)
    # and too narrow for the small ones (~60 %); per volume band each holds its level
    by_group = _coverage_by_group(_small_and_large())
    for group in ("small", "large"):
        assert abs(by_group[group] - 0.80) < 0.07, by_group


def test_an_active_series_among_many_dormant_ones_gets_a_real_interval():
    rng = np.random.default_rng(0)
    series = {f"g/zero{i}": np.zeros(36) for i in range(2000)}
    series |= {f"g/live{i}": 40 + np.arange(36) + rng.normal(0, 2, 36) for i in range(3)}
    out, _ = forecast_panel(panel(series), horizon=3, model="naive")
    live = out.filter(pl.col("unique_id").str.contains("live"))
    assert (live["hi_80"] - live["lo_80"]).min() > 1.0  # pooled: 0, from 6,000 zero errors
    zero = out.filter(pl.col("unique_id").str.contains("zero"))
    assert (zero["lo_80"] == 0).all()


def test_a_sparse_band_falls_back_to_the_active_residuals_then_to_all():
    # band 0: 25 exact zeros of dormant series and 5 errors of 1 (scale 1); band 1: 25 errors
    # of 3 (scale 5, so 0.6 scaled); band 3: 5 errors of 500 (scale 500, 1.0 scaled)
    bt = pl.DataFrame(
        {
            "model": "m",
            "step": 1,
            "yhat": [0.0] * 30 + [0.0] * 25 + [0.0] * 5,
            "y": [0.0] * 25 + [1.0] * 5 + [3.0] * 25 + [500.0] * 5,
            "scale": [1.0] * 30 + [5.0] * 25 + [500.0] * 5,
        }
    )
    q = conformal_quantiles(bt, levels=(80,))
    assert set(q["band"]) == {POOLED, ACTIVE, 0, 1}  # band 3 has too few rows of its own
    by_band = dict(zip(q["band"], q["q_80"], strict=True))
    assert by_band[0] == 0.0 and by_band[1] == pytest.approx(0.6)
    assert by_band[ACTIVE] == pytest.approx(1.0)  # 35 residuals: the dormant zeros left out
    assert by_band[POOLED] == pytest.approx(0.6)
    new = pl.DataFrame({"model": "m", "step": 1, "yhat": 0.0, "scale": [1.0, 5.0, 500.0]})
    half = add_intervals(new, q, (80,))["hi_80"] / new["scale"]
    assert half.to_list() == pytest.approx([0.0, 0.6, 1.0])  # band 3 borrows ACTIVE's
    few = bt.filter(pl.col("scale") > 1)  # no band 0 rows: band 0 forecasts use all
    assert add_intervals(new.head(1), conformal_quantiles(few, (80,)), (80,))["hi_80"].item() > 0


def test_an_emerging_skill_among_dormant_ones_gets_a_real_interval():
    # at every backtest origin the new skills were still zero (scale 1, band 0)
    series = {f"g/zero{i}": np.zeros(36) for i in range(2000)}
    series |= {f"g/new{i}": np.r_[np.zeros(33), 30.0 + i, 60.0, 90.0] for i in range(3)}
    out, _ = forecast_panel(panel(series), horizon=3, model="naive")
    new = out.filter(pl.col("unique_id").str.contains("new"))
    assert (new["hi_80"] - new["lo_80"]).min() > 10.0  # was 0: the dormant zeros' quantile


def test_rows_without_a_finite_scale_are_left_out_and_give_no_interval():
    bt = pl.DataFrame(
        {"model": "m", "step": 1, "yhat": 0.0, "y": [1.0] * 25, "scale": [1.0] * 24 + [np.nan]}
    )
    q = conformal_quantiles(bt, levels=(80,))
    assert q.filter(pl.col("band") == POOLED)["n"].item() == 24
    new = pl.DataFrame({"model": "m", "step": 1, "yhat": 1.0, "scale": [np.nan, 2.0]})
    bounds = add_intervals(new, q, (80,))["hi_80"].to_list()
    assert math.isnan(bounds[0]) and bounds[1] == pytest.approx(3.0)


def test_a_share_panel_gets_its_count_panels_intervals_in_shares():
    """Shares are counts over a total: their intervals must be the counts' intervals over
    that total. With the count floor of 1 every share series had scale 1, so one absolute
    quantile, set by the many tiny shares, served all (Job-SDF r0 proportions: the top
    fifth's 80% intervals held 17% of outcomes, the bottom fifth's 100%)."""
    rng = np.random.default_rng(7)
    months = [date(2020 + m // 12, m % 12 + 1, 1) for m in range(36)]
    levels = np.geomspace(0.3, 3000, 60)
    counts = pl.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:02d}" for i in range(60)], 36),
            "ds": months * 60,
            "y": rng.poisson(np.repeat(levels, 36)).astype(float),
        }
    )
    total = 200_000.0
    shares = counts.with_columns(pl.col("y") / total)
    assert counts.filter(pl.col("y") > 0)["y"].quantile(0.05) == 1.0  # one ad's share
    kw = {"horizon": 3, "model": "naive"}
    by_count = forecast_panel(counts, **kw)[0]
    by_share = forecast_panel(shares, **kw)[0]
    for col in ("yhat", "lo_80", "hi_80", "lo_95", "hi_95"):
        np.testing.assert_allclose(by_share[col] * total, by_count[col], rtol=1e-9, atol=1e-9)


def test_the_quantile_takes_the_finite_sample_rank():
    """Ten residuals 1..10: the 80 % quantile is the ceil(11 · 0.8) = 9th smallest (not the
    8th of a plain empirical quantile), and the 95 % one the largest."""
    bt = pl.DataFrame(
        {"model": "m", "step": 1, "yhat": 0.0, "y": [float(k) for k in range(1, 11)]}
    ).with_columns(scale=pl.lit(1.0))
    q = conformal_quantiles(bt, levels=(80, 95)).filter(pl.col("band") == POOLED)
    assert (q["n"].item(), q["q_80"].item(), q["q_95"].item()) == (10, 9.0, 10.0)
