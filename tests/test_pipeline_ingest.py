"""``skilltide run``'s ingest: a skipped source is redone when future-dated rows come due;
the demand panel 'ads' is built once per run, whatever the number of files and sources."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from skilltide.store import Warehouse
from tests.test_pipeline import _seed_vocabulary


def _run(tmp_path: Path) -> dict[str, str]:
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    summary = run_pipeline(load_settings(config=tmp_path / "skilltide.toml", quiet=True))
    return {"run": summary.status, **{s.stage: s.status for s in summary.stages}}


def _count(db: Path, table: str) -> int:
    with Warehouse(db) as wh:
        return wh.query(f"SELECT count(*) AS n FROM {table}")["n"][0]


def test_a_future_dated_row_is_ingested_by_the_first_run_after_its_date(tmp_path, monkeypatch):
    import skilltide.ingest.manifest as manifest

    clock = {"now": dt.datetime(2025, 6, 1)}
    monkeypatch.setattr(manifest, "utc_now", lambda: clock["now"])
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(
        "posted_at,text\n2025-05-20,Uses SQL\n2025-08-15,Uses SQL daily\n"
    )
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n'
    )
    db = tmp_path / "w.duckdb"
    _seed_vocabulary(db)
    # one row quarantined: partial
    assert _run(tmp_path) == {"run": "partial", "ingest:jobs": "partial", "demand:ads": "done"}
    assert (_count(db, "ads"), _count(db, "quarantine")) == (1, 1)
    clock["now"] = dt.datetime(2025, 7, 1)
    skipped = {"run": "success", "ingest:jobs": "skipped", "demand:ads": "skipped"}
    assert _run(tmp_path) == skipped
    clock["now"] = dt.datetime(2025, 9, 1)
    assert _run(tmp_path) == {"run": "success", "ingest:jobs": "done", "demand:ads": "done"}
    assert (_count(db, "ads"), _count(db, "quarantine")) == (2, 0)
    assert _run(tmp_path) == skipped


def _panel(db: Path) -> list[tuple]:
    with Warehouse(db) as wh:
        demand = wh.query("SELECT * EXCLUDE (run_id) FROM demand ORDER BY ALL").rows()
        totals = wh.query("SELECT * EXCLUDE (run_id) FROM demand_totals ORDER BY ALL").rows()
    return demand + totals


def test_the_ads_panel_is_built_once_per_run_and_equals_a_one_run_ingest(tmp_path, monkeypatch):
    import skilltide.ingest.ads as ads
    from skilltide.ingest.ads import ingest_ads
    from tests.ingest.helpers import add_vocab, generate_ads, small_vocab

    builds = []
    real = ads.refresh_ads_panel

    def counted(con, run_id):
        builds.append(run_id)
        return real(con, run_id)

    monkeypatch.setattr(ads, "refresh_ads_panel", counted)
    frame, _ = generate_ads(80, ["Python", "SQL", "Excel", "Docker"], seed=1, max_bytes=1500)
    for i, source in enumerate(("a", "a", "b", "b", "b")):  # five files in two sources
        (tmp_path / source).mkdir(exist_ok=True)
        frame.slice(16 * i, 16).write_csv(tmp_path / source / f"part{i}.csv")
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "a"\npaths = ["a"]\n'
        '[[sources]]\nname = "b"\npaths = ["b"]\n'
    )
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    stages = {"ingest:a": "done", "ingest:b": "done", "demand:ads": "done"}
    outcome = _run(tmp_path)
    assert len(builds) == 1  # not once per file (5) or per source (2)
    assert outcome == {"run": "success", **stages}

    def reference() -> list[tuple]:  # every file ingested in one run, as ingest ads does
        one = tmp_path / "one.duckdb"
        one.unlink(missing_ok=True)
        with Warehouse(one) as wh:
            add_vocab(wh, *small_vocab())
            ingest_ads(wh, [tmp_path / "a", tmp_path / "b"])
        return _panel(one)

    assert _panel(db) == reference() and len(_panel(db)) > 100
    frame.slice(0, 10).write_csv(tmp_path / "a" / "part0.csv")  # a file changes
    frame.slice(70, 10).write_csv(tmp_path / "b" / "part4.csv")  # and one in the other source
    builds.clear()
    outcome = _run(tmp_path)
    assert len(builds) == 1
    assert outcome == {"run": "success", **stages}
    assert _panel(db) == reference()
    builds.clear()
    skipped = {"ingest:a": "skipped", "ingest:b": "skipped", "demand:ads": "skipped"}
    assert _run(tmp_path) == {"run": "success", **skipped}
    assert builds == []


def test_a_memory_limit_duckdb_cannot_apply_fails_the_stage_and_rejects_no_file(tmp_path):
    # DuckDB refuses a limit below what the warehouse already holds only when it is set; the
    # files are not at fault, so none is rejected, and the next run (limit fixed) reads them.
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    source = '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n'
    config.write_text(source + '[ingest]\nmemory_limit = "1KB"\n')
    db = tmp_path / "w.duckdb"
    _seed_vocabulary(db)
    assert _run(tmp_path) == {"run": "failed", "ingest:jobs": "failed"}
    assert (_count(db, "rejected_files"), _count(db, "ads")) == (0, 0)
    config.write_text(source)
    assert _run(tmp_path) == {"run": "success", "ingest:jobs": "done", "demand:ads": "done"}
    assert _count(db, "ads") == 1


def test_a_full_disk_fails_the_ingest_stage_and_rejects_no_file(tmp_path, monkeypatch):
    # The warehouse's 'cannot write' is a UserError, which the stage took for the file's
    # fault: the file was rejected, and skipped by every later run until it changed.
    import duckdb

    import skilltide.ingest.ads as ads
    from skilltide.store import _write_failure

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n'
    )
    db = tmp_path / "w.duckdb"
    _seed_vocabulary(db)
    ingest_ads = ads.ingest_ads
    full = duckdb.TransactionException('Could not write file "w.duckdb.wal": No space left')

    def disk_full(*args, **kwargs):
        raise _write_failure(db, full)

    monkeypatch.setattr(ads, "ingest_ads", disk_full)
    assert _run(tmp_path) == {"run": "failed", "ingest:jobs": "failed"}
    assert (_count(db, "rejected_files"), _count(db, "ads")) == (0, 0)
    monkeypatch.setattr(ads, "ingest_ads", ingest_ads)
    assert _run(tmp_path) == {"run": "success", "ingest:jobs": "done", "demand:ads": "done"}
    assert _count(db, "ads") == 1


def test_the_ingest_stage_accounts_for_every_row_read(tmp_path):
    # The stage's summary (and its stage.finish log line) gave ads stored and quarantined but
    # not rows read or duplicates, so a log could not show that no row was lost.
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(
        "posted_at,text\n2024-01-05,Uses SQL\n2024-01-06,Uses SQL\n,Uses SQL daily\n"
    )
    (tmp_path / "ads" / "b.csv").write_text("posted_at,text\n2024-02-05,Uses SQL a lot\n")
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n'
    )
    _seed_vocabulary(tmp_path / "w.duckdb")
    summary = run_pipeline(load_settings(config=tmp_path / "skilltide.toml", quiet=True))
    ingest = summary.stages[0].summary
    got = {k: ingest[k] for k in ("files", "rows_read", "ads_stored", "duplicates", "quarantined")}
    assert got == {"files": 2, "rows_read": 4, "ads_stored": 2, "duplicates": 1, "quarantined": 1}


def test_a_file_in_two_sources_is_refused_before_the_first_stage(tmp_path):
    # Each source's stage took the file's ads from the other (the source is part of a stored
    # file's version), so whichever stage ran last owned them, and a change to any file of
    # the first source read the shared file again. Refused by the ingest stage, it is now
    # refused before the first stage (after the O*NET or taxonomy stages, it was).
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "all"\npaths = ["ads"]\n'
        '[[sources]]\nname = "one"\npaths = ["ads/a.csv"]\n'
    )
    _seed_vocabulary(tmp_path / "w.duckdb")
    import pytest

    from skilltide.config import load_settings
    from skilltide.errors import UserError
    from skilltide.logs import EventLog
    from skilltide.pipeline import run_pipeline
    from skilltide.pipeline_config import PipelineConfig
    from skilltide.pipeline_ingest import ingest_source

    settings = load_settings(config=tmp_path / "skilltide.toml", quiet=True)
    shared = "a.csv is also in source 'one' (1 file(s) in both)"
    with pytest.raises(
        UserError, match=r"skilltide.toml: \[\[sources\]\] paths: source 'all': "
    ) as err:
        run_pipeline(settings)
    assert shared in str(err.value)
    assert _count(tmp_path / "w.duckdb", "ads") == 0
    assert _count(tmp_path / "w.duckdb", "runs") == 1  # the vocabulary's; none for the run
    # the stage checks again (a file may arrive while earlier stages run)
    sources = PipelineConfig.from_settings(settings).sources
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(UserError, match=re.escape(shared)):
        ingest_source(wh, sources[0], None, EventLog(quiet=True), others=sources)
    assert _count(tmp_path / "w.duckdb", "ads") == 0


def test_a_file_rejected_before_has_a_status_while_it_is_hashed_again(tmp_path):
    # Each run hashes a rejected file to see whether it changed: nothing was shown meanwhile
    # (minutes for a large file), though ingest_ads shows its own hashing.
    from skilltide.logs import EventLog
    from skilltide.pipeline_ingest import ingest_source
    from skilltide.pipeline_sources import Source
    from tests.ingest.test_progress import Recorded

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    (tmp_path / "ads" / "b.csv").write_text("posted_at,text\n2024-01-05,Uses SQL,extra\n")
    _seed_vocabulary(tmp_path / "w.duckdb")
    source, log = Source("jobs", (str(tmp_path / "ads"),)), EventLog(quiet=True)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert len(ingest_source(wh, source, None, log)["rejected"]) == 1
        progress = Recorded()
        assert len(ingest_source(wh, source, None, log, progress=progress)["rejected"]) == 1
    statuses = [e for e in progress.events if isinstance(e, tuple)]
    assert statuses == [
        ("start", "hashing a.csv (1/2)"),  # ingest_ads': unchanged
        ("end", "hashing a.csv (1/2)"),
        ("start", "hashing b.csv (2/2)"),  # the stage's own: still rejected
        ("end", "hashing b.csv (2/2)"),
    ]
