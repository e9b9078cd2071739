"""Distinct codes at a coarser level (6-digit SOC, major group) on the development split.

:mod:`skilltide.onet.coder_levels`: the coder's top O*NET-SOC candidates (30 by default)
summed into distinct 6-digit codes or major groups, against the top-5 O*NET-SOC codes
read at that level (``benchmarks/title_coding.py``'s scoring). Development split only: the
seed-4242 bucket-1 held-out alternate titles (``benchmarks/title_coding_static.py``), plain
and occupation-balanced. Rows: the default lexical coder; ``--static`` adds the plain static
coder, ``--static-rerank-linear`` the static ``--linear --rerank`` build (needs the embed
extra; a few minutes and ~3 GB each).
Usage: python benchmarks/title_coding_levels.py [--static] [--static-rerank-linear]
       [--candidates N ...] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl

from benchmarks._data import shared_data
from benchmarks.title_coding import accuracy, protocol_split
from benchmarks.title_coding_static import balanced, cached_teacher, dev_split, memoise_linear_fit
from skilltide.onet.coder import fit_coder
from skilltide.onet.coder_levels import at_level
from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams


def lists(predicted: pl.DataFrame, n: int) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in range(n)]
    for i, code in zip(predicted["input_index"], predicted["onetsoc_code"], strict=True):
        out[i].append(code)
    return out


def timed(fn):
    fn()  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - start, time.process_time() - cpu


def levels_row(coder, titles: list[str], truth: list[str], candidates: list[int]) -> dict:
    """(a) top-5 O*NET-SOC read at each level vs (b) distinct summed codes, with speeds."""
    n = len(titles)
    now, wall, cpu = timed(lambda: coder.predict(titles, top=5))
    ranked = lists(now, n)
    row: dict = {"a": {**accuracy(ranked, truth), **balanced(ranked, truth)}}
    row["a"]["titles_per_second"], row["a"]["titles_per_cpu_second"] = (
        round(n / wall),
        round(n / cpu),
    )
    for k in candidates:

        def both(k=k):
            predicted = coder.predict(titles, top=k)
            return at_level(predicted, "soc", 5), at_level(predicted, "major", 5)

        (soc, major), wall, cpu = timed(both)
        s, m = lists(soc, n), lists(major, n)
        sa, ma = (
            {**accuracy(s, truth), **balanced(s, truth)},
            {
                **accuracy(m, truth),
                **balanced(m, truth),
            },
        )
        row[f"b_{k}"] = {
            **{key: v for key, v in sa.items() if key.endswith("soc6")},
            **{key: v for key, v in ma.items() if key.endswith("major")},
            "titles_per_second": round(n / wall),
            "titles_per_cpu_second": round(n / cpu),
        }
        print(k, json.dumps(row[f"b_{k}"]), flush=True)
    print(json.dumps(row["a"]), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", action="store_true", help="add the plain static coder")
    parser.add_argument("--static-rerank-linear", action="store_true", help="add static -lr")
    parser.add_argument("--no-lexical", action="store_true", help="skip the lexical coder")
    parser.add_argument("--candidates", type=int, nargs="*", default=[30])
    parser.add_argument("--cache", type=Path, help="keep the teacher and SVM fits here")
    args = parser.parse_args()
    train, context, _ = protocol_split(shared_data("onet", "30.1"))
    fit_side, held = dev_split(train, 1)
    titles, truth = held["title"].to_list(), held["onetsoc_code"].to_list()
    out: dict = {"dev_titles": len(titles)}
    if not args.no_lexical:
        coder, _ = fit_coder(fit_side, CoderParams(), context)
        out["lexical"] = levels_row(coder, titles, truth, args.candidates)
    if args.static or args.static_rerank_linear:
        from skilltide.onet.coder_static_fit import fit_static_coder

        memoise_linear_fit(args.cache)
        teacher = cached_teacher(fit_side, args.cache)
        configs = {"static": CoderParams()} if args.static else {}
        if args.static_rerank_linear:
            configs["static_linear_rerank"] = CoderParams(rerank=True, linear=LINEAR_WEIGHT)
        for name, params in configs.items():
            start = time.perf_counter()
            coder, _ = fit_static_coder(fit_side, params, context, teacher=teacher)
            print(name, "fit", round(time.perf_counter() - start), "s", flush=True)
            out[name] = levels_row(coder, titles, truth, args.candidates)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
