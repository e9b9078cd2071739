"""Files in and out of ``skilltide onet code-titles``: read a title column, write the codes.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ads.csv"
>>> _ = path.write_text("id,job_title\\n1,RN - ICU Nights\\n2,\\n")
>>> read_titles(path, "job_title")
['RN - ICU Nights', None]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.onet.coder import code_titles, coder_run, source_release
from skilltide.outfile import replacing, write_frame
from skilltide.provenance import warehouse_source, write_provenance
from skilltide.store import Warehouse
from skilltide.textfile import ragged_record, read_utf8

OUT_FORMATS = (".csv", ".parquet", ".json")
_OUT_SCHEMA = {
    "row_number": pl.Int64,
    "input_title": pl.String,
    "rank": pl.Int32,
    "onetsoc_code": pl.String,
    "occupation_title": pl.String,
    "score": pl.Float64,
}


def read_titles(path: Path, column: str | None) -> list[str | None]:
    """The titles in ``column`` of a CSV/TSV file (or each line of a ``.txt`` file).

    ``column`` may be left out when the file has a single column.
    """
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.suffix.lower() == ".txt" and column is None:
        return [line.strip() or None for line in read_utf8(path).splitlines()]
    separator = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    read_utf8(path)  # a file saved as Latin-1 or cp1252: its first bad line, named
    try:
        data = pl.read_csv(path, separator=separator, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        if ragged := ragged_record(path, separator):  # polars does not say which line
            raise UserError(f"{path}: line {ragged.line}: {ragged.describe()}") from None
        raise UserError(
            f"{path}: cannot read as {'TSV' if separator == chr(9) else 'CSV'}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    if column is None:
        if data.width != 1:
            raise UserError(
                f"{path}: has {data.width} columns; name the title column with "
                f"--column (one of {', '.join(data.columns)})"
            )
        column = data.columns[0]
    if column not in data.columns:
        raise UserError(f"{path}: no column {column!r} (columns: {', '.join(data.columns)})")
    return data[column].to_list()


def code_titles_to(
    wh: Warehouse,
    titles: list[str | None],
    top: int = 5,
    out: Path | None = None,
    model: str = "lexical",
    inputs: list[Path] | None = None,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Code ``titles`` and, with ``out``, write one row per input row and candidate.

    ``out`` ending in ``.json`` gets the same list as ``--json``; ``.parquet`` a parquet
    file; ``.csv`` CSV with columns ``row_number, input_title, rank, onetsoc_code,
    occupation_title, score`` (an input with no usable words gets one row without a code).
    ``out`` gets a ``<out>.provenance.json`` sidecar naming ``inputs`` (the title files),
    ``options`` and these arguments, the warehouse, the coder's O*NET release and the run
    that built the coder. ``model``
    names the coder (``lexical`` or ``embed``, see :func:`~skilltide.onet.coder.build_coder`).
    """
    if out is not None:
        check_codes_out(out)  # before the coder is read or built
    results = code_titles(wh, titles, top=top, model=model)
    if out is not None:
        write_codes(results, out)
        recorded = {**(options or {}), "top": top, "model": model, "titles": len(titles)}
        recorded |= warehouse_source(wh.path) | {"onet_release": source_release(wh)}
        recorded["coder_run"] = coder_run(wh, model)  # the build that coded them
        write_provenance(
            out, command="onet code-titles", inputs=list(inputs or []), options=recorded
        )
    return results


def check_codes_out(out: Path) -> None:
    """Refuse an ``--out`` path that cannot be written or whose format is unknown."""
    if out.suffix.lower() not in OUT_FORMATS:
        raise UserError(f"{out}: output must end in {', '.join(OUT_FORMATS)}")
    if not out.parent.is_dir():
        raise UserError(f"{out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise UserError(f"{out}: is a folder; give a file name")


def write_codes(results: list[dict[str, Any]], out: Path) -> Path:
    """Write coded titles to ``out`` (see :func:`code_titles_to`)."""
    check_codes_out(out)
    if out.suffix.lower() == ".json":
        with replacing(out) as tmp:  # whole or not at all
            tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        return out
    rows = []
    for number, item in enumerate(results, start=1):
        candidates = item["candidates"] or [{"code": None, "title": None, "score": None}]
        for rank, cand in enumerate(candidates, start=1):
            rows.append(
                {
                    "row_number": number,
                    "input_title": item["title"],
                    "rank": rank if cand["code"] is not None else None,
                    "onetsoc_code": cand["code"],
                    "occupation_title": cand["title"],
                    "score": cand["score"],
                }
            )
    table = pl.DataFrame(rows, schema=_OUT_SCHEMA)
    return write_frame(table, out)  # whole or not at all
