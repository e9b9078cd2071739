"""``skilltide forecast panel``'s files: months missing in its input are refused unless
filled, and the default output ``forecasts.csv`` is not overwritten unless ``--force``."""

from __future__ import annotations

import polars as pl

from tests.forecast._panels import known_panel


def test_missing_months_refused_unless_filled_explicitly(cli, tmp_path):
    src = tmp_path / "gap.csv"
    src.write_text("unique_id,ds,y\na,2020-01,1\na,2020-02,2\na,2020-04,3\na,2020-05,4\n")
    out = tmp_path / "f.csv"
    common = ("forecast", "panel", src, "-m", "naive", "--horizon", 1, "--cutoffs", "2020-03")
    refused = cli(*common, "--out", out)
    assert refused.exit_code == 1
    assert "gap.csv: series 'a' has no row for 2020-03" in refused.output
    assert "--fill" in refused.output and not out.exists()
    filled = cli(*common, "--fill", 7, "--out", out)
    assert filled.exit_code == 0, filled.output
    assert pl.read_csv(out)["yhat"].to_list() == [7.0]
    backtest = cli("forecast", "backtest", src, "--models", "naive", "--horizon", 1)
    assert backtest.exit_code == 1 and "has no row for 2020-03" in backtest.output


def test_a_series_that_ends_early_is_refused_unless_filled_to_the_panel_end(cli, tmp_path):
    src = tmp_path / "ends.csv"
    a = "".join(f"a,2020-{m:02d},{m}\n" for m in range(1, 7))
    b = "".join(f"b,2020-{m:02d},9\n" for m in range(1, 5))  # no rows for 2020-05, 06
    src.write_text("unique_id,ds,y\n" + a + b)
    out = tmp_path / "f.csv"
    common = ("forecast", "panel", src, "-m", "naive", "--horizon", 1)
    refused = cli(*common, "--out", out)
    assert refused.exit_code == 1 and not out.exists()
    assert "ends.csv: series 'b' has no row for 2020-05" in refused.output
    assert "up to the panel's last month 2020-06" in refused.output
    filled = cli(*common, "--fill", 0, "--out", out)
    assert filled.exit_code == 0, filled.output
    forecasts = pl.read_csv(out).sort("unique_id")
    assert forecasts["ds"].to_list() == ["2020-07-01"] * 2
    assert forecasts["yhat"].to_list() == [6.0, 0.0]  # b's last value is the filled 0


def test_default_out_is_not_overwritten_unless_forced(cli, tmp_path, monkeypatch):
    """Without --out, forecast panel writes forecasts.csv: a second run silently replaced
    the first's (and any forecasts.csv the folder held); now it refuses unless --force."""
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "in.csv"
    known_panel(copies=1).write_csv(src)
    common = ("forecast", "panel", src, "--horizon", 1, "--model", "naive")
    assert cli(*common).exit_code == 0
    first = (tmp_path / "forecasts.csv").read_bytes()
    series = pl.read_csv(tmp_path / "forecasts.csv").height  # one month each
    refused = cli(*common, "--horizon", 2)
    assert refused.exit_code == 1
    assert "forecasts.csv: already exists (use --force to overwrite" in refused.output
    assert (tmp_path / "forecasts.csv").read_bytes() == first
    assert cli(*common, "--horizon", 2, "--force").exit_code == 0
    assert pl.read_csv(tmp_path / "forecasts.csv").height == 2 * series  # two months
    # a file named with --out is replaced, as by every --out
    assert cli(*common, "--out", "forecasts.csv").exit_code == 0
    assert pl.read_csv(tmp_path / "forecasts.csv").height == series
