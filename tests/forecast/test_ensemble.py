"""``ensemble``: weights chosen by backtest (or fixed), members per working day, the CLI's
--members and --weights."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.backtest import default_cutoffs, rolling_forecasts
from skilltide.forecast.models.base import Wide
from skilltide.forecast.models.ensemble import Ensemble, simplex_grid
from skilltide.forecast.models.registry import make_model
from skilltide.forecast.pipeline import forecast_panel
from tests.forecast._panels import known_panel, panel

LGBM = {"n_estimators": 30, "learning_rate": 0.1}
TWO = ("naive", "window_average")


def _zigzag_and_walks(n_months: int = 30) -> pl.DataFrame:
    """Zig-zag series (the 3-month mean wins) and random walks with drift (the last value wins)."""
    rng = np.random.default_rng(3)
    series = {f"z{i}": 50.0 + 10.0 * (np.arange(n_months) % 2) for i in range(5)}
    series |= {f"w{i}": 200.0 + np.cumsum(rng.normal(8, 3, n_months)) for i in range(5)}
    return panel(series)


def _brute_force_weights(frame: pl.DataFrame, horizon: int, step: float) -> np.ndarray:
    wide = Wide.from_panel(frame)
    factories = {
        "naive": lambda: make_model("naive"),
        "window_average": lambda: make_model("window_average", window=3),
    }
    cutoffs = default_cutoffs(wide.months, horizon, 4)
    bt = rolling_forecasts(None, factories, horizon=horizon, cutoffs=cutoffs, wide=wide)
    a = bt.filter(pl.col("model") == "naive")
    b = bt.filter(pl.col("model") == "window_average")
    best = min(
        simplex_grid(2, step),
        key=lambda w: float(np.abs(w[0] * a["yhat"] + w[1] * b["yhat"] - a["y"]).mean()),
    )
    return best


@pytest.mark.parametrize("kind", ["z", "w"])
def test_backtest_weights_are_the_grid_point_with_the_lowest_backtest_mae(kind):
    frame = _zigzag_and_walks().filter(pl.col("unique_id").str.starts_with(kind))
    # one month ahead: two steps of a zig-zag tie every combination (the errors alternate)
    fitted = Ensemble(TWO).fit(frame, horizon=1)
    expected = _brute_force_weights(frame, 1, 0.2)
    assert fitted.weights_.tolist() == pytest.approx(expected.tolist())
    # zig-zags want the mean, random walks the last value
    assert fitted.weights_[1 if kind == "z" else 0] >= 0.8
    assert fitted.scores_["mae"].min() == pytest.approx(fitted.scores_["mae"][0])
    assert fitted.backtest_["model"].unique().to_list() == ["ensemble"]


def test_forecast_is_the_weighted_mean_of_the_members():
    frame = _zigzag_and_walks()
    fitted = Ensemble(TWO, weights=(3, 1)).fit(frame, horizon=3)
    naive = make_model("naive").fit(frame, horizon=3).predict_matrix()
    mean3 = make_model("window_average", window=3).fit(frame, horizon=3).predict_matrix()
    assert fitted.predict_matrix() == pytest.approx(0.75 * naive + 0.25 * mean3)
    assert fitted.backtest_ is None  # fixed weights: nothing was backtested


def test_default_members_with_lgbm_are_deterministic_and_sum_to_one():
    frame = known_panel(copies=2)
    a = make_model("ensemble", lgbm=LGBM).fit(frame, horizon=3)
    b = make_model("ensemble", lgbm=LGBM).fit(frame, horizon=3)
    assert a.members == ("naive", "window_average", "top_down", "lgbm")
    assert a.weights_.sum() == pytest.approx(1.0)
    assert np.allclose(a.weights_ * 5, np.round(a.weights_ * 5))  # steps of 0.2
    assert a.predict().equals(b.predict())


def test_too_short_to_backtest_falls_back_to_equal_weights():
    frame = panel({"a": [1.0, 2.0, 3.0]})
    fitted = Ensemble(TWO).fit(frame, horizon=3)
    assert fitted.weights_.tolist() == [0.5, 0.5]
    assert fitted.backtest_ is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weights": (1.0,)}, "2 non-negative weights"),
        ({"weights": (1.0, -1.0)}, "2 non-negative weights"),
        ({"weights": "best"}, "numbers or 'backtest'"),
        ({"grid_step": 0.3}, "grid_step must divide 1"),
        ({"members": ()}, "distinct member models"),
        ({"members": ("naive", "naive")}, "distinct member models"),
        ({"n_window": 2}, "unknown setting"),
        ({"window_averge": {"window": 6}}, "unknown setting"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(UserError, match=message):
        Ensemble(**{"members": TWO, **kwargs})


def test_workdays_go_to_each_member_and_the_backtest_stays_in_counts():
    frame = _zigzag_and_walks()
    fitted = make_model("ensemble", members=TWO, weights=(1, 1), workdays="CN")
    assert isinstance(fitted, Ensemble)  # not wrapped: the members are
    fitted.fit(frame, horizon=2)
    naive = make_model("naive", workdays="CN").fit(frame, horizon=2).predict_matrix()
    mean3 = make_model("window_average", window=3, workdays="CN").fit(frame, 2).predict_matrix()
    assert fitted.predict_matrix() == pytest.approx(0.5 * naive + 0.5 * mean3)
    chosen = make_model("ensemble", members=TWO, workdays="CN").fit(frame, horizon=2)
    actual = frame.rename({"y": "y_panel"})
    joined = chosen.backtest_.join(actual, on=["unique_id", "ds"])
    assert joined.height == chosen.backtest_.height
    assert (joined["y"] == joined["y_panel"]).all()


def test_a_cutoff_never_sees_later_data():
    frame = _zigzag_and_walks()
    cutoff = date(2021, 9, 1)
    poisoned = frame.with_columns(
        y=pl.when(pl.col("ds") > cutoff).then(pl.lit(1e6)).otherwise(pl.col("y"))
    )
    params = {"members": TWO}
    a, _ = forecast_panel(frame, horizon=3, model="ensemble", params=params, cutoffs=[cutoff])
    b, _ = forecast_panel(poisoned, horizon=3, model="ensemble", params=params, cutoffs=[cutoff])
    assert a.equals(b)
    assert a["lo_80"].null_count() == 0  # intervals from the ensemble's own backtest


def test_cli_members_and_weights(cli, tmp_path):
    src = tmp_path / "in.csv"
    _zigzag_and_walks().write_csv(src)
    out = tmp_path / "out.csv"
    args = ["forecast", "panel", src, "--horizon", 2, "--model", "ensemble", "--out", out]
    result = cli(*args, "--members", "naive,window_average")
    assert result.exit_code == 0, result.output
    chosen = pl.read_csv(out)
    assert chosen["model"].unique().to_list() == ["ensemble"]
    assert chosen["lo_95"].null_count() == 0
    result = cli(*args, "--members", "naive,window_average", "--weights", "1,0")
    assert result.exit_code == 0, result.output
    all_on_the_last_value = pl.read_csv(out)["yhat"].to_list()
    cli("forecast", "panel", src, "--horizon", 2, "--model", "naive", "--out", out)
    assert all_on_the_last_value == pytest.approx(pl.read_csv(out)["yhat"].to_list())


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--model", "naive", "--members", "naive"], "--members applies to"),
        (["--model", "ensemble", "--members", "naive,bogus"], "unknown or nested"),
        (["--model", "ensemble", "--members", "naive,auto"], "unknown or nested"),
        (["--model", "ensemble", "--members", "naive,naive"], "--members: each model once"),
        (["--model", "auto", "--members", "naive,naive"], "--members: each model once"),
        (["--model", "auto", "--weights", "1,1"], "--weights applies to"),
        (["--model", "ensemble", "--weights", "a,b"], "write 'backtest' or numbers"),
        (["--model", "ensemble", "--members", "naive,drift", "--weights", "1"], "2 non-negative"),
    ],
)
def test_cli_refuses_bad_members_and_weights(cli, tmp_path, extra, message):
    src = tmp_path / "in.csv"
    _zigzag_and_walks().write_csv(src)
    result = cli("forecast", "panel", src, "--horizon", 2, "--out", tmp_path / "o.csv", *extra)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_members_choose_auto_candidates(cli, tmp_path):
    src = tmp_path / "in.csv"
    _zigzag_and_walks().write_csv(src)
    out = tmp_path / "out.csv"
    result = cli(
        "forecast", "panel", src, "--horizon", 2, "--model", "auto", "--out", out,
        "--members", "naive",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no prediction intervals" not in result.output  # one candidate is backtested too
    assert pl.read_csv(out)["lo_80"].null_count() == 0
    auto = pl.read_csv(out)["yhat"].to_list()
    cli("forecast", "panel", src, "--horizon", 2, "--model", "naive", "--out", out)
    assert auto == pytest.approx(pl.read_csv(out)["yhat"].to_list())


def test_forecast_run_uses_and_records_the_ensemble_settings(cli, db):
    from skilltide.store import Warehouse
    from tests.forecast.test_warehouse import _load_demand

    with Warehouse(db) as wh:
        _load_demand(wh)
    result = cli(
        "forecast", "run", "--db", db, "--horizon", 2, "--model", "ensemble",
        "--members", "naive,window_average", "--weights", "0.5,0.5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        runs = wh.query("SELECT args FROM runs WHERE command = 'forecast run'")
        models = wh.query("SELECT DISTINCT model FROM forecasts")["model"].to_list()
    assert json.loads(runs["args"][0])["params"] == {
        "members": ["naive", "window_average"],
        "weights": [0.5, 0.5],
    }
    assert models == ["ensemble"]


@pytest.mark.parametrize(
    ("model", "params", "own"),
    [
        ("ensemble", {"members": ["naive", "window_average"]}, 4),
        ("auto", {"candidates": ["naive", "window_average"]}, 3),
        ("naive", {}, 3),
    ],
)
def test_n_windows_reaches_the_models_that_backtest_themselves(model, params, own):
    frame = _zigzag_and_walks(40)

    def origins(**kwargs) -> int:
        _, backtest = forecast_panel(frame, horizon=2, model=model, params=params, **kwargs)
        return backtest["cutoff"].n_unique()

    assert origins() == own  # each model's own default
    assert origins(n_windows=2) == 2
