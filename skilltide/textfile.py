"""Text files users hand to skilltide (config files, title lists, CSV tables): UTF-8, with or
without the byte order mark some editors write, records as wide as the header, and a clear
error naming the file and line otherwise.

Example
-------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "titles.txt"
>>> _ = path.write_bytes("\\ufeffNurse\\nCarpenter\\n".encode())
>>> read_utf8(path).splitlines()
['Nurse', 'Carpenter']
>>> _ = path.write_text("name,kind\\nPython,technology\\nRust\\n")
>>> ragged_record(path)
Ragged(row=2, line=3, fields=1, width=2)
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from skilltide.errors import UserError

if TYPE_CHECKING:
    import polars as pl

#: What a file that is not UTF-8 text most likely is, by its first bytes.
_KINDS = (  # UTF-32 first: its little-endian byte order mark begins with UTF-16's
    ((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"), "UTF-32 text, not UTF-8; save it as UTF-8"),
    ((b"\xff\xfe", b"\xfe\xff"), "UTF-16 text, not UTF-8; save it as UTF-8"),
    ((b"PK\x03\x04",), "a zip archive (an Excel .xlsx workbook?), not a text file"),
    ((b"\xd0\xcf\x11\xe0",), "an Excel .xls workbook, not a text file"),
)


def binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is when it is UTF-16, UTF-32 or a workbook, else
    None.

    >>> binary_kind("id,y".encode("utf-16"))
    'UTF-16 text, not UTF-8; save it as UTF-8'
    >>> binary_kind("id,y".encode("utf-32"))
    'UTF-32 text, not UTF-8; save it as UTF-8'
    """
    return next((kind for magic, kind in _KINDS if head.startswith(magic)), None)


def csv_delimiter(header: str) -> str:
    """The delimiter of a CSV file with this header line: ``;`` when it has semicolons and no
    comma (spreadsheets write CSV so where the decimal mark is a comma), else ``,``.

    >>> csv_delimiter("id;title;text"), csv_delimiter("id,title;x")
    (';', ',')
    """
    return ";" if ";" in header and "," not in header else ","


def refuse_binary(path: Path, gz: bool = False) -> None:
    """Raise a :class:`UserError` naming the file when it is UTF-16, UTF-32 or a workbook."""
    try:
        with (gzip.open if gz else open)(path, "rb") as fh:
            kind = binary_kind(fh.read(4))
    except (OSError, EOFError):
        return
    if kind:
        raise UserError(f"{path}: {kind}")


def read_utf8(path: Path) -> str:
    """The file's text without a leading byte order mark; a :class:`UserError` naming the
    first line that is not valid UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if kind := binary_kind(data[:4]):
            raise UserError(f"{path}: {kind}") from None
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}, line {line}: not valid UTF-8 text") from None


class Ragged(NamedTuple):
    """A record whose field count is not the header's: its number after the header (``row``),
    the file line it starts on, its field count and the header's."""

    row: int
    line: int
    fields: int
    width: int

    def describe(self) -> str:
        fields = f"{self.fields} field{'' if self.fields == 1 else 's'}"
        return f"{fields} where the header has {self.width} (truncated or damaged row)"


def ragged_record(
    path: Path, delimiter: str = ",", *, gz: bool | None = None, blank_rows: bool = True
) -> Ragged | None:
    """The first record of a CSV/TSV file (plain or gzipped: ``gz``, else by a ``.gz`` name)
    that is not as wide as its header, or None. Polars reads a short record's missing fields
    as empty and refuses a long one without naming it ('found more fields than defined in
    Schema'), Arrow names neither. Blank lines (or lines of spaces: an empty row to polars)
    are not ragged but count as rows, as polars numbers them; with ``blank_rows=False``
    empty lines are not rows, as Arrow reads them. A file ``csv`` cannot parse gives None
    (the caller's error stands); a UTF-16 file or a workbook is refused as such.
    """
    if gz is None:
        gz = path.name.lower().endswith(".gz")
    refuse_binary(path, gz)  # a workbook's or UTF-16 file's "fields" say nothing useful
    opener = gzip.open if gz else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            width = len(next(reader, []))
            row, start = 0, reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1  # where it starts: quotes span lines
                if not record and not blank_rows:
                    continue
                row += 1
                blank = blank_rows and not any(field.strip() for field in record)
                if len(record) != width and not blank:
                    return Ragged(row, line, len(record), width)
    except (OSError, EOFError, csv.Error):
        return None
    return None


def record_lines(path: Path, records: int, delimiter: str = ",") -> pl.Series:
    """The file line each of the ``records`` records under the header starts on (a quoted
    field may hold a line break, so records and lines differ)."""
    import polars as pl

    lines = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        next(reader, None)
        start = reader.line_num + 1
        for _ in reader:
            lines.append(start)
            start = reader.line_num + 1
    if len(lines) != records:  # read otherwise than polars did: count the lines
        lines = list(range(2, records + 2))
    return pl.Series(lines, dtype=pl.Int64)


def read_csv_table(path: Path) -> tuple[pl.DataFrame, pl.Series]:
    """A small CSV reference file (a crosswalk, ESCO's occupations) as text columns, with its
    delimiter judged from the header (a spreadsheet's semicolons too), and the file line each
    record starts on. Refused naming the line: not UTF-8, a quoted field never closed, a
    record wider or narrower than the header."""
    import polars as pl

    from skilltide.ingest.csv_quotes import check_quotes

    text = read_utf8(path)
    delimiter = csv_delimiter(text.partition("\n")[0])
    check_quotes(path, delimiter, gz=False)
    try:
        table = pl.read_csv(path, separator=delimiter, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        if ragged := ragged_record(path, delimiter):  # polars does not say which line
            raise UserError(f"{path}: line {ragged.line}: {ragged.describe()}") from None
        raise UserError(f"{path}: not a readable CSV file ({exc})") from None
    return table, record_lines(path, table.height, delimiter)
