"""Ad files in another text encoding than UTF-8 (--encoding, [ingest] encoding, [[sources]])."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.encoding import check_encoding
from skilltide.store import Warehouse
from tests.conftest import run_skilltide

NOW = dt.datetime(2025, 6, 1)
# cp1252: é, the euro sign and curly quotes (0x80, 0x93, 0x94); in Latin-1 all but é differ
ROWS = [
    ("1", "2024-01-05", "Développeur", "Société Générale", "Uses SQL, paid 50 000 € “net”"),
    ("2", "2024-02-05", "Analyste", "Crédit Agricole", "Uses Python à Paris"),
]


def write(path: Path, encoding: str, fmt: str = "csv") -> Path:
    """The two ads in ``encoding``, as CSV, TSV or JSON Lines (gzip when the name says so)."""
    if fmt == "jsonl":
        keys = ("id", "posted_at", "title", "company", "text")
        text = "".join(
            json.dumps(dict(zip(keys, r, strict=True)), ensure_ascii=False) + "\n" for r in ROWS
        )
    else:
        sep = "\t" if fmt == "tsv" else ","
        lines = [sep.join(("id", "posted_at", "título", "company", "text"))]
        lines += [sep.join(f'"{v}"' if "," in v else v for v in r) for r in ROWS]
        text = "\n".join(lines) + "\n"
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def stored(wh: Warehouse) -> list[tuple]:
    return wh.query("SELECT title, company FROM ads ORDER BY row_number").rows()


@pytest.mark.parametrize("name", ["ads.csv", "ads.tsv", "ads.jsonl", "ads.csv.gz", "ads.jsonl.gz"])
def test_a_cp1252_file_is_read_with_encoding_cp1252(wh, tmp_path, name):
    fmt = name.split(".")[1]
    path = write(tmp_path / name, "cp1252", fmt)
    mapping = ["title=título"] if fmt != "jsonl" else None  # the header is cp1252 too
    summary = ingest_ads(wh, [path], mapping=mapping, now=NOW, encoding="cp1252")
    assert (summary["ads_stored"], summary["quarantined"]) == (2, 0)
    assert stored(wh) == [("Développeur", "Société Générale"), ("Analyste", "Crédit Agricole")]
    text = wh.query("SELECT raw FROM quarantine")  # nothing quarantined
    assert text.height == 0


def test_without_the_encoding_every_row_is_broken_encoding_naming_the_field(wh, tmp_path):
    path = write(tmp_path / "ads.jsonl", "cp1252", "jsonl")
    summary = ingest_ads(wh, [path], now=NOW)
    assert (summary["ads_stored"], summary["quarantined"]) == (0, 2)
    fields = wh.query("SELECT reason, field FROM quarantine ORDER BY row_number").rows()
    assert fields == [("broken_encoding", "title"), ("broken_encoding", "text")]


def test_a_byte_that_is_no_character_of_the_encoding_is_broken_encoding(wh, tmp_path):
    # 0x81 is undefined in cp1252: that row (only) is quarantined, naming its field
    path = tmp_path / "ads.csv"
    path.write_bytes(
        b"id,posted_at,title,text\n1,2024-01-05,Caf\xe9,Uses SQL\n2,2024-01-06,X\x81,Uses SQL\n"
    )
    summary = ingest_ads(wh, [path], now=NOW, encoding="cp1252")
    assert (summary["ads_stored"], summary["quarantined"]) == (1, 1)
    assert wh.query("SELECT reason, field FROM quarantine").rows() == [("broken_encoding", "title")]
    assert stored(wh) == [("Café", None)]


def test_a_latin1_file_is_read_with_its_iso_name(wh, tmp_path):
    path = tmp_path / "l1.csv"
    path.write_bytes("id,posted_at,title,text\n1,2024-01-05,Café,Uses SQL\n".encode("latin-1"))
    assert ingest_ads(wh, [path], now=NOW, encoding="ISO-8859-1")["ads_stored"] == 1
    assert stored(wh) == [("Café", None)]


def test_the_encoding_is_part_of_the_files_version(wh, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_bytes("id,posted_at,title,text\n1,2024-01-05,Café,Uses SQL\n".encode("cp1252"))
    first = ingest_ads(wh, [path], now=NOW)
    assert (first["ads_stored"], first["quarantined"]) == (0, 1)
    again = ingest_ads(wh, [path], now=NOW, encoding="cp1252")
    assert again["file_details"][0]["status"] == "replaced"
    assert (again["ads_stored"], again["quarantined"]) == (1, 0)
    assert wh.query("SELECT count(*) AS n FROM quarantine")["n"][0] == 0  # the old rows went
    same = ingest_ads(wh, [path], now=NOW, encoding="windows-1252")  # another name, one codec
    assert same["file_details"][0]["status"] == "unchanged"
    args = wh.query("SELECT args FROM runs WHERE command = 'ingest ads' ORDER BY started")
    assert json.loads(args["args"][1])["encoding"] == "cp1252"
    assert "encoding" not in json.loads(args["args"][0])  # utf-8: as before


def test_the_encoding_is_part_of_a_file_s_version(tmp_path):
    from skilltide.ingest import manifest

    path, fields = tmp_path / "a.csv", {"text": "text"}
    assert manifest.file_id(path, "0" * 64, fields, None) == manifest.file_id(
        path, "0" * 64, fields, None, encoding="utf-8"
    )
    assert manifest.file_id(path, "0" * 64, fields, None) != manifest.file_id(
        path, "0" * 64, fields, None, encoding="cp1252"
    )


def test_parquet_is_always_utf8(wh, tmp_path):
    import polars as pl

    path = tmp_path / "ads.parquet"
    pl.DataFrame(
        {"posted_at": ["2024-01-05"], "title": ["Café"], "text": ["Uses SQL"]}
    ).write_parquet(path)
    assert ingest_ads(wh, [path], now=NOW, encoding="cp1252")["ads_stored"] == 1
    assert stored(wh) == [("Café", None)]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("latin-9x", "unknown encoding 'latin-9x'"),
        ("utf-16", "does not write ASCII as ASCII"),
        ("rot13", "does not write ASCII as ASCII"),
        # ASCII as ASCII, but other characters with the bytes of commas and quotes too
        # ("が" is ESC $ B % , ESC ( B): a CSV row of Japanese text split in the wrong places
        ("iso2022_jp", "writes other characters with the bytes of delimiters"),
        ("hz", "writes other characters with the bytes of delimiters"),
    ],
)
def test_an_unknown_or_unreadable_encoding_is_refused(value, words):
    with pytest.raises(UserError, match=words):
        check_encoding(value, "--encoding")


def test_multibyte_encodings_whose_bytes_keep_clear_of_delimiters_are_read(wh, tmp_path):
    path = tmp_path / "jp.csv"
    path.write_bytes("posted_at,title,text\n2024-01-05,営業,お客様がSQLを使う\n".encode("cp932"))
    assert ingest_ads(wh, [path], now=NOW, encoding="shift_jis")["ads_stored"] == 1
    assert stored(wh) == [("営業", None)]


def test_encoding_names_are_canonical():
    assert [check_encoding(n) for n in ("UTF8", "utf-8-sig", "Latin1", "windows-1252")] == [
        "utf-8",
        "utf-8",
        "latin-1",
        "cp1252",
    ]


def test_cli_option_config_key_and_hint(cli, db, tmp_path):
    path = write(tmp_path / "ads.jsonl", "cp1252", "jsonl")
    result = cli("ingest", "ads", path, "--db", db)
    assert result.exit_code == 0, result.output
    assert "most as broken_encoding (field title)" in result.stderr
    assert "pass --encoding NAME (e.g. cp1252 or latin-1" in result.stderr
    result = cli("ingest", "ads", path, "--db", db, "--encoding", "cp1252", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ads_stored"] == 2
    config = tmp_path / "skilltide.toml"
    config.write_text('[ingest]\nencoding = "latin-1"\n')  # the option wins over the config
    result = cli("ingest", "ads", path, "--db", db, "--config", config, "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        assert stored(wh)[0] == ("Développeur", "Société Générale")
    result = cli("ingest", "ads", path, "--db", db, "--config", config, "--json")
    assert json.loads(result.stdout)["ads_stored"] == 2  # read again in latin-1: € is not “
    bad = run_skilltide("ingest", "ads", path, "--db", db, "--encoding", "latin-9x")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr, bad.stderr
    assert "--encoding: unknown encoding 'latin-9x'" in bad.stderr
    config.write_text('[ingest]\nencoding = "nope"\n')
    bad = run_skilltide("ingest", "ads", path, "--db", db, "--config", config)
    assert f"{config}: [ingest] encoding: unknown encoding 'nope'" in bad.stderr


def test_a_header_not_in_the_encoding_names_the_option(wh, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_bytes(b"posted_at,t\xedtulo,text\n2024-01-05,x,Uses SQL\n")
    with pytest.raises(UserError, match="not valid UTF-8 text; if the file is not UTF-8, pass"):
        ingest_ads(wh, [path], now=NOW)
