"""``skilltide run``'s ingest: a skipped source is redone when future-dated rows come due."""

from __future__ import annotations

import datetime as dt
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
    assert _run(tmp_path) == {"run": "partial", "ingest:jobs": "partial"}  # one quarantined
    assert (_count(db, "ads"), _count(db, "quarantine")) == (1, 1)
    clock["now"] = dt.datetime(2025, 7, 1)
    assert _run(tmp_path) == {"run": "success", "ingest:jobs": "skipped"}
    clock["now"] = dt.datetime(2025, 9, 1)
    assert _run(tmp_path) == {"run": "success", "ingest:jobs": "done"}
    assert (_count(db, "ads"), _count(db, "quarantine")) == (2, 0)
    assert _run(tmp_path) == {"run": "success", "ingest:jobs": "skipped"}
