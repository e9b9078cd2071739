"""The ISCO-08 → SOC 2018 crosswalk: how an ad's ISCO-08 occupation code reaches O*NET.

European job-ad data code occupations in ISCO-08 (``2512`` Software developers); O*NET, and so
every occupation panel here, in SOC 2018. :func:`load_crosswalk` reads the Bureau of Labor
Statistics' ISCO-08 ↔ 2010 SOC crosswalk (``ISCO_SOC_Crosswalk.xls``; either sheet) with its
2010 → 2018 SOC crosswalk (``soc_2010_to_2018_crosswalk.xlsx``), or one file whose SOC column
is already 2018 SOC, as Excel (.xls/.xlsx, the first sheet with the columns; banner rows above
the header are skipped) or CSV, and stores each ISCO-08 code with the SOC 2018 detailed
occupations it maps to in ``isco_soc``. Ingest then reads a mapped occupation value that is an
ISCO-08 code through it (:mod:`skilltide.ingest.occupation_isco`), and the stored ads are read
again at once. With ESCO's occupations file too (:mod:`skilltide.onet.esco`), a value that is
an ESCO occupation URI is read through its ISCO-08 group
(:mod:`skilltide.ingest.occupation_esco`).

Example
-------
>>> import pathlib, tempfile
>>> from skilltide.store import Warehouse
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "isco.csv").write_text(
...     "ISCO-08 Code,ISCO-08 Title EN,2018 SOC Code\\n2512,Software developers,15-1252\\n"
...     "2512,Software developers,15-1253\\n2211,Generalist medical practitioners,29-1215\\n")
>>> with Warehouse(folder / "w.duckdb") as wh:
...     summary = load_crosswalk(wh, folder / "isco.csv")
>>> summary["isco_codes"], summary["soc_codes"], summary["single"]
(2, 3, 1)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.ingest.readers import sha256_file
from skilltide.onet.esco import read_esco
from skilltide.store import Warehouse, append
from skilltide.textfile import read_csv_table

ISCO = re.compile(r"^[0-9]{3,4}$")  # a unit group (2512) or a minor group BLS maps (211)
SOC = re.compile(r"^[0-9]{2}-[0-9]{4}$")
_ISCO_COLUMN = re.compile(r"^isco(-08)?\s+code$", re.I)
_ISCO_TITLE = re.compile(r"^isco(-08)?\s+title", re.I)
_SOC_COLUMN = re.compile(r"^(2010|2018)\s+soc\s+code$", re.I)
_SOC_2010 = re.compile(r"^2010\s+soc\s+code$", re.I)
_SOC_2018 = re.compile(r"^2018\s+soc\s+code$", re.I)
# the columns as an error names them
_LABELS = {
    _ISCO_COLUMN.pattern: "'ISCO-08 Code'",
    _SOC_COLUMN.pattern: "'2010 SOC Code' or '2018 SOC Code'",
    _SOC_2010.pattern: "'2010 SOC Code'",
    _SOC_2018.pattern: "'2018 SOC Code'",
}


def load_crosswalk(
    wh: Warehouse,
    isco_file: str | Path,
    soc_2010_2018: str | Path | None = None,
    esco_file: str | Path | None = None,
) -> dict[str, Any]:
    """Store the ISCO-08 → SOC 2018 crosswalk and, with ``esco_file``, ESCO's occupations
    (:mod:`skilltide.onet.esco`), replacing what was stored before, and read the stored ads'
    ISCO-08 and ESCO values through them; the same files again change nothing."""
    isco_file = existing_file(isco_file)
    soc_file = existing_file(soc_2010_2018) if soc_2010_2018 is not None else None
    esco = read_esco(esco_file) if esco_file is not None else None
    pairs, year = _isco_pairs(isco_file)
    if year == "2010":
        if soc_file is None:
            raise UserError(
                f"{isco_file}: its SOC codes are 2010 SOC; give the 2010 → 2018 SOC crosswalk "
                "too (BLS soc_2010_to_2018_crosswalk.xlsx), as O*NET codes in 2018 SOC"
            )
        pairs, unmapped = _to_2018(pairs, _soc_2010_2018(soc_file), soc_file)
    elif soc_file is not None:
        raise UserError(f"{isco_file}: its SOC codes are 2018 SOC already; leave out {soc_file}")
    else:
        pairs, unmapped = pairs.rename({"soc": "soc_code"}), []
    files = [Path(p) for p in (isco_file, soc_file, esco_file) if p is not None]
    sha = {str(p.resolve()): sha256_file(p) for p in files}
    stored = _stored_from(wh)
    if stored is not None and stored[1].get("sha256") == sorted(sha.values()):
        return {
            "run_id": stored[0],
            "unchanged": True,
            **summary(wh.con),
            "unmapped_soc_2010": stored[1].get("unmapped_soc_2010", []),
            "ads_read_again": 0,
        }
    from skilltide.ingest.occupation_stored import ads_coder_or_none, read_stored
    from skilltide.ingest.recode import refresh_panel_if_changed

    coder = ads_coder_or_none(wh)  # before the run: choosing may build the ads' coder
    with wh.run("onet crosswalk", {"files": sorted(sha)}) as run:
        run.con.execute("DELETE FROM isco_soc")
        rows = pairs.select("isco", "soc_code", "isco_title").unique(["isco", "soc_code"])
        run.count(
            "isco_soc", append(run.con, "isco_soc", rows.with_columns(run_id=pl.lit(run.run_id)))
        )
        run.con.execute("DELETE FROM esco_occupations")
        if esco is not None:
            stored_esco = esco.with_columns(run_id=pl.lit(run.run_id))
            run.count("esco_occupations", append(run.con, "esco_occupations", stored_esco))
        run.notes["sha256"] = sorted(sha.values())
        run.notes["unmapped_soc_2010"] = unmapped
        read_again = read_stored(run, coder)  # ads stored before: read through it now
        refresh_panel_if_changed(run, read_again)
        run.notes["ads_read_again"] = read_again
        return {
            "run_id": run.run_id,
            "unchanged": False,
            **summary(run.con),
            "unmapped_soc_2010": unmapped,
            "ads_read_again": read_again,
        }


def summary(con) -> dict[str, Any]:
    """What the stored crosswalk holds: ISCO-08 codes, SOC codes, pairs, ISCO-08 codes with
    one SOC occupation, and the SOC codes with an occupation in the loaded O*NET release
    (None when none is loaded), and the ESCO occupations stored and those whose ISCO-08 group
    it holds."""
    row = con.execute(
        "SELECT count(DISTINCT isco), count(DISTINCT soc_code), count(*),"
        " (SELECT count(*) FROM (SELECT isco FROM isco_soc GROUP BY isco HAVING count(*) = 1))"
        " FROM isco_soc"
    ).fetchall()[0]
    esco = con.execute(
        "SELECT count(*), count(*) FILTER (isco IN (SELECT isco FROM isco_soc))"
        " FROM esco_occupations"
    ).fetchall()[0]
    onet = con.execute("SELECT count(*) FROM occupations").fetchall()[0][0]
    found = None
    if onet:
        found = con.execute(
            "SELECT count(DISTINCT soc_code) FROM isco_soc WHERE soc_code IN"
            " (SELECT left(onetsoc_code, 7) FROM occupations)"
        ).fetchall()[0][0]
    return {
        "isco_codes": row[0],
        "soc_codes": row[1],
        "pairs": row[2],
        "single": row[3],
        "soc_codes_in_onet": found,
        "esco_occupations": esco[0],
        "esco_in_crosswalk": esco[1],
    }


def existing_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return path


def stored(wh: Warehouse) -> dict[str, Any] | None:
    """The stored crosswalk, for ``skilltide status``: the run that loaded it, its files and
    :func:`summary`; None when none is stored."""
    import json

    loaded = _stored_from(wh)
    if loaded is None:
        return None
    args = wh.con.execute("SELECT args FROM runs WHERE run_id = ?", [loaded[0]]).fetchall()
    files = json.loads(args[0][0]).get("files", []) if args and args[0][0] else []
    return {"run_id": loaded[0], "files": files, **summary(wh.con)}


def _stored_from(wh: Warehouse) -> tuple[str, dict[str, Any]] | None:
    """The run that stored the crosswalk and its notes (its files' checksums, the 2010 SOC
    codes the chain did not hold); None when none is stored."""
    import json

    rows = wh.con.execute(
        "SELECT run_id, notes FROM runs WHERE run_id = (SELECT any_value(run_id) FROM isco_soc)"
    ).fetchall()
    if not rows or rows[0][1] is None:
        return None
    return rows[0][0], json.loads(rows[0][1])


def _isco_pairs(path: Path) -> tuple[pl.DataFrame, str]:
    """``isco, isco_title, soc, row`` of an ISCO-08 → SOC file, and its SOC's year."""
    table, rows, where = _table(path, [_ISCO_COLUMN, _SOC_COLUMN])
    isco_col = _find(table.columns, _ISCO_COLUMN)
    soc_col = _find(table.columns, _SOC_COLUMN)
    title_col = _find(table.columns, _ISCO_TITLE)
    isco = pl.col(isco_col).str.strip_chars()
    out = table.select(
        # a code saved as a number lost its zero (0110 → 110): no minor group ends in 0
        pl.when(isco.str.contains(r"^[0-9]{2}0$"))
        .then(pl.lit("0") + isco)
        .otherwise(isco)
        .alias("isco"),
        (pl.col(title_col).str.strip_chars() if title_col else pl.lit(None, pl.String)).alias(
            "isco_title"
        ),
        pl.col(soc_col).str.strip_chars().alias("soc"),
    ).with_columns(row=rows)
    out = out.filter(pl.col("isco").is_not_null() | pl.col("soc").is_not_null())
    _check(out, "isco", ISCO, path, where, isco_col, "an ISCO-08 code (3 or 4 digits)")
    _check(out, "soc", SOC, path, where, soc_col, "a SOC code written NN-NNNN")
    if out.is_empty():
        raise UserError(f"{path}: no rows under its header")
    return out, soc_col.strip()[:4]


def _soc_2010_2018(path: Path) -> pl.DataFrame:
    """``soc_2010, soc_2018`` of BLS's 2010 → 2018 SOC crosswalk."""
    old, new = _SOC_2010, _SOC_2018
    table, rows, where = _table(path, [old, new])
    old_col, new_col = _find(table.columns, old), _find(table.columns, new)
    out = table.select(
        pl.col(old_col).str.strip_chars().alias("soc_2010"),
        pl.col(new_col).str.strip_chars().alias("soc_2018"),
    ).with_columns(row=rows)
    out = out.filter(pl.col("soc_2010").is_not_null() | pl.col("soc_2018").is_not_null())
    _check(out, "soc_2010", SOC, path, where, old_col, "a SOC code written NN-NNNN")
    _check(out, "soc_2018", SOC, path, where, new_col, "a SOC code written NN-NNNN")
    return out.select("soc_2010", "soc_2018").unique()


def _to_2018(
    pairs: pl.DataFrame, chain: pl.DataFrame, path: Path
) -> tuple[pl.DataFrame, list[str]]:
    """ISCO-08 → 2010 SOC pairs as ISCO-08 → 2018 SOC (a 2010 code split in 2018 gives all
    its parts); the 2010 codes the chain does not hold, sorted."""
    joined = pairs.join(chain, left_on="soc", right_on="soc_2010", how="left")
    unmapped = sorted(set(joined.filter(pl.col("soc_2018").is_null())["soc"].to_list()))
    if len(unmapped) == pairs["soc"].n_unique():
        raise UserError(f"{path}: none of the ISCO file's 2010 SOC codes is in it")
    out = joined.filter(pl.col("soc_2018").is_not_null()).select(
        "isco", "isco_title", pl.col("soc_2018").alias("soc_code")
    )
    return out, unmapped


def _table(path: Path, needed: list[re.Pattern]) -> tuple[pl.DataFrame, pl.Series, str]:
    """The file's table under the first row naming every ``needed`` column (all text), the
    sheet row or file line of each of its rows, and what to call a row in an error."""
    if path.suffix.lower() == ".csv":
        table, lines = read_csv_table(path)
        if not all(_find(table.columns, n) for n in needed):
            raise _no_header(path, table.columns, needed)
        return table, lines, "line"
    import fastexcel

    try:
        book = fastexcel.read_excel(path)
        sheets = [
            (name, book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars())
            for name in book.sheet_names
        ]
    except Exception as exc:  # fastexcel raises its own exception types
        raise UserError(f"{path}: not a readable Excel workbook ({exc})") from None
    for name, sheet in sheets:
        for i, cells in enumerate(sheet.head(30).iter_rows()):
            header = [str(c).strip() if c is not None else "" for c in cells]
            if all(_find(header, n) for n in needed):
                names = [h or f"column {j + 1}" for j, h in enumerate(header)]
                body = sheet.slice(i + 1).rename(dict(zip(sheet.columns, names, strict=True)))
                return (
                    body,
                    pl.int_range(i + 2, i + 2 + body.height, eager=True),
                    f"sheet {name!r} row",
                )
    first = sheets[0][1].head(30) if sheets else pl.DataFrame()
    found = [str(c) for row in first.iter_rows() for c in row if c is not None]
    raise _no_header(path, found[:12], needed)


def _no_header(path: Path, found: list[str], needed: list[re.Pattern]) -> UserError:
    wanted = " and ".join(_LABELS.get(n.pattern, repr(n.pattern)) for n in needed)
    return UserError(
        f"{path}: no header row with the columns {wanted} (found {', '.join(found[:12])})"
    )


def _find(columns: list[str], pattern: re.Pattern) -> str | None:
    return next((c for c in columns if pattern.match(c.strip())), None)


def _check(
    frame: pl.DataFrame, column: str, pattern: re.Pattern, path: Path, where: str, name: str,
    what: str,
) -> None:  # fmt: skip
    bad = frame.filter(~pl.col(column).fill_null("").str.contains(pattern.pattern))
    if bad.height:
        row = bad.row(0, named=True)
        value = "empty" if row[column] is None else f"{row[column]!r} is not {what}"
        raise UserError(f"{path}: {where} {row['row']}, column {name!r}: {value}")
