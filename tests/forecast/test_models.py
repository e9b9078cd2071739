"""Every model on series with known behaviour: constant, trend, seasonal, intermittent."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.models.registry import MODELS, make_model
from tests.forecast._panels import known_panel, panel

FAST = [
    "naive",
    "seasonal_naive",
    "drift",
    "window_average",
    "blend",
    "top_down",
    "tsb",
    "lgbm",
    "ensemble",
]
LGBM = {"n_estimators": 60, "learning_rate": 0.1}


def _model(name):
    params = {"lgbm": LGBM, "ensemble": {"lgbm": LGBM}}.get(name, {})
    if name == "auto":
        params = {"candidates": ("naive", "seasonal_naive", "lgbm"), "params": {"lgbm": LGBM}}
    return make_model(name, **params)


def _forecast(name, frame, horizon=3):
    out = _model(name).fit(frame, horizon=horizon).predict()
    return {uid: part.sort("ds")["yhat"].to_numpy() for (uid,), part in out.group_by("unique_id")}


@pytest.fixture(scope="module")
def known():
    return known_panel()


@pytest.mark.parametrize("name", [*FAST, "ets", "theta", "arima", "auto"])
def test_never_negative_and_complete(name, known):
    frame = (
        known.filter(pl.col("unique_id").str.starts_with("g0/"))
        if name in ("ets", "theta", "arima")
        else known
    )
    out = _model(name).fit(frame, horizon=4).predict()
    assert out.height == frame["unique_id"].n_unique() * 4
    assert out["yhat"].min() >= 0
    assert out["yhat"].is_finite().all()
    assert out["ds"].min() > frame["ds"].max()


@pytest.mark.parametrize("name", [*FAST, "ets", "theta", "arima"])
def test_constant_series_forecast_constant(name, known):
    frame = (
        known.filter(pl.col("unique_id").str.starts_with("g0/"))
        if name in ("ets", "theta", "arima")
        else known
    )
    f = _forecast(name, frame)
    np.testing.assert_allclose(f["g0/constant"], 50.0, rtol=0.1)


@pytest.mark.parametrize("name", ["drift", "ets", "arima", "theta", "lgbm"])
def test_trend_is_followed(name, known):
    frame = known.filter(pl.col("unique_id").str.starts_with("g0/")) if name != "lgbm" else known
    f = _forecast(name, frame)["g0/trend"]
    last = 20.0 + 3.0 * 35
    assert f[-1] > last, f  # rises beyond the last value, unlike naive
    assert abs(f[0] - (last + 3)) < 6


@pytest.mark.parametrize("name", ["seasonal_naive", "ets", "lgbm"])
def test_seasonality_is_followed(name, known):
    frame = known.filter(pl.col("unique_id").str.starts_with("g0/")) if name != "lgbm" else known
    f = _forecast(name, frame, horizon=6)["g0/seasonal"]
    truth = 100.0 + 30.0 * np.sin(2 * np.pi * np.arange(36, 42) / 12)
    naive_err = np.abs(truth - truth[0] + 30.0 * np.sin(2 * np.pi * 36 / 12) * 0).mean()
    assert np.abs(f - truth).mean() < 8, (f, truth, naive_err)


def test_falling_series_stays_at_zero_not_below(known):
    for name in ["drift", "lgbm", "ets"]:
        frame = (
            known if name == "lgbm" else known.filter(pl.col("unique_id").str.starts_with("g0/"))
        )
        assert (_forecast(name, frame)["g0/falling"] >= 0).all()


def test_intermittent_forecasts_are_small_and_dormant_series_zero():
    rng = np.random.default_rng(1)
    series = {f"g/s{i}": (rng.random(36) < 0.15) * 2.0 for i in range(30)}
    series["g/dormant"] = np.r_[np.full(20, 5.0), np.zeros(16)]
    frame = panel(series)
    tsb = _forecast("tsb", frame)
    lgbm = _forecast("lgbm", frame)
    assert lgbm["g/dormant"].max() == 0.0
    for uid in series:
        if uid != "g/dormant":
            assert 0 <= tsb[uid].max() <= 2.0
            assert 0 <= lgbm[uid].max() <= 2.0


@pytest.mark.parametrize("name", ["lgbm", "auto", "ensemble"])
def test_deterministic(name, known):
    a = _model(name).fit(known, horizon=3).predict()
    b = _model(name).fit(known, horizon=3).predict()
    assert a.equals(b)


def test_auto_chooses_by_segment_and_reports_choice(known):
    auto = _model("auto")
    auto.strategy = "select"
    auto.fit(known, horizon=3)
    chosen = auto.chosen_models()
    assert set(chosen.columns) == {"unique_id", "segment", "model"}
    assert set(chosen["model"]) <= {"naive", "seasonal_naive", "lgbm"}
    assert auto.backtest_ is not None and auto.backtest_.height > 0
    assert set(auto.scores_["segment"]) == set(chosen["segment"])


def test_auto_combines_candidates_by_inverse_backtest_error(known):
    from skilltide.forecast.models.auto import Auto

    candidates = ("naive", "window_average", "drift")
    auto = Auto(candidates).fit(known, horizon=3)
    weights = auto.weights_
    sums = weights.group_by("segment").agg(pl.col("weight").sum())["weight"]
    np.testing.assert_allclose(sums, 1.0)
    # weights follow 1 / MAE within a segment
    merged = weights.join(auto.scores_, on=["segment", "model"])
    for (_,), part in merged.group_by("segment"):
        np.testing.assert_allclose(part["weight"] * part["mae"], (part["weight"] * part["mae"])[0])
    # the forecast is the weighted sum of the candidates' own forecasts
    segment = dict(auto.chosen_models().select("unique_id", "segment").iter_rows())
    expected = np.zeros((len(auto.wide_.ids), 3))
    for name in candidates:
        w = dict(weights.filter(model=name).select("segment", "weight").iter_rows())
        own = make_model(name).fit_wide(auto.wide_, 3).predict_matrix()
        expected += np.array([w.get(segment[u], 0.0) for u in auto.wide_.ids])[:, None] * own
    np.testing.assert_allclose(auto.predict_matrix(), expected, rtol=1e-9)
    assert set(auto.chosen_models()["model"]) == {"combination"}
    assert set(auto.backtest_["model"]) == {"auto"}


def test_auto_labels_a_series_forecast_by_one_model_with_that_model():
    # too short to backtest: auto falls back to its first candidate alone, which the
    # forecast rows must name (not "combination", which the report calls backtest-weighted)
    from skilltide.forecast.pipeline import forecast_panel

    out, _ = forecast_panel(panel({"a": np.ones(3)}), horizon=2, model="auto")
    assert set(out["model"]) == {"auto:naive"}


def test_lgbm_uses_breaks_as_feature(known):
    breaks = pl.DataFrame({"unique_id": ["g0/trend"], "break_ds": [pl.date(2021, 6, 1)]})
    breaks = pl.DataFrame({"unique_id": ["g0/trend"]}).with_columns(
        break_ds=pl.lit(known["ds"].sort()[17])
    )
    model = make_model("lgbm", breaks=breaks, pre_break_weight=0.0, **LGBM).fit(known, 3)
    assert "since_break" in model.features_


def test_naive_repeats_the_last_month_and_seasonal_naive_the_same_month_a_year_ago():
    frame = panel({"s": np.arange(1.0, 25.0)})  # 1 .. 24, 2020-01 .. 2021-12
    assert _forecast("naive", frame)["s"].tolist() == [24.0, 24.0, 24.0]
    assert _forecast("seasonal_naive", frame)["s"].tolist() == [13.0, 14.0, 15.0]


def test_unknown_model_and_bad_horizon_refused(known):
    with pytest.raises(UserError, match=r"unknown model 'prophet'; choose one of .*naive"):
        make_model("prophet")
    with pytest.raises(UserError, match="horizon"):
        make_model("naive").fit(known, horizon=0)
    assert "auto" in MODELS


def test_top_down_splits_the_skill_total_by_recent_share():
    import datetime as dt

    months = [dt.date(2022 + k // 12, k % 12 + 1, 1) for k in range(24)]
    total = np.arange(24, dtype=float) * 10 + 100  # a trend the total carries
    shares = {"north": 0.6, "south": 0.3, "east": 0.1, "west": 0.0}
    rows = [
        (f"{g}/python", d, total[k] * s) for g, s in shares.items() for k, d in enumerate(months)
    ]
    rows += [("solo", d, 7.0) for d in months]  # no group: forecast as it is
    frame = pl.DataFrame(rows, orient="row", schema=["unique_id", "ds", "y"])
    out = make_model("top_down", model="drift").fit(frame, horizon=2).predict()
    got = {u: p.sort("ds")["yhat"].to_numpy() for (u,), p in out.group_by("unique_id")}
    future_total = total[-1] + 10 * np.arange(1, 3)
    for g, s in shares.items():
        np.testing.assert_allclose(got[f"{g}/python"], s * future_total, rtol=1e-9)
    np.testing.assert_allclose(got["solo"], [7.0, 7.0])


def _shifted_panel(n_series: int = 20, months: int = 36, shift_at: int = 30, seed: int = 0):
    """Series with a level shift from 10 to 40 at month ``shift_at``, plus noise."""
    import datetime as dt

    rng = np.random.default_rng(seed)
    ds = [dt.date(2021 + k // 12, k % 12 + 1, 1) for k in range(months)]
    level = np.where(np.arange(months) >= shift_at, 40.0, 10.0)
    rows = [
        (f"all/s{i}", d, float(v))
        for i in range(n_series)
        for d, v in zip(ds, level + rng.normal(0, 2, months), strict=True)
    ]
    frame = pl.DataFrame(rows, orient="row", schema=["unique_id", "ds", "y"])
    breaks = pl.DataFrame(
        {"unique_id": [f"all/s{i}" for i in range(n_series)], "break_ds": [ds[shift_at]] * n_series}
    )
    return frame, breaks


def test_post_break_uses_only_the_new_regime():
    frame, breaks = _shifted_panel()
    with_breaks = make_model("post_break", breaks=breaks).fit(frame, horizon=2).predict()
    assert with_breaks["yhat"].mean() == pytest.approx(40.0, abs=1.5)
    # without breaks it is the 12-month mean, which still remembers the old level
    without = make_model("post_break").fit(frame, horizon=2).predict()
    assert without["yhat"].mean() == pytest.approx(10 + 30 * 6 / 12, abs=1.5)
    # a break after the cutoff is not seen
    future_break = breaks.with_columns(break_ds=pl.date(2030, 1, 1))
    late = make_model("post_break", breaks=future_break).fit(frame, horizon=1).predict()
    assert late["yhat"].mean() == pytest.approx(25.0, abs=1.5)


def test_auto_chooses_break_handling_by_backtest():
    frame, breaks = _shifted_panel(shift_at=31)
    auto = make_model(
        "auto",
        candidates=("window_average", "naive", "post_break"),
        breaks=breaks,
        strategy="select",
    ).fit(frame, horizon=2)
    choice = dict(auto.choice_.iter_rows())
    assert choice == {"break": "post_break"}
    combined = make_model(
        "auto", candidates=("window_average", "naive", "post_break"), breaks=breaks
    ).fit(frame, horizon=2)
    heaviest = combined.weights_.sort("weight", descending=True)["model"][0]
    assert heaviest == "post_break"


def test_every_model_has_a_readers_name_and_explanation():
    from skilltide.reports.names import MODELS as NAMES
    from skilltide.reports.names import model_explanation, model_name

    assert set(MODELS) <= set(NAMES)  # and `combination`, auto's weighted forecast
    assert model_name("auto:naive") == "Last month repeated"
    assert all(model_name(m) != m and model_explanation(m) for m in MODELS)


def test_a_late_index_series_has_no_history_before_its_first_month():
    """In a panel of levels a late series' months before its first read as its first level
    (not 0): the global model's ``history`` feature counted them as history all the same."""
    import datetime as dt

    from skilltide.forecast.features import feature_matrices
    from skilltide.forecast.models.base import Wide

    months = [dt.date(2024, m, 1) for m in range(1, 5)]
    values = np.array([[1.0, 2.0, 3.0, 4.0], [np.nan, np.nan, 5.0, 6.0]])
    for levels in (False, True):
        wide = Wide(["all/a", "all/b"], months, values, levels)
        assert feature_matrices(wide)["history"][1].tolist() == [0.0, 0.0, 1.0, 2.0]
