"""``skilltide run``: each source's files read in its ``encoding`` ([ingest] encoding the
fallback); an unknown encoding fails the run at the start, naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from skilltide.errors import UserError
from skilltide.store import Warehouse
from tests.test_pipeline import _seed_vocabulary


def _run(tmp_path: Path) -> str:
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    return run_pipeline(load_settings(config=tmp_path / "skilltide.toml", quiet=True)).status


def _sources(tmp_path: Path, ingest: str, fr: str = "") -> None:
    for name, encoding in (("fr", "cp1252"), ("uk", "utf-8")):
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        text = f"posted_at,title,text\n2024-02-05,Caf\u00e9 {name},Uses SQL in {name}\n"
        (folder / "a.csv").write_bytes(text.encode(encoding))
    (tmp_path / "skilltide.toml").write_text(
        f'[warehouse]\ndb = "w.duckdb"\n{ingest}'
        f'[[sources]]\nname = "fr"\npaths = ["fr"]\n{fr}'
        '[[sources]]\nname = "uk"\npaths = ["uk"]\nencoding = "utf-8"\n'
    )


def _titles(db: Path) -> list[tuple]:
    with Warehouse(db) as wh:
        return wh.query("SELECT source, title FROM ads ORDER BY source").rows()


def test_each_source_has_its_encoding_with_ingest_encoding_the_fallback(tmp_path):
    _seed_vocabulary(tmp_path / "w.duckdb")
    _sources(tmp_path, "")
    assert _run(tmp_path) == "partial"  # fr read as UTF-8: its row is broken_encoding
    assert _titles(tmp_path / "w.duckdb") == [("uk", "Café uk")]
    _sources(tmp_path, '[ingest]\nencoding = "cp1252"\n')  # the source's own wins for uk
    assert _run(tmp_path) == "success"
    assert _titles(tmp_path / "w.duckdb") == [("fr", "Café fr"), ("uk", "Café uk")]
    _sources(tmp_path, "", fr='encoding = "windows-1252"\n')  # the same codec: nothing to do
    assert _run(tmp_path) == "success"
    assert _titles(tmp_path / "w.duckdb") == [("fr", "Café fr"), ("uk", "Café uk")]


@pytest.mark.parametrize(
    ("ingest", "fr", "words"),
    [
        ('[ingest]\nencoding = "nope"\n', "", "[ingest] encoding: unknown encoding 'nope'"),
        ("", 'encoding = "utf-16"\n', "[[sources]] fr: encoding 'utf-16' does not write ASCII"),
        ("", "encoding = 1\n", "encoding must be the name of a text encoding"),
    ],
)
def test_an_unknown_encoding_fails_the_run_at_the_start_naming_the_file_and_key(
    tmp_path, ingest, fr, words
):
    _sources(tmp_path, ingest, fr=fr)
    with pytest.raises(UserError) as err:
        _run(tmp_path)
    assert str(err.value).startswith(str(tmp_path / "skilltide.toml"))
    assert words in str(err.value)
