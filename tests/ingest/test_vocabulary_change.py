"""A skill added to the vocabulary reaches the ads already ingested, not only later ones (else
its demand series would start at the change: a break made by the tool, not the market)."""

from __future__ import annotations

from skilltide.ingest.ads import ingest_ads
from skilltide.logs import EventLog
from skilltide.onet.taxonomy_custom import add_taxonomy_csv
from skilltide.pipeline import Pipeline, PipelineConfig, Source
from skilltide.store import Warehouse


def _skills(wh: Warehouse) -> list[tuple[str, str]]:
    return wh.con.execute(
        "SELECT a.external_id, s.skill_id FROM ad_skills s JOIN ads a USING (ad_id) ORDER BY ALL"
    ).fetchall()


def test_a_new_skill_is_extracted_from_ads_ingested_before_it(tmp_path):
    ads = tmp_path / "ads.csv"
    ads.write_text(
        "id,posted_at,text\n1,2024-01-02,Python and tuition reimbursement\n2,2024-02-02,Python\n"
    )
    vocabulary = tmp_path / "skills.csv"
    vocabulary.write_text("name\nPython\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, vocabulary)
        ingest_ads(wh, [ads])
        again = ingest_ads(wh, [ads])
        assert again["unchanged_files"] == 1  # same file, same vocabulary: skipped
        vocabulary.write_text("name\nPython\nTuition Reimbursement\n")
        add_taxonomy_csv(wh, vocabulary)
        after = ingest_ads(wh, [ads])
        assert after["replaced_files"] == 1
        assert ("1", "custom:tuition-reimbursement") in _skills(wh)
        assert wh.con.execute("SELECT count(*) FROM ads").fetchone()[0] == 2


def test_skilltide_run_reads_the_files_again_when_the_vocabulary_changes(tmp_path):
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("id,posted_at,text\n1,2024-01-02,Python\n")
    vocabulary = tmp_path / "skills.csv"
    vocabulary.write_text("name\nPython\n")
    config = PipelineConfig(sources=(Source("jobs", (str(tmp_path / "ads"),)),))
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, vocabulary)
        stage = next(s for s in Pipeline(wh, config, EventLog(quiet=True)).stages())
        before = stage.fingerprint()
        assert stage.fingerprint() == before
        vocabulary.write_text("name\nPython\nSQL\n")
        add_taxonomy_csv(wh, vocabulary)
        assert stage.fingerprint() != before


def test_an_alias_rule_that_changes_matching_reads_the_files_again(tmp_path):
    """Extraction reads an alias's rule (an ``acronym`` matches only in capitals), so a changed
    rule is a changed vocabulary for ``ingest ads`` and for ``skilltide run``'s ingest stage."""
    (tmp_path / "ads").mkdir()
    ads = tmp_path / "ads" / "a.csv"
    ads.write_text("id,posted_at,text\n1,2024-01-02,Timesheets and tools etc.\n")
    vocabulary = tmp_path / "skills.csv"
    vocabulary.write_text("name,aliases\nElectronic Time Clock,ETC\n")
    config = PipelineConfig(sources=(Source("jobs", (str(tmp_path / "ads"),)),))
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, vocabulary)
        ingest_ads(wh, [ads])
        assert _skills(wh) == [("1", "custom:electronic-time-clock")]  # a user alias: any case
        stage = next(s for s in Pipeline(wh, config, EventLog(quiet=True)).stages())
        before = stage.fingerprint()
        wh.con.execute("UPDATE skill_aliases SET rule = 'acronym' WHERE alias = 'ETC'")
        assert stage.fingerprint() != before
        assert ingest_ads(wh, [ads])["replaced_files"] == 1
        assert _skills(wh) == []
