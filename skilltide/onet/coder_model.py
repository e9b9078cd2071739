"""The title → O*NET-SOC coder: nearest titles and occupation profiles over TF-IDF features.

:class:`TitleCoder` learns from a frame of example titles per occupation (O*NET occupation
titles, Alternate Titles, their short forms and the Sample of Reported Titles). A raw title
is normalised (:mod:`skilltide.onet.coder_normalise`), turned into TF-IDF features
(:mod:`skilltide.onet.coder_features`) and scored against every occupation by

- ``nearest``: the best cosine similarity to one of the occupation's example titles,
- ``profile``: the cosine similarity to the occupation's profile, the normalised sum of
  its example titles (many titles agreeing on a word outweigh one odd title),
- a small prior from the number of example titles (broad occupations have more),
- ``evidence``: naive Bayes mean log-likelihood of the title's features given the occupation,
- ``context``: the same over the title's words, counted in the occupation's task statements
  and description (:mod:`skilltide.onet.coder_context`), when those are given to ``fit``,
- ``linear``: the decision value of a one-vs-rest linear SVM trained on all example titles
  (:mod:`skilltide.onet.coder_linear`; the one discriminative score),

``logit = a·nearest + b·profile + c·log(n_titles) + d·evidence + e·context + f·linear``; scores are
``softmax(logit / T)`` over all occupations, with temperature ``T`` fitted on held-out
alternate titles so that a score of 0.7 is right about 70% of the time (with ``linear``, ``T``
grows with each title's top-two logit gap: one temperature no longer calibrates).

Example
-------
>>> import polars as pl
>>> train = pl.DataFrame({
...     "onetsoc_code": ["15-1252.00", "15-1252.00", "29-1141.00", "29-1141.00"],
...     "title": ["Software Developers", "Java Developer", "Registered Nurses", "Staff Nurse"],
...     "kind": ["occupation", "alternate", "occupation", "alternate"],
... })
>>> coder = TitleCoder().fit(train)
>>> coder.predict(["Sr. Python Developer (Remote)"], top=1)["onetsoc_code"].to_list()
['15-1252.00']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import polars as pl
import scipy.sparse as sp

from skilltide.onet.coder_arrays import top_k
from skilltide.onet.coder_calibration import scaled_softmax
from skilltide.onet.coder_context import ContextEvidence, naive_bayes_table
from skilltide.onet.coder_features import TitleVectorizer
from skilltide.onet.coder_linear import LinearScores
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.onet.coder_params import KIND_WEIGHTS, CoderParams
from skilltide.onet.coder_rerank import CandidateReranker
from skilltide.onet.coder_storage import (
    FORMAT_VERSION,
    coder_fingerprint,
    coder_from_bytes,
    coder_to_bytes,
)

__all__ = ["FORMAT_VERSION", "TitleCoder"]


class TitleCoder:
    """Code job titles to O*NET-SOC occupations with calibrated top-K scores.

    Parameters
    ----------
    params
        Scoring weights and feature settings (:class:`CoderParams`).
    """

    def __init__(self, params: CoderParams | None = None) -> None:
        self.params = params or CoderParams()
        self.codes: np.ndarray = np.array([], dtype=object)
        self.code_titles: np.ndarray = np.array([], dtype=object)
        # Optional second stage (:mod:`skilltide.onet.coder_rerank`), set by ``fit_coder``.
        self.reranker: CandidateReranker | None = None
        # Optional discriminative score (:mod:`skilltide.onet.coder_linear`), set by ``fit``.
        self.linear: LinearScores | None = None

    # -- fitting ----------------------------------------------------------------------
    def fit(self, examples: pl.DataFrame, context: pl.DataFrame | None = None) -> TitleCoder:
        """Learn from ``examples(onetsoc_code, title, kind[, weight])``.

        ``context(onetsoc_code, text)``, optional, holds what O*NET says each occupation
        does (task statements, descriptions): its title words become extra naive Bayes
        evidence (:mod:`skilltide.onet.coder_context`).

        ``kind`` is ``occupation`` for the official occupation title (used as the display
        title of the code), or ``alternate``/``short``/``reported``/anything else for other
        example titles. ``weight`` (default by kind, :data:`KIND_WEIGHTS`) scales an example's
        share of its occupation's profile.
        """
        missing = {"onetsoc_code", "title", "kind"} - set(examples.columns)
        if missing:
            raise ValueError(f"training frame lacks columns {sorted(missing)}")
        frame = examples.select(
            "onetsoc_code", "title", "kind", *(["weight"] if "weight" in examples.columns else [])
        )
        if "weight" not in frame.columns:
            frame = frame.with_columns(
                pl.col("kind")
                .replace_strict(KIND_WEIGHTS, default=1.0, return_dtype=pl.Float64)
                .alias("weight")
            )
        frame = frame.filter(pl.col("title").is_not_null() & pl.col("onetsoc_code").is_not_null())
        frame = frame.with_columns(
            pl.Series("text", normalise_titles(frame["title"].to_list()), dtype=pl.String)
        ).filter(pl.col("text") != "")
        if frame.height == 0:
            raise ValueError("no usable training titles")
        display = (
            frame.sort("onetsoc_code", "kind", "title")
            .group_by("onetsoc_code", maintain_order=True)
            .agg(
                pl.col("title").filter(pl.col("kind") == "occupation").first().alias("occ"),
                pl.col("title").first().alias("any"),
            )
            .select("onetsoc_code", pl.coalesce("occ", "any").alias("display"))
        )
        titles = (
            frame.group_by("onetsoc_code", "text")
            .agg(pl.col("weight").max())
            .sort("onetsoc_code", "text")
        )
        self.codes = display["onetsoc_code"].to_numpy().astype(object)
        self.code_titles = display["display"].to_numpy().astype(object)
        code_index = {code: i for i, code in enumerate(self.codes)}
        owner = np.array([code_index[c] for c in titles["onetsoc_code"]], dtype=np.int32)

        p = self.params
        self.vectorizer = TitleVectorizer(
            block_weights=dict(p.block_weights), char_range=tuple(p.char_range)
        )
        texts = titles["text"].to_list()
        self.title_texts = texts  # row order of title_matrix (not stored)
        self.vectorizer.fit(texts)
        self.title_matrix = self.vectorizer.transform(texts)
        self.title_owner = owner
        weights = titles["weight"].to_numpy().astype(np.float32)
        membership = sp.csr_matrix(
            (weights, (owner, np.arange(len(owner)))), shape=(len(self.codes), len(owner))
        )
        profiles = (membership @ self.title_matrix).tocsr()
        norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        self.profile_matrix = sp.csr_matrix(sp.diags(1 / norms) @ profiles, dtype=np.float32)
        counts = np.bincount(owner, minlength=len(self.codes))
        self.log_prior = np.log(counts).astype(np.float32)
        self.context = ContextEvidence(p.context_alpha).fit(context, self.codes)
        self.linear = None
        if p.linear:
            self.linear = LinearScores(p.linear_c, p.linear_min_weight).fit(
                self.title_matrix, owner, weights, len(self.codes)
            )
        self._prepare()
        return self

    def _prepare(self) -> None:
        """Derived matrices used for scoring (not stored; rebuilt after loading)."""
        owner = self.title_owner
        self.title_starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        self.title_matrix_t = self.title_matrix.T.tocsr()
        df = np.diff(self.title_matrix_t.indptr)
        common = df > self.params.nearest_max_df * self.title_matrix.shape[0]
        self.nearest_matrix_t = sp.csr_matrix(
            sp.diags((~common).astype(np.float32)) @ self.title_matrix_t, dtype=np.float32
        )
        self.nearest_matrix_t.eliminate_zeros()
        # Tiny profile weights (common n-grams spread over many titles) cost time, not accuracy.
        profile_t = self.profile_matrix.T.tocsr()
        profile_t.data[profile_t.data < self.params.profile_min_weight] = 0
        profile_t.eliminate_zeros()
        self.profile_matrix_t = profile_t
        # Feature counts per occupation (each title counts a feature once), for _evidence.
        present = self.title_matrix.copy()
        present.data[:] = 1
        n_codes = len(self.codes)
        membership = sp.csr_matrix(
            (np.ones(len(owner), np.float32), (owner, np.arange(len(owner)))),
            shape=(n_codes, len(owner)),
        )
        counts = (membership @ present).tocsr()
        self.evidence_matrix_t, self.evidence_constant = naive_bayes_table(
            counts, self.params.evidence_alpha, counts.shape[1]
        )

    # -- scoring ----------------------------------------------------------------------
    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated occupation logits for already normalised titles (rows × codes)."""
        return self.score_parts(texts)[1]

    # First-stage parts beyond nearest/profile/evidence/context that the re-ranker uses.
    extra_parts: tuple[str, ...] = ()

    def score_parts(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The scores the logit adds up (``nearest``, ``profile``, ``evidence``, ``context``;
        rows × codes each) and the first-stage logits, for normalised titles."""
        p = self.params
        q = self.vectorizer.transform(texts)
        parts = {"nearest": self._nearest(q), "profile": (q @ self.profile_matrix_t).toarray()}
        parts["evidence"] = self._evidence(q)
        if not self.context.empty:
            parts["context"] = self.context.scores(list(texts))
        logits = p.nearest * parts["nearest"] + p.profile * parts["profile"]
        logits += p.prior * self.log_prior
        if p.evidence:
            logits += p.evidence * parts["evidence"]
        if p.context and "context" in parts:
            logits += p.context * parts["context"]
        if self.linear is not None:
            parts["linear"] = self.linear.scores(q)
            logits += p.linear * parts["linear"]
        return parts, logits

    def _evidence(self, q: sp.csr_matrix) -> np.ndarray:
        """Multinomial naive Bayes: mean log P(feature | occupation) over the query's features.

        With additive smoothing ``alpha`` the log-likelihood splits into a sparse part,
        ``log(1 + n_cf / alpha)``, and a per-occupation constant, so it is one sparse product.
        """
        present = q.copy()
        present.data[:] = 1
        n_features = np.maximum(np.diff(present.indptr), 1).astype(np.float32)
        scores = (present @ self.evidence_matrix_t).toarray() / n_features[:, None]
        return scores + self.evidence_constant

    def _nearest(self, q: sp.csr_matrix) -> np.ndarray:
        """Best similarity to one example title of each occupation (rows × codes).

        Features found in more than ``nearest_max_df`` of the titles ("er ", "man") are left
        out of this product: they add little to which title is nearest but most of the work.
        """
        sims = (q @ self.nearest_matrix_t).tocsr()
        sims.sort_indices()
        n_rows, n_codes = q.shape[0], len(self.codes)
        out = np.zeros((n_rows, n_codes), dtype=np.float32)
        if sims.nnz == 0:
            return out
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(sims.indptr))
        # Titles are sorted by occupation, so (row, occupation) keys are already in order.
        keys = rows * n_codes + self.title_owner[sims.indices]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        tau = self.params.vote_temperature
        if tau > 0:
            # Smooth maximum: tau·log Σ exp(sim/tau); several close titles beat one.
            peak = np.maximum.reduceat(sims.data, starts)
            spread = np.exp((sims.data - np.repeat(peak, np.diff(np.r_[starts, len(keys)]))) / tau)
            out.flat[keys[starts]] = peak + tau * np.log(np.add.reduceat(spread, starts))
        else:
            out.flat[keys[starts]] = np.maximum.reduceat(sims.data, starts)
        return out

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """First-stage scores: the logits through the calibrated (gap-scaled) softmax."""
        p = self.params
        return scaled_softmax(self.logits(texts), p.temperature, p.temperature_gap)

    def predict_proba(self, titles: Sequence[str | None], rerank: bool = True) -> np.ndarray:
        """Calibrated probabilities over :attr:`codes` for raw titles (rows × codes). A
        re-ranker scores only its candidates (the others 0); ``rerank=False`` gives the first
        stage's, every occupation scored."""
        texts = normalise_titles(titles)
        out = np.empty((len(texts), len(self.codes)), dtype=np.float32)
        reranker = self.reranker if rerank else None
        step = self.params.batch_size
        for start in range(0, len(texts), step):
            if reranker is not None:
                batch = texts[start : start + step]
                cand, probs = reranker.rank(self, batch, *self.score_parts(batch))
                block = np.zeros((len(batch), len(self.codes)), dtype=np.float32)
                np.put_along_axis(block, cand, probs.astype(np.float32), 1)
                out[start : start + step] = block
                continue
            out[start : start + step] = self._probabilities(texts[start : start + step])
        return out

    def predict(self, titles: Sequence[str | None], top: int = 5) -> pl.DataFrame:
        """Top-``top`` occupations per title, best first.

        Returns ``(input_index, rank, onetsoc_code, title, score)``; a title with no
        usable words (empty, only noise) gets no rows. With a re-ranker, at most its
        ``candidates`` occupations are returned per title.
        """
        if top < 1:
            raise ValueError("top must be at least 1")
        texts = normalise_titles(titles)
        top = min(top, len(self.codes))
        if self.reranker is not None:
            top = min(top, self.reranker.candidates)
        # Ads repeat titles: score each distinct normalised title once, then copy its rows.
        distinct = list(dict.fromkeys(t for t in texts if t))
        if not distinct:
            return _empty_prediction()
        orders, values = [], []
        step = self.params.batch_size
        for start in range(0, len(distinct), step):
            if self.reranker is not None:
                batch = distinct[start : start + step]
                cand, probs = self.reranker.rank(self, batch, *self.score_parts(batch))
                orders.append(cand[:, :top])
                values.append(probs[:, :top])
                continue
            order, scores = top_k(self._probabilities(distinct[start : start + step]), top)
            orders.append(order)
            values.append(scores)
        where = {text: i for i, text in enumerate(distinct)}
        used = np.array([i for i, t in enumerate(texts) if t], dtype=np.int64)
        pick = np.array([where[texts[i]] for i in used], dtype=np.int64)
        rows = np.repeat(used, top)
        ranks = np.tile(np.arange(1, top + 1), len(used))
        codes = np.vstack(orders)[pick].ravel()
        scores = np.vstack(values)[pick].ravel()
        code_series, title_series = self._labels()
        return pl.DataFrame(
            {
                "input_index": rows.astype(np.int64),
                "rank": ranks.astype(np.int32),
                "onetsoc_code": code_series.gather(codes),
                "title": title_series.gather(codes),
                "score": np.round(scores.astype(np.float64), 6),
            },
            schema=_PREDICTION_SCHEMA,
        )

    def _labels(self) -> tuple[pl.Series, pl.Series]:
        """:attr:`codes` and :attr:`code_titles` as polars strings, made once: ``predict``
        gathers its rows from them (converting numpy object arrays per call took a tenth of
        a re-ranked coder's time)."""
        cached = getattr(self, "_label_cache", None)
        if cached is None or cached[0] is not self.codes or cached[1] is not self.code_titles:
            series = tuple(
                pl.Series(a.astype(str), dtype=pl.String) for a in (self.codes, self.code_titles)
            )
            cached = self._label_cache = (self.codes, self.code_titles, *series)
        return cached[2], cached[3]

    # -- storage (:mod:`skilltide.onet.coder_storage`) ----------------------------------
    def to_bytes(self) -> bytes:
        """Serialise the fitted coder (numpy ``.npz``; no pickle)."""
        return coder_to_bytes(self)

    @classmethod
    def from_bytes(cls, blob: bytes) -> TitleCoder:
        """Rebuild a coder written by :meth:`to_bytes`."""
        return coder_from_bytes(cls, blob)

    def params_dict(self) -> dict:
        """The parameters as a JSON-able dict."""
        return asdict(self.params)

    def fingerprint(self) -> str:
        """SHA-256 of the fitted arrays and parameters: equal for equal training data."""
        return coder_fingerprint(self)


_PREDICTION_SCHEMA = {
    "input_index": pl.Int64,
    "rank": pl.Int32,
    "onetsoc_code": pl.String,
    "title": pl.String,
    "score": pl.Float64,
}


def _empty_prediction() -> pl.DataFrame:
    return pl.DataFrame(schema=_PREDICTION_SCHEMA)
