"""Read one official O*NET file (tab-delimited text or Excel) into a typed polars frame.

Both formats are read as text first, checked against the file's spec (header, field counts,
encoding) and then typed column by column with polars expressions; the first value that does
not fit its type is reported with its file, row and column.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.onet.registry import by_stem
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "Job Zones.txt").write_text(
...     "O*NET-SOC Code\\tJob Zone\\tDate\\tDomain Source\\n15-1252.00\\t4\\t08/2023\\tAnalyst\\n")
>>> read_file(folder / "Job Zones.txt", by_stem()["Job Zones"]).row(0)
('15-1252.00', 4, datetime.date(2023, 8, 1), 'Analyst')
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from skilltide.errors import UserError
from skilltide.onet.registry import IGNORED, Column, OnetFile

_NULLS = ("", "n/a", "N/A")


def read_file(path: Path, spec: OnetFile) -> pl.DataFrame:
    """Read ``path`` (``.txt`` or ``.xlsx``) as ``spec`` says, typed, in official column order."""
    raw = read_excel(path) if path.suffix.lower() == ".xlsx" else read_text(path)
    return typed(raw, spec, path)


def read_text(path: Path) -> pl.DataFrame:
    """A tab-delimited O*NET text file as string columns; refuses bad encoding, ragged rows."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); O*NET text "
            "files are UTF-8"
        ) from None
    lines = pl.Series(text.split("\n")).str.strip_suffix("\r")
    if lines.len() and lines[-1] == "":
        lines = lines.head(-1)
    if lines.len() == 0:
        raise UserError(f"{path}: the file is empty (no header row)")
    fields = lines.str.count_matches("\t", literal=True) + 1
    expected = fields[0]
    bad = (fields != expected).arg_true()
    if bad.len():
        i = bad[0]
        raise UserError(
            f"{path}: line {i + 1}: {fields[i]} fields where the header has {expected} "
            "(truncated or damaged row)"
        )
    return pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        separator="\t",
        quote_char=None,
        infer_schema=False,
        null_values=None,
    )


def read_excel(path: Path) -> pl.DataFrame:
    """The first sheet of an official O*NET Excel file as all-string columns."""
    try:
        return pl.read_excel(path, infer_schema_length=0)
    except Exception as exc:  # fastexcel raises its own exception types
        raise UserError(f"{path}: not a readable Excel workbook: {exc}") from None


def typed(raw: pl.DataFrame, spec: OnetFile, path: Path) -> pl.DataFrame:
    """Check the header against ``spec`` and cast every column to its type."""
    header = [c for c in raw.columns if c not in IGNORED or spec.column(c)]
    unknown = [c for c in header if spec.column(c) is None]
    if unknown:
        raise UserError(
            f"{path}: column {unknown[0]!r} is not a column of the O*NET {spec.stem!r} file "
            f"(expected {', '.join(c.official for c in spec.columns)})"
        )
    missing = [c.official for c in spec.columns if not c.optional and c.official not in header]
    if missing:
        raise UserError(f"{path}: column {missing[0]!r} is missing from the header")
    exprs = [
        _cast(c) if c.official in header else pl.lit(None, _DTYPES[c.kind]).alias(c.name)
        for c in spec.columns
    ]
    out = raw.select(exprs)
    for column in spec.columns:
        if column.kind == "str" or column.official not in header:
            continue
        failed = (
            raw[column.official].str.strip_chars().is_in(_NULLS).not_()
            & (raw[column.official].is_not_null())
            & out[column.name].is_null()
        )
        if failed.any():
            row = failed.arg_true()[0]
            # the number to look for: the text file's line, the spreadsheet's row (header: 1)
            where = "sheet row" if path.suffix.lower() == ".xlsx" else "line"
            raise UserError(
                f"{path}: {where} {row + 2}, column {column.official!r}: "
                f"{raw[column.official][row]!r} is not {_WHAT[column.kind]}"
            )
    return out


_DTYPES = {
    "str": pl.String,
    "float": pl.Float64,
    "int": pl.Int64,
    "bool": pl.Boolean,
    "month": pl.Date,
}
_WHAT = {
    "float": "a number",
    "int": "an integer",
    "bool": "Y or N",
    "month": "a month written MM/YYYY",
}


def _cast(column: Column) -> pl.Expr:
    text = pl.col(column.official).str.strip_chars()
    text = pl.when(text.is_in(_NULLS)).then(None).otherwise(text)
    if column.kind == "str":
        value = (
            pl.when(pl.col(column.official).is_in(_NULLS))
            .then(None)
            .otherwise(pl.col(column.official))
        )
    elif column.kind == "float":
        value = text.cast(pl.Float64, strict=False)
    elif column.kind == "int":
        # Excel stores integers as numbers, which read back as '28.0'
        value = text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    elif column.kind == "bool":
        value = text.replace_strict({"Y": True, "N": False}, default=None, return_dtype=pl.Boolean)
    else:
        value = ("01/" + text).str.to_date("%d/%m/%Y", strict=False)
    return value.alias(column.name)
