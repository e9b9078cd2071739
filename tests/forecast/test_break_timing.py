"""A break is used only from when it could have been detected: in backtests, at each cutoff of
``forecast panel --breaks detect``, and for the warehouse's stored breaks."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.backtest import rolling_forecasts
from skilltide.forecast.break_source import detect_known_breaks, known_after_detection
from skilltide.forecast.breaks_store import detect_breaks_warehouse, read_breaks
from skilltide.forecast.features import months_since_break
from skilltide.forecast.models.base import Wide, add_months
from skilltide.forecast.models.registry import make_model
from skilltide.forecast.panel import warehouse_panel
from skilltide.forecast.pipeline import forecast_panel
from skilltide.store import Warehouse
from tests.forecast._panels import months, panel
from tests.forecast.test_breaks_store import seed_demand


def _shifted(n_months: int = 48, shift_at: int = 30, n_series: int = 6) -> pl.DataFrame:
    """Level 10 then 40 from month ``shift_at``, with noise."""
    rng = np.random.default_rng(1)
    level = np.where(np.arange(n_months) < shift_at, 10.0, 40.0)
    return panel({f"all/s{i}": level + rng.normal(0, 1, n_months) for i in range(n_series)})


def test_a_break_counts_from_break_ds_but_only_once_known():
    wide = Wide(["a"], months(10), np.ones((1, 10)))
    breaks = pl.DataFrame({"unique_id": ["a"], "break_ds": [months(10)[3]]})
    assert np.isnan(months_since_break(wide, breaks)[0, :3]).all()
    assert months_since_break(wide, breaks)[0, 3:].tolist() == [0, 1, 2, 3, 4, 5, 6]
    known = known_after_detection(breaks, min_size=4)  # known from month 6
    assert known["known_ds"][0] == months(10)[6]
    since = months_since_break(wide, known)[0]
    assert np.isnan(since[:6]).all() and since[6:].tolist() == [3, 4, 5, 6]


def test_backtest_origins_before_known_ds_do_not_use_the_break():
    frame = _shifted(n_months=40, shift_at=30)
    ids = frame["unique_id"].unique().to_list()
    breaks = pl.DataFrame({"unique_id": ids, "break_ds": [months(40)[30]] * len(ids)})
    cutoffs = [months(40)[k] for k in (32, 35, 37)]

    def backtest(b):
        factory = {"post_break": lambda: make_model("post_break", breaks=b)}
        out = rolling_forecasts(frame, factory, horizon=1, cutoffs=cutoffs)
        return out.sort("unique_id", "cutoff")

    no_breaks = backtest(None)
    early = backtest(breaks)  # the break used from its first month: the old behaviour
    known = backtest(known_after_detection(breaks, min_size=6))  # known from month 35
    at = pl.col("cutoff") == cutoffs[0]
    # at month 32 the break was not yet detectable: forecasts as if there were none
    assert known.filter(at)["yhat"].to_list() == no_breaks.filter(at)["yhat"].to_list()
    assert early.filter(at)["yhat"].mean() == pytest.approx(40.0, abs=1.5)
    # once known, the mean since the break
    later = pl.col("cutoff") >= cutoffs[1]
    assert known.filter(later)["yhat"].to_list() == early.filter(later)["yhat"].to_list()


def test_forecast_panel_detects_breaks_at_each_cutoff_with_data_up_to_it():
    frame = _shifted(n_months=48, shift_at=30)
    before, after = months(48)[26], months(48)[38]
    kwargs = {"horizon": 2, "model": "post_break", "cutoffs": [before, after]}
    detected, _ = forecast_panel(frame, breaks="detect", **kwargs)
    plain, _ = forecast_panel(frame, **kwargs)
    at = pl.col("cutoff") == before
    # before the shift no break exists in the data: the same as without breaks
    assert detected.filter(at)["yhat"].to_list() == plain.filter(at)["yhat"].to_list()
    # after it, only the new regime: 40, where the 12-month mean still remembers 10
    late = pl.col("cutoff") == after
    assert detected.filter(late)["yhat"].mean() == pytest.approx(40.0, abs=1.5)
    assert plain.filter(late)["yhat"].mean() < 35
    # a shift after the cutoff changes nothing at that cutoff
    poisoned = frame.with_columns(
        y=pl.when(pl.col("ds") > after).then(pl.col("y") * 100).otherwise(pl.col("y"))
    )
    again, _ = forecast_panel(poisoned, breaks="detect", **kwargs)
    assert again.filter(late)["yhat"].to_list() == detected.filter(late)["yhat"].to_list()
    with pytest.raises(UserError, match="detect"):
        forecast_panel(frame, breaks="find", **kwargs)


def test_cli_forecast_panel_with_breaks_detected_or_from_a_file(cli, tmp_path):
    frame = _shifted(n_months=40, shift_at=32)  # 8 months of the new level at the end
    src = tmp_path / "in.csv"
    frame.write_csv(src)
    common = ("forecast", "panel", src, "--horizon", 2, "--model", "post_break")
    out = {}
    for name, option in {
        "none": (),
        "detect": ("--breaks", "detect"),
        "file": ("--breaks", tmp_path / "b.csv"),
    }.items():
        if name == "file":
            ids = frame["unique_id"].unique().to_list()
            pl.DataFrame({"unique_id": ids, "break_ds": ["2022-09"] * len(ids)}).write_csv(
                tmp_path / "b.csv"
            )
        result = cli(*common, *option, "--out", tmp_path / f"{name}.csv")
        assert result.exit_code == 0, result.output
        out[name] = pl.read_csv(tmp_path / f"{name}.csv")["yhat"].mean()
    assert out["detect"] == pytest.approx(40.0, abs=1.5)
    assert out["file"] == pytest.approx(40.0, abs=1.5)
    assert out["none"] < 35
    (tmp_path / "bad.csv").write_text("unique_id,break_ds\nall/s0,2022-07\nall/s1,July\n")
    bad = cli(*common, "--breaks", tmp_path / "bad.csv", "--out", tmp_path / "x.csv")
    assert bad.exit_code == 1
    assert "bad.csv, row 2, field break_ds" in bad.output


def test_read_breaks_keeps_known_ds_and_refuses_missing_columns(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("unique_id,break_ds,known_ds\na,2024-04,2024-09-01\nb,2024-05,\n")
    got = read_breaks(path)
    assert got["known_ds"].to_list() == [date(2024, 9, 1), None]
    (tmp_path / "c.csv").write_text("unique_id,month\na,2024-04\n")
    with pytest.raises(UserError, match=r"missing column.*break_ds"):
        read_breaks(tmp_path / "c.csv")


def test_stored_breaks_are_known_after_their_runs_min_size(db):
    from skilltide.forecast.warehouse import _breaks_for

    with Warehouse(db) as wh:
        seed_demand(wh)
        detect_breaks_warehouse(wh, "ads", "region", min_size=8)
        stored = wh.query("SELECT unique_id, break_ds FROM breaks")
        given = _breaks_for(wh, "ads", "region", warehouse_panel(wh, "ads", "region"))
    assert stored.height and given.height == stored.height
    lag = given.select(
        (pl.col("known_ds").dt.year() * 12 + pl.col("known_ds").dt.month())
        - (pl.col("break_ds").dt.year() * 12 + pl.col("break_ds").dt.month())
    ).to_series()
    assert lag.to_list() == [7] * given.height
    assert given["known_ds"][0] == add_months(given["break_ds"][0], 7)


def test_forecast_run_uses_stored_detected_or_no_breaks(cli, db):
    with Warehouse(db) as wh:
        seed_demand(wh, jump_at=40)  # north/tech:python doubles for the last 8 months
        detect_breaks_warehouse(wh, "ads", "region")
    args = ("forecast", "run", "--db", db, "-g", "region", "-m", "post_break", "--horizon", 1)
    python = {}
    for source in ("stored", "detect", "none"):
        result = cli(*args, "--breaks", source, "--json")
        assert result.exit_code == 0, result.output
        run_id = json.loads(result.stdout)["run_id"]
        with Warehouse(db) as wh:
            python[source] = wh.query(
                "SELECT yhat FROM forecasts WHERE unique_id = 'north/tech:python' AND run_id = ?",
                [run_id],
            )["yhat"].item()
    assert python["stored"] == pytest.approx(120, rel=0.1)
    assert python["detect"] == python["stored"]
    assert python["none"] == pytest.approx(100, rel=0.1)  # the 12-month mean
    bad = cli(*args, "--breaks", "sometimes")
    assert bad.exit_code == 1 and "stored, detect, none" in bad.output


def test_known_ds_waits_for_the_shortest_testable_series():
    # min_size 3 but a series is tested only from max(min_length 12, 2 * 3) months on
    frame = panel({"a": np.r_[np.full(5, 10.0), np.full(15, 40.0)]}, start=date(2020, 1, 1))
    breaks = pl.DataFrame({"unique_id": ["a"], "break_ds": [date(2020, 6, 1)]})
    assert known_after_detection(breaks, 3)["known_ds"][0] == date(2020, 8, 1)
    assert known_after_detection(breaks, 3, panel=frame)["known_ds"][0] == date(2020, 12, 1)


def test_detection_at_each_fit_sees_only_data_up_to_it(monkeypatch):
    import skilltide.forecast.break_source as breaks_module

    seen = []
    real = breaks_module.detect_breaks

    def spy(past, **options):
        seen.append(past["ds"].max())
        return real(past, **options)

    monkeypatch.setattr(breaks_module, "detect_breaks", spy)
    frame = _shifted(n_months=48, shift_at=30)
    cutoffs = [months(48)[26], months(48)[38]]
    forecast_panel(frame, horizon=2, model="post_break", cutoffs=cutoffs, breaks="detect")
    # at each cutoff, and at each backtest origin inside it, with the data up to it only
    assert set(cutoffs) <= set(seen) and max(seen) == cutoffs[-1]
    assert any(month < cutoffs[0] for month in seen)  # the first cutoff's backtest origins
    assert len(seen) == len(set(seen))  # one detection per data set


def test_a_breaks_file_from_breaks_detect_is_used_only_once_known(cli, tmp_path):
    frame = _shifted(n_months=48, shift_at=30)  # break 2022-07, knowable from 2022-12
    src, found = tmp_path / "in.csv", tmp_path / "breaks.csv"
    frame.write_csv(src)
    assert cli("breaks", "detect", src, "--out", found).exit_code == 0
    assert "known_ds" in pl.read_csv(found).columns
    common = ("forecast", "panel", src, "--horizon", 1, "-m", "post_break", "--cutoffs", "2022-10")
    out = {}
    for name, option in {"file": ("--breaks", found), "none": ("--breaks", "none")}.items():
        result = cli(*common, *option, "--out", tmp_path / f"{name}.csv")
        assert result.exit_code == 0, result.output
        out[name] = pl.read_csv(tmp_path / f"{name}.csv")["yhat"].to_list()
    assert out["file"] == out["none"]  # in 2022-10 the break could not be known yet


def test_read_breaks_refuses_a_break_known_before_it_happens(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("unique_id,break_ds,known_ds\na,2021-07,2021-12\nb,2021-07,2021-05\n")
    with pytest.raises(UserError, match=r"row 2, field known_ds: 2021-05-01 is before the break"):
        read_breaks(path)


def test_read_breaks_takes_midnight_datetimes_and_refuses_mid_month(tmp_path):
    from datetime import datetime

    pl.DataFrame({"unique_id": ["a"], "break_ds": [datetime(2024, 4, 1)]}).write_parquet(
        tmp_path / "b.parquet"
    )
    assert read_breaks(tmp_path / "b.parquet")["break_ds"].to_list() == [date(2024, 4, 1)]
    (tmp_path / "m.csv").write_text("unique_id,break_ds\na,2024-04-01\nb,2024-04-15\n")
    with pytest.raises(UserError, match=r"m\.csv, row 2, field break_ds"):
        read_breaks(tmp_path / "m.csv")


def test_backtest_origins_use_only_breaks_detected_in_their_own_data():
    from skilltide.forecast.break_source import DetectedBreaks

    frame = _shifted(n_months=44, shift_at=30)
    cutoffs = [months(44)[k] for k in (31, 37)]

    def backtest(breaks):
        factory = {"post_break": lambda: make_model("post_break", breaks=breaks)}
        return rolling_forecasts(frame, factory, horizon=1, cutoffs=cutoffs).sort("unique_id")

    detected, plain = backtest(DetectedBreaks()), backtest(None)
    whole = backtest(detect_known_breaks(frame, months(44)[-1]))  # found with all the data
    early, late = pl.col("cutoff") == cutoffs[0], pl.col("cutoff") == cutoffs[1]
    # two months after the shift: what detection on the data up to then gives, not the break
    # found with all the data
    past = frame.filter(pl.col("ds") <= cutoffs[0])
    own = make_model("post_break", breaks=detect_known_breaks(past, cutoffs[0]))
    expected = own.fit(past, horizon=1).predict().sort("unique_id")["yhat"].to_list()
    assert detected.filter(early)["yhat"].to_list() == expected
    assert detected.filter(early)["yhat"].to_list() != whole.filter(early)["yhat"].to_list()
    assert detected.filter(late)["yhat"].mean() == pytest.approx(40.0, abs=1.5)
    assert plain.filter(late)["yhat"].mean() < 35


def test_per_working_day_models_detect_breaks_on_the_counts(monkeypatch):
    import skilltide.forecast.break_source as breaks_module
    from skilltide.forecast.break_source import DetectedBreaks

    seen = []
    real = breaks_module.detect_breaks

    def spy(past, **options):
        seen.append(past.sort("unique_id", "ds")["y"].to_list())
        return real(past, **options)

    monkeypatch.setattr(breaks_module, "detect_breaks", spy)
    frame = _shifted(n_months=40, shift_at=30)
    model = make_model("post_break", breaks=DetectedBreaks(), workdays="CN")
    model.fit(frame, horizon=1).predict()
    # the same breaks as auto's segments and stored breaks: found in the counts, not per day
    assert seen == [frame.sort("unique_id", "ds")["y"].to_list()]


def test_cli_backtest_with_detected_breaks_scores_a_break_scenario(cli, tmp_path):
    frame = _shifted(n_months=44, shift_at=30)
    src = tmp_path / "in.csv"
    frame.write_csv(src)
    common = ("forecast", "backtest", src, "--horizon", 1, "--models", "naive,post_break", "--json")
    metrics = {}
    for name, option in {"none": (), "detect": ("--breaks", "detect")}.items():
        result = cli(*common, "--windows", 6, *option)
        assert result.exit_code == 0, result.output
        metrics[name] = pl.DataFrame(json.loads(result.output)).filter(metric="mae", horizon=0)
    assert "break" not in metrics["none"]["scenario"].to_list()
    detected = metrics["detect"].filter(scenario="break")
    assert set(detected["model"]) == {"naive", "post_break"}
    mae = dict(metrics["detect"].filter(scenario="all").select("model", "value").iter_rows())
    plain = dict(metrics["none"].filter(scenario="all").select("model", "value").iter_rows())
    assert mae["naive"] == plain["naive"]  # breaks go only to the break-aware models
    assert mae["post_break"] < plain["post_break"]  # the 12-month mean lags the new level
