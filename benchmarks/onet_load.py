"""O*NET loading speed and taxonomy coverage, each against a baseline in the same process.

1. Load ../shared/data/onet/30.1 (text) and 29.3 (Excel) into a fresh warehouse with
   ``load_onet`` (reading, typing, writing, taxonomy rebuild); then load them again
   (idempotent: every file unchanged). Then time only the reading and typing of the same
   files with skilltide's readers (polars expressions) against the baseline: a plain Python
   row loop (``csv`` module, one value at a time), which is what a simple loader would do.
   Excel files go through the same reader in both (the loop types their values).
2. Taxonomy coverage: of the 261 technology terms counted in Hacker News "Who is hiring?"
   posts, how many resolve (case-insensitively) to a skill through ``skill_aliases``,
   against the baseline of matching O*NET example names only.

Usage: python benchmarks/onet_load.py [--json]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from skilltide.onet.load import load_onet
from skilltide.onet.readers import read_excel, read_file
from skilltide.onet.registry import by_stem
from skilltide.store import Warehouse


def baseline_read(folder: Path) -> int:
    """Parse and type every known file with a Python loop over rows and values."""
    specs = by_stem()
    rows = 0
    for path in sorted(folder.iterdir()):
        spec = specs.get(path.stem)
        if spec is None:
            continue
        if path.suffix == ".xlsx":
            sheet = read_excel(path)  # same Excel reader; the loop below types the values
            records, header = sheet.rows(), sheet.columns
        else:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                header = next(reader)
                records = list(reader)
        kinds = [(spec.column(h).kind if spec.column(h) else None) for h in header]
        for record in records:
            typed = []
            for value, kind in zip(record, kinds, strict=False):
                if value in (None, "", "n/a"):
                    typed.append(None)
                elif kind == "float":
                    typed.append(float(value))
                elif kind == "int":
                    typed.append(int(float(value)))
                elif kind == "bool":
                    typed.append(value == "Y")
                elif kind == "month":
                    month, year = value.split("/")
                    typed.append(dt.date(int(year), int(month), 1))
                else:
                    typed.append(value)
            rows += 1
    return rows


def skilltide_read(folder: Path) -> int:
    """Parse and type every known file with skilltide's vectorised readers."""
    specs = by_stem()
    return sum(
        read_file(p, specs[p.stem]).height for p in sorted(folder.iterdir()) if p.stem in specs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    onet30, onet29 = shared_data("onet", "30.1"), shared_data("onet", "29.3")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "w.duckdb") as wh:
        start = time.perf_counter()
        first = load_onet(wh, [onet30])
        figures["load_30_1_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        load_onet(wh, [onet29])
        figures["load_29_3_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        again = load_onet(wh, [onet30, onet29])
        figures["reload_both_seconds"] = time.perf_counter() - start
        figures["rows_loaded"] = wh.con.execute("SELECT sum(rows) FROM onet_files").fetchone()[0]
        del first
        figures["reload_unchanged_files"] = again["unchanged"]
        aliases = wh.query("SELECT lower(alias) AS key FROM skill_aliases")
        names = wh.query("SELECT lower(name) AS key FROM skills WHERE kind = 'technology'")
        figures["skills"] = wh.con.execute("SELECT count(*) FROM skills").fetchone()[0]
        figures["aliases"] = aliases.height
    start = time.perf_counter()
    baseline_rows = baseline_read(onet30) + baseline_read(onet29)
    figures["baseline_read_seconds"] = time.perf_counter() - start
    figures["baseline_rows"] = baseline_rows
    start = time.perf_counter()
    skilltide_read(onet30) + skilltide_read(onet29)
    figures["read_typed_seconds"] = time.perf_counter() - start
    figures["read_speedup_vs_baseline"] = (
        figures["baseline_read_seconds"] / figures["read_typed_seconds"]
    )

    terms_path = shared_data(
        "jobads", "hn_whoishiring_terms", "hn_whoishiring_term_counts_monthly.csv"
    )
    terms = pl.read_csv(terms_path).select(pl.col("term").str.to_lowercase().alias("key")).unique()
    figures["hn_terms"] = terms.height
    figures["hn_terms_matched_by_aliases"] = terms.join(aliases.unique(), on="key").height
    figures["hn_terms_matched_by_names_only"] = terms.join(names.unique(), on="key").height
    figures["coverage_ratio_aliases_vs_names"] = (
        figures["hn_terms_matched_by_aliases"] / figures["hn_terms_matched_by_names_only"]
    )

    if args.json:
        print(json.dumps({k: round(v, 3) for k, v in figures.items()}, indent=2))
        return
    for key, value in figures.items():
        print(
            f"{key:<36} {value:>12,.3f}" if isinstance(value, float) else f"{key:<36} {value:>12,}"
        )


if __name__ == "__main__":
    main()
