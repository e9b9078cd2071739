"""Benchmark: re-ingesting a changed file whose ads are also posted in another file.

Two files of realistic ads (``_ads.generate``) share most ads: ``b.csv`` reposts 90% of
``a.csv``'s ads a month later, upper-case titles and without the mapped occupation (every
field an ad takes from its first posting differs), plus ads of its own. ``a.csv`` is then
changed in one row and ingested again: its postings are removed, the shared ads fall back to
``b.csv``'s postings (:mod:`skilltide.ingest.fallback`, title skills re-extracted), then
``a.csv``'s ads replace them again. In the same process, the baseline is the same re-ingest
when ``b.csv`` shares no ad with ``a.csv`` (nothing falls back). Run:

    python benchmarks/ingest_fallback.py --ads 100000 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

import polars as pl  # noqa: E402
from _ads import generate  # noqa: E402

from skilltide.ingest.ads import ingest_ads  # noqa: E402
from skilltide.store import Warehouse  # noqa: E402
from tests.ingest.helpers import add_vocab, small_vocab  # noqa: E402

NOW = dt.datetime(2025, 1, 1)


def scenario(work: Path, ads: pl.DataFrame, shared: bool) -> dict[str, float]:
    """Ingest a.csv and b.csv, change one row of a.csv, ingest it again; seconds and counts."""
    work.mkdir()
    a, b = work / "a.csv", work / "b.csv"
    ads.write_csv(a)
    n = ads.height
    reposts = ads.slice(n // 10).with_columns(
        pl.col("id") + "b",
        (pl.col("posted_at").str.to_date() + dt.timedelta(days=31)).cast(pl.String),
        pl.col("title").str.to_uppercase(),
        pl.lit(None, dtype=pl.String).alias("occupation"),
    )
    if not shared:  # other ads: another company
        reposts = reposts.with_columns(pl.col("company") + " B")
    own = ads.head(n // 10).with_columns(pl.col("id") + "c", pl.col("company") + " C")
    pl.concat([reposts, own]).write_csv(b)
    skills, aliases = small_vocab()
    with Warehouse(work / "w.duckdb") as wh:
        add_vocab(wh, skills, aliases)
        ingest_ads(wh, [a, b], coder=None, now=NOW)
        first = pl.int_range(pl.len()) == 0  # one row changed: the others keep their ad ids
        changed = pl.when(first).then(pl.lit("Changed.")).otherwise("text").alias("text")
        ads.with_columns(changed).write_csv(a)
        start = time.perf_counter()
        summary = ingest_ads(wh, [a], coder=None, now=NOW)
        seconds = time.perf_counter() - start
        postings = wh.query("SELECT count(*) AS n FROM ad_postings")["n"].item()
    return {"seconds": round(seconds, 3), "ads_stored": summary["ads_stored"], "postings": postings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        names = small_vocab()[1]["alias"].to_list()
        generate(work / "ads.csv", args.ads, names)
        ads = pl.read_csv(work / "ads.csv", infer_schema=False)
        fallback = scenario(work / "shared", ads, shared=True)
        baseline = scenario(work / "distinct", ads, shared=False)
    result = {
        "ads": args.ads,
        "ads_falling_back": args.ads - args.ads // 10,
        "fallback": fallback,
        "baseline_nothing_falls_back": baseline,
        "ratio": round(fallback["seconds"] / baseline["seconds"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"re-ingest of a changed {args.ads:,}-ad file, {result['ads_falling_back']:,} ads"
            f" falling back: {fallback['seconds']} s; nothing falling back:"
            f" {baseline['seconds']} s; ratio {result['ratio']}"
        )


if __name__ == "__main__":
    main()
