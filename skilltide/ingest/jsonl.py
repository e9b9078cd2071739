"""Read JSON Lines ad files (plain or gzip) line by line into standard ad batches.

A field maps to a key or a dotted path through objects and lists (``positions.0.title``); a
line that is not a JSON object is kept as a ``malformed`` row (quarantined later), a line
that is not valid in the file's encoding (UTF-8 unless given: :mod:`skilltide.ingest.encoding`)
is decoded with replacement characters and its field marked broken.
See :mod:`skilltide.ingest.readers` for the batch layout.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.ingest.mapping import default_mapping
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ads.jsonl"
>>> _ = p.write_text('{"posted_at": "2024-01-05", "ad": {"text": "Uses SQL"}}\\n')
>>> mapping = {**default_mapping(), "text": "ad.text"}
>>> next(jsonl_batches(p, mapping, 100, gz=False)).select("row_number", "text").row(0)
(1, 'Uses SQL')
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl

from skilltide.errors import UserError
from skilltide.ingest.encoding import DEFAULT
from skilltide.ingest.mapping import FIELDS, list_value, require_columns
from skilltide.ingest.progress import ReadPosition
from skilltide.textfile import binary_kind


def jsonl_batches(
    path: Path,
    mapping: dict,
    batch_rows: int,
    gz: bool,
    where: ReadPosition | None = None,
    encoding: str = DEFAULT,
):
    """Standard ad batches of ``batch_rows`` lines; ``where.position`` is set before each to
    the bytes of the file consumed (for gzip, the compressed bytes)."""
    where = ReadPosition() if where is None else where
    paths = {f: mapping[f].split(".") for f in FIELDS}
    keys = ("row_number", *FIELDS, "broken_field", "malformed", "raw")
    rows: dict[str, list] = {k: [] for k in keys}
    seen_columns: set[str] = set()
    checked = False
    with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) if gz else raw as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            if number == 1 and (kind := binary_kind(line[:4])):
                raise UserError(f"{path}: {kind}")
            if number == 1 and b"\x00" in line:
                raise UserError(f"{path}: not a JSON Lines file (binary content in line 1)")
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
            try:
                text, lossy = line.decode(encoding), False
            except UnicodeDecodeError:
                text, lossy = line.decode(encoding, errors="replace"), True
            try:
                record = json.loads(text)
            except json.JSONDecodeError:
                record = None
            if not isinstance(record, dict):
                record = None
            # A key that itself holds dots ("ad.title") is read as it is, as a CSV column is.
            values = [
                _walk(record, [mapping[f]] if mapping[f] in record else paths[f], f)
                if record
                else None
                for f in FIELDS
            ]
            broken = None
            if lossy:
                broken = next(
                    (f for f, v in zip(FIELDS, values, strict=True) if v and "\ufffd" in v),
                    "record",
                )
            if record is not None:
                seen_columns.update(record)
            rows["row_number"].append(number)
            rows["broken_field"].append(broken)
            rows["malformed"].append(record is None)
            rows["raw"].append(text.rstrip("\r\n"))
            for field, value in zip(FIELDS, values, strict=True):
                rows[field].append(value)
            if len(rows["row_number"]) >= batch_rows:
                if not checked:
                    _require_json_columns(path, seen_columns, mapping)
                    checked = True
                where.position = raw.tell()
                yield _jsonl_frame(rows)
                rows = {k: [] for k in keys}
        where.position = raw.tell()  # the end: the lines are all read
    if rows["row_number"]:
        if not checked:
            _require_json_columns(path, seen_columns, mapping)
        yield _jsonl_frame(rows)


def _require_json_columns(path: Path, seen: set, mapping: dict) -> None:
    if not seen:
        raise UserError(f"{path}: no JSON object found; expected one JSON object per line")
    require_columns(path, sorted(seen), mapping)


def _walk(record: object, parts: list[str], field: str) -> str | None:
    """The value at ``parts`` as ``field``'s text: a string as it is, a list of strings or
    numbers by :func:`~skilltide.ingest.mapping.list_value`, anything else as JSON."""
    value = record
    for part in parts:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            i = int(part)
            value = value[i] if -len(value) <= i < len(value) else None
        else:
            return None
        if value is None:
            return None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(
        v is None or isinstance(v, str | int | float) for v in value
    ):
        return list_value(field, value)
    return json.dumps(value, ensure_ascii=False)


def _jsonl_frame(rows: dict[str, list]) -> pl.DataFrame:
    schema = {
        "row_number": pl.Int64,
        **{f: pl.String for f in FIELDS},
        "broken_field": pl.String,
        "malformed": pl.Boolean,
        "raw": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
