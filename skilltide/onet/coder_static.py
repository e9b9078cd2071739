"""Static token-vector embedding scores for the title coder (``--model static``).

:class:`StaticTitleCoder` is the embedding coder (:class:`~skilltide.onet.coder_embed.
EmbeddingTitleCoder`: lexical logit + ``w_n``·nearest + ``w_p``·profile) whose title vector is
the unit-length mean of the title's WordPiece token vectors (:class:`TokenVectors`): a
tokenizer and a matrix lookup, no transformer at coding time, so coding imports neither
torch nor sentence-transformers, only ``tokenizers``. The token matrix is learned at build
time from all-MiniLM-L6-v2 (:mod:`skilltide.onet.coder_static_fit`, needs the ``embed``
extra) and stored in the coder's blob with the tokenizer. The nearest-title score is taken
only over the ``candidates`` occupations with the best lexical logits (the others get the
smallest candidate value), and BLAS is held to ``threads`` threads while coding: many small
products are 2-3 times faster on one thread than contending for two. With ``linear`` and
``rerank``, the re-ranker takes the SVM's decision value as a feature too
(``StaticParams.rerank_linear``; docs/methods.md, second round).

Example
-------
>>> StaticParams().dims
128
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from skilltide.errors import UserError
from skilltide.onet.coder_embed import EXTRA_HINT, EmbeddingTitleCoder, EmbedParams
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_params import CoderParams

STATIC_FORMAT_VERSION = 1


@dataclass
class StaticParams:
    """How the token matrix is learned and the nearest score taken (fixed, not fitted)."""

    ridge: float = 1.0  # shrinkage of the refitted token vectors towards the distilled ones
    dims: int = 128  # principal components kept
    sif: float = 1e-4  # SIF weight of the distilled vectors, a / (a + p(token rank))
    candidates: int = 30  # occupations whose example titles the nearest score looks at
    threads: int = 1  # BLAS threads while coding
    # The weights are chosen with a token matrix whose teacher never saw the held-out titles.
    holdout_teacher: bool = False
    # With ``linear`` and ``rerank``: the SVM decision value is also a re-ranker feature.
    rerank_linear: bool = True


def require_static_runtime() -> None:
    """Raise a :class:`UserError` when ``tokenizers`` is not installed: coding needs only it
    (not torch), building needs the whole extra."""
    try:
        importlib.import_module("tokenizers")
    except ImportError:
        raise UserError(
            "the static coder needs tokenizers to code (tokenizers is not installed): pip "
            f"install tokenizers; building one needs the whole optional extra: {EXTRA_HINT}"
        ) from None


class TokenVectors:
    """Unit-length mean of a text's token vectors: a WordPiece tokenizer and a matrix.

    ``tokenizer_json`` is a ``tokenizers`` JSON document (padding and truncation are turned
    off); unknown tokens are left out of the mean; a text without known tokens is zeros.
    """

    def __init__(self, tokenizer_json: str, matrix: np.ndarray) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.tokenizer_json = self.tokenizer.to_str()
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.unk = self.tokenizer.token_to_id("[UNK]")

    def bag(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Texts × tokens, each row the mean over the text's known tokens."""
        encode = getattr(self.tokenizer, "encode_batch_fast", self.tokenizer.encode_batch)
        ids = [
            [t for t in e.ids if t != self.unk]
            for e in encode(list(texts), add_special_tokens=False)
        ]
        counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        cols = np.fromiter((t for row in ids for t in row), dtype=np.int64, count=counts.sum())
        data = np.repeat(1.0 / np.maximum(counts, 1), counts).astype(np.float32)
        indptr = np.r_[0, np.cumsum(counts)]
        bag = sp.csr_matrix((data, cols, indptr), shape=(len(ids), len(self.matrix)))
        bag.sum_duplicates()
        return bag

    def encode(self, texts: Sequence[str | None]) -> np.ndarray:
        """Unit-length title vectors (rows × dims, float32)."""
        texts = [t or "" for t in texts]
        if not texts:
            return np.zeros((0, self.matrix.shape[1]), np.float32)
        v = np.asarray(self.bag(texts) @ self.matrix, dtype=np.float32)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


class StaticTitleCoder(EmbeddingTitleCoder):
    """The embedding coder with static token vectors and a candidate-only nearest score.

    Parameters
    ----------
    params, embed
        As for :class:`~skilltide.onet.coder_embed.EmbeddingTitleCoder`.
    embedder
        The :class:`TokenVectors` (or anything with ``encode``) of the coder.
    static
        :class:`StaticParams`.
    """

    def __init__(
        self,
        params: CoderParams | None = None,
        embed: EmbedParams | None = None,
        embedder=None,
        static: StaticParams | None = None,
    ) -> None:
        super().__init__(params, embed, embedder)
        self.static = static or StaticParams()

    @property
    def extra_parts(self) -> tuple[str, ...]:
        """First-stage parts the re-ranker takes as features (the SVM's with
        ``static.rerank_linear``)."""
        linear = self.linear is not None and self.static.rerank_linear
        return EmbeddingTitleCoder.extra_parts + (("linear",) if linear else ())

    def _encoder(self):
        if self.embedder is None:
            raise ValueError("the static coder has no token vectors (fit or load it)")
        return self.embedder

    def _prepare_embed(self) -> None:
        super()._prepare_embed()
        self._title_vectors = np.ascontiguousarray(self._title_vectors_t.T)
        self._ends = np.r_[self.title_starts[1:], len(self._title_vectors)]

    def predict_proba(self, titles: Sequence[str | None], rerank: bool = True) -> np.ndarray:
        """Calibrated probabilities (see :meth:`TitleCoder.predict_proba`)."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.static.threads, user_api="blas"):
            return super().predict_proba(titles, rerank)

    def predict(self, titles: Sequence[str | None], top: int = 5):
        """Top-``top`` occupations per title (see :meth:`TitleCoder.predict`)."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.static.threads, user_api="blas"):
            return super().predict(titles, top)

    def _with_query_memo(self, titles, method, *args):
        # No memo: a token lookup is cheap (the memo normalised every title a second time),
        # ``predict`` scores each distinct title once anyway, and a title's vector does not
        # depend on the others in its batch, so the results are the same.
        return method(titles, *args)

    def _scores(self, texts: Sequence[str], lexical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(nearest, profile)``: nearest only over the best lexical candidates (both zero
        for a title without known tokens)."""
        q = self._encoder().encode(list(texts)).astype(np.float32)
        profile = q @ self._profile_vectors_t
        if not len(q):
            return profile, profile
        k = min(self.static.candidates, lexical.shape[1])
        flat = np.argpartition(-lexical, k - 1, axis=1)[:, :k].ravel()
        order = np.argsort(flat, kind="stable")
        occupation, rows = flat[order], order // k  # (title, candidate) pairs by occupation
        sims, width, pairs = self._candidate_sims(q, occupation, rows)
        nearest = np.full_like(profile, np.inf)
        best = smooth_max(sims, width, self.embed.vote_temperature)
        nearest[rows[pairs], occupation[pairs]] = best
        nearest = np.where(np.isinf(nearest), nearest.min(axis=1, keepdims=True), nearest)
        # No known token, no vector: the smooth maximum of zeros would be tau·log(its number
        # of example titles), evidence from nothing; the same value for all adds none.
        nearest[~q.any(axis=1)] = 0.0
        return nearest, profile

    def _candidate_sims(
        self, q: np.ndarray, occupation: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Similarities of each (title, candidate) pair's title, row ``rows`` of ``q``, to
        its candidate ``occupation``'s example titles (pairs sorted by occupation) in one
        flat buffer, a segment per pair; returns it, the segments' widths and the pair of
        each segment. Occupations with equally many titles are adjacent (for
        :func:`smooth_max`).

        One product per occupation, its titles against all of its rows (BLAS rounds a product
        by its shape: the same products give the same last bits, whatever else changes).
        """
        first = np.flatnonzero(np.r_[True, occupation[1:] != occupation[:-1]])
        count = np.diff(np.r_[first, len(occupation)])
        codes = occupation[first]
        lo, hi = self.title_starts[codes], self._ends[codes]
        by_width = np.argsort(hi - lo, kind="stable")
        first, count, lo, hi = first[by_width], count[by_width], lo[by_width], hi[by_width]
        block = np.r_[0, np.cumsum(count * (hi - lo))]
        sims = np.empty(block[-1], np.float32)
        vectors, by_pair = self._title_vectors, q[rows]
        for a, n, lo_c, hi_c, s in zip(
            first.tolist(),
            count.tolist(),
            lo.tolist(),
            hi.tolist(),
            block[:-1].tolist(),
            strict=True,
        ):
            out = sims[s : s + n * (hi_c - lo_c)].reshape(n, hi_c - lo_c)
            np.matmul(by_pair[a : a + n], vectors[lo_c:hi_c].T, out=out)
        pairs = np.repeat(first - np.r_[0, np.cumsum(count)[:-1]], count) + np.arange(len(rows))
        return sims, np.repeat(hi - lo, count), pairs

    def score_parts(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Lexical parts plus the static embedding scores (see the base class)."""
        parts, logits = TitleCoder.score_parts(self, texts)
        nearest, profile = self._scores(texts, logits)
        parts["embed_nearest"], parts["embed_profile"] = nearest, profile
        return parts, logits + self.embed.nearest * nearest + self.embed.profile * profile

    def embed_scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(nearest, profile)`` for normalised titles (used to choose the weights)."""
        return self._scores(texts, TitleCoder.score_parts(self, list(texts))[1])

    # -- storage ----------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The embedding coder's ``.npz`` plus the tokenizer and float16 token matrix."""
        buffer = io.BytesIO()
        meta = {"format": STATIC_FORMAT_VERSION, "static": asdict(self.static)}
        np.savez(
            buffer,
            static_meta=np.array(json.dumps(meta, sort_keys=True)),
            embedding=np.frombuffer(super().to_bytes(), dtype=np.uint8),
            tokenizer=np.array(self.embedder.tokenizer_json),
            token_matrix=self.embedder.matrix.astype(np.float16),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> StaticTitleCoder:
        """Rebuild a coder written by :meth:`to_bytes` (needs ``tokenizers`` only)."""
        require_static_runtime()
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            if "static_meta" not in z.files:
                raise ValueError("not a static title coder")
            meta = json.loads(str(z["static_meta"]))
            if meta.get("format") != STATIC_FORMAT_VERSION:
                raise ValueError(
                    f"stored static coder has format {meta.get('format')}, "
                    f"this version reads {STATIC_FORMAT_VERSION}"
                )
            coder = super().from_bytes(z["embedding"].tobytes())
            try:
                # a blob of the first round (no key) was fitted without the SVM feature
                coder.static = StaticParams(**{"rerank_linear": False, **meta["static"]})
            except TypeError:
                raise ValueError(f"unknown static coder parameters {meta['static']}") from None
            coder.embedder = _stored_tokens(str(z["tokenizer"]), z["token_matrix"])
        dims = coder.title_embeddings.shape[1]
        if coder.embedder.matrix.shape != (coder.embedder.tokenizer.get_vocab_size(), dims):
            raise ValueError(
                f"token matrix {coder.embedder.matrix.shape} does not fit its tokenizer "
                f"and {dims}-dimensional title vectors"
            )
        return coder

    def params_dict(self) -> dict:
        """Lexical, embedding and static parameters as a JSON-able dict."""
        return {**super().params_dict(), "static": asdict(self.static)}


def _stored_tokens(tokenizer_json: str, matrix: np.ndarray) -> TokenVectors:
    """The stored token vectors; a tokenizer this ``tokenizers`` cannot read is a ValueError
    (it raises a bare ``Exception``, e.g. for JSON written by a newer version)."""
    try:
        return TokenVectors(tokenizer_json, matrix)
    except Exception as exc:  # tokenizers raises Exception itself
        raise ValueError(f"its tokenizer cannot be read ({exc})") from None


def smooth_max(sims: np.ndarray, width: np.ndarray, tau: float) -> np.ndarray:
    """``max + tau·log Σ exp((sims − max) / tau)`` of each of the consecutive segments of
    ``sims`` of lengths ``width`` (the plain maximum when ``tau`` ≤ 0), as in
    :meth:`EmbeddingTitleCoder.embed_scores`: to the bit what a segment gives as one row of a
    numpy array. Adjacent segments of one width are summed as the rows of one array (numpy
    sums each row as it sums it alone, pairwise), so the fewer runs of widths, the faster.

    >>> smooth_max(np.array([1, 3, 2], np.float32), np.array([1, 2]), 0)
    array([1., 3.], dtype=float32)
    """
    start = np.r_[0, np.cumsum(width)[:-1]]
    peak = np.maximum.reduceat(sims, start)
    if tau <= 0:
        return peak
    spread = np.exp((sims - np.repeat(peak, width)) / tau)
    total = np.empty_like(peak)
    runs = np.flatnonzero(np.diff(width, prepend=-1, append=-1))
    for a, b in zip(runs[:-1].tolist(), runs[1:].tolist(), strict=True):
        w = int(width[a])
        total[a:b] = spread[start[a] : start[a] + (b - a) * w].reshape(b - a, w).sum(axis=1)
    return peak + tau * np.log(total)
