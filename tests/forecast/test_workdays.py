"""Working-day calendars and forecasting demand per working day (``--workdays``)."""

from __future__ import annotations

from datetime import date

import holidays
import numpy as np
import polars as pl
import pytest

from skilltide.config import Settings
from skilltide.errors import UserError
from skilltide.forecast.calendar import working_days
from skilltide.forecast.models.base import add_months
from skilltide.forecast.models.registry import make_model
from skilltide.forecast.pipeline import forecast_panel
from skilltide.pipeline import PipelineConfig

START = date(2021, 1, 1)


def test_country_calendars_count_holidays_and_makeup_days():
    # China, Golden Week 2023: Sep 29 and Oct 2-6 off, Saturday Oct 7 and Sunday Oct 8 worked
    assert working_days([date(2023, 9, 1), date(2023, 10, 1)], "CN").tolist() == [20, 19]
    # United States, July 2023: 21 weekdays less Independence Day
    assert working_days([date(2023, 7, 1)], "US").tolist() == [20]
    assert working_days([date(2023, 7, 1), date(2024, 2, 1)], "weekdays").tolist() == [21, 21]


def test_unknown_country_is_refused_before_any_work():
    with pytest.raises(UserError, match="'XX'"):
        working_days([], "XX")
    with pytest.raises(UserError, match="'XX'"):
        make_model("naive", workdays="XX")
    with pytest.raises(UserError, match="'XX'"):
        make_model("auto", workdays="XX")


def _per_workday_panel(months: int = 30) -> tuple[pl.DataFrame, dict[str, float]]:
    """Series whose demand is a constant number of ads per Chinese working day."""
    ds = [add_months(START, k) for k in range(months)]
    days = working_days(ds, "CN")
    rates = {"all/a": 10.0, "all/b": 3.0, "all/c": 0.5}
    frame = pl.DataFrame(
        {
            "unique_id": [u for u in rates for _ in ds],
            "ds": ds * len(rates),
            "y": np.concatenate([r * days for r in rates.values()]),
        }
    )
    return frame, rates


@pytest.mark.parametrize("name", ["naive", "blend", "window_average"])
def test_per_workday_model_recovers_the_calendar(name):
    frame, rates = _per_workday_panel()
    future = [add_months(START, 30 + k) for k in range(4)]
    truth = {u: r * working_days(future, "CN") for u, r in rates.items()}
    adjusted = make_model(name, workdays="CN").fit(frame, horizon=4).predict()
    plain = make_model(name).fit(frame, horizon=4).predict()
    for uid, want in truth.items():
        got = adjusted.filter(pl.col("unique_id") == uid).sort("ds")["yhat"].to_numpy()
        np.testing.assert_allclose(got, want, rtol=1e-9)
    # without the calendar the same model misses the holiday months
    a = plain.filter(pl.col("unique_id") == "all/a").sort("ds")["yhat"].to_numpy()
    assert np.abs(a - truth["all/a"]).max() > 5
    assert adjusted["model"].unique().to_list() == [name]


def test_auto_backtests_per_workday_in_the_panels_units():
    frame, _ = _per_workday_panel()
    out, backtest = forecast_panel(
        frame,
        horizon=3,
        model="auto",
        workdays="CN",
        params={"candidates": ("naive", "seasonal_naive")},
    )
    # the backtest's actuals are the panel's own counts, and the per-workday naive is exact
    joined = backtest.join(frame, on=["unique_id", "ds"])
    np.testing.assert_allclose(joined["y"], joined["y_right"])
    np.testing.assert_allclose(backtest["yhat"], backtest["y"], rtol=1e-9)
    assert set(out["model"]) == {"auto:combination"}
    np.testing.assert_allclose(out["hi_95"], out["yhat"], rtol=1e-9)


def test_cli_workdays_option(cli, tmp_path):
    frame, _ = _per_workday_panel()
    src = tmp_path / "in.csv"
    frame.write_csv(src)
    out = tmp_path / "f.csv"
    ok = cli(
        "forecast", "panel", src, "--horizon", 2, "-m", "naive", "--workdays", "CN", "--out", out
    )
    assert ok.exit_code == 0, ok.output
    got = pl.read_csv(out, try_parse_dates=True).filter(pl.col("unique_id") == "all/a")
    want = 10.0 * working_days(sorted(got["ds"]), "CN")
    np.testing.assert_allclose(got.sort("ds")["yhat"], want, rtol=1e-9)

    metrics = tmp_path / "m.csv"
    bt = cli(
        "forecast",
        "backtest",
        src,
        "--horizon",
        2,
        "--models",
        "naive",
        "--workdays",
        "CN",
        "--out",
        metrics,
    )
    assert bt.exit_code == 0, bt.output
    mae = pl.read_csv(metrics).filter(metric="mae", horizon=0, scenario="all")["value"].item()
    assert mae == pytest.approx(0.0, abs=1e-9)

    bad = cli("forecast", "panel", src, "--workdays", "XX", "--out", out)
    assert bad.exit_code == 1 and "'XX'" in bad.output
    # each country counted once, not again under its alpha-3 alias (CN and CHN)
    n = len(holidays.list_supported_countries(include_aliases=False))
    assert f"({n} countries supported)" in bad.output


def test_config_workdays_checked_when_read(tmp_path):
    config = tmp_path / "skilltide.toml"
    settings = Settings(config_path=config, data={"forecast": {"workdays": "Narnia"}})
    with pytest.raises(UserError, match=r"skilltide.toml: \[forecast\] .*'Narnia'"):
        PipelineConfig.from_settings(settings)
    settings = Settings(config_path=config, data={"forecast": {"workdays": "DE"}})
    assert PipelineConfig.from_settings(settings).workdays == "DE"


def test_per_workday_beats_raw_counts_on_jobsdf_national_demand():
    """Job-SDF's ads come from a Chinese platform: at each tuning origin (2022-12 … 2023-03),
    the last value per Chinese working day beats the raw last value."""
    from skilltide.forecast import metrics
    from skilltide.forecast.models.base import Wide
    from tests.conftest import shared_path

    data = pl.read_parquet(shared_path("jobsdf", "demand", "r0.parquet"))
    cols = data.columns[2:]
    months = [date(int(c[:4]), int(c[5:7]), 1) for c in cols]
    wide = Wide([f"all/{s}" for s in data["skill_id"]], months, data.select(cols).to_numpy())
    for t in (23, 24, 25, 26):
        past = Wide(wide.ids, months[: t + 1], wide.values[:, : t + 1])
        actual = wide.values[:, t + 1 : t + 4]
        raw = make_model("naive").fit_wide(past, 3).predict_matrix()
        per_day = make_model("naive", workdays="CN").fit_wide(past, 3).predict_matrix()
        assert metrics.mae(per_day, actual) < 0.95 * metrics.mae(raw, actual), months[t]
