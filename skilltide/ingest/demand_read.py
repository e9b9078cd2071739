"""Reading an aggregated demand panel into long form (``skilltide ingest demand``).

:func:`read_panel` reads a long panel (skill, month, count, optional group, total and
granularity; columns found by their usual names or ``--map FIELD=COLUMN``) or Job-SDF's wide
months (``<gran>_id, skill_id, 2021-01 …``) from CSV/TSV, Parquet or JSON Lines, and names the
row of a record it cannot read. The values are checked by
:mod:`skilltide.ingest.demand_import`.

Example
-------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "p.csv").write_text("term,month,n\\nPython,2024-01,3\\n")
>>> long, layout = read_panel(d / "p.csv")
>>> layout, long.select("skill", "month", "count").row(0)
('long', ('Python', '2024-01', 3.0))
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from skilltide.errors import UserError
from skilltide.textfile import csv_delimiter, ragged_record, refuse_binary

DEMAND_FIELDS = ("skill", "month", "count", "group", "total", "granularity")
_DEFAULT_COLUMNS = {
    "skill": ["skill", "skill_id", "term"],
    "month": ["month", "ds", "date"],
    "count": ["count", "demand", "n"],
    "group": ["group", "group_id"],
    "total": ["total", "num_posts", "ads"],
    "granularity": ["granularity"],
}


_ROW = "__skilltide_row"  # the record's number in the file, kept through blank-line removal


def read_panel(path: Path, mapping: dict[str, str] | None = None) -> tuple[pl.DataFrame, str]:
    """Read an aggregated panel into long form ``(row, granularity, group_id, skill, month,
    count, total, count_text)`` (``row``: the 1-based record of the file; blank lines are
    skipped; ``count_text``: the count as written, for messages); returns the frame and the
    detected layout (``long``, ``wide-months``)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    if path.is_dir():
        files = sorted(p.name for p in path.iterdir() if p.name.lower().endswith(_PANEL_SUFFIXES))
        inside = f" ({', '.join(files[:6])}{', …' if len(files) > 6 else ''})" if files else ""
        raise UserError(f"{path}: is a folder; give one panel file in it{inside}")
    # A blank line (one at the end of a hand-edited CSV, say) is not a record with no skill.
    raw = _read_any(path).with_row_index(_ROW, offset=1)
    raw = raw.filter(~pl.all_horizontal(pl.exclude(_ROW).is_null()))
    month_columns = [c for c in raw.columns if re.fullmatch(r"\d{4}-\d{2}", c)]
    if len(month_columns) >= 2 and not (mapping or {}).get("month"):
        if mapping:  # its columns are fixed: a total or skill mapped would be left unread
            given = " ".join(f"--map {k}={v}" for k, v in mapping.items())
            raise UserError(
                f"{path}: {given} is not read in a wide panel (skill_id, at most one "
                f"<group>_id and a column per month: {month_columns[0]}, …); leave it out"
            )
        return _wide_months(path, raw, month_columns), "wide-months"
    _refuse_skill_columns(path, raw, mapping or {})
    cols = _resolve(path, [c for c in raw.columns if c != _ROW], mapping or {})
    out = (
        raw.rename({_ROW: "row"})
        .select(
            "row",
            pl.lit(None, dtype=pl.String).alias("granularity")
            if cols["granularity"] is None
            else pl.col(cols["granularity"]).cast(pl.String).alias("granularity"),
            (
                pl.lit("all") if cols["group"] is None else pl.col(cols["group"]).cast(pl.String)
            ).alias("group_id"),
            pl.col(cols["skill"]).cast(pl.String).alias("skill"),
            pl.col(cols["month"]).cast(pl.String).alias("month"),
            pl.col(cols["count"]).cast(pl.Float64, strict=False).alias("count"),
            (
                pl.lit(None, dtype=pl.Float64)
                if cols["total"] is None
                else pl.col(cols["total"]).cast(pl.Float64, strict=False)
            ).alias("total"),
            pl.col(cols["count"]).cast(pl.String).alias("count_text"),
        )
        .with_columns(
            pl.col("granularity").fill_null("market" if cols["group"] is None else "group")
        )
    )
    return out, "long"


_PANEL_SUFFIXES = (".parquet", ".jsonl", ".ndjson", ".jsonl.gz", ".csv", ".csv.gz", ".tsv")
_PANEL_SUFFIXES += (".tsv.gz", ".txt")


def _read_any(path: Path) -> pl.DataFrame:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return pl.read_parquet(path)
        if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
            return pl.read_ndjson(path)
        if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")):
            refuse_binary(path, gz=name.endswith(".gz"))  # polars reads UTF-16 as garbage
            sep = "\t" if ".tsv" in name or name.endswith(".txt") else _csv_sep(path)
            # Types from every row: a count that is not a number after the first 10,000 rows
            # failed the read without its row; now the value checks name it.
            return pl.read_csv(path, separator=sep, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError) as exc:
        text = name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt"))
        if text and "utf-8" in str(exc).lower():
            _refuse_not_utf8(path, sep)
        ragged = ragged_record(path, sep) if text else None
        if ragged:
            raise UserError(f"{path}, row {ragged.row}: {ragged.describe()}") from None
        raise UserError(f"{path}: cannot read it as a panel: {str(exc).splitlines()[0]}") from None
    raise UserError(f"{path}: unknown panel file type (use .csv, .tsv, .parquet or .jsonl)")


def _csv_sep(path: Path) -> str:
    """``;`` for a CSV whose header has semicolons and no comma (a spreadsheet's export where
    the decimal mark is a comma), as ``ingest ads`` reads one; else ``,``."""
    import gzip

    try:
        with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as fh:
            header = fh.readline(1 << 20).decode("utf-8", errors="replace")
    except (OSError, EOFError):  # a truncated gzip: the read that follows names it
        return ","
    return csv_delimiter(header)


def _refuse_not_utf8(path: Path, sep: str) -> None:
    """Name the row and field of the first bytes that are not UTF-8 (an Excel export in
    cp1252, say), which polars reports as 'invalid utf-8 sequence' alone."""
    import gzip

    with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as fh:
        lines = fh.read().removeprefix(b"\xef\xbb\xbf").split(b"\n")
    header = lines[0].decode("utf-8", errors="replace").rstrip("\r").split(sep)
    for row, line in enumerate(lines[1:], start=1):
        for i, field in enumerate(line.rstrip(b"\r").split(sep.encode())):
            try:
                field.decode("utf-8")
            except UnicodeDecodeError:
                column = header[i] if i < len(header) else f"column {i + 1}"
                shown = field.decode("utf-8", errors="replace").strip('"')
                raise UserError(
                    f"{path}, row {row}, field {column}: {shown!r} is not UTF-8 text; save "
                    "the file as UTF-8 (in Excel: CSV UTF-8)"
                ) from None


def _refuse_skill_columns(path: Path, raw: pl.DataFrame, mapping: dict[str, str]) -> None:
    """A month column and only numeric others is one column per skill, which is not read."""
    month = mapping.get("month") or next((c for c in _DEFAULT_COLUMNS["month"] if c in raw), None)
    others = [c for c in raw.columns if c not in (_ROW, month)]
    # a skill column of numbers (Job-SDF's ids) is a long panel, not one column per skill
    named = "skill" in mapping or any(c in raw.columns for c in _DEFAULT_COLUMNS["skill"])
    if month is None or named or len(others) < 2:
        return
    if all(raw.schema[c].is_numeric() for c in others):
        raise UserError(
            f"{path}: one column per skill ({', '.join(others[:3])}, …) is not read; give "
            "the panel in long form: columns skill, month, count, one row per skill and month"
        )


def _resolve(path: Path, columns: list[str], mapping: dict[str, str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for field in DEMAND_FIELDS:
        if field in mapping:
            if mapping[field] not in columns:
                raise UserError(
                    f"{path}: field {field}: no column {mapping[field]!r} "
                    f"(columns: {', '.join(columns[:20])})"
                )
            found[field] = mapping[field]
        else:
            found[field] = next((c for c in _DEFAULT_COLUMNS[field] if c in columns), None)
    for field in ("skill", "month", "count"):
        if found[field] is None:
            raise UserError(
                f"{path}: field {field}: no column for it (columns: "
                f"{', '.join(columns[:20])}); use --map {field}=COLUMN"
            )
    return found


def _wide_months(path: Path, raw: pl.DataFrame, months: list[str]) -> pl.DataFrame:
    ids = [c for c in raw.columns if c not in months and c != _ROW]
    skill = "skill_id" if "skill_id" in ids else None
    groups = [c for c in ids if c != skill and c.endswith("_id")]
    if skill is None or len(groups) > 1:
        raise UserError(
            f"{path}: wide panel needs a skill_id column and at most one <group>_id "
            f"column, found {', '.join(ids)}"
        )
    granularity = groups[0][: -len("_id")] if groups else "market"
    if granularity == "r0":
        granularity = "market"
    long = raw.rename({_ROW: "row"}).unpivot(
        index=["row", *ids], on=months, variable_name="month", value_name="count"
    )
    return long.select(
        "row",
        pl.lit(granularity).alias("granularity"),
        (
            pl.lit("all")
            if granularity == "market" or not groups
            else pl.col(groups[0]).cast(pl.String)
        ).alias("group_id"),
        pl.col(skill).cast(pl.String).alias("skill"),
        pl.col("month"),
        pl.col("count").cast(pl.Float64, strict=False),
        pl.lit(None, dtype=pl.Float64).alias("total"),
        pl.col("count").cast(pl.String).alias("count_text"),
    )
