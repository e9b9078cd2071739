"""The files ``skilltide run`` reads: a source folder's ad files, and files it cannot read
(rejected, the rest of the run proceeding; retried when they or their mapping change)."""

from __future__ import annotations

import pytest

from skilltide.errors import UserError
from skilltide.store import Warehouse
from tests.test_pipeline import _seed_vocabulary


def test_a_rejected_file_is_retried_when_it_or_its_mapping_changes(tmp_path):
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    ads = tmp_path / "ads"
    ads.mkdir()
    (ads / "a.csv").write_text("id,posted_at,title,body\n1,2024-01-05,Analyst,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    _seed_vocabulary(tmp_path / "w.duckdb")

    def run_with(source: str) -> list[str]:
        config.write_text(f'[warehouse]\ndb = "w.duckdb"\n\n[[sources]]\n{source}')
        summary = run_pipeline(load_settings(config=config, quiet=True))
        return [summary.status, *(s.status for s in summary.stages)]

    mapped = 'paths = ["ads"]\nmap = { text = "body" }\n'  # [run, ingest:source1, demand:ads]
    assert run_with('paths = ["ads"]\n') == ["partial", "partial", "done"]  # no column text
    assert run_with(mapped) == ["success", "done", "done"]
    assert run_with(mapped) == ["success", "skipped", "skipped"]
    (ads / "b.csv").write_text("not,a\nvalid,csv,file\n")
    assert run_with(mapped) == ["partial", "partial", "skipped"]
    (ads / "b.csv").write_text("id,posted_at,title,body\n2,2024-01-06,Clerk,Files\n")
    assert run_with(mapped) == ["success", "done", "done"]
    assert run_with(mapped) == ["success", "skipped", "skipped"]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 2
        assert wh.query("SELECT count(*) AS n FROM rejected_files")["n"][0] == 0


def test_a_source_folder_yields_its_ad_files_only(tmp_path):
    from skilltide.pipeline import Source

    for name in ("a.csv", "sub/b.jsonl.gz", "README.md", "notes.txt", ".hidden.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    files = Source("ads", (str(tmp_path),)).files()
    assert files == [tmp_path / "a.csv", tmp_path / "sub" / "b.jsonl.gz"]
    assert Source("ads", (str(tmp_path / "*.md"),)).files() == [tmp_path / "README.md"]
    assert Source("ads", (str(tmp_path / "*.parquet"),)).files() == []
    with pytest.raises(UserError, match=r"source 'ads': .*/adz: no such file or folder"):
        Source("ads", (str(tmp_path / "adz"),)).files()


def test_an_unreadable_file_is_rejected_and_the_rest_proceeds(tmp_path, monkeypatch):
    import skilltide.ingest.ads
    import skilltide.rejected_files
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    def sha256_file(path):  # as chmod 000 does for a non-root user
        if path.name == "b.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    real = skilltide.rejected_files.sha256_file
    monkeypatch.setattr(skilltide.ingest.ads, "sha256_file", sha256_file)
    monkeypatch.setattr(skilltide.rejected_files, "sha256_file", sha256_file)
    (tmp_path / "ads").mkdir()
    for name in ("a.csv", "b.csv"):
        (tmp_path / "ads" / name).write_text(f"posted_at,text\n2024-01-05,{name}\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n\n[[sources]]\npaths = ["ads"]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")
    summary = run_pipeline(load_settings(config=config, quiet=True))
    assert summary.status == "partial"
    assert summary.stages[0].summary["rejected"] == [str(tmp_path / "ads" / "b.csv")]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 1
        reason = wh.query("SELECT reason FROM rejected_files")["reason"][0]
    assert "b.csv: cannot read it (Permission denied)" in reason


def test_unchanged_files_are_no_runs_of_their_own(tmp_path):
    """A new daily file beside stored ones is one `ingest ads` run: before, every unchanged
    file of the source was a run too (200 files: 200 empty runs and ~8 s every night)."""
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    ads = tmp_path / "ads"
    ads.mkdir()
    for day in (5, 6):
        (ads / f"{day}.csv").write_text(f"id,posted_at,text\n{day},2024-01-0{day},Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n\n[[sources]]\npaths = ["ads"]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")

    def runs() -> int:
        with Warehouse(tmp_path / "w.duckdb") as wh:
            return wh.query("SELECT count(*) AS n FROM runs WHERE command = 'ingest ads'")["n"][0]

    run_pipeline(load_settings(config=config, quiet=True))
    assert runs() == 2
    (ads / "7.csv").write_text("id,posted_at,text\n7,2024-02-07,Uses Python and SQL\n")
    summary = run_pipeline(load_settings(config=config, quiet=True))
    assert runs() == 3
    ingest = summary.stages[0].summary
    assert (ingest["files"], ingest["unchanged"], ingest["ads_stored"]) == (3, 2, 1)
    (ads / "5.csv").write_text("id,posted_at,text\n5,2024-01-05,Uses Python\n")  # edited
    (ads / "6.csv").rename(ads / "6b.csv")  # moved: same bytes, old path gone
    run_pipeline(load_settings(config=config, quiet=True))
    assert runs() == 5
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 3
