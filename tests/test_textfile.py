"""A UTF-16 file or an Excel workbook handed over as CSV is named as such, by every reader."""

from __future__ import annotations

import io

import pytest

CSV = "unique_id,ds,y\na,2024-01,1\na,2024-02,2\n"


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in CSV.splitlines():
        book.active.append(row.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


UTF32 = "UTF-32 text, not UTF-8; save it as UTF-8"
KINDS = {
    "utf16": (lambda: CSV.encode("utf-16"), "UTF-16 text, not UTF-8; save it as UTF-8"),
    "xlsx": (_xlsx, "a zip archive (an Excel .xlsx workbook?), not a text file"),
    # called UTF-16 (little-endian: its byte order mark begins with UTF-16's) or, big-endian,
    # "not valid UTF-8" and "NUL bytes"
    "utf32le": (lambda: b"\xff\xfe\x00\x00" + CSV.encode("utf-32-le"), UTF32),
    "utf32be": (lambda: b"\x00\x00\xfe\xff" + CSV.encode("utf-32-be"), UTF32),
}
COMMANDS = {
    "ingest ads": ("ingest", "ads"),
    "ingest demand": ("ingest", "demand"),
    "forecast panel": ("forecast", "panel"),
    "breaks detect": ("breaks", "detect"),
    "taxonomy add": ("onet", "taxonomy", "add"),
    "config": ("status", "--config"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_utf16_file_or_a_workbook_is_named_as_such(cli, tmp_path, db, command, kind):
    # Before, the same file was "not a text file (NUL bytes in the first line)", "row 2: 1
    # field where the header has 7 (truncated or damaged row)" or "line 1: not valid UTF-8".
    make, message = KINDS[kind]
    path = tmp_path / "data.csv"
    path.write_bytes(make())
    got = cli(*COMMANDS[command], path, "--db", db, *_out(command, tmp_path))
    assert got.exit_code == 1, got.output
    assert f"data.csv: {message}" in got.output


def _out(command: str, tmp_path) -> tuple:
    return ("--out", tmp_path / "o.csv") if command in ("forecast panel", "breaks detect") else ()


@pytest.mark.parametrize("kind", KINDS)
def test_a_utf16_or_workbook_jsonl_file_is_named_as_such(cli, tmp_path, db, kind):
    # the JSON Lines reader said "not a JSON Lines file (binary content in line 1)"
    make, message = KINDS[kind]
    path = tmp_path / "ads.jsonl"
    path.write_bytes(make())
    got = cli("ingest", "ads", path, "--db", db)
    assert got.exit_code == 1, got.output
    assert f"ads.jsonl: {message}" in got.output
