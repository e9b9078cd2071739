"""``skilltide run`` on an imported demand panel: ``panel`` in [breaks], [forecast], [report]."""

from __future__ import annotations

import textwrap

import polars as pl
import pytest

from skilltide.config import load_settings
from skilltide.errors import UserError
from skilltide.pipeline_config import PipelineConfig
from skilltide.store import Warehouse


def _panel(path, months: int, jump_at: int) -> None:
    ds = pl.date_range(pl.date(2020, 1, 1), pl.date(2030, 1, 1), "1mo", eager=True)[:months]
    pl.DataFrame(
        [
            {"skill": s, "month": d.strftime("%Y-%m"), "count": b * (3 if i >= jump_at else 1)}
            for s, b in (("Python", 20), ("SQL", 30))
            for i, d in enumerate(ds)
        ]
    ).write_csv(path)


CONFIG = """\
[warehouse]
db = "w.duckdb"

[breaks]
panel = "hn"

[forecast]
panel = "hn"
horizon = 3
model = "naive"

[report]
panel = "hn"
out = "report.html"
"""


def test_a_run_breaks_forecasts_and_reports_an_imported_panel(tmp_path, cli):
    # every stage read panel 'ads': with only an imported panel, breaks 'done' on 0 series,
    # then the forecast failed ("no demand panel 'ads'"), and no setting could name the panel
    _panel(tmp_path / "hn.csv", 36, jump_at=18)
    (tmp_path / "skilltide.toml").write_text(CONFIG)
    db = tmp_path / "w.duckdb"
    assert cli("ingest", "demand", tmp_path / "hn.csv", "--db", db).exit_code == 0
    config = ["--config", tmp_path / "skilltide.toml"]
    result = cli("run", *config)
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        counts = {
            t: wh.query(f"SELECT count(DISTINCT panel) AS n, count(*) AS r FROM {t}").row(0)
            for t in ("breaks", "forecasts")
        }
        panels = wh.query("SELECT DISTINCT panel FROM forecasts")["panel"].to_list()
    assert counts["breaks"][1] > 0 and counts["forecasts"][1] > 0 and panels == ["hn"]
    assert "hn panel" in (tmp_path / "report.html").read_text()
    assert "skipped" in cli("run", *config).output  # nothing changed: nothing redone
    # a new import of the panel redoes its stages
    _panel(tmp_path / "hn.csv", 40, jump_at=18)
    assert cli("ingest", "demand", tmp_path / "hn.csv", "--db", db).exit_code == 0
    again = cli("run", *config)
    assert again.exit_code == 0 and "forecast:market          done" in again.output
    # a report of an imported panel alone is redone when the panel is imported again
    only_report = CONFIG.split("[breaks]")[0] + "[report]" + CONFIG.split("[report]")[1]
    (tmp_path / "skilltide.toml").write_text(only_report)
    assert "report                   skipped" in cli("run", *config).output
    _panel(tmp_path / "hn.csv", 42, jump_at=18)
    assert cli("ingest", "demand", tmp_path / "hn.csv", "--db", db).exit_code == 0
    assert "report                   done" in cli("run", *config).output
    # `skilltide report` reads [report] panel too
    assert cli("report", *config, "--out", tmp_path / "r2.html").exit_code == 0
    assert "hn panel" in (tmp_path / "r2.html").read_text()


def test_a_named_panel_takes_its_own_granularities(tmp_path):
    # Job-SDF's r1 is no granularity of panel 'ads', but is one of an imported panel
    path = tmp_path / "skilltide.toml"
    path.write_text('[breaks]\npanel = "jobsdf"\ngranularities = ["r1"]\n')
    config = PipelineConfig.from_settings(load_settings(config=path))
    assert (config.breaks_panel, config.breaks_granularities) == ("jobsdf", ("r1",))
    path.write_text('[report]\npanel = "jobsdf"\ngranularity = "r1"\nout = "r.html"\n')
    config = PipelineConfig.from_settings(load_settings(config=path))
    assert (config.report_panel, config.report_granularity) == ("jobsdf", "r1")
    path.write_text('[breaks]\ngranularities = ["r1"]\n')
    with pytest.raises(UserError, match="unknown granularity 'r1'"):
        PipelineConfig.from_settings(load_settings(config=path))
    path.write_text('[forecast]\npanel = ""\n')
    with pytest.raises(UserError, match=r"\[forecast\] panel"):
        PipelineConfig.from_settings(load_settings(config=path))


def test_the_example_config_names_the_panel_setting(tmp_path):
    from skilltide.pipeline_config import write_example_config

    text = write_example_config(tmp_path / "skilltide.toml").read_text()
    assert textwrap.dedent("# panel = ") in text


def test_a_misspelt_panel_fails_its_stage_naming_the_panels(tmp_path, cli):
    _panel(tmp_path / "hn.csv", 24, jump_at=12)
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[breaks]\npanel = "hm"\n'
    )
    assert (
        cli("ingest", "demand", tmp_path / "hn.csv", "--db", tmp_path / "w.duckdb").exit_code == 0
    )
    result = cli("run", "--config", tmp_path / "skilltide.toml")
    assert result.exit_code == 1
    assert "no demand panel 'hm' at granularity 'market'; panels in the warehouse: hn" in (
        result.output
    )
