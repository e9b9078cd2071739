"""Benchmark: end-to-end ad ingestion (read, validate, dedup, extract, store, aggregate).

Extraction runs against the onet stage's O*NET 30.1 taxonomy (``load_onet``: 8,946 skills,
14,366 aliases; ``tests/ingest/helpers.onet_technology_vocab``'s technology names only when the
loader cannot be imported). Ads come from the synthetic market generator when it is installed
(``skilltide.synthetic.write_market``) and ``--synthetic`` is given; otherwise from the built-in
generator of realistic ads (1–4 KB of English text, ~30% of sentences naming skills, 1% exact
reposts).

In the same process, the baseline is the same pipeline with a naive per-row Python regex
extractor (one case-insensitive ``\\b(alias|alias|...)\\b`` alternation, ``findall`` per ad), run
on a subset (``--baseline-ads``) and reported per ad, so the ratio compares like with like. An
engine comparison (polars Aho–Corasick vs pyahocorasick vs DuckDB) runs on ``--engine-ads``.

Peak memory is the process's maximum resident set size (``resource.getrusage``); the ads file
is generated in a child process so that it does not count. Run:

    python benchmarks/ingest.py --ads 1000000 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

import polars as pl  # noqa: E402
from _ads import generate  # noqa: E402
from _data import shared_data  # noqa: E402


class NaiveRegexMatcher:
    """Baseline: one big case-insensitive regex alternation, ``findall`` per ad in Python."""

    def __init__(self, vocab: pl.DataFrame) -> None:
        aliases = sorted(set(vocab["alias"].to_list()), key=len, reverse=True)
        self.lookup = {}
        for alias, skill in vocab.select("alias", "skill_id").iter_rows():
            self.lookup.setdefault(alias.lower(), skill)
        self.regex = re.compile(
            r"(?<!\w)(" + "|".join(map(re.escape, aliases)) + r")(?!\w)", re.IGNORECASE
        )
        self.n_aliases = len(aliases)

    def __len__(self) -> int:
        return self.n_aliases

    def extract_normalised(self, norm: pl.DataFrame) -> pl.DataFrame:
        rows = []
        for ad_id, title, text in norm.select("ad_id", "title_norm", "text_norm").iter_rows():
            found = {}
            for where, value in (("title", title), ("text", text)):
                for m in self.regex.findall(value or ""):
                    skill = self.lookup.get(m.lower())
                    if skill:
                        found[skill] = "both" if found.get(skill, where) != where else where
            rows += [(ad_id, s, w) for s, w in found.items()]
        return pl.DataFrame(rows, schema=["ad_id", "skill_id", "found_in"], orient="row")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(
    db: Path,
    files: list[Path],
    matcher=None,
    batch_rows: int = 20_000,
    memory_limit=None,
    workers: int | None = None,
) -> dict:
    from skilltide.ingest.ads import ingest_ads
    from skilltide.store import Warehouse

    with Warehouse(db) as wh:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = usage.ru_utime + usage.ru_stime
        start = time.perf_counter()
        summary = ingest_ads(
            wh,
            files,
            coder=None,
            matcher=matcher,
            batch_rows=batch_rows,
            now=dt.datetime(2030, 1, 1),
            **({"memory_limit": memory_limit} if memory_limit else {}),  # else ingest's default
            **({"workers": workers} if workers is not None else {}),
        )
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu0
        stages = json.loads(
            wh.query("SELECT stages FROM runs WHERE run_id = ?", [summary["run_id"]])["stages"][0]
        )
    # Seconds per step: file steps summed over files (preparation runs in worker threads in
    # parallel with storing, so steps add up to more than the wall time), then the panel.
    steps: dict[str, float] = {}
    for stage in stages:
        for name, value in stage.get("_steps", {}).items():
            steps[name] = steps.get(name, 0.0) + value
        if stage["stage"].startswith("demand panel"):
            steps["demand_panel"] = stage["seconds"]
    mb = sum(f.stat().st_size for f in files) / 1e6
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "ads_per_cpu_s": round(summary["rows_read"] / cpu, 2),
        "ads_per_s": round(summary["rows_read"] / seconds, 2),
        "mb_per_s": round(mb / seconds, 1),
        "rows_read": summary["rows_read"],
        "ads_stored": summary["ads_stored"],
        "duplicates": summary["duplicates"],
        "skills_found": summary["skills_found"],
        "file_mb": round(mb, 1),
        "step_seconds": {k: round(v, 2) for k, v in steps.items()},
    }


def engines(texts: list[str], matcher) -> dict:
    """Ads/s of one overlapping Aho–Corasick pass over the same normalised, lowercased texts
    with the same patterns (automaton build included): polars ``str.extract_many`` vs
    pyahocorasick (Python loop per ad) vs DuckDB (``contains`` join, on a 200-ad subset)."""
    import ahocorasick
    import duckdb

    from skilltide.ingest.extract import normalise

    patterns = matcher._plain_patterns
    norm = pl.DataFrame({"t": texts}).select(normalise(pl.col("t")).str.to_lowercase().alias("t"))
    out = {}
    t = time.perf_counter()
    polars_hits = norm.select(pl.col("t").str.extract_many(patterns, overlapping=True))
    out["polars_extract_many"] = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    automaton = ahocorasick.Automaton()
    for key in patterns:
        automaton.add_word(key, key)
    automaton.make_automaton()
    py_hits = [[k for _, k in automaton.iter(text)] for text in norm["t"].to_list()]
    out["pyahocorasick"] = len(texts) / (time.perf_counter() - t)
    assert polars_hits["t"].list.len().sum() == sum(map(len, py_hits))  # same matches
    sub = min(len(texts), 200)
    con = duckdb.connect()
    con.register("keys", pl.DataFrame({"key": patterns}).to_arrow())
    con.register("docs", norm.head(sub).with_row_index("id").to_arrow())
    t = time.perf_counter()
    con.sql("SELECT count(*) FROM docs JOIN keys ON contains(docs.t, keys.key)").fetchall()
    out["duckdb_contains_join"] = sub / (time.perf_counter() - t)
    return {k: round(v) for k, v in out.items()}


def taxonomy_db(work: Path, skills: pl.DataFrame, aliases: pl.DataFrame) -> Path:
    """``work/taxonomy.duckdb``: a warehouse holding only the extraction vocabulary (made once)."""
    from skilltide.store import Warehouse
    from tests.ingest.helpers import add_vocab

    template = work / "taxonomy.duckdb"
    if not template.exists():
        with Warehouse(template) as wh:
            try:  # the onet stage's taxonomy when it is installed
                from skilltide.onet.load import load_onet

                load_onet(wh, [shared_data("onet", "30.1")])
            except ImportError:
                add_vocab(wh, skills, aliases)
    return template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=1_000_000)
    parser.add_argument("--baseline-ads", type=int, default=1_000)
    parser.add_argument("--engine-ads", type=int, default=5_000)
    parser.add_argument("--batch-rows", type=int, default=20_000)
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="use skilltide.synthetic.write_market when installed",
    )
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--duckdb-memory-limit", default=None, help="DuckDB cap during the run, e.g. 2GB"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="preparation threads (default: ingest's; 0 = sequential, for per-step profiles)",
    )
    parser.add_argument(
        "--engines-only", action="store_true", help="only compare the extraction engines"
    )
    parser.add_argument("--generate-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    from tests.ingest.helpers import onet_technology_vocab

    skills, aliases = onet_technology_vocab(shared_data("onet", "30.1", "Technology Skills.txt"))
    names = skills.sort(pl.col("hot_technology"), descending=True)["name"].to_list()
    if args.generate_only:
        generate(args.generate_only, args.ads, names)
        return

    work = args.workdir or Path(tempfile.mkdtemp(prefix="skilltide-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data_source = "built-in realistic generator"
    big = work / f"ads-{args.ads}.csv"
    if args.synthetic:
        try:
            from skilltide.synthetic import SIZES, write_market

            folder = work / "market"
            write_market(SIZES["large"], folder)
            big = folder / "ads.csv"
            data_source = "skilltide.synthetic large market"
        except ImportError:
            data_source += " (skilltide.synthetic not installed)"
    if not big.exists():
        subprocess.run(
            [sys.executable, __file__, "--ads", str(args.ads), "--generate-only", str(big)],
            check=True,
            env={**os.environ},
        )
    small = work / f"ads-{args.baseline_ads}.csv"
    if not small.exists():
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--ads",
                str(args.baseline_ads),
                "--generate-only",
                str(small),
            ],
            check=True,
            env={**os.environ},
        )

    from skilltide.ingest.extract import SkillMatcher
    from skilltide.store import Warehouse

    template = taxonomy_db(work, skills, aliases)
    with Warehouse(template) as wh:
        sources = wh.query("SELECT DISTINCT source FROM skills")["source"].to_list()
    vocabulary = ", ".join(sorted(map(str, sources)))

    def fresh_db(name: str) -> Path:
        db = work / f"{name}.duckdb"
        for p in (db, Path(str(db) + ".wal")):
            p.unlink(missing_ok=True)
        shutil.copy(template, db)
        return db

    db = fresh_db("main")
    with Warehouse(db) as wh:
        matcher = SkillMatcher.from_warehouse(wh.con)
        vocab_size = len(matcher)
    if args.engines_only:
        texts = pl.read_csv(small)["text"].to_list()
        texts = (texts * (args.engine_ads // len(texts) + 1))[: args.engine_ads]
        print(
            json.dumps(
                {
                    "ads": len(texts),
                    "patterns": len(matcher._plain_patterns),
                    "engines_ads_per_s": engines(texts, matcher),
                },
                indent=2,
            )
        )
        return
    rss_before = peak_rss_mb()
    ours = run_pipeline(
        db,
        [big],
        batch_rows=args.batch_rows,
        memory_limit=args.duckdb_memory_limit,
        workers=args.workers,
    )
    ours["peak_rss_mb"] = round(peak_rss_mb())
    subset_ours = run_pipeline(fresh_db("subset"), [small], batch_rows=args.batch_rows)
    vocab = aliases.select("alias", "skill_id").vstack(
        skills.select(pl.col("name").alias("alias"), "skill_id")
    )
    naive = NaiveRegexMatcher(vocab)
    baseline = run_pipeline(
        fresh_db("baseline"), [small], matcher=naive, batch_rows=args.batch_rows
    )
    texts = pl.read_csv(small)["text"].to_list()
    texts = (texts * (args.engine_ads // len(texts) + 1))[: args.engine_ads]
    result = {
        "data": data_source,
        "ads": ours["rows_read"],
        "vocabulary_patterns": vocab_size,
        "vocabulary_sources": vocabulary,
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "pipeline": ours,
        "rss_before_mb": round(rss_before),
        "subset": {
            "ads": subset_ours["rows_read"],
            "ours": subset_ours,
            "naive_regex_baseline": baseline,
            "speedup": round(subset_ours["ads_per_s"] / baseline["ads_per_s"], 1),
        },
        "speedup_full_vs_baseline": round(ours["ads_per_s"] / baseline["ads_per_s"], 1),
        "engines_ads_per_s": engines(texts, matcher),
        "goal": {"ads_per_s": 50_000, "peak_rss_mb": 4096},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"data: {data_source}; {ours['rows_read']:,} ads, {ours['file_mb']:,} MB; vocabulary "
        f"{vocab_size:,} patterns; {os.cpu_count()} cores, load {result['load_average_1min']}"
    )
    print(
        f"skilltide : {ours['ads_per_s']:>9,} ads/s {ours['mb_per_s']:>7} MB/s "
        f"({ours['seconds']} s wall, {ours['cpu_seconds']} s CPU = "
        f"{ours['ads_per_cpu_s']:,} ads per CPU-second), peak RSS {ours['peak_rss_mb']:,} MB"
    )
    steps = ", ".join(f"{k} {v}" for k, v in ours["step_seconds"].items())
    print(f"seconds per step (file steps summed over files): {steps}")
    print(
        f"subset ({subset_ours['rows_read']:,} ads): skilltide {subset_ours['ads_per_s']:,} "
        f"ads/s vs naive regex {baseline['ads_per_s']:,} ads/s -> "
        f"{result['subset']['speedup']}x"
    )
    print(f"full run vs naive baseline: {result['speedup_full_vs_baseline']}x")
    print("extraction engines (ads/s):", result["engines_ads_per_s"])


if __name__ == "__main__":
    main()
