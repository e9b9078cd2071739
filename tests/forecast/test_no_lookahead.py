"""No look-ahead: what a model forecasts from an origin cannot depend on any later value.

Every test replaces each value after the origin by random non-negative numbers (NaN-free)
and checks that the forecasts, the backtest rows, the intervals and the choices of ``auto``
and ``ensemble`` at the origin are bit-for-bit the same. A fit, feature, scale, weight,
segment, interval width or break position that read a later month would change them.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from skilltide.forecast.backtest import rolling_forecasts
from skilltide.forecast.break_source import DetectedBreaks
from skilltide.forecast.models.base import Wide
from skilltide.forecast.models.registry import MODELS, make_model
from skilltide.forecast.pipeline import forecast_panel
from tests.forecast._panels import months, panel

N_MONTHS, ORIGIN, HORIZON = 40, 29, 3
# pre_break_weight 0: trained only after each series' last break, so a break used early shows
SMALL_LGBM = {"n_estimators": 10, "min_data_in_leaf": 5, "train_origins": 6, "pre_break_weight": 0}
# every registry model, kept small (the statsmodels ones fit each series on its own)
PARAMS = {
    "lgbm": SMALL_LGBM,
    "ensemble": {"members": ("naive", "post_break", "lgbm"), "lgbm": SMALL_LGBM},
    "auto": {
        "candidates": ("naive", "window_average", "post_break", "lgbm", "tsb"),
        "params": {"lgbm": SMALL_LGBM},
    },
}
SLOW = ("ets", "arima", "theta")


def market(seed: int = 0) -> pl.DataFrame:
    """Two groups × three skills: level shifts (breaks before and after the origin), a
    trend, a season, intermittent demand, and a series that starts after the origin."""
    rng = np.random.default_rng(seed)
    t = np.arange(N_MONTHS)
    series = {}
    for g, size in (("north", 1.0), ("south", 3.0)):
        series[f"{g}/python"] = size * np.where(t < 16, 40.0, 120.0) + rng.normal(0, 3, N_MONTHS)
        series[f"{g}/sql"] = size * (30 + 2 * t + 10 * np.sin(2 * np.pi * t / 12))
        series[f"{g}/rust"] = size * np.where(t < 26, 10.0, 60.0) + rng.normal(0, 2, N_MONTHS)
        series[f"{g}/cobol"] = (rng.random(N_MONTHS) < 0.3) * rng.integers(1, 5, N_MONTHS)
    long = panel({k: np.clip(v, 0, None).round() for k, v in series.items()})
    late = pl.DataFrame({"unique_id": "north/zig", "ds": months(N_MONTHS)[ORIGIN + 2 :], "y": 7.0})
    return pl.concat([long, late])


def garbage_after(frame: pl.DataFrame, origin: date, seed: int = 1) -> pl.DataFrame:
    """``frame`` with every value after ``origin`` replaced by random non-negative numbers."""
    rng = np.random.default_rng(seed)
    noise = pl.Series(rng.uniform(0, 1000, frame.height))
    return frame.with_columns(y=pl.when(pl.col("ds") > origin).then(noise).otherwise(pl.col("y")))


def walks(n: int = 60, seed: int = 1) -> pl.DataFrame:
    """Random walks in four groups: which combination wins a backtest is luck, and varies."""
    rng = np.random.default_rng(seed)
    y = np.maximum(50 + np.cumsum(rng.normal(0, 5, (n, N_MONTHS)), axis=1), 0).round()
    return panel({f"g{i % 4}/s{i // 4}": y[i] for i in range(n)})


CUTOFF = months(N_MONTHS)[ORIGIN]
CLEAN, DIRTY = market(), garbage_after(market(), CUTOFF)


def _params(name: str, breaks=None) -> dict:
    params = dict(PARAMS.get(name, {}))
    if breaks is not None and name in ("lgbm", "post_break", "auto", "ensemble"):
        params["breaks"] = breaks
    return params


def _yhat(frame: pl.DataFrame, name: str, breaks=None, **kw) -> pl.DataFrame:
    model = lambda: make_model(name, **_params(name, breaks), **kw)  # noqa: E731
    bt = rolling_forecasts(frame, {name: model}, horizon=HORIZON, cutoffs=[CUTOFF])
    return bt.select("unique_id", "ds", "yhat", "scale").sort("unique_id", "ds")


def test_the_garbage_differs_after_the_origin_only():
    joined = CLEAN.join(DIRTY, on=["unique_id", "ds"])
    assert (
        joined.filter(pl.col("ds") <= CUTOFF)["y"]
        == joined.filter(pl.col("ds") <= CUTOFF)["y_right"]
    ).all()
    after = joined.filter(pl.col("ds") > CUTOFF)
    assert (after["y"] != after["y_right"]).mean() > 0.99


@pytest.mark.parametrize("name", [m for m in MODELS if m not in SLOW])
def test_a_backtest_origin_sees_nothing_after_it(name):
    clean, dirty = _yhat(CLEAN, name), _yhat(DIRTY, name)
    assert clean.height == 8 * HORIZON  # north/zig starts after the origin: not scored
    assert clean.equals(dirty), name


@pytest.mark.parametrize("name", SLOW)
def test_statsmodels_models_see_nothing_after_the_origin(name):
    few = pl.col("unique_id").is_in(["north/python", "south/sql"])
    assert _yhat(CLEAN.filter(few), name).equals(_yhat(DIRTY.filter(few), name))


@pytest.mark.parametrize("name", ["naive", "lgbm", "top_down", "auto", "ensemble"])
def test_per_working_day_models_see_nothing_after_the_origin(name):
    assert _yhat(CLEAN, name, workdays="CN").equals(_yhat(DIRTY, name, workdays="CN"))


@pytest.mark.parametrize("name", ["post_break", "lgbm", "auto", "ensemble"])
def test_breaks_detected_in_every_fit_see_nothing_after_the_origin(name):
    # a fresh source per panel: its cache is keyed by the data, but be plain about it
    clean = _yhat(CLEAN, name, DetectedBreaks())
    assert clean.equals(_yhat(DIRTY, name, DetectedBreaks())), name
    assert not clean.equals(_yhat(CLEAN, name)) or name == "ensemble"  # the breaks matter


def _stored(later: bool) -> pl.DataFrame:
    """Stored breaks: a real one known by the origin, and (``later``) one known after it."""
    rows = [("north/sql", date(2021, 9, 1), date(2022, 2, 1))]  # in the last 12 months
    if later:  # python's second break and rust's, both known only after the origin
        rows += [
            ("south/python", date(2022, 4, 1), date(2022, 9, 1)),
            ("south/rust", date(2022, 3, 1), date(2022, 8, 1)),
        ]
    return pl.DataFrame(rows, schema=["unique_id", "break_ds", "known_ds"], orient="row")


@pytest.mark.parametrize("name", ["post_break", "lgbm", "auto", "ensemble"])
def test_stored_breaks_known_after_the_origin_are_not_used_there(name):
    """A stored break (``forecast run``'s default) counts from its ``known_ds``: at an origin
    before it, the forecasts (lgbm's ``since_break``, auto's break segment, post_break's
    window) are those without it."""
    assert date(2022, 8, 1) > CUTOFF  # the later breaks are known after the origin
    with_later = _yhat(CLEAN, name, _stored(later=True))
    assert with_later.equals(_yhat(CLEAN, name, _stored(later=False))), name


def test_autos_segments_and_weights_ignore_breaks_known_later():
    past = Wide.from_panel(CLEAN).up_to(ORIGIN)
    fits = [
        make_model("auto", **_params("auto", _stored(later))).fit_wide(past, HORIZON)
        for later in (False, True)
    ]
    assert fits[0].series_model_.equals(fits[1].series_model_)
    assert fits[0].weights_.equals(fits[1].weights_)
    assert "break" in fits[0].series_model_["segment"].to_list()


@pytest.mark.parametrize(
    "name, breaks", [("naive", None), ("auto", "detect"), ("ensemble", None), ("top_down", None)]
)
def test_forecast_panel_at_a_cutoff_sees_nothing_after_it(name, breaks):
    """Point forecasts, the backtest behind the intervals, and the intervals themselves."""
    runs = [
        forecast_panel(
            frame,
            horizon=HORIZON,
            model=name,
            cutoffs=[CUTOFF],
            breaks=breaks,
            params=PARAMS.get(name),
        )
        for frame in (CLEAN, DIRTY)
    ]
    (clean, clean_bt), (dirty, dirty_bt) = runs
    assert clean["lo_80"].null_count() == 0
    assert clean.equals(dirty)
    assert clean_bt.equals(dirty_bt)
    assert clean_bt["ds"].max() <= CUTOFF  # the backtest scored only months up to the cutoff


def test_the_ensembles_weight_scores_ignore_breaks_known_later():
    """Every grid point's backtest MAE (not only the winner) is the same with breaks known
    only after the origin: its inner backtest origins do not use them either."""
    past = Wide.from_panel(CLEAN).up_to(ORIGIN)
    fits = [
        make_model("ensemble", **_params("ensemble", _stored(later))).fit_wide(past, HORIZON)
        for later in (False, True)
    ]
    assert fits[0].scores_.equals(fits[1].scores_)
    assert fits[0].backtest_.equals(fits[1].backtest_)


# members whose best combination on random walks changes from one origin to the next
THREE = {"members": ("naive", "window_average", "top_down")}


@pytest.mark.parametrize(
    "name, data, params", [("auto", CLEAN, PARAMS["auto"]), ("ensemble", walks(), THREE)]
)
def test_the_backtest_of_a_model_that_chooses_by_backtest_refits_the_choice_at_each_origin(
    name, data, params
):
    """``forecast panel``/``run``'s backtest (its stored metrics and the intervals) of
    ``auto`` and ``ensemble``: at each origin, what the model chose with the data up to it.
    Their own backtest is the one their weights were chosen on, so scored as is it is
    in-sample (the ensemble's MAE is then never above its best member's)."""
    _, bt = forecast_panel(data, horizon=HORIZON, model=name, cutoffs=[CUTOFF], params=params)
    wide = Wide.from_panel(data)
    for cutoff in bt["cutoff"].unique().sort():
        past = wide.up_to(wide.months.index(cutoff))
        refit = make_model(name, **params).fit_wide(past, HORIZON).predict_matrix()
        rows = bt.filter(pl.col("cutoff") == cutoff).sort("unique_id", "step")
        steps = rows["step"].max()
        assert rows["unique_id"].unique().sort().to_list() == past.ids
        assert np.array_equal(rows["yhat"].to_numpy(), refit[:, :steps].ravel()), cutoff
