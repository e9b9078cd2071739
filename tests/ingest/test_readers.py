"""Reading ad files: byte order marks, headers, dotted keys, and where a broken file breaks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from skilltide.errors import UserError
from skilltide.ingest.mapping import default_mapping
from skilltide.ingest.readers import raw_json, read_batches


def read_all(path: Path, **mapping: str):
    batches = list(read_batches(path, {**default_mapping(), **mapping}, batch_rows=1000))
    return [
        row for batch in batches for row in batch.with_columns(raw=raw_json(batch)).rows(named=True)
    ]


def test_jsonl_with_a_byte_order_mark_reads_its_first_line(tmp_path):
    path = tmp_path / "ads.jsonl"
    lines = [json.dumps({"posted_at": f"2024-02-0{i}", "text": f"Python {i}"}) for i in (1, 2)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    rows = read_all(path)
    assert [(r["malformed"], r["text"]) for r in rows] == [(False, "Python 1"), (False, "Python 2")]


def test_jsonl_key_with_dots_is_read_as_a_key(tmp_path):
    path = tmp_path / "ads.jsonl"
    record = {"ad.date": "2024-02-01", "ad.body": "Uses Python", "job": {"title": "Analyst"}}
    path.write_text(json.dumps(record) + "\n")
    (row,) = read_all(path, posted_at="ad.date", text="ad.body", title="job.title")
    assert (row["posted_at"], row["text"], row["title"]) == ("2024-02-01", "Uses Python", "Analyst")


def test_a_ragged_csv_row_is_named_by_its_number(tmp_path):
    rows = [f'{i},2024-03-10,Analyst,"Uses\n\nPython {i}"' for i in range(1, 3001)]
    rows[2499] = "2500,2024-03-10,Analyst"
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(("id,posted_at,title,text\n" + "\n".join(rows)).encode()))
    with pytest.raises(
        UserError, match=r"a\.csv\.gz: not a valid CSV file at row 2500 \(line 7499\): "
    ):
        read_all(path)
    rows[2499] = '2500,2024-03-10,"Analyst\nSenior"'  # spans lines 7499-7500: its first named
    path.write_bytes(gzip.compress(("id,posted_at,title,text\n" + "\n".join(rows)).encode()))
    with pytest.raises(UserError, match=r"at row 2500 \(line 7499\): "):
        read_all(path)


def test_csv_header_with_an_unnamed_column_or_a_repeated_name(tmp_path):
    pandas_index = tmp_path / "a.csv"  # DataFrame.to_csv() writes its index without a name
    pandas_index.write_text(",posted_at,title,text\n0,2024-03-10,Analyst,Uses Python\n")
    (row,) = read_all(pandas_index)
    assert json.loads(row["raw"])["column_1"] == "0" and row["text"] == "Uses Python"
    repeated = tmp_path / "b.csv"
    repeated.write_text("posted_at,text,text\n2024-03-10,Uses Python,Uses SQL\n")
    with pytest.raises(UserError, match=r"b\.csv, row 0 \(header\): column 'text' appears more"):
        read_all(repeated)


@pytest.mark.parametrize("gz", [False, True])
def test_a_quoted_field_never_closed_is_refused_not_read_to_the_end(tmp_path, gz):
    # Arrow reads an unclosed quote to the end of the file: rows 2-3 vanished into row 1's
    # text (or a file cut off mid-field became a shorter ad), with no error.
    header = "id,posted_at,title,text\n"
    cut = header + '1,2024-01-05,Analyst,"Uses SQL"\n2,2024-01-06,Clerk,"Files pap'
    swallowed = (
        header
        + '1,2024-01-05,"Analyst,Uses SQL\n2,2024-01-06,Clerk,Files\n3,2024-01-07,"Dev",Java\n'
    )
    cases = ((cut, 2, 3, "unexpected end of data"), (swallowed, 1, 2, "expected after"))
    for text, row, line, why in cases:
        path = tmp_path / ("ads.csv.gz" if gz else "ads.csv")
        path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
        with pytest.raises(
            UserError,
            match=rf"ads\.csv(\.gz)?: not a valid CSV file at row {row} \(line {line}\): .*{why}",
        ):
            read_all(path)


def test_a_stray_quote_in_an_unquoted_field_is_still_read(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(
        'id,posted_at,title,text\n1,2024-01-05,TV fitter,"Mounts 5"" screens"\n'
        '2,2024-01-06,TV fitter,Mounts 5" screens\n'
    )
    assert [r["text"] for r in read_all(path)] == ['Mounts 5" screens', 'Mounts 5" screens']


def test_tsv_text_with_quotes_is_read_and_an_unclosed_one_refused(tmp_path):
    path = tmp_path / "ads.tsv"
    path.write_text('id\tposted_at\ttext\n1\t2024-01-05\t"Acme" team, 5" screens\n')
    assert len(read_all(path)) == 1  # TSV rarely quotes: kept as Arrow reads it
    path.write_text('id\tposted_at\ttext\n1\t2024-01-05\t"Uses SQL\n2\t2024-01-06\tFiles\n')
    with pytest.raises(
        UserError, match=r"ads\.tsv: not a valid TSV file at row 1 \(line 2\): .*data"
    ):
        read_all(path)


@pytest.mark.parametrize("gz", [False, True])
def test_a_semicolon_separated_csv_is_read_by_its_columns(tmp_path, gz):
    """Spreadsheets in comma-decimal locales write CSV with ';': it was one column named
    'id;posted_at;title;text', and the error said no column 'text' (columns: id;posted…)."""
    body = 'id;posted_at;title;text\n1;05.02.2024;Analyst;"Uses SQL; Python, daily"\n'
    path = tmp_path / ("ads.csv.gz" if gz else "ads.csv")
    path.write_bytes(gzip.compress(body.encode()) if gz else body.encode())
    batch = next(read_batches(path, default_mapping()))
    assert batch.select("id", "posted_at", "title", "text").row(0) == (
        "1",
        "05.02.2024",
        "Analyst",
        "Uses SQL; Python, daily",
    )


def test_a_comma_in_the_header_keeps_the_comma_separator(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text("id,posted_at,title,text\n1,2024-02-05,Analyst;Lead,Uses SQL\n")
    assert next(read_batches(path, default_mapping()))["title"][0] == "Analyst;Lead"
