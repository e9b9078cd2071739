"""Mapping ad fields to a file's columns or nested paths."""

from __future__ import annotations

import json

import pytest

from skilltide.errors import UserError
from skilltide.ingest.mapping import parse_mapping
from skilltide.ingest.readers import read_batches


def test_a_mapped_column_that_is_missing_is_an_error(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("id,posted_at,title,text\n1,2024-03-10,Analyst,Uses Python.\n")
    jl = tmp_path / "a.jsonl"
    jl.write_text(json.dumps({"posted_at": "2024-03-10", "text": "Python", "positions": []}))
    for file, field, column in [(csv, "title", "job_title"), (jl, "title", "position.0.title")]:
        with pytest.raises(UserError, match=f"field {field}: no column '{column}'"):
            list(read_batches(file, parse_mapping([f"{field}={column}"])))


@pytest.mark.parametrize(
    ("items", "message"),
    [
        # "--map body" said "--map body=…: unknown field 'body'": the '=' was the mistake
        (["body"], r"--map body: write FIELD=PATH, e.g. --map text=body"),
        # the second of two --map text=… won silently
        (["text=title", "text=body"], r"--map text: mapped twice \('title' and 'body'\)"),
    ],
)
def test_a_map_item_that_is_not_field_equals_path_once_is_refused(items, message):
    with pytest.raises(UserError, match=message):
        parse_mapping(items)


def test_the_same_map_item_twice_is_taken():
    assert parse_mapping(["text=body", "text=body"])["text"] == "body"
