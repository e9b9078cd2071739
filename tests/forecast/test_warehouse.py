"""forecast_warehouse: forecasts and backtests written in one run, rolled back on failure."""

from __future__ import annotations

import json

import polars as pl
import pytest

from skilltide.store import Warehouse, append
from tests.forecast._panels import known_panel

pytest.importorskip("skilltide.forecast.panel", reason="panel.py (breaks helper) not merged")


def _load_demand(wh: Warehouse) -> None:
    frame = known_panel(copies=2).with_columns(
        group_id=pl.lit("all"),
        skill_id=pl.col("unique_id").str.replace("/", "-"),
    )
    demand = frame.select(
        panel=pl.lit("ads"),
        granularity=pl.lit("market"),
        group_id="group_id",
        skill_id="skill_id",
        month="ds",
        count="y",
        total=pl.lit(None, dtype=pl.Float64),
        share=pl.lit(None, dtype=pl.Float64),
        run_id=pl.lit("seed"),
    )
    with wh.run("seed") as run:
        append(run.con, "demand", demand)


def test_forecast_run_writes_forecasts_and_backtests(cli, db):
    with Warehouse(db) as wh:
        _load_demand(wh)
    result = cli(
        "forecast", "run", "--db", db, "--horizon", 3, "--model", "window_average", "--json"
    )
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        f = wh.query("SELECT * FROM forecasts")
        b = wh.query("SELECT * FROM backtests")
        runs = wh.query("SELECT run_id FROM runs WHERE command = 'forecast run'")
    assert f.height == 10 * 3
    assert f["unique_id"].str.starts_with("all/").all()
    assert (f["group_id"] == "all").all()
    assert f["run_id"].unique().to_list() == runs["run_id"].to_list()
    assert {"mae", "coverage_80", "coverage_95"} <= set(b["metric"])
    assert (f["yhat"] >= 0).all()


def test_forecast_run_backtests_the_last_value_beside_its_model(db):
    """The run's backtests hold the naive (last-value) forecast on the same origins, series
    and steps, so the report can say whether the model beats it; the summary stays the
    model's own, and a naive run is not backtested twice."""
    from skilltide.forecast.backtest import rolling_forecasts
    from skilltide.forecast.models.registry import make_model
    from skilltide.forecast.panel import warehouse_panel
    from skilltide.forecast.pipeline import WINDOWS
    from skilltide.forecast.warehouse import forecast_warehouse

    with Warehouse(db) as wh:
        _load_demand(wh)
        summary = forecast_warehouse(wh, horizon=3, model="window_average", breaks="none")
        b = wh.query("SELECT * FROM backtests WHERE run_id = ?", [summary["run_id"]])
        frame = warehouse_panel(wh, panel="ads", granularity="market", value="count")
        naive_run = forecast_warehouse(wh, horizon=3, model="naive", breaks="none")
        naive_models = wh.query(
            "SELECT DISTINCT model FROM backtests WHERE run_id = ?", [naive_run["run_id"]]
        )
    assert set(b["model"]) == {"window_average", "naive"}
    pooled = b.filter(pl.col("horizon") == 0, pl.col("scenario") == "all")
    mae = dict(pooled.filter(pl.col("metric") == "mae").select("model", "value").iter_rows())
    assert summary["backtest"]["mae"] == pytest.approx(mae["window_average"])
    # the baseline's figure is the last value's error on the run's own origins and series
    series = dict(pooled.select("model", "n_series").unique().iter_rows())
    assert series["naive"] == series["window_average"] == 10
    naive = {"naive": lambda: make_model("naive")}
    bt = rolling_forecasts(frame, naive, horizon=3, n_windows=WINDOWS)
    own = (bt["yhat"] - bt["y"]).abs().mean()
    assert mae["naive"] == pytest.approx(own)
    assert "coverage_80" not in set(b.filter(pl.col("model") == "naive")["metric"])
    assert naive_models["model"].to_list() == ["naive"]


def test_failed_run_leaves_tables_empty(db):
    from skilltide.forecast.warehouse import forecast_warehouse

    def fail(run) -> None:  # as an --out that cannot be written, last in the run
        raise OSError("disk full")

    with Warehouse(db) as wh:
        _load_demand(wh)
        with pytest.raises(OSError, match="disk full"):
            forecast_warehouse(wh, horizon=3, model="naive", written=fail)
        assert wh.query("SELECT count(*) AS n FROM forecasts")["n"].item() == 0
        assert wh.query("SELECT count(*) AS n FROM backtests")["n"].item() == 0
        assert wh.query("SELECT status FROM runs WHERE command = 'forecast run'")[
            "status"
        ].to_list() == ["failed"]


@pytest.mark.parametrize(
    "options",
    [
        {"model": "nope"},
        {"model": "naive", "workdays": "XX"},
        {"model": "ensemble", "params": {"members": ["nope"]}},
    ],
)
def test_a_usage_mistake_is_refused_before_a_run_is_recorded(db, options):
    """`forecast run --model nope` was a failed run in `runs`, listed among the report's
    runs beside real failures; a mistake in the options is now refused before the run."""
    from skilltide.errors import UserError
    from skilltide.forecast.warehouse import forecast_warehouse

    with Warehouse(db) as wh:
        _load_demand(wh)
        with pytest.raises(UserError):
            forecast_warehouse(wh, horizon=3, **options)
        n = wh.query("SELECT count(*) AS n FROM runs WHERE command = 'forecast run'")["n"]
    assert n.item() == 0


def test_a_missing_panel_is_named_with_the_panels_there_are(db):
    from skilltide.errors import UserError
    from skilltide.forecast.warehouse import forecast_warehouse

    with Warehouse(db) as wh:
        with pytest.raises(UserError, match="no demand panel 'ads' at granularity 'market'"):
            forecast_warehouse(wh, horizon=3, model="naive")  # as skilltide run's stage calls it
        _load_demand(wh)
        with pytest.raises(UserError, match=r"'region'; panels in the warehouse: ads \(market\)"):
            forecast_warehouse(wh, granularity="region", horizon=3, model="naive")


def test_forecast_run_per_working_day_is_recorded_with_the_run(cli, db):
    import json

    with Warehouse(db) as wh:
        _load_demand(wh)
    args = ("forecast", "run", "--db", db, "--horizon", 2, "--model", "naive")
    plain = cli(*args, "--json")
    adjusted = cli(*args, "--workdays", "DE", "--json")
    assert plain.exit_code == 0 and adjusted.exit_code == 0, adjusted.output
    with Warehouse(db) as wh:
        runs = wh.query(
            "SELECT run_id, args FROM runs WHERE command = 'forecast run' ORDER BY started"
        )
        f = wh.query("SELECT run_id, unique_id, ds, yhat FROM forecasts ORDER BY ds")
    recorded = [json.loads(a).get("workdays") for a in runs["args"]]
    assert recorded == [None, "DE"]
    first, second = runs["run_id"].to_list()
    a = f.filter(run_id=first).sort("unique_id", "ds")["yhat"].to_numpy()
    b = f.filter(run_id=second).sort("unique_id", "ds")["yhat"].to_numpy()
    assert a.shape == b.shape and not (a == b).all()  # the calendar changed the forecasts
    bad = cli(*args, "--workdays", "Atlantis")
    assert bad.exit_code == 1 and "Atlantis" in bad.output


def test_forecast_run_records_the_runs_it_read(db):
    from skilltide.forecast.breaks_store import detect_breaks_warehouse
    from skilltide.forecast.demand_panel import demand_rows
    from skilltide.forecast.warehouse import forecast_warehouse

    with Warehouse(db) as wh:
        _load_demand(wh)
        demand_run = wh.query("SELECT DISTINCT run_id FROM demand")["run_id"].item()
        breaks_run = detect_breaks_warehouse(wh)["run_id"]
        summary = forecast_warehouse(wh, horizon=2, model="naive")
        notes = wh.query("SELECT notes FROM runs WHERE run_id = ?", [summary["run_id"]])
        rows = demand_rows(wh, "ads", "market")
    inputs = json.loads(notes["notes"].item())["inputs"]
    assert rows[0] == 360  # the panel's rows, counted, and their values' hashes summed
    assert inputs == {"demand_runs": [demand_run], "demand_rows": rows, "breaks_run": breaks_run}
    assert summary["inputs"] == inputs


def test_a_panel_of_levels_whose_series_end_early_is_refused(db, tmp_path):
    """Indeed's GB sectors end in 2024-08, the US ones in 2024-09: imported together as an
    index (--unit), every GB sector was forecast at 0 index points (the models read the
    missing month as no demand). It is refused, naming a series and the common last month;
    a panel of counts reads such a month as 0 (no ads), as documented, and is forecast."""
    from skilltide.errors import UserError
    from skilltide.forecast.warehouse import forecast_warehouse
    from skilltide.ingest.demand import import_demand

    months = pl.date_range(pl.date(2022, 1, 1), pl.date(2024, 9, 1), "1mo", eager=True)
    rows = [
        {"group": g, "skill": s, "month": d.strftime("%Y-%m"), "count": 100.0 + i}
        for g in ("GB", "US")
        for s in ("Accounting", "Sales")
        for i, d in enumerate(months)
        if not (g == "GB" and d == months[-1])
    ]
    path = tmp_path / "index.csv"
    pl.DataFrame(rows).write_csv(path)
    with Warehouse(db) as wh:
        import_demand(wh, path, panel="index", unit="index points")
        import_demand(wh, path, panel="counts")
        with pytest.raises(
            UserError,
            match=r"2 series end before its last month 2024-09 \(first: GB/index:Accounting, "
            r"to 2024-08\).*the missing months as 0 index points.*up to 2024-08",
        ):
            forecast_warehouse(wh, panel="index", granularity="group", model="naive")
        assert wh.query("SELECT count(*) AS n FROM forecasts")["n"][0] == 0
        s = forecast_warehouse(wh, panel="counts", granularity="group", model="naive")
        assert s["series"] == 4


def test_a_panel_of_levels_is_not_read_as_zero_before_a_series_starts(db, tmp_path):
    """An index series that starts 12 months into the panel was read as 0 index points
    before its first month: drift forecast a flat 80 at 80 + 80/23 a month and more. Its
    months before the first are now its first level; a panel of counts keeps its zeros."""
    from skilltide.forecast.warehouse import forecast_warehouse
    from skilltide.ingest.demand import import_demand

    months = pl.date_range(pl.date(2022, 1, 1), pl.date(2023, 12, 1), "1mo", eager=True)
    rows = [
        {"skill": s, "month": d.strftime("%Y-%m"), "count": level}
        for s, start, level in (("Early", 0, 100.0), ("Late", 12, 80.0))
        for d in months[start:]
    ]
    path = tmp_path / "index.csv"
    pl.DataFrame(rows).write_csv(path)
    with Warehouse(db) as wh:
        import_demand(wh, path, panel="index", unit="index points")
        import_demand(wh, path, panel="counts")
        for panel in ("index", "counts"):
            forecast_warehouse(wh, panel=panel, horizon=2, model="drift")
        f = wh.query(
            "SELECT panel, round(yhat, 3) AS yhat FROM forecasts"
            " WHERE skill_id LIKE '%Late' ORDER BY panel, ds"
        )
    assert f.filter(panel="index")["yhat"].to_list() == [80.0, 80.0]
    assert f.filter(panel="counts")["yhat"].to_list() == [83.478, 86.957]  # 80 + k·80/23
