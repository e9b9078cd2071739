"""Readers for the external SOC-coded title lists in ``../shared/data/soc`` (benchmark side).

These lists are not shipped and not used in production; the title-coder benchmark
(``title_coding_external.py``) and its tests read them here. File layouts, header rows and
quirks are documented in ``../shared/data/soc/SOURCE.md``. Every reader returns plain
polars frames with codes as text (leading zeros kept, stray spaces stripped).

SOC codes in the Census index are not always detailed: a broad code ends in 0 (``19-1020``)
and a wildcard ends in ``X`` (``51-91XX``). :func:`code_prefix` gives the part of a code
that it fixes, and :func:`code_matches` says whether an O*NET-SOC candidate lies under it.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

_SOC_RE = re.compile(r"^\d\d-\d{3}[0-9X]$|^\d\d-\d{2}XX$|^\d\d-\dXXX$")


def title_key(column: str) -> pl.Expr:
    """Lower-cased, whitespace-squeezed, stripped title: the key for verbatim overlap."""
    return pl.col(column).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def code_prefix(code: str) -> str:
    """The prefix a SOC code fixes: all of a detailed code, ``19-102`` for the broad
    ``19-1020``, ``51-91`` for the wildcard ``51-91XX``.

    Example
    -------
    >>> [code_prefix(c) for c in ["29-1141", "19-1020", "51-609X", "51-91XX", "51-4XXX"]]
    ['29-1141', '19-102', '51-609', '51-91', '51-4']
    """
    code = code.strip()
    if not _SOC_RE.match(code):
        raise ValueError(f"not a SOC 2018 code: {code!r}")
    fixed = code.rstrip("X")
    if fixed == code and code.endswith("0"):  # broad group: dd-ddd0
        fixed = code[:-1]
    return fixed


def code_level(code: str) -> str:
    """``detailed`` | ``broad`` (dd-ddd0, dd-dddX) | ``minor`` (dd-ddXX, dd-dXXX)."""
    width = len(code_prefix(code))
    return "detailed" if width == 7 else "broad" if width == 6 else "minor"


def code_matches(candidate: str, code: str) -> bool:
    """Whether an O*NET-SOC candidate (``51-9141.00``) falls under a SOC 2018 code.

    Example
    -------
    >>> code_matches("51-9141.00", "51-91XX"), code_matches("19-1031.00", "19-1020")
    (True, False)
    """
    return candidate.startswith(code_prefix(code))


def read_census_index(path: Path, coded_only: bool = True) -> pl.DataFrame:
    """Census 2022 Alphabetical Index: ``(title, restriction, census_code, soc_code)``.

    34,539 rows; with ``coded_only`` (default) the 34,256 rows with a Census and a SOC code
    (the 281 cross-reference rows and the two rows without a SOC code are left out).
    """
    raw = _read_excel(path, header_row=5)
    raw.columns = ["title", "restriction", "census_code", "soc_code"]
    rows = raw.with_columns(
        pl.col("title", "census_code", "soc_code").str.strip_chars().replace("", None)
    )
    if not coded_only:
        return rows
    return rows.filter(pl.col("census_code").is_not_null() & pl.col("soc_code").is_not_null())


def read_direct_match(path: Path) -> pl.DataFrame:
    """BLS SOC 2018 Direct Match Title File (2020 copy, header on row 1):
    ``(title, soc_code, soc_title)``, 6,520 rows."""
    raw = _read_excel(path, header_row=0)
    return raw.select(
        pl.col("2018 SOC Direct Match Title").str.strip_chars().alias("title"),
        pl.col("2018 SOC Code").str.strip_chars().alias("soc_code"),
        pl.col("2018 SOC Title").alias("soc_title"),
    )


def read_jobbert(path: Path) -> pl.DataFrame:
    """JobBERT vacancy titles, ``(title, esco_uri)``, titles exactly as written."""
    raw = pl.read_csv(path, infer_schema=False)
    return raw.select(pl.col("vacancyTitle").alias("title"), pl.col("conceptUri").alias("esco_uri"))


def read_esco_isco(path: Path) -> pl.DataFrame:
    """ESCO occupation URI → ISCO-08 unit group, ``(esco_uri, isco)``, ISCO as text."""
    raw = pl.read_csv(path, infer_schema=False)
    return raw.select(
        pl.col("conceptUri").alias("esco_uri"), pl.col("iscoGroup").str.strip_chars().alias("isco")
    )


def read_isco_soc2010(path: Path) -> pl.DataFrame:
    """BLS ISCO-08 → SOC 2010 crosswalk (.xls, header on row 7): ``(isco, soc2010)``."""
    raw = _read_excel(path, header_row=6, sheet_name="ISCO-08 to 2010 SOC")
    return raw.select(
        pl.col("ISCO-08 Code").str.strip_chars().alias("isco"),
        pl.col("2010 SOC Code").str.strip_chars().alias("soc2010"),
    ).unique(maintain_order=True)


def read_soc2010_2018(path: Path) -> pl.DataFrame:
    """BLS SOC 2010 → 2018 crosswalk (header on row 9): ``(soc2010, soc2018)``."""
    raw = _read_excel(path, header_row=8)
    return raw.select(
        pl.col("2010 SOC Code").str.strip_chars().alias("soc2010"),
        pl.col("2018 SOC Code").str.strip_chars().alias("soc2018"),
    ).unique(maintain_order=True)


def jobbert_soc2018(
    titles: pl.DataFrame, esco: pl.DataFrame, isco_soc: pl.DataFrame, soc_xwalk: pl.DataFrame
) -> pl.DataFrame:
    """Each JobBERT row with its SOC 2018 codes through ESCO → ISCO-08 → SOC 2010 → 2018.

    Returns ``titles`` with a row index ``row``, ``isco``, ``soc2018`` (sorted list of
    distinct codes, empty when the chain breaks) and ``majors`` (their distinct major groups).
    """
    chain = (
        esco.join(isco_soc, on="isco", how="inner")
        .join(soc_xwalk, on="soc2010", how="inner")
        .group_by("esco_uri")
        .agg(pl.col("soc2018").unique().sort())
    )
    return (
        titles.with_row_index("row")
        .join(esco, on="esco_uri", how="left")
        .join(chain, on="esco_uri", how="left")
        .with_columns(pl.col("soc2018").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .with_columns(
            majors=pl.col("soc2018").list.eval(pl.element().str.slice(0, 2).unique().sort())
        )
        .sort("row")
    )


def _read_excel(path: Path, header_row: int, sheet_name: str | None = None) -> pl.DataFrame:
    # calamine (fastexcel) reads .xlsx and the legacy .xls; rows above header_row are skipped.
    return pl.read_excel(
        path,
        sheet_name=sheet_name,
        engine="calamine",
        read_options={"header_row": header_row, "dtypes": "string"},
    )
