"""Settings precedence: flags, environment, config file, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from skilltide.config import load_settings
from skilltide.errors import UserError


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SKILLTIDE_DB", raising=False)
    monkeypatch.delenv("SKILLTIDE_CONFIG", raising=False)
    s = load_settings()
    assert s.db == Path("skilltide.duckdb") and s.config_path is None and s.verbosity == 0


def test_flag_beats_environment_beats_config(monkeypatch, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[warehouse]\ndb = "from-config.duckdb"\n[forecast]\nhorizon = 3\n')
    monkeypatch.setenv("SKILLTIDE_DB", "from-env.duckdb")
    assert load_settings(config=config, db="flag.duckdb").db == Path("flag.duckdb")
    assert load_settings(config=config).db == Path("from-env.duckdb")
    monkeypatch.delenv("SKILLTIDE_DB")
    s = load_settings(config=config)
    assert s.db == tmp_path / "from-config.duckdb"  # relative to the config file
    assert s.section("forecast") == {"horizon": 3}


def test_config_from_environment_and_current_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SKILLTIDE_DB", raising=False)
    (tmp_path / "skilltide.toml").write_text('[warehouse]\ndb = "here.duckdb"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SKILLTIDE_CONFIG", raising=False)
    assert load_settings().db.name == "here.duckdb"
    other = tmp_path / "other.toml"
    other.write_text('[warehouse]\ndb = "other.duckdb"\n')
    monkeypatch.setenv("SKILLTIDE_CONFIG", str(other))
    assert load_settings().db.name == "other.duckdb"


def test_quiet_and_verbose():
    assert load_settings(quiet=True).quiet
    assert load_settings(verbose=True).verbose


def test_section_that_is_not_a_table_is_a_user_error(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("forecast = 3\n")
    with pytest.raises(UserError, match=r"\[forecast\] must be a table"):
        load_settings(config=config).section("forecast")


def test_forecast_breaks_setting_is_read_and_checked(tmp_path):
    from skilltide.errors import UserError
    from skilltide.pipeline import PipelineConfig

    config = tmp_path / "skilltide.toml"
    config.write_text('[forecast]\nbreaks = "detect"\n')
    assert PipelineConfig.from_settings(load_settings(config=config)).forecast_breaks == "detect"
    config.write_text("[forecast]\nhorizon = 3\n")
    assert PipelineConfig.from_settings(load_settings(config=config)).forecast_breaks == "stored"
    config.write_text('[forecast]\nbreaks = "sometimes"\n')
    with pytest.raises(UserError, match=r"\[forecast\] breaks must be one of stored"):
        PipelineConfig.from_settings(load_settings(config=config))


def test_warehouse_db_of_the_wrong_type_is_a_user_error(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[warehouse]\ndb = 5\n")
    with pytest.raises(UserError, match=r"c.toml: \[warehouse\] db must be a string"):
        load_settings(config=config)


def test_config_that_is_a_folder_or_not_utf8_is_a_user_error_and_a_bom_is_fine(tmp_path):
    with pytest.raises(UserError, match="is a folder"):
        load_settings(config=tmp_path)
    config = tmp_path / "c.toml"
    config.write_bytes(b'[report]\ntitle = "x"\n[warehouse]\ndb = "\xff"\n')
    with pytest.raises(UserError, match=r"c\.toml, line 4: not valid UTF-8"):
        load_settings(config=config)
    config.write_text('[warehouse]\ndb = "w.duckdb"\n', encoding="utf-8-sig")
    assert load_settings(config=config).db == tmp_path / "w.duckdb"
