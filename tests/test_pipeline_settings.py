"""What makes ``skilltide run`` redo a stage: the forecast's break setting and stored breaks,
and the title coder's re-ranker setting (without running the pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

from skilltide.forecast.breaks_store import detect_breaks_warehouse
from skilltide.logs import EventLog
from skilltide.onet.coder_refresh import stored_coder_params
from skilltide.pipeline import Pipeline, PipelineConfig
from skilltide.store import Warehouse
from tests.forecast.test_breaks_store import seed_demand


def _fingerprint(wh: Warehouse, name: str, **config) -> str:
    stages = Pipeline(wh, PipelineConfig(**config), EventLog(quiet=True)).stages()
    return next(s for s in stages if s.name == name).fingerprint()


def test_forecast_is_redone_when_its_breaks_setting_or_the_stored_breaks_change(db):
    config = {"forecast_granularities": ("region",)}
    with Warehouse(db) as wh:
        seed_demand(wh)
        stored = _fingerprint(wh, "forecast:region", **config)
        none = _fingerprint(wh, "forecast:region", forecast_breaks="none", **config)
        detect = _fingerprint(wh, "forecast:region", forecast_breaks="detect", **config)
        assert len({stored, none, detect}) == 3
        assert _fingerprint(wh, "forecast:region", **config) == stored  # nothing changed
        detect_breaks_warehouse(wh, "ads", "region")  # new stored breaks
        assert _fingerprint(wh, "forecast:region", **config) != stored
        assert _fingerprint(wh, "forecast:region", forecast_breaks="none", **config) == none


def test_forecast_is_redone_when_its_horizon_model_or_workdays_change(db):
    config = {"forecast_granularities": ("region",)}
    with Warehouse(db) as wh:
        seed_demand(wh)
        fingerprints = [
            _fingerprint(wh, "forecast:region", **config),
            _fingerprint(wh, "forecast:region", horizon=3, **config),
            _fingerprint(wh, "forecast:region", model="naive", **config),
            _fingerprint(wh, "forecast:region", workdays="US", **config),
        ]
        assert len(set(fingerprints)) == 4
        assert _fingerprint(wh, "forecast:region", **config) == fingerprints[0]


def test_coder_rerank_setting_redoes_the_onet_stage_and_defaults_to_the_stored_coder(db, tmp_path):
    dirs = (tmp_path,)
    with Warehouse(db) as wh:
        default = _fingerprint(wh, "onet", onet_dirs=dirs)
        assert _fingerprint(wh, "onet", onet_dirs=dirs, coder_rerank=True) != default
        assert stored_coder_params(wh) is None  # no coder stored yet
        wh.con.execute(
            "INSERT INTO title_coders VALUES ('30.1', 'h', 3, 1, 1, 1, ?, '{}', ''::BLOB,"
            " current_timestamp, 'r')",
            [json.dumps({"rerank": True, "linear": 2.0})],
        )
        assert stored_coder_params(wh) == {"rerank": True, "linear": 2.0}


def test_a_run_rebuilds_the_coder_with_the_stored_linear_and_rerank_settings(db, monkeypatch):
    import skilltide.onet.coder as coder_module
    import skilltide.onet.load as load_module

    built = []
    monkeypatch.setattr(load_module, "load_onet", lambda wh, dirs: {"files": []})
    monkeypatch.setattr(coder_module, "source_release", lambda wh: "30.1")  # titles loaded
    monkeypatch.setattr(coder_module, "build_coder", lambda wh, params: built.append(params))
    with Warehouse(db) as wh:
        wh.con.execute(
            "INSERT INTO title_coders VALUES ('30.1', 'h', 4, 1, 1, 1, ?, '{}', ''::BLOB,"
            " current_timestamp, 'r')",
            [json.dumps({"rerank": True, "linear": 2.0})],
        )
        Pipeline(wh, PipelineConfig(onet_dirs=(Path("onet"),)), EventLog(quiet=True))._onet()
    assert [(p.rerank, p.linear) for p in built] == [(True, 2.0)]


def test_an_excel_only_onet_release_is_loaded_without_building_a_coder(db, monkeypatch):
    # [onet] dirs = ["…/29.3"]: Skills.xlsx and Knowledge.xlsx, no occupation titles
    import skilltide.onet.coder as coder_module
    import skilltide.onet.load as load_module

    built = []
    monkeypatch.setattr(load_module, "load_onet", lambda wh, dirs: {"loaded": 2})
    monkeypatch.setattr(coder_module, "build_coder", lambda wh, params: built.append(params))
    with Warehouse(db) as wh:
        pipeline = Pipeline(wh, PipelineConfig(onet_dirs=(Path("29.3"),)), EventLog(quiet=True))
        summary = pipeline._onet()
    assert built == [] and summary["coder"].startswith("not built: no O*NET occupation titles")


def test_forecast_is_redone_when_the_ensemble_settings_change(db):
    config = {"forecast_granularities": ("region",), "model": "ensemble"}
    with Warehouse(db) as wh:
        seed_demand(wh)
        default = _fingerprint(wh, "forecast:region", **config)
        two = {"members": ("naive", "window_average")}
        members = _fingerprint(wh, "forecast:region", forecast_params=two, **config)
        fixed = {**two, "weights": [0.5, 0.5]}
        weights = _fingerprint(wh, "forecast:region", forecast_params=fixed, **config)
        assert len({default, members, weights}) == 3


def test_file_fingerprints_do_not_depend_on_how_the_config_path_is_written(tmp_path, monkeypatch):
    from skilltide.config import load_settings

    project = tmp_path / "project"
    (project / "ads").mkdir(parents=True)
    (project / "ads" / "a.csv").write_text("id,posted_at,text\n1,2024-01-02,Python\n")
    (project / "skills.csv").write_text("name\nPython\n")
    (project / "skilltide.toml").write_text(
        '[[sources]]\nname = "jobs"\npaths = ["ads"]\n[taxonomy]\nfiles = ["skills.csv"]\n'
    )

    def fingerprints(config: str) -> dict[str, str]:
        settings = load_settings(config=config)
        with Warehouse(tmp_path / "w.duckdb") as wh:
            pipeline = Pipeline(wh, PipelineConfig.from_settings(settings), EventLog(quiet=True))
            return {s.name: s.fingerprint() for s in pipeline.stages() if s.name != "demand:ads"}

    absolute = fingerprints(str(project / "skilltide.toml"))
    monkeypatch.chdir(tmp_path)
    assert fingerprints("project/skilltide.toml") == absolute
    monkeypatch.chdir(project)
    assert fingerprints("skilltide.toml") == absolute
    assert set(absolute) == {"taxonomy", "ingest:jobs"}


def test_a_report_written_to_an_html_file_counts_as_built(db, tmp_path):
    # [report] out = "out/skills.html": rendered once, then skipped like a report folder
    for out, page in (("out/skills.html", "out/skills.html"), ("report", "report/report.html")):
        config = PipelineConfig(report_out=tmp_path / out)
        with Warehouse(db) as wh:
            stage = Pipeline(wh, config, EventLog(quiet=True)).stages()[-1]
            assert stage.name == "report" and not stage.built()
            (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / page).write_text("<html></html>")
            assert stage.built()
