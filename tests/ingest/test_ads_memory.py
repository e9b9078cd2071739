"""Memory during an ingest run: DuckDB's cap applies to the run only, stored batches are
freed before the commit, and running out of memory under the cap says so."""

from __future__ import annotations

import gc
import weakref

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.progress import IngestProgress
from tests.ingest.test_ads import NOW, write_csv


def test_duckdb_memory_limit_during_the_run_only(wh, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["1,2024-01-02,Analyst,Acme,North,,Uses Python"])

    def setting() -> str:
        return wh.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    before, during = setting(), []

    class Progress(IngestProgress):
        def update(self, progress):
            during.append(setting())  # inside the run, as each batch is stored

    s = ingest_ads(wh, [path], now=NOW, progress=Progress(), memory_limit="300MB")
    assert s["ads_stored"] == 1
    assert during == ["286.1 MiB"] * 2 and setting() == before  # one batch, and the file's end


def test_stored_batches_are_freed_before_the_run_commits(wh, tmp_path, monkeypatch):
    # Each batch's Arrow data must be released once it is inserted, not held until the run's
    # single transaction commits: a registered view dropped inside the transaction (the old
    # con.register/unregister) kept every batch alive, so memory grew with the ads ingested.
    rows = [f"{i},2024-01-0{i % 9 + 1},Analyst {i},Acme,North,,Uses Python {i}" for i in range(9)]
    path = write_csv(tmp_path / "a.csv", rows)
    tables, to_arrow = [], pl.DataFrame.to_arrow

    def tracked(self, *args, **kwargs):
        table = to_arrow(self, *args, **kwargs)
        tables.append(weakref.ref(table))
        return table

    monkeypatch.setattr(pl.DataFrame, "to_arrow", tracked)
    alive = []

    class Progress(IngestProgress):
        def update(self, progress):
            if progress.done:  # every batch is stored; the run has not committed yet
                gc.collect()
                alive.append(sum(ref() is not None for ref in tables))

    s = ingest_ads(wh, [path], now=NOW, progress=Progress(), batch_rows=2)
    assert s["ads_stored"] == 9 and len(tables) >= 10
    assert alive == [0]


def test_a_failed_statement_keeps_its_own_message_under_a_memory_limit(wh, tmp_path, monkeypatch):
    # The limit used to be restored inside the aborted transaction, so every DuckDB error of
    # the run (out of memory, Ctrl-C) was reported as "Current transaction is aborted".
    import duckdb

    import skilltide.ingest.ads as ads

    path = write_csv(tmp_path / "a.csv", ["1,2024-01-02,Analyst,Acme,North,,Uses Python"])

    def failing(con, run_id):
        con.execute("SELECT error('boom')")

    monkeypatch.setattr(ads, "refresh_ads_panel", failing)
    with pytest.raises(duckdb.Error, match="boom"):
        ingest_ads(wh, [path], now=NOW, memory_limit="300MB")
    assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0

    def out_of_memory(con, run_id):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block\nadvice")

    monkeypatch.setattr(ads, "refresh_ads_panel", out_of_memory)
    with pytest.raises(UserError, match=r"out of memory under the memory limit '300MB' \(Out of"):
        ingest_ads(wh, [path], now=NOW, memory_limit="300MB")
    status = wh.query("SELECT status FROM runs ORDER BY started DESC LIMIT 1")["status"][0]
    assert status == "failed"
