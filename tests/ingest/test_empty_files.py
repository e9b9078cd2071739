"""Empty ad files: 0 rows with a warning in every text format (plain or gzip), recorded in the
manifest so they are not read again; an empty Parquet file stays an error."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.logs import EventLog
from skilltide.store import Warehouse
from tests.ingest.helpers import add_vocab, small_vocab
from tests.ingest.test_ads import HEADER, NOW, counts, write_csv

EMPTY = [
    ("ads.csv", b""),
    ("ads.tsv", b""),
    ("ads.jsonl", b""),
    ("ads.csv", b"\xef\xbb\xbf\r\n\n"),  # a byte order mark and blank lines: no header, no rows
    ("ads.ndjson", b" \n\n"),
    ("ads.csv.gz", b""),  # 0 bytes: no gzip stream at all
    ("ads.csv.gz", gzip.compress(b"", mtime=0)),  # a gzip stream of nothing
    ("ads.jsonl.gz", gzip.compress(b"", mtime=0)),
    ("ads.tsv.gz", gzip.compress(b"\n", mtime=0)),
]


@pytest.mark.parametrize(
    ("name", "content"), EMPTY, ids=[f"{name}-{len(content)}B" for name, content in EMPTY]
)
def test_an_empty_text_file_is_zero_rows_recorded_in_the_manifest(wh, tmp_path, name, content):
    good = write_csv(tmp_path / "good.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    empty = tmp_path / name
    empty.write_bytes(content)
    summary = ingest_ads(wh, [good, empty], now=NOW)
    assert (summary["files"], summary["rows_read"], summary["ads_stored"]) == (2, 1, 1)
    assert summary["empty_files"] == [str(empty.resolve())]
    stored = wh.query("SELECT rows_read, size FROM ad_files WHERE path = ?", [str(empty)])
    assert stored.rows() == [(0, len(content))]
    before = counts(wh)
    again = ingest_ads(wh, [good, empty], now=NOW)
    assert again["unchanged_files"] == 2 and again["empty_files"] == []
    assert counts(wh) == before


def test_a_file_that_became_empty_replaces_its_rows(wh, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    ingest_ads(wh, [path], now=NOW)
    path.write_bytes(b"")
    summary = ingest_ads(wh, [path], now=NOW)
    assert summary["replaced_files"] == 1 and summary["empty_files"] == [str(path)]
    assert counts(wh)["ads"] == 0
    assert wh.query("SELECT sum(ads) AS n FROM demand_totals")["n"][0] is None  # panel rebuilt


def test_a_header_only_csv_is_not_called_empty(wh, tmp_path):
    path = write_csv(tmp_path / "a.csv", [])
    summary = ingest_ads(wh, [path], now=NOW)
    assert summary["rows_read"] == 0 and summary["empty_files"] == []


@pytest.mark.parametrize("name", ["a.csv", "a.tsv", "a.csv.gz"])
def test_a_header_without_a_line_end_is_a_file_of_no_rows(wh, tmp_path, name):
    # Arrow refused it ("Could not skip initial 1 rows"): a header-only file as some tools
    # write it, with nothing after the last column name
    header = HEADER.rstrip("\n").replace(",", "\t" if name.endswith(".tsv") else ",")
    path = tmp_path / name
    data = header.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    summary = ingest_ads(wh, [path], now=NOW)
    assert summary["rows_read"] == 0 and summary["files"] == 1


def test_an_empty_parquet_file_is_an_error_naming_it(wh, tmp_path):
    good = write_csv(tmp_path / "good.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    empty = tmp_path / "ads.parquet"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match=r"ads\.parquet: empty file \(0 bytes\), not a valid Parq"):
        ingest_ads(wh, [good, empty], now=NOW)
    assert counts(wh)["ads"] == 0  # the run rolled back


def test_the_cli_warns_on_stderr_and_keeps_json_on_stdout(cli, db, tmp_path):
    with Warehouse(db) as wh:  # no vocabulary warning in the way
        add_vocab(wh, *small_vocab())
    empty = tmp_path / "ads.csv"
    empty.write_bytes(b"")
    result = cli("ingest", "ads", empty, "--json", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_read"] == 0
    assert result.stderr.strip() == f"warning: {empty}: empty file, read as 0 rows " + (
        "(it is read again once it changes)"
    )
    again = cli("ingest", "ads", empty, "--db", db)
    assert again.stderr == ""  # unchanged: not read, nothing to warn about


def test_skilltide_run_logs_an_empty_file_and_succeeds(tmp_path):
    from skilltide.config import load_settings
    from skilltide.pipeline import Pipeline, PipelineConfig
    from tests.test_pipeline import _seed_vocabulary

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    (tmp_path / "ads" / "b.jsonl.gz").write_bytes(b"")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n[[sources]]\npaths = ["ads"]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")
    settings = load_settings(config=config, quiet=True)
    stream = io.StringIO()
    with Warehouse(settings.db) as wh:
        log = EventLog(as_json=True, quiet=True, stream=stream)
        summary = Pipeline(wh, PipelineConfig.from_settings(settings), log).run()
    assert summary.status == "success"
    warnings = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(w["event"], w["file"]) for w in warnings] == [
        ("file.empty", str(tmp_path / "ads" / "b.jsonl.gz"))
    ]
