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
