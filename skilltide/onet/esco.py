"""ESCO occupations: how an ad coded with an ESCO occupation URI reaches O*NET.

European job-ad data often code occupations as ESCO occupations
(``http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1``, *software
developer*). ESCO gives each one its ISCO-08 unit group (``iscoGroup``), and the ISCO-08
crosswalk (:mod:`skilltide.onet.crosswalk`) that group's SOC 2018 occupations; the title coder
chooses among several from the occupation's own ESCO labels, preferred and alternative
(:mod:`skilltide.ingest.occupation_esco`). :func:`read_esco` reads ESCO's occupations CSV
(``occupations_en.csv`` of the ESCO download: English, as the title coder reads English labels;
quoted fields span lines).

Example
-------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "occupations_en.csv"
>>> _ = path.write_text(
...     "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels\\n"
...     "Occupation,http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1,"
...     '2512,software developer,"software engineer\\napplication developer"\\n')
>>> read_esco(path).row(0)[2:]
('2512', 'software developer', ['software engineer', 'application developer'])
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from skilltide.errors import UserError
from skilltide.textfile import read_csv_table

UUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
# an ESCO occupation's URI, or its UUID alone
URI = rf"^\s*(?:https?://data\.europa\.eu/esco/occupation/)?({UUID})/?\s*$"
COLUMNS = ("conceptUri", "iscoGroup", "preferredLabel")
_SCHEMA = {
    "esco_id": pl.String,
    "uri": pl.String,
    "isco": pl.String,
    "label": pl.String,
    "alt_labels": pl.List(pl.String),
}


def read_esco(path: str | Path) -> pl.DataFrame:
    """``esco_id, uri, isco, label, alt_labels`` of each occupation in ESCO's occupations CSV
    (``conceptUri, iscoGroup, preferredLabel`` and, if present, ``altLabels``: one label a
    line); a bad row is named by its file line and column."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    table, lines = read_csv_table(path)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise UserError(
            f"{path}: no column {', '.join(map(repr, missing))}: not ESCO's occupations CSV "
            f"(found {', '.join(table.columns[:8])})"
        )
    alt = pl.col("altLabels") if "altLabels" in table.columns else pl.lit(None, pl.String)
    isco = pl.col("iscoGroup").str.strip_chars()
    out = table.select(
        pl.col("conceptUri").str.extract(URI, 1).str.to_lowercase().alias("esco_id"),
        pl.col("conceptUri").str.strip_chars().alias("uri"),
        # a group saved as a number lost its zero (0110 → 110)
        pl.when(isco.str.contains(r"^[0-9]{1,3}$"))
        .then(isco.str.zfill(4))
        .otherwise(isco)
        .alias("isco"),
        pl.col("preferredLabel").str.strip_chars().alias("label"),
        alt.str.split("\n")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
        .fill_null([])
        .alias("alt_labels"),
    ).with_columns(line=lines)
    _check(out, "esco_id", path, "conceptUri", "an ESCO occupation URI", out["uri"])
    _check(out, "isco", path, "iscoGroup", "an ISCO-08 unit group (4 digits)", out["isco"])
    _check(out, "label", path, "preferredLabel", "a label", out["label"])
    if out.is_empty():
        raise UserError(f"{path}: no occupations under its header")
    twice = out.filter(~pl.col("esco_id").is_first_distinct())
    if twice.height:
        row = twice.row(0, named=True)
        raise UserError(f"{path}: line {row['line']}: occupation {row['uri']} is listed twice")
    return out.select(list(_SCHEMA))


def _check(
    frame: pl.DataFrame, column: str, path: Path, name: str, what: str, shown: pl.Series
) -> None:
    ok = frame[column].is_not_null() & (frame[column] != "")
    if column == "isco":
        ok = ok & frame[column].str.contains(r"^[0-9]{4}$")
    bad = frame.with_columns(shown=shown).filter(~ok.fill_null(False))
    if bad.height:
        row = bad.row(0, named=True)
        value = "empty" if not row["shown"] else f"{row['shown']!r} is not {what}"
        raise UserError(f"{path}: line {row['line']}, column {name!r}: {value}")
