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
round), lexical coder vs static coder, with occupation-balanced accuracies (the test set's
mix: a few reported titles per occupation). ``--rerank --linear`` build both as
``build-coder --rerank --linear`` would. ``--variant`` adds a static row with changed
settings (``params.`` CoderParams, ``static.`` StaticParams, ``embed.`` EmbedParams, ``grid.``
the nearest/profile weight grids; JSON values, ``;`` between them); the teacher and the SVM
run once per process (``--cache DIR`` keeps them across runs: the same results, faster).
``--bucket`` scores another seed-4242 bucket (a robustness check, not the development split).
The test set is ``benchmarks/title_coding.py --static``. Needs the embed extra.
Usage: python benchmarks/title_coding_static.py [--rerank] [--linear] [--no-lexical]
       [--variant 'NAME:static.candidates=60;grid.nearest=[0,2,4]' ...] [--cache DIR]
       [--bucket N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import polars as pl

from benchmarks._data import shared_data
from benchmarks.title_coding import _key, accuracy, protocol_split, ranked_codes
from skilltide.onet import coder_embed
from skilltide.onet.coder import fit_coder
from skilltide.onet.coder_embed import EmbedParams
from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams
from skilltide.onet.coder_static import StaticParams, TokenVectors
from skilltide.onet.coder_static_fit import Teacher, fit_static_coder, learn_teacher


def dev_split(train: pl.DataFrame, bucket: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Seed-4242 bucket ``bucket`` (the development split: 1) of the alternate titles, held
    out of everything else."""
    held = train.filter(
        (pl.col("kind") == "alternate") & (pl.col("title").hash(seed=4242) % 10 == bucket)
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


def memoise_linear_fit(folder: Path | None) -> None:
    """Reuse the SVM across variants (in ``folder`` across runs): its fit reads only the
    lexical features, so the result is the same."""
    import scipy.sparse as sp

    from skilltide.onet.coder_linear import LinearScores

    fit, cache = LinearScores.fit, {}

    def fit_or_load(self, key, x, owner, weight, n_codes):
        path = folder / f"svm-{key[0]}.npz" if folder else None
        if path and path.exists():
            with np.load(path) as z:
                self.intercept = z["intercept"]
                self.weights_t = sp.csr_matrix(
                    (z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"])
                )
            return self
        fit(self, x, owner, weight, n_codes)
        if path:
            w = self.weights_t
            np.savez(
                path,
                intercept=self.intercept,
                data=w.data,
                indices=w.indices,
                indptr=w.indptr,
                shape=np.array(w.shape),
            )
        return self

    def cached(self, x, owner, weight, n_codes):
        key = hashlib.sha1()
        for part in (x.indptr, x.indices, x.data, owner, weight):
            key.update(np.ascontiguousarray(part).tobytes())
        key.update(repr((x.shape, n_codes, self.c, self.min_weight)).encode())
        key = (key.hexdigest(),)
        if key not in cache:
            cache[key] = fit_or_load(self, key, x, owner, weight, n_codes)
        self.weights_t, self.intercept = cache[key].weights_t, cache[key].intercept
        return self

    LinearScores.fit = cached


def parse_variant(text: str) -> tuple[str, dict[str, dict]]:
    """``name:static.candidates=60;embed.vote_temperature=0.03`` -> name, overrides."""
    name, _, spec = text.partition(":")
    out: dict[str, dict] = {"params": {}, "static": {}, "embed": {}, "grid": {}}
    for item in filter(None, spec.split(";")):
        key, value = item.split("=")
        group, field = key.split(".")
        out[group][field] = json.loads(value)
    return name, out


def score(coder, titles: list[str], truth: list[str]) -> dict:
    ranked, seconds, _ = ranked_codes(coder, titles)
    return {
        **accuracy(ranked, truth),
        **balanced(ranked, truth),
        "titles_per_second": round(len(titles) / seconds),
    }


def cached_teacher(examples: pl.DataFrame, folder: Path | None) -> Teacher:
    """:func:`learn_teacher` on ``examples``, kept in ``folder`` across runs."""
    key = hashlib.sha1("\n".join(sorted(examples["title"].to_list())).encode()).hexdigest()
    path = folder / f"teacher-{key}.npz" if folder else None
    if path and path.exists():
        with np.load(path) as z:
            base = TokenVectors(str(z["tokenizer"]), z["base"])
            return Teacher(base, z["texts"].tolist(), z["vectors"])
    teacher = learn_teacher(examples, EmbedParams(), StaticParams())
    if path:
        np.savez(
            path,
            tokenizer=np.array(teacher.base.tokenizer_json),
            base=teacher.base.matrix,
            texts=np.array(teacher.texts),
            vectors=teacher.vectors,
        )
    return teacher


def dev(
    train,
    context,
    params: CoderParams,
    variants: list[str],
    lexical: bool,
    cache: Path | None,
    bucket: int = 1,
) -> dict:
    fit_side, held = dev_split(train, bucket)
    titles, truth = held["title"].to_list(), held["onetsoc_code"].to_list()
    out: dict = {
        "bucket": bucket,
        "dev_titles": len(titles),
        "rerank": params.rerank,
        "linear": params.linear,
    }
    if lexical:
        start = time.perf_counter()
        coder, _ = fit_coder(fit_side, params, context)
        out["lexical"] = {**score(coder, titles, truth), "fit_s": time_since(start)}
    start = time.perf_counter()
    teacher = cached_teacher(fit_side, cache)
    out["teacher_seconds"] = time_since(start)
    keep = ("embed_nearest", "embed_profile", "temperature")
    grids = coder_embed.NEAREST_GRID, coder_embed.PROFILE_GRID
    for name, over in map(parse_variant, variants or ["static:"]):
        start = time.perf_counter()
        coder_embed.NEAREST_GRID = tuple(over["grid"].get("nearest", grids[0]))
        coder_embed.PROFILE_GRID = tuple(over["grid"].get("profile", grids[1]))
        coder, calibration = fit_static_coder(
            fit_side,
            replace(params, **over["params"]),
            context,
            StaticParams(**over["static"]),
            EmbedParams(**over["embed"]),
            teacher=teacher,
        )
        out[name] = {
            **score(coder, titles, truth),
            "fit_s": time_since(start),
            **{k: v for k, v in calibration.items() if k in keep or k.startswith("teacher")},
        }
        print(name, json.dumps(out[name]), flush=True)
    return out


def time_since(start: float) -> float:
    return round(time.perf_counter() - start, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank", action="store_true", help="build as --rerank would")
    parser.add_argument("--linear", action="store_true", help="build as --linear would")
    parser.add_argument("--no-lexical", action="store_true", help="skip the lexical row")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="name:group.field=json;... (groups params, static, embed, grid); repeatable",
    )
    parser.add_argument("--cache", type=Path, help="keep the SVM fits here across runs")
    parser.add_argument("--bucket", type=int, default=1, help="another bucket (robustness)")
    args = parser.parse_args()
    memoise_linear_fit(args.cache)
    params = CoderParams(rerank=args.rerank, linear=LINEAR_WEIGHT if args.linear else 0.0)
    train, context, _ = protocol_split(shared_data("onet", "30.1"))
    out = dev(train, context, params, args.variant, not args.no_lexical, args.cache, args.bucket)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
