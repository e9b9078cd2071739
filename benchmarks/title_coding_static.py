"""The static (token-matrix) coder on the development split (docs/methods.md, "Static MiniLM
token vectors").

``--model static`` (:mod:`skilltide.onet.coder_static`): a title's vector is the unit-length
mean of its WordPiece token vectors, learned from all-MiniLM-L6-v2 at build time
(:mod:`skilltide.onet.coder_static_fit`: per-token forward pass, ridge refit lambda = 1
towards MiniLM's title embeddings, PCA 128); nearest (tau = 0.05, over the 30 best lexical
candidates) and profile scores added to the lexical first stage with weights chosen on the
build's own held-out alternate titles. The token matrix is learned only from the training
side of the split (the teacher never sees a scored title).

The development split: the seed-4242 bucket-1 alternate titles of the issue-4 benchmark's
training side, held out of everything (the development split of docs/methods.md, sixth
round), lexical coder vs static coder, with occupation-balanced accuracies. The test set is
``benchmarks/title_coding.py --static``. Needs the embed extra.
Usage: python benchmarks/title_coding_static.py
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

import numpy as np
import polars as pl

from benchmarks._data import shared_data
from benchmarks.title_coding import _key, accuracy, protocol_split
from skilltide.onet.coder import fit_coder
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_static_fit import fit_static_coder


def dev_split(train: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Seed-4242 bucket 1 of the alternate titles, held out of everything else."""
    held = train.filter(
        (pl.col("kind") == "alternate") & (pl.col("title").hash(seed=4242) % 10 == 1)
    )
    return train.filter(~_key("title").is_in(held.select(_key("title"))["title"].implode())), held


def balanced(ranked: list[list[str]], truth: list[str]) -> dict[str, float]:
    """Top-1 / top-5 with every occupation weighted alike."""
    _, inv, counts = np.unique(truth, return_inverse=True, return_counts=True)
    w = 1.0 / counts[inv]
    out = {}
    for level, width in {"soc6": 7, "major": 2}.items():
        t1 = [bool(r) and r[0][:width] == t[:width] for r, t in zip(ranked, truth, strict=True)]
        t5 = [t[:width] in {c[:width] for c in r[:5]} for r, t in zip(ranked, truth, strict=True)]
        out[f"bal_top1_{level}"] = round(100 * float(w @ np.array(t1)) / w.sum(), 2)
        out[f"bal_top5_{level}"] = round(100 * float(w @ np.array(t5)) / w.sum(), 2)
    return out


def dev(train: pl.DataFrame, context: pl.DataFrame) -> dict:
    fit_side, held = dev_split(train)
    titles, truth = held["title"].to_list(), held["onetsoc_code"].to_list()
    out: dict = {"dev_titles": len(titles)}
    for name, fit in (("lexical", fit_coder), ("static", fit_static_coder)):
        start = time.perf_counter()
        coder, calibration = fit(fit_side, CoderParams(), context)
        fit_seconds = time.perf_counter() - start
        pred = coder.predict(titles, top=5)
        ranked: list[list[str]] = [[] for _ in titles]
        for i, code in zip(pred["input_index"], pred["onetsoc_code"], strict=True):
            ranked[i].append(code)
        keep = ("embed_nearest", "embed_profile", "teacher_titles", "teacher_tokens")
        out[name] = {
            **accuracy(ranked, truth),
            **balanced(ranked, truth),
            "fit_seconds": round(fit_seconds, 1),
            **{k: v for k, v in calibration.items() if k in keep or k.startswith("teacher")},
        }
    return out


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    train, context, _ = protocol_split(shared_data("onet", "30.1"))
    print(json.dumps(dev(train, context), indent=1))


if __name__ == "__main__":
    main()
