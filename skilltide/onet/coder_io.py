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

import csv
import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from skilltide.errors import UserError
from skilltide.ingest.csv_quotes import check_quotes
from skilltide.onet.coder import (
    candidates,
    check_top,
    coder_run,
    ensure_coder,
    source_release,
)
from skilltide.onet.coder_levels import check_level, predict_at
from skilltide.outfile import replacing
from skilltide.provenance import warehouse_source, write_provenance
from skilltide.store import Warehouse
from skilltide.textfile import ragged_record, read_utf8

OUT_FORMATS = (".csv", ".parquet", ".json")
CHUNK = 500_000  # titles coded and written at a time by write_code_rows (flat memory)
_OUT_SCHEMA = {
    "row_number": pl.Int64,
    "input_title": pl.String,
    "rank": pl.Int32,
    "onetsoc_code": pl.String,
    "occupation_title": pl.String,
    "score": pl.Float64,
}
# The code and title columns of the CSV/Parquet output at each --level.
LEVEL_COLUMNS = {
    "onet": ("onetsoc_code", "occupation_title"),
    "soc": ("soc_code", "occupation_title"),
    "major": ("major_group", "major_group_title"),
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
    check_quotes(path, separator, gz=False)  # a quoted field never closed: its row, named
    try:
        data = _read_text_columns(path, separator)
    except (pa.ArrowInvalid, pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
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


def _read_text_columns(path: Path, separator: str) -> pl.DataFrame:
    """Every column as text, an empty field as null. Arrow's reader, as ingest's: a quote
    inside an unquoted field (``5" Pipe Fitter``) is a character, where polars' reader fails
    on the whole file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=separator), [])
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )
    return pl.from_arrow(table)


def code_titles_to(
    wh: Warehouse,
    titles: list[str | None],
    top: int = 5,
    out: Path | None = None,
    model: str = "lexical",
    inputs: list[Path] | None = None,
    options: dict[str, Any] | None = None,
    keep: int | None = None,
    level: str = "onet",
) -> list[dict[str, Any]]:
    """Code ``titles`` and, with ``out``, write one row per input row and candidate; return
    the codes of the first ``keep`` titles (``None``: all) as ``code_titles`` gives them.

    ``out`` ending in ``.json`` gets the same list as ``--json``; ``.parquet`` a parquet
    file; ``.csv`` CSV with columns ``row_number, input_title, rank, onetsoc_code,
    occupation_title, score`` (an input with no usable words gets one row without a code),
    coded and written :data:`CHUNK` titles at a time, so memory does not grow with the file.
    ``out`` gets a ``<out>.provenance.json`` sidecar naming ``inputs`` (the title files),
    ``options`` and these arguments, the warehouse, the coder's O*NET release and the run
    that built the coder. ``model`` names the coder (``lexical``, ``embed`` or ``static``,
    see :func:`~skilltide.onet.coder.build_coder`). ``level`` ``soc`` or ``major`` codes to
    distinct 6-digit SOC codes or major groups (:mod:`skilltide.onet.coder_levels`; the CSV
    columns are then ``soc_code`` or ``major_group, major_group_title``).
    """
    if out is not None:
        check_codes_out(out)  # before the coder is read or built
    check_top(top)
    check_level(level)
    coder = ensure_coder(wh, model)
    columnar = out is not None and out.suffix.lower() != ".json"
    shown = titles if keep is None or not columnar else titles[:keep]
    results = candidates(coder, shown, top, level)
    if columnar:
        write_code_rows(coder, titles, top, out, level)
    elif out is not None:
        write_codes(results, out)
    if out is not None:
        recorded = {**(options or {}), "top": top, "model": model, "titles": len(titles)}
        recorded["level"] = level
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


def write_code_rows(
    coder: Any, titles: list[str | None], top: int, out: Path, level: str = "onet"
) -> Path:
    """Code ``titles`` with ``coder`` and write them to ``out`` (CSV or Parquet, whole or not
    at all), :data:`CHUNK` titles at a time (see :func:`code_titles_to`)."""
    check_codes_out(out)
    writer = None
    with replacing(out) as tmp:
        try:
            for start in range(0, max(len(titles), 1), CHUNK):
                chunk = titles[start : start + CHUNK]
                predicted = predict_at(coder, chunk, top, level)
                rows = _code_rows(predicted, chunk, start, LEVEL_COLUMNS[level])
                if out.suffix.lower() == ".parquet":
                    table = rows.to_arrow()
                    writer = writer or pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table)
                else:
                    with open(tmp, "ab" if start else "wb") as fh:
                        rows.write_csv(fh, include_header=start == 0)
        finally:
            if writer is not None:
                writer.close()
    return out


def _code_rows(
    predicted: pl.DataFrame,
    titles: list[str | None],
    start: int,
    columns: tuple[str, str] = LEVEL_COLUMNS["onet"],
) -> pl.DataFrame:
    """One row per title and candidate (one without a code for a title with none);
    ``columns`` names the code and title columns."""
    inputs = pl.DataFrame(
        {"input_index": range(len(titles)), "input_title": titles},
        schema={"input_index": pl.Int64, "input_title": pl.String},
    )
    joined = inputs.join(predicted, on="input_index", how="left", maintain_order="left")
    code, title = columns
    return (
        joined.select(
            (pl.col("input_index") + start + 1).alias("row_number"),
            "input_title",
            "rank",
            "onetsoc_code",
            pl.col("title").alias("occupation_title"),
            "score",
        )
        .cast(_OUT_SCHEMA)
        .rename({"onetsoc_code": code, "occupation_title": title})
    )


def write_codes(results: list[dict[str, Any]], out: Path) -> Path:
    """Write coded titles as ``--json`` prints them to the ``.json`` file ``out``, whole or
    not at all (CSV and Parquet: :func:`write_code_rows`)."""
    check_codes_out(out)
    with replacing(out) as tmp:
        tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
