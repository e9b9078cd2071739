"""``skilltide forecast panel|backtest``: output shape, cutoff isolation, refusals."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl

from skilltide import __version__
from tests.forecast._panels import known_panel


def _write(frame: pl.DataFrame, path):
    frame.write_csv(path)
    return path


def test_forecast_panel_shape_and_columns(cli, tmp_path):
    frame = known_panel(copies=2)
    src = _write(frame, tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    result = cli(
        "forecast",
        "panel",
        src,
        "--horizon",
        3,
        "--cutoffs",
        "2022-06,2022-09",
        "--model",
        "window_average",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    got = pl.read_csv(out, try_parse_dates=True)
    assert got.columns == [
        "unique_id",
        "cutoff",
        "ds",
        "model",
        "yhat",
        "lo_80",
        "hi_80",
        "lo_95",
        "hi_95",
    ]
    n = frame["unique_id"].n_unique()
    assert got.height == n * 3 * 2
    first = got.filter(pl.col("cutoff") == date(2022, 6, 1))
    assert sorted(first["ds"].unique()) == [date(2022, 7, 1), date(2022, 8, 1), date(2022, 9, 1)]
    assert got["lo_80"].null_count() == 0


def test_cutoff_isolation_poison_after_cutoff_changes_nothing(cli, tmp_path):
    frame = known_panel(copies=3)
    poisoned = frame.with_columns(
        y=pl.when(pl.col("ds") > date(2022, 6, 1)).then(pl.lit(1e6)).otherwise(pl.col("y"))
    )
    outs = []
    for name, f in (("clean", frame), ("poison", poisoned)):
        src = _write(f, tmp_path / f"{name}.csv")
        out = tmp_path / f"{name}_out.csv"
        result = cli(
            "forecast",
            "panel",
            src,
            "--horizon",
            2,
            "--cutoffs",
            "2022-06",
            "--model",
            "auto",
            "--out",
            out,
        )
        assert result.exit_code == 0, result.output
        outs.append(pl.read_csv(out).sort("unique_id", "ds"))
    assert outs[0].equals(outs[1])
    assert outs[0]["yhat"].max() < 1e4


def test_cutoff_isolation_series_that_start_later_change_nothing(cli, tmp_path):
    frame = known_panel(copies=2)
    later = pl.DataFrame(
        {"unique_id": "new/skill", "ds": [date(2022, m, 1) for m in (9, 10, 11, 12)], "y": 30.0}
    )
    outs = []
    for name, f in (("without", frame), ("with", pl.concat([frame, later]))):
        src = _write(f, tmp_path / f"{name}.csv")
        out = tmp_path / f"{name}_out.csv"
        result = cli("forecast", "panel", src, "--horizon", 2, "--cutoffs", "2022-06", "--out", out)
        assert result.exit_code == 0, result.output
        outs.append(pl.read_csv(out).sort("unique_id", "ds"))
    # unknown at the cutoff: neither forecast there nor pooled into the others' intervals
    assert outs[0].equals(outs[1])


def test_a_repeated_cutoff_gives_one_block(cli, tmp_path):
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    cutoffs = ("--cutoffs", "2022-09,2022-06,2022-09")
    result = cli("forecast", "panel", src, "--horizon", 1, "-m", "naive", *cutoffs, "--out", out)
    assert result.exit_code == 0, result.output
    got = pl.read_csv(out, try_parse_dates=True)
    assert got["cutoff"].unique(maintain_order=True).to_list() == [
        date(2022, 6, 1),
        date(2022, 9, 1),
    ]
    assert not got.select("unique_id", "cutoff", "ds").is_duplicated().any()


def test_default_cutoff_is_last_month(cli, tmp_path):
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    out = tmp_path / "out.parquet"
    result = cli("forecast", "panel", src, "--horizon", 2, "--model", "naive", "--out", out)
    assert result.exit_code == 0, result.output
    got = pl.read_parquet(out)
    assert got["cutoff"].unique().to_list() == [date(2022, 12, 1)]


def test_bad_inputs_refused(cli, tmp_path):
    frame = known_panel(copies=1)
    src = _write(frame, tmp_path / "in.csv")
    bad_model = cli("forecast", "panel", src, "--model", "nope", "--out", tmp_path / "o.csv")
    assert bad_model.exit_code == 1 and "unknown model" in bad_model.output
    bad_cut = cli("forecast", "panel", src, "--cutoffs", "2031-01", "--out", tmp_path / "o.csv")
    assert bad_cut.exit_code == 1 and "2031-01" in bad_cut.output
    dup = _write(pl.concat([frame, frame.head(1)]), tmp_path / "dup.csv")
    res = cli("forecast", "panel", dup, "--model", "naive", "--out", tmp_path / "o.csv")
    assert res.exit_code == 1 and "dup" in res.output.lower()
    missing = cli("forecast", "panel", tmp_path / "none.csv", "--out", tmp_path / "o.csv")
    assert missing.exit_code == 1


def test_forecast_backtest_prints_metrics(cli, tmp_path):
    src = _write(known_panel(copies=2), tmp_path / "in.csv")
    out = tmp_path / "m.csv"
    result = cli(
        "forecast",
        "backtest",
        src,
        "--horizon",
        2,
        "--models",
        "naive,drift",
        "--windows",
        3,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    metrics = pl.read_csv(out)
    assert set(metrics["model"]) == {"naive", "drift"}
    assert {"all", "low_volume", "intermittent"} <= set(metrics["scenario"])
    naive_trend_free = metrics.filter(
        pl.col("metric") == "mae", pl.col("horizon") == 0, pl.col("scenario") == "all"
    )
    assert naive_trend_free.height == 2
    assert np.isfinite(naive_trend_free["value"].to_numpy()).all()


def test_unwritable_out_refused_before_any_work(cli, tmp_path):
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    for command in ("panel", "backtest"):
        gone = tmp_path / "no" / "such" / "f.csv"
        result = cli("forecast", command, src, "--out", gone)
        assert result.exit_code == 1
        assert f"folder {gone.parent} does not exist" in result.output
        txt = cli("forecast", command, src, "--out", tmp_path / "f.txt")
        assert txt.exit_code == 1 and "must end in .csv or .parquet" in txt.output


def test_own_column_names_as_the_missing_column_error_suggests(cli, tmp_path):
    frame = known_panel(copies=1).rename({"unique_id": "term", "ds": "month", "y": "count"})
    src = _write(frame, tmp_path / "in.csv")
    plain = cli("forecast", "panel", src, "--out", tmp_path / "o.csv")
    assert plain.exit_code == 1 and "--id-col/--ds-col/--y-col" in plain.output
    names = ("--id-col", "term", "--ds-col", "month", "--y-col", "count")
    out = tmp_path / "f.csv"
    result = cli("forecast", "panel", src, *names, "-m", "naive", "--horizon", 2, "--out", out)
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out)["unique_id"].n_unique() == frame["term"].n_unique()
    result = cli("forecast", "backtest", src, *names, "--models", "naive", "--horizon", 2)
    assert result.exit_code == 0, result.output


def test_a_warehouse_panel_without_totals_runs_to_the_panel_end(tmp_path):
    from skilltide.forecast.panel import warehouse_panel
    from skilltide.ingest.demand import import_demand
    from skilltide.store import Warehouse

    src = tmp_path / "terms.csv"
    rows = [f"python,2020-{m:02d},5" for m in range(1, 7)] + ["cobol,2020-01,2", "cobol,2020-02,1"]
    src.write_text("skill,month,count\n" + "\n".join(rows) + "\n")
    wh = Warehouse(tmp_path / "w.duckdb")
    import_demand(wh, src, panel="hn")
    cobol = warehouse_panel(wh, "hn").filter(pl.col("skill_id").str.contains("cobol"))
    assert cobol["y"].to_list() == [2.0, 1.0, 0.0, 0.0, 0.0, 0.0]


def test_a_misspelt_warehouse_panel_is_refused_naming_the_panels(cli, tmp_path):
    src = tmp_path / "terms.csv"
    src.write_text(
        "skill,month,count\n" + "".join(f"python,2020-{m:02d},5\n" for m in range(1, 13))
    )
    db = tmp_path / "w.duckdb"
    assert cli("ingest", "demand", src, "--panel", "hn", "--db", db).exit_code == 0
    for command in (("breaks", "detect"), ("forecast", "run")):
        result = cli(*command, "--panel", "nh", "--db", db)
        assert result.exit_code == 1, result.output
        assert "no demand panel 'nh' at granularity 'market'" in result.output
        assert "panels in the warehouse: hn (market)" in result.output


def test_forecasts_without_intervals_are_announced(cli, tmp_path):
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    out = tmp_path / "f.csv"
    cutoffs = ("--cutoffs", "2020-02,2022-06")
    result = cli("forecast", "panel", src, "--horizon", 2, "-m", "naive", *cutoffs, "--out", out)
    assert result.exit_code == 0, result.output
    assert "no prediction intervals (lo_*/hi_* empty) for cutoff(s) 2020-02:" in result.output
    got = pl.read_csv(out)
    assert got.filter(pl.col("cutoff") == "2020-02-01")["lo_80"].null_count() == 5 * 2
    assert got.filter(pl.col("cutoff") == "2022-06-01")["lo_80"].null_count() == 0


def test_output_files_carry_their_provenance(cli, tmp_path):
    import hashlib

    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    out = tmp_path / "f.csv"
    result = cli("forecast", "panel", src, "-m", "naive", "--horizon", 2, "--out", out)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "f.csv.provenance.json").read_text())
    assert record["command"] == "skilltide forecast panel"
    assert record["options"]["model"] == "naive" and record["options"]["horizon"] == 2
    assert record["inputs"][0]["path"] == str(src.resolve())
    assert record["inputs"][0]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert record["output"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    # README: "the skilltide version, and the path, size and sha256 of every input and of
    # the file itself"
    assert record["inputs"][0]["bytes"] == src.stat().st_size
    assert record["output"]["bytes"] == out.stat().st_size
    assert record["output"]["path"] == str(out.resolve())
    assert record["skilltide_version"] == __version__
    breaks = tmp_path / "b.csv"
    assert cli("breaks", "detect", src, "--out", breaks).exit_code == 0
    record = json.loads((tmp_path / "b.csv.provenance.json").read_text())
    assert record["command"] == "skilltide breaks detect"
    assert record["options"]["method"] == "auto" and len(record["inputs"]) == 1
    assert "granularity" not in record["options"]  # warehouse-only options do not apply
    metrics = tmp_path / "m.csv"
    assert cli("forecast", "backtest", src, "--models", "naive", "--out", metrics).exit_code == 0
    record = json.loads((tmp_path / "m.csv.provenance.json").read_text())
    assert record["options"]["models"] == "naive" and record["options"]["windows"] == 4


def test_negative_demand_is_refused_naming_the_series_and_month(cli, tmp_path):
    src = tmp_path / "neg.csv"
    src.write_text("unique_id,ds,y\n" + "".join(f"a,2020-{m:02d},{5 - m}\n" for m in range(1, 9)))
    result = cli(
        "forecast", "panel", src, "-m", "naive", "--horizon", 1, "--out", tmp_path / "f.csv"
    )
    assert result.exit_code == 1
    assert "neg.csv: series 'a' has y = -1.0 in 2020-06 (3 negative value(s))" in result.output
    backtest = cli("forecast", "backtest", src, "--models", "naive", "--horizon", 1)
    assert backtest.exit_code == 1 and "cannot be negative" in backtest.output


def test_forecast_run_out_writes_the_runs_forecasts_with_provenance(cli, db, tmp_path):
    from skilltide.store import Warehouse
    from tests.forecast.test_warehouse import _load_demand

    with Warehouse(db) as wh:
        _load_demand(wh)
    out = tmp_path / "fc.csv"
    result = cli(
        "forecast", "run", "--db", db, "--horizon", 2, "-m", "naive", "--out", out, "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    written = pl.read_csv(out, try_parse_dates=True)
    with Warehouse(db) as wh:
        stored = wh.query("SELECT * FROM forecasts WHERE run_id = ?", [summary["run_id"]])
    assert written.height == stored.height == summary["forecasts"] == 20
    assert {"unique_id", "group_id", "skill_id", "cutoff", "ds", "yhat", "lo_80"} <= set(
        written.columns
    )
    record = json.loads((tmp_path / "fc.csv.provenance.json").read_text())
    assert record["command"] == "skilltide forecast run"
    assert record["options"]["run_id"] == summary["run_id"] and record["options"]["horizon"] == 2
    # an output that cannot be written is refused before the run
    bad = cli("forecast", "run", "--db", db, "--out", tmp_path / "fc.txt")
    assert bad.exit_code == 1 and "must end in .csv or .parquet" in bad.output
    (tmp_path / "folder.csv").mkdir()
    bad = cli("forecast", "run", "--db", db, "--out", tmp_path / "folder.csv")
    assert bad.exit_code == 1 and "is a folder" in bad.output
    with Warehouse(db) as wh:
        runs = wh.query("SELECT count(*) AS n FROM runs WHERE command = 'forecast run'")
    assert runs["n"].item() == 1


def test_forecast_run_says_which_months_it_forecast_and_how_its_backtest_did(cli, db):
    # it printed only "run …: 1566 forecasts for 261 series (auto)"; the months and the
    # backtest were in --json alone
    from skilltide.store import Warehouse
    from tests.forecast.test_warehouse import _load_demand

    with Warehouse(db) as wh:
        _load_demand(wh)
        last = wh.query("SELECT strftime(max(month), '%Y-%m') AS m FROM demand")["m"][0]
    result = cli("forecast", "run", "--db", db, "--horizon", 2, "-m", "naive")
    assert result.exit_code == 0, result.output
    months = pl.Series([f"{last}-01"]).str.to_date()
    first, end = (months.dt.offset_by(f"{k}mo").dt.strftime("%Y-%m")[0] for k in (1, 2))
    assert f"(naive), {first} to {end} from data to {last}" in result.output
    assert "backtest: mean absolute error" in result.output


def test_forecast_run_shows_a_backtest_coverage_of_none(cli, db, monkeypatch):
    # 0% (no 80% interval held its outcome) was left out of the line as if not measured
    import skilltide.forecast.warehouse as module
    from skilltide.store import Warehouse
    from tests.forecast.test_warehouse import _load_demand

    real = module.forecast_warehouse

    def never_held(*args, **kwargs):
        summary = real(*args, **kwargs)
        summary["backtest"]["coverage_80"] = 0.0
        return summary

    monkeypatch.setattr(module, "forecast_warehouse", never_held)
    with Warehouse(db) as wh:
        _load_demand(wh)
    result = cli("forecast", "run", "--db", db, "--horizon", 2, "-m", "naive")
    assert result.exit_code == 0, result.output
    assert "80% intervals held the outcome 0% of the time" in result.output


def test_quiet_keeps_the_results_of_backtest_and_breaks_without_out(cli, tmp_path):
    """-q prints only results; without --out the table and the breaks are the results."""
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    backtest = cli("forecast", "backtest", src, "--horizon", 2, "--models", "naive,drift", "-q")
    assert backtest.exit_code == 0, backtest.output
    lines = backtest.output.splitlines()
    assert lines[1].split() == ["model", "mae", "rmse", "smape", "smape_jobsdf", "rrmse_jobsdf"]
    assert [line.split()[0] for line in lines[2:]] == ["naive", "drift"]
    assert "shape:" not in backtest.output  # a table for people, not a polars repr
    breaks = cli("breaks", "detect", src, "-q")
    assert breaks.exit_code == 0, breaks.output
    assert breaks.output.startswith("unique_id,break_ds,kind,size")


def test_a_mistyped_db_is_refused_without_creating_a_warehouse(cli, tmp_path):
    typo = tmp_path / "skiltide.duckdb"
    for command in (("forecast", "run"), ("breaks", "detect")):
        result = cli(*command, "--panel", "hn", "--db", typo)
        assert result.exit_code == 1, result.output
        assert "skiltide.duckdb: no warehouse here" in result.output
        assert not typo.exists()


def test_a_month_missing_from_every_series_is_not_called_zero_demand(cli, tmp_path):
    """Hacker News has no 2011-07 thread: the hint to --fill 0 would invent a month
    without ads; say the source lacks the month."""
    src = tmp_path / "hn.csv"
    months = [f"2011-{m:02d}" for m in range(1, 13) if m != 7]
    src.write_text(
        "unique_id,ds,y\n" + "".join(f"{s},{m},{i}\n" for s in "ab" for i, m in enumerate(months))
    )
    refused = cli("forecast", "panel", src, "--out", tmp_path / "f.csv")
    assert refused.exit_code == 1
    assert "hn.csv: no series has a row for 2011-07: a month the source lacks" in refused.output


def test_workdays_refuse_a_panel_of_shares(cli, tmp_path):
    """Shares (Job-SDF proportions) are not counts: per working day they mean nothing."""
    src = tmp_path / "shares.csv"
    months = [f"2020-{m:02d}" for m in range(1, 13)]
    src.write_text(
        "unique_id,ds,y\n" + "".join(f"a,{m},0.{i + 10}\n" for i, m in enumerate(months))
    )
    args = ("--horizon", 1, "--workdays", "US")
    refused = cli("forecast", "panel", src, *args, "-m", "naive", "--out", tmp_path / "f.csv")
    assert refused.exit_code == 1
    assert "shares.csv: --workdays divides counts" in refused.output
    backtest = cli("forecast", "backtest", src, *args, "--models", "naive")
    assert backtest.exit_code == 1 and "values are shares" in backtest.output
    plain = cli(
        "forecast", "panel", src, "--horizon", 1, "-m", "naive", "--out", tmp_path / "g.csv"
    )
    assert plain.exit_code == 0, plain.output
