"""render_report and ``skilltide report``: files written, sections, notices, size, export."""

from __future__ import annotations

import re

import polars as pl
import pytest

from skilltide.reports import render_report
from skilltide.store import Warehouse
from tests.reports._fixture_data import XSS_SKILL
from tests.reports.conftest import build_warehouse

SECTIONS = ["overview", "explorer", "occupations", "network", "methods"]


def test_full_report_has_every_section_and_chart(full_warehouse, tmp_path):
    with Warehouse(full_warehouse) as wh:
        path = render_report(wh, tmp_path / "out", title="Skills 2025")
    html = path.read_text(encoding="utf-8")
    assert path.name == "report.html"
    assert re.findall(r'<section id="([a-z]+)"', html) == SECTIONS
    ids = re.findall(r' id="([^"]+)"', html.split("<script>")[0])
    assert len(ids) == len(set(ids))  # the explorer's chart had its section's id
    charts = re.findall(r'<div class="chart" id="([a-z-]+)"', html)
    assert charts == [
        "growth",
        "market",
        "skill-history",
        "occupation-profile",
        "workbank-zones",
        "workbank-agency",
        "network-communities",
        "network-exposure",
        "backtests",
    ]
    assert "<title>Skills 2025</title>" in html
    assert "Used under the CC BY 4.0 license" in html and "arXiv:2506.06576" in html
    assert 'class="notice"' not in html  # nothing missing
    assert "each ad counts once" in html and "imported already aggregated" not in html
    # the forecast table's numbers carry their units
    assert "Base level: the mean over the same season a year earlier (" in html
    assert "), in ads a month; forecast: in the forecast month" in html
    # the forecasts in words for the reader; the warehouse's model ids last, in brackets
    forecasts = re.search(r"Forecasts: ([^<]*)", html).group(1)
    assert re.search(
        r"\(Model as named in the warehouse&#x27;s forecasts table: [^)]+\.\)$", forecasts
    )
    assert XSS_SKILL not in html.split("<script>")[0]  # never raw in the markup


def test_tables_speak_to_the_reader(full_warehouse, tmp_path):
    with Warehouse(full_warehouse) as wh:
        html = render_report(wh, tmp_path).read_text(encoding="utf-8")
    heads = set(re.findall(r'<th scope="col">([^<]*)</th>', html))
    assert {"80% interval: low (%)", "Base level (ads a month)", "Started (UTC)"} <= heads
    assert {"Outcomes inside the 80% interval (%)", "Share of series (%)"} <= heads
    assert not heads & {"Lo80 (%)", "Coverage 80", "Share of series", "Started utc"}
    coverage = re.search(r'<table id="interval-coverage">.*?</table>', html, re.S).group(0)
    assert ">78<" in coverage  # 0.78 of outcomes, shown as a percentage
    # the breaks tables say what kind, size, p value and method mean
    assert html.count("Kind: level = a sudden jump or drop") == 2
    assert "bai-perron searches each series" in html
    assert "Scope: market = within a month of a market-wide break" in html  # review 2
    tips = re.search(r'id="spec-growth">(.*?)</script>', html).group(1)
    assert "Base level (ads a month)" in tips  # the tooltips carry the unit too (review 2)
    assert "in the series shown above" not in html  # the table lists every series


def test_the_backtest_table_says_what_its_error_means_and_its_unit(full_warehouse, tmp_path):
    """The table gave 'MAE' per model with no unit and columns headed 1..6 (review 2)."""
    import shutil

    db = shutil.copy(full_warehouse, tmp_path / "mae.duckdb")
    with Warehouse(db) as wh:
        wh.con.execute("DELETE FROM backtests WHERE lower(metric) = 'mase'")  # MAE is shown
        html = render_report(wh, tmp_path / "r").read_text(encoding="utf-8")
    table = html.split("<h3>Backtest accuracy</h3>", 1)[1].split("</table>", 1)[0]
    assert "MAE (mean absolute error) per model (rows), in ads a month, by how many months" in table
    assert "lower is better. MAE is the average size of a miss." in table
    assert ">1 month ahead</th>" in table and ">6 months ahead</th>" in table


def test_the_first_screen_leads_with_key_findings(full_warehouse, tmp_path):
    with Warehouse(full_warehouse) as wh:
        html = render_report(wh, tmp_path).read_text(encoding="utf-8")
    overview = html.split('<section id="overview"', 1)[1]
    findings = re.search(r'<div class="findings"><h3>Key findings</h3><ul>(.*?)</ul>', overview)
    assert findings and overview.index('class="findings"') < overview.index('class="stats"')
    items = re.findall(r"<li>(.*?)</li>", findings.group(1))
    assert len(items) == 3
    assert items[0].startswith("From ") and " the data hold " in items[0]
    assert " expects " in items[1] and "80% interval" in items[1]
    assert items[2].startswith("Market-wide break") and "usually the data" in items[2]
    growth = re.search(r'id="growth".*?<figcaption>(.*?)</figcaption>', overview, re.S)
    assert growth.group(1).startswith("Each dot is a skill&#x27;s forecast change")


def test_models_are_shown_by_readers_names_and_explained_where_first_named(
    full_warehouse, tmp_path
):
    """Legends, tables and captions showed registry names (lgbm, naive, auto) that an
    adviser cannot read (report review 2)."""
    import json

    with Warehouse(full_warehouse) as wh:
        html = render_report(wh, tmp_path).read_text(encoding="utf-8")
    findings = re.search(r"<h3>Key findings</h3><ul>(.*?)</ul>", html).group(1)
    assert "Forecast method: machine-learning model (LightGBM, trained on every" in findings
    spec = re.search(r'<script type="application/json" id="spec-backtests">(.*?)</script>', html)
    legend = {
        row["model"] for rows in json.loads(spec.group(1))["datasets"].values() for row in rows
    }
    assert legend == {
        "Machine-learning model",
        "Exponential smoothing",
        "Last month repeated",
        "Same month last year",
    }
    for table in ("backtest-accuracy", "interval-coverage"):
        body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
        assert ">Last month repeated</td>" in body and ">naive</td>" not in body
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    text = re.sub(r"\(Model as named in the warehouse.*?\)", "", text)  # provenance, on purpose
    assert not re.findall(r"\b(lgbm|naive|seasonal_naive|ets|auto|combination)\b", text)


def test_bare_warehouse_says_what_to_run(bare_warehouse, tmp_path):
    with Warehouse(bare_warehouse) as wh:
        html = render_report(wh, tmp_path).read_text(encoding="utf-8")
    for hint in (
        "skilltide forecast run --granularity market",
        "skilltide breaks detect --granularity market",
        "skilltide graph build",
        "skilltide workbank load DIR",
    ):
        assert hint in html
    assert "forecast backtest" not in html  # it reads a panel file; `forecast run` backtests
    assert re.findall(r'<div class="chart" id="([a-z-]+)"', html) == ["market", "skill-history"]


@pytest.mark.slow
def test_demo_size_report_stays_under_10_mb(tmp_path):
    db = build_warehouse(tmp_path / "big.duckdb", n_skills=150, n_months=48)
    with Warehouse(db) as wh:
        sizes = {
            g: render_report(wh, tmp_path / g, granularity=g).stat().st_size
            for g in ("market", "region", "occupation", "company")
        }
    assert max(sizes.values()) < 10_000_000, sizes


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<svg")])
def test_export_writes_every_chart(full_warehouse, tmp_path, fmt, magic):
    with Warehouse(full_warehouse) as wh:
        render_report(wh, tmp_path, export=fmt)
    files = sorted((tmp_path / "charts").iterdir())
    assert len(files) == 9 and all(f.suffix == f".{fmt}" for f in files)
    assert all(f.read_bytes()[:4] == magic for f in files)
    if fmt == "svg":  # the drop-down's choice is named in a file that has no drop-down
        assert "Skill: " in (tmp_path / "charts" / "skill-history.svg").read_text()


def test_the_report_names_its_warehouse_run_and_charts(full_warehouse, tmp_path):
    """A report (and its exported charts) said which runs it showed but not from which
    warehouse, and the charts nothing at all (found in the traceability QA pass)."""
    import json

    from skilltide.provenance import provenance_path, sha256_file

    with Warehouse(full_warehouse) as wh:
        path = render_report(wh, tmp_path / "r", export="svg", panel="ads")
        newest = wh.query("SELECT run_id FROM runs ORDER BY started DESC LIMIT 1")["run_id"][0]
    record = json.loads(provenance_path(path).read_text())
    assert record["command"] == "skilltide report"
    assert record["output"]["sha256"] == sha256_file(path)
    options = record["options"]
    assert options["db"] == str(full_warehouse.resolve()) and options["last_run"] == newest
    charts = {c["path"]: c["sha256"] for c in options["charts"]}
    assert charts == {str(f): sha256_file(f) for f in (tmp_path / "r" / "charts").iterdir()}
    assert str(full_warehouse.resolve()) in path.read_text(encoding="utf-8")


def test_the_reports_provenance_names_every_run_it_shows(full_warehouse, tmp_path):
    """The record named only the warehouse's newest run; the page shows the rows of a demand,
    a forecast, a breaks and a graph run, which the HTML names but the record did not."""
    import json

    from skilltide.provenance import provenance_path

    with Warehouse(full_warehouse) as wh:
        path = render_report(wh, tmp_path / "r", panel="ads")
        newest = {
            table: wh.query(f"SELECT max(run_id) AS r FROM {table} WHERE panel = 'ads'")["r"][0]
            for table in ("forecasts", "breaks")
        }
        demand = wh.query("SELECT DISTINCT run_id FROM demand WHERE panel = 'ads' ORDER BY 1")
        graph = wh.query("SELECT graph_id, run_id FROM graphs ORDER BY run_id DESC LIMIT 1")
    runs = json.loads(provenance_path(path).read_text())["options"]["runs_read"]
    assert runs["forecast_run"] == newest["forecasts"]
    assert runs["breaks_run"] == newest["breaks"]
    assert runs["demand_runs"] == demand["run_id"].to_list()
    assert runs["graph"] == graph.row(0, named=True)
    assert runs["imported_files"] == []  # the ads' files are named by their ingest runs
    page = path.read_text(encoding="utf-8")
    assert runs["forecast_run"] in page and runs["breaks_run"] in page


def test_cli_writes_the_report(cli, full_warehouse, tmp_path):
    result = cli("report", "--db", full_warehouse, "--out", tmp_path / "r", "--title", "T")
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'r' / 'report.html'}" in result.output
    assert (tmp_path / "r" / "report.html").exists()


def test_an_html_out_is_the_report_file_not_a_folder(cli, full_warehouse, tmp_path):
    out = tmp_path / "q4.html"
    result = cli("report", "--db", full_warehouse, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / ".q4.html.tmp").exists()


def test_an_out_named_like_another_kind_of_file_is_refused(cli, full_warehouse, tmp_path):
    out = tmp_path / "q4.pdf"
    result = cli("report", "--db", full_warehouse, "--out", out)
    assert result.exit_code == 1
    assert "q4.pdf: the report is an HTML page; give a folder or an .html file" in result.output
    assert not out.exists()  # no folder named q4.pdf


def test_a_misspelt_panel_is_refused_naming_the_panels(cli, full_warehouse, tmp_path):
    result = cli("report", "--db", full_warehouse, "--out", tmp_path / "r", "--panel", "adz")
    assert result.exit_code == 1 and "no demand panel 'adz'" in result.output
    assert "panels in the warehouse: ads" in result.output


def test_cli_errors(cli, full_warehouse, tmp_path):
    missing = cli("report", "--db", tmp_path / "none.duckdb", "--out", tmp_path)
    assert missing.exit_code == 1 and "no warehouse here" in missing.output
    bad = cli("report", "--db", full_warehouse, "--out", tmp_path, "--granularity", "planet")
    assert bad.exit_code == 1 and "available: company, market, occupation, region" in bad.output
    usage = cli("report", "--db", full_warehouse, "--out", tmp_path, "--export", "gif")
    assert usage.exit_code == 2


def test_cli_takes_defaults_from_the_config_file(cli, full_warehouse, tmp_path):
    config = tmp_path / "skilltide.toml"
    config.write_text(
        '[report]\nout = "from-config"\ntitle = "Configured title"\ngranularity = "region"\n',
        encoding="utf-8",
    )
    result = cli("report", "--db", full_warehouse, "--config", config)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "from-config" / "report.html").read_text(encoding="utf-8")
    assert "<title>Configured title</title>" in html and "by region" in html


def test_a_full_disk_leaves_the_earlier_report_and_charts_whole(
    cli, full_warehouse, tmp_path, monkeypatch
):
    # Found on a 1.2 MB tmpfs: report --export svg left a truncated occupation-profile.svg
    # beside a new report.html and old charts, with a traceback; a smaller disk left
    # '.report.html.tmp'.
    import errno

    import vl_convert

    out = tmp_path / "r"
    assert cli("report", "--db", full_warehouse, "--out", out, "--export", "svg").exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    drawn = []
    to_svg = vl_convert.vegalite_to_svg

    def fourth_fails(spec, *args, **kwargs):
        drawn.append(spec)
        if len(drawn) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return to_svg(spec, *args, **kwargs)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", fourth_fails)
    result = cli(
        "report", "--db", full_warehouse, "--out", out, "--export", "svg", "--title", "New"
    )
    assert result.exit_code == 1
    assert (
        result.output.strip().splitlines()[-1].endswith("cannot write it (No space left on device)")
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("panel", "granularity"), [("ads", "market"), ("hn", "region")])
def test_what_to_run_hints_are_commands_the_cli_accepts_for_the_reported_panel(
    cli, tmp_path, panel, granularity
):
    """The report said `skilltide forecast backtest --granularity market` (no such option:
    `forecast run` writes the backtests), and `breaks detect` / `forecast run` without the
    --panel and --granularity of the report, which fill another panel's tables."""
    import shlex

    from skilltide.reports.network_data import how_to

    hints = how_to(panel, granularity)
    for key in ("forecasts", "backtests", "breaks"):
        assert f"--granularity {granularity}" in hints[key]
        assert (f"--panel {panel}" in hints[key]) == (panel != "ads")
        args = shlex.split(re.search(r"`skilltide ([^`]+)`", hints[key]).group(1))
        # on a missing warehouse: exit 1 once the options parse, 2 for a usage error
        assert cli(*args, "--db", tmp_path / "none.duckdb").exit_code == 1, hints[key]


def test_the_job_ad_sources_table_is_shown_for_the_ads_panel_only(cli, db, tmp_path):
    """A report of an imported panel (Job-SDF, HN terms) listed the warehouse's job-ad sources
    as if its counts came from them."""
    from skilltide.reports.methods_data import load_methods
    from skilltide.store import Warehouse

    ads = tmp_path / "ads.csv"
    ads.write_text("id,posted_at,title,text\n1,2023-03-05,Analyst,Uses SQL\n")
    assert cli("ingest", "ads", ads, "--source", "boards", "--db", db).exit_code == 0
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    wide = pl.DataFrame({"region_id": ["1"], "skill_id": ["10"]} | {m: [1.0] for m in months})
    wide.write_parquet(tmp_path / "region.parquet")
    args = ("ingest", "demand", tmp_path / "region.parquet", "--panel", "wide", "--db", db)
    assert cli(*args).exit_code == 0
    with Warehouse(db) as wh:
        assert load_methods(wh, panel="ads").sources["source"].to_list() == ["boards"]
        assert load_methods(wh, panel="wide", granularity="region").sources.height == 0
    out = tmp_path / "r"
    report = ("report", "--db", db, "--out", out, "--panel", "wide", "--granularity", "region")
    result = cli(*report)
    assert result.exit_code == 0, result.output
    assert "Job-ad sources" not in (out / "report.html").read_text()
