"""A stored taxonomy derived by older rules (taxonomy.RULES) is rebuilt once after an upgrade:
before, a change of alias rules reached the vocabulary only when an O*NET file changed."""

from __future__ import annotations

import pytest

from skilltide.ingest.ads import ingest_ads
from skilltide.logs import EventLog
from skilltide.onet.load import load_onet
from skilltide.onet.taxonomy import RULES, is_stale
from skilltide.onet.taxonomy_custom import add_taxonomy_csv
from skilltide.pipeline import Pipeline, PipelineConfig, Source
from skilltide.store import Warehouse
from tests.ingest.helpers import add_vocab, small_vocab
from tests.onet._helpers import copy_fixture

ADS = "id,posted_at,text\n1,2024-01-02,A pension scheme and Python\n"


def _as_built_by_older_rules(wh: Warehouse) -> None:
    """The vocabulary as rules 1 derived it: 'Scheme' an ordinary, case-insensitive name."""
    wh.con.execute("UPDATE skill_aliases SET case_sensitive = FALSE")
    wh.con.execute("UPDATE skills SET ambiguous = FALSE")
    wh.con.execute("UPDATE taxonomy_builds SET rules = 1")


def _found(wh: Warehouse) -> list[str]:
    return wh.query("SELECT skill_id FROM ad_skills ORDER BY 1")["skill_id"].to_list()


def _runs(wh: Warehouse, command: str) -> int:
    return wh.query("SELECT count(*) AS n FROM runs WHERE command = ?", [command])["n"][0]


@pytest.fixture
def vocabulary(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("name\nScheme\nPython\n")
    return path


def test_the_next_ingest_rebuilds_a_taxonomy_of_older_rules_before_matching(tmp_path, vocabulary):
    ads = tmp_path / "ads.csv"
    ads.write_text(ADS)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, vocabulary)
        assert wh.query("SELECT rules FROM taxonomy_builds")["rules"].to_list() == [RULES]
        _as_built_by_older_rules(wh)
        assert is_stale(wh.con)
        ingest_ads(wh, [ads])
        # 'pension scheme' is no skill: 'Scheme' is an everyday word again, in capitals only
        assert _found(wh) == ["custom:python"]
        assert not is_stale(wh.con) and _runs(wh, "taxonomy rules") == 1
        ingest_ads(wh, [ads])  # once
        assert _runs(wh, "taxonomy rules") == 1


def test_a_vocabulary_written_without_a_build_is_left_alone(tmp_path):
    ads = tmp_path / "ads.csv"
    ads.write_text("id,posted_at,text\n1,2024-01-02,Python and SQL\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_vocab(wh, *small_vocab())
        ingest_ads(wh, [ads])
        assert _runs(wh, "taxonomy rules") == 0 and not is_stale(wh.con)
        assert _found(wh) == ["custom:python", "custom:sql"]


def test_onet_load_of_unchanged_files_rebuilds_a_taxonomy_of_older_rules(tmp_path):
    folder = copy_fixture(tmp_path)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        load_onet(wh, [folder])
        wh.con.execute("UPDATE taxonomy_builds SET rules = 1")
        again = load_onet(wh, [folder])
        assert again["loaded"] == 0 and again["taxonomy"] is not None
        assert not is_stale(wh.con)
        assert load_onet(wh, [folder])["taxonomy"] is None  # current: kept


def test_skilltide_run_reads_the_files_again_after_a_rebuild(tmp_path, vocabulary):
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(ADS)
    config = PipelineConfig(sources=(Source("jobs", (str(tmp_path / "ads"),)),))
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, vocabulary)

        def ingest_stage() -> str:
            summary = Pipeline(wh, config, EventLog(quiet=True)).run()
            return next(s.status for s in summary.stages if s.stage == "ingest:jobs")

        assert ingest_stage() == "done" and ingest_stage() == "skipped"
        wh.con.execute("UPDATE taxonomy_builds SET rules = 1")  # the same vocabulary
        assert ingest_stage() == "done"  # not skipped: its ingest rebuilt the taxonomy
        assert _runs(wh, "taxonomy rules") == 1 and ingest_stage() == "skipped"
        _as_built_by_older_rules(wh)
        assert ingest_stage() == "done"
        assert _found(wh) == ["custom:python"] and not is_stale(wh.con)


def test_an_upgraded_warehouse_with_a_taxonomy_records_rules_1(tmp_path, vocabulary):
    with Warehouse(tmp_path / "w.duckdb", target_version=17) as wh:
        add_vocab(wh, *small_vocab())
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.query("SELECT rules FROM taxonomy_builds")["rules"].to_list() == [1]
        assert is_stale(wh.con)
    with Warehouse(tmp_path / "empty.duckdb", target_version=17):
        pass
    with Warehouse(tmp_path / "empty.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM taxonomy_builds")["n"][0] == 0
