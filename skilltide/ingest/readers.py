"""Read ad files (CSV, TSV, JSON Lines: plain or gzip; Parquet) in bounded batches.

A ``.csv`` file is comma-separated, or semicolon-separated when its header has semicolons
and no comma (as spreadsheets write CSV where the decimal mark is a comma).

Each batch is a polars frame with one String column per ad field (``id``, ``posted_at``,
``title``, ``text``, ``company``, ``region``, ``occupation``; NULL where the file has no such
column), plus ``row_number`` (1-based record number; for JSON Lines the line number),
``broken_field`` (the first field whose bytes were not valid in the file's encoding, else
NULL) and ``raw`` (the record as read, for quarantine). Memory is bounded by ``batch_rows``
whatever the file size. Text is UTF-8 unless another ``encoding`` is given
(:mod:`skilltide.ingest.encoding`; Parquet is always UTF-8).

A field maps to a column name or a dotted path into nested JSON/Parquet structs and lists
(``positions.0.title``). A file that cannot be read as its format (binary garbage, a truncated
gzip, ragged CSV) raises :class:`~skilltide.errors.UserError` naming the file and the row.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.ingest.mapping import default_mapping
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ads.csv"
>>> _ = p.write_text("id,posted_at,title,text\\n1,2024-01-05,Analyst,Uses SQL daily\\n")
>>> batch = next(read_batches(p, default_mapping()))
>>> batch.select("row_number", "title", "text").row(0)
(1, 'Analyst', 'Uses SQL daily')
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from skilltide.errors import UserError
from skilltide.ingest.csv_quotes import QuoteCounter, check_quotes
from skilltide.ingest.encoding import DEFAULT, HINT
from skilltide.ingest.jsonl import jsonl_batches
from skilltide.ingest.mapping import FIELDS, as_text, path_expr, require_columns
from skilltide.ingest.progress import ReadPosition
from skilltide.provenance import sha256_file
from skilltide.textfile import binary_kind, csv_delimiter, ragged_record

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
BATCH_ROWS = 20_000
# bytes Arrow parses at a time (and how often a CSV file's position moves)
CSV_BLOCK = 8 << 20


def file_format(path: Path) -> tuple[str, bool]:
    """``(format, gzipped)`` from the file name: ``ads.csv.gz`` -> ``('csv', True)``."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    ext = suffixes[-2] if gz and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if ext not in FORMATS:
        raise UserError(
            f"{path}: unknown file type; expected one of {', '.join(sorted(FORMATS))}"
            " (optionally .gz)"
        )
    return FORMATS[ext], gz


def is_ad_file(path: Path) -> bool:
    """Whether ``path``'s name is that of a file format ingest reads (``ads.jsonl.gz``: yes;
    ``README.md``: no), as a folder's files are chosen."""
    try:
        file_format(path)
    except UserError:
        return False
    return True


def read_batches(
    path: Path,
    mapping: dict[str, str],
    batch_rows: int = BATCH_ROWS,
    where: ReadPosition | None = None,
    encoding: str = DEFAULT,
) -> Iterator[pl.DataFrame]:
    """Yield standard ad batches (see module docstring) from one file; ``where`` is set to
    the reader's position before each batch (bytes consumed, compressed for gzip; rows of
    the total for Parquet). CSV/TSV and JSON Lines text is decoded in ``encoding``."""
    fmt, gz = file_format(path)
    where = ReadPosition() if where is None else where
    if gz != _is_gzip(path):
        raise UserError(
            f"{path}: the name says {'gzip' if gz else 'plain'} but the content is "
            f"{'gzip' if not gz else 'not gzip'}"
        )
    try:
        if fmt in ("csv", "tsv"):
            delimiter = "\t" if fmt == "tsv" else ","
            yield from _csv_batches(path, mapping, batch_rows, delimiter, gz, where, encoding)
        elif fmt == "jsonl":
            yield from jsonl_batches(path, mapping, batch_rows, gz, where, encoding)
        elif gz:
            raise UserError(f"{path}: a gzipped Parquet file (it compresses itself): gunzip it")
        else:
            yield from _parquet_batches(path, mapping, batch_rows, where)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise UserError(f"{path}: truncated or corrupt gzip file ({exc})") from None


def is_empty(path: Path) -> bool:
    """Whether a CSV/TSV/JSON Lines file (plain or gzip) holds no records at all: 0 bytes, or
    nothing but white space (after a byte order mark) once decompressed. Never for Parquet:
    a 0-byte Parquet file is not a Parquet file, and reading it is an error.

    A gzip file that cannot be decompressed is not called empty: reading it says what is wrong.
    """
    fmt, gz = file_format(path)
    if fmt == "parquet":
        return False
    if path.stat().st_size == 0:
        return True
    if gz and not _is_gzip(path):
        return False
    opener = gzip.open if gz else open
    try:
        with opener(path, "rb") as fh:
            chunk = fh.read(1 << 16).removeprefix(b"\xef\xbb\xbf")
            while chunk:
                if chunk.strip():
                    return False
                chunk = fh.read(1 << 16)
    except (OSError, EOFError, zlib.error):
        return False
    return True


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _standard(frame: pl.DataFrame, columns: dict[str, pl.Expr | None]) -> pl.DataFrame:
    exprs = [
        (expr if expr is not None else pl.lit(None, dtype=pl.String)).alias(field)
        for field, expr in columns.items()
    ]
    return frame.select(
        pl.col("row_number"),
        *exprs,
        pl.col("broken_field"),
        pl.lit(False).alias("malformed"),
        pl.col("raw"),
    )


# -- CSV / TSV ------------------------------------------------------------------------------
def _csv_batches(
    path: Path,
    mapping: dict,
    batch_rows: int,
    delimiter: str,
    gz: bool,
    where: ReadPosition,
    encoding: str = DEFAULT,
):
    header, ended, delimiter = _csv_header(path, delimiter, gz, encoding)
    require_columns(path, header, mapping)
    if not ended:  # the header is the whole file, without a line end: no rows (Arrow refuses it)
        where.position = path.stat().st_size  # read to its end by _csv_header
        return
    # Quotes are counted as Arrow reads (a second pass cost a gzip file its decompression).
    # The position is the raw file's: for gzip, the compressed bytes consumed.
    raw = pa.OSFile(str(path))
    counted = QuoteCounter(pa.CompressedInputStream(raw, "gzip") if gz else raw, raw)
    stream = pa.PythonFile(counted, mode="r")
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    convert = pacsv.ConvertOptions(column_types={c: pa.binary() for c in header})
    read = pacsv.ReadOptions(block_size=CSV_BLOCK, column_names=header, skip_rows=1)
    done = 0
    try:
        reader = pacsv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=convert
        )
        pending: list[pa.RecordBatch] = []
        rows = 0
        for block in reader:
            # Arrow parses ahead (16 blocks, 128 MB): the position is the end of this block's
            # read (one read of CSV_BLOCK bytes per block), not how far Arrow has read.
            end = counted.ends.popleft() if counted.ends else counted.position
            for start in range(0, block.num_rows, batch_rows):
                batch = block.slice(start, batch_rows)
                pending.append(batch)
                rows += batch.num_rows
                if rows >= batch_rows:
                    where.position = end
                    yield _csv_frame(pending, header, mapping, done, encoding)
                    done += rows
                    pending, rows = [], 0
        check_quotes(path, delimiter, gz, counted.quotes)
        where.position = counted.position  # the end of the file
        if pending:
            yield _csv_frame(pending, header, mapping, done, encoding)
    except (pa.ArrowInvalid, OSError) as exc:
        message = str(exc).splitlines()[0]
        if gz and (
            "gzip" in message.lower() or "compress" in message.lower() or isinstance(exc, OSError)
        ):
            raise UserError(f"{path}: truncated or corrupt gzip file ({message})") from None
        check_quotes(path, delimiter, gz)  # a field never closed is the likeliest cause
        ragged = ragged_record(path, delimiter, gz=gz, blank_rows=False)  # Arrow does not say
        at = f"at row {ragged.row} (line {ragged.line})" if ragged else f"after row {done}"
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise UserError(f"{path}: not a valid {kind} file {at}: {message}") from None
    finally:
        stream.close()


def _csv_header(
    path: Path, delimiter: str, gz: bool, encoding: str = DEFAULT
) -> tuple[list[str], bool, str]:
    """The column names, False when the header is the whole file without a line end, and the
    delimiter: a .csv whose header has semicolons and no comma is read with ';' (spreadsheets
    write CSV so in locales whose decimal mark is a comma)."""
    opener = gzip.open if gz else open
    try:
        with opener(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise UserError(f"{path}: truncated or corrupt gzip file ({exc})") from None
    if kind := binary_kind(first[:4]):
        raise UserError(f"{path}: {kind}")
    if b"\x00" in first:
        raise UserError(f"{path}: not a text file (NUL bytes in the first line)")
    try:
        line = _decode_header(first, encoding).rstrip("\r\n")
    except UnicodeDecodeError:
        shown = "UTF-8" if encoding == DEFAULT else encoding
        raise UserError(f"{path}, row 0 (header): not valid {shown} text; {HINT}") from None
    if not line:
        raise UserError(f"{path}: empty file, expected a header row")
    import csv

    if delimiter == ",":
        delimiter = csv_delimiter(line)
    # pandas writes its index as an unnamed column; a repeated name would be ambiguous.
    names = [
        n or f"column_{i}" for i, n in enumerate(next(csv.reader([line], delimiter=delimiter)), 1)
    ]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UserError(
            f"{path}, row 0 (header): column {repeated[0]!r} appears more than once; "
            "give every column its own name"
        )
    return names, first.endswith(b"\n") or len(first) == 1 << 20, delimiter


def _csv_frame(
    batches: list, header: list, mapping: dict, done: int, encoding: str = DEFAULT
) -> pl.DataFrame:
    table = pa.Table.from_batches(batches)
    broken: list[str | None] = [None] * table.num_rows
    columns = {
        name: _decoded(name, array, encoding, broken)
        for name, array in zip(header, table.columns, strict=True)
    }
    names = list(columns)
    frame = pl.from_arrow(pa.table(columns)).with_columns(
        pl.int_range(done + 1, done + table.num_rows + 1, dtype=pl.Int64).alias("row_number"),
        pl.Series("broken_field", broken, dtype=pl.String),
        pl.struct(names).alias("raw"),
    )
    reverse = {c: c for c in names}
    exprs = {f: path_expr(frame.schema, mapping[f], reverse) for f in FIELDS}
    return _standard(frame, {f: as_text(e, f) for f, e in exprs.items()})


def _decoded(name: str, array: pa.ChunkedArray, encoding: str, broken: list) -> pa.ChunkedArray:
    """A binary column as text: UTF-8 checked by Arrow at once (the fast path); values not
    valid in the encoding (any, in another) decoded in Python, with replacement characters
    where they are not, and the row's first such column set in ``broken``."""
    if encoding == DEFAULT:
        try:
            return array.cast(pa.string())
        except (pa.ArrowInvalid, UnicodeDecodeError):
            pass
    decoded = []
    for i, v in enumerate(array.to_pylist()):
        if v is None:
            decoded.append(None)
            continue
        try:
            decoded.append(v.decode(encoding))
        except UnicodeDecodeError:
            decoded.append(v.decode(encoding, errors="replace"))
            broken[i] = broken[i] or name
    return pa.chunked_array([pa.array(decoded, pa.string())])


def _decode_header(first: bytes, encoding: str) -> str:
    """The header line as text (a UTF-8 byte order mark skipped)."""
    return first.removeprefix(b"\xef\xbb\xbf").decode(encoding)


# -- Parquet --------------------------------------------------------------------------------
def _parquet_batches(path: Path, mapping: dict, batch_rows: int, where: ReadPosition):
    if path.stat().st_size == 0:
        raise UserError(f"{path}: empty file (0 bytes), not a valid Parquet file")
    try:
        pf = pq.ParquetFile(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise UserError(f"{path}: not a valid Parquet file ({str(exc).splitlines()[0]})") from None
    names = pf.schema_arrow.names
    require_columns(path, names, mapping)
    where.unit, where.total = "rows", pf.metadata.num_rows  # exact, from the footer
    done = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_rows):
            frame = pl.from_arrow(pa.Table.from_batches([batch])).with_columns(
                pl.int_range(done + 1, done + batch.num_rows + 1, dtype=pl.Int64).alias(
                    "row_number"
                ),
                pl.lit(None, dtype=pl.String).alias("broken_field"),
                pl.struct(names).alias("raw"),
            )
            done += batch.num_rows
            where.position = done
            exprs = {f: path_expr(frame.schema, mapping[f], {c: c for c in names}) for f in FIELDS}
            yield _standard(frame, {f: as_text(e, f) for f, e in exprs.items()})
    except (pa.ArrowInvalid, OSError) as exc:
        raise UserError(
            f"{path}: corrupt Parquet file after row {done} ({str(exc).splitlines()[0]})"
        ) from None


def raw_json(frame: pl.DataFrame) -> pl.Series:
    """The ``raw`` column as text: JSON for CSV/Parquet records, the line for JSON Lines."""
    if frame.schema["raw"] == pl.String:
        return frame["raw"]
    return frame.select(pl.col("raw").struct.json_encode())["raw"]


__all__ = [
    "file_format",
    "is_empty",
    "raw_json",
    "read_batches",
    "sha256_file",
]
