"""Re-rank the coder's top candidates with a conditional logit over richer evidence.

The first-stage logit of :class:`~skilltide.onet.coder_model.TitleCoder` adds a few
similarities with fixed weights. :class:`CandidateReranker` takes its top ``candidates``
occupations per title and scores each with a linear rule over 13 features — the
first-stage parts (nearest title, profile, naive Bayes evidence, context), the occupation's
size (log number of titles), the candidate's first-stage rank and probability, and word
matches against the occupation's training titles: the share of the title's words its
titles use, how many of its titles use them, how many of its titles end in the title's
head (last) word ("… Nurse", "… Engineer") or start with its first word, and the share of
the title's words its task and description texts use. Final scores are the softmax of the
linear scores over the candidates (a conditional logit, McFadden 1974), fitted by weighted
maximum likelihood on held-out titles, so they are calibrated probabilities by construction.

Held-out titles are weighted ``1 / (held-out titles of their occupation)``: every occupation
counts alike, as in O*NET's Sample of Reported Titles (a few titles per occupation), instead
of letting the few occupations with hundreds of alternate titles decide the weights.

Example
-------
>>> import polars as pl
>>> from skilltide.onet.coder_model import TitleCoder
>>> from skilltide.onet.coder_params import CoderParams
>>> train = pl.DataFrame({
...     "onetsoc_code": ["15-1252.00", "15-1252.00", "29-1141.00", "29-1141.00"],
...     "title": ["Software Developers", "Java Developer", "Registered Nurses", "Staff Nurse"],
...     "kind": ["occupation", "alternate", "occupation", "alternate"],
... })
>>> coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(train)
>>> ranker = CandidateReranker().fit_tables(coder)
>>> facts = ranker.fit(coder, ["Python Developer", "ICU Nurse"], ["15-1252.00", "29-1141.00"])
>>> coder.reranker = ranker
>>> coder.predict(["Charge Nurse"], top=1)["onetsoc_code"].to_list()
['29-1141.00']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from skilltide.onet.coder_arrays import csr_arrays, csr_from, top_k
from skilltide.onet.coder_calibration import top_label_ece
from skilltide.onet.coder_normalise import normalise_titles

FEATURES = (
    "nearest",
    "profile",
    "evidence",
    "context",
    "log_titles",
    "rank",
    "probability",
    "word_share",
    "word_titles",
    "head_titles",
    "head_share",
    "first_titles",
    "context_share",
)


class CandidateReranker:
    """Conditional logit over a coder's top candidates.

    Parameters
    ----------
    candidates
        How many first-stage candidates per title are re-scored.
    l2
        Ridge penalty on the (standardised) feature weights.
    balance
        Held-out titles are weighted ``(held-out titles of their occupation) ** -balance``:
        1 counts every occupation alike (a mix like O*NET's reported titles), 0 every title
        alike (a mix dominated by the occupations with many titles).
    """

    def __init__(self, candidates: int = 30, l2: float = 1e-3, balance: float = 1.0) -> None:
        self.candidates = candidates
        self.l2 = l2
        self.balance = balance
        # Further first-stage parts used as features (``coder.extra_parts``, e.g. the
        # embedding coder's similarities), fixed by ``fit``.
        self.extra: tuple[str, ...] = ()
        self.words = np.array([], dtype=str)
        self.coef = np.zeros(len(FEATURES), np.float64)
        self.mean = np.zeros(len(FEATURES), np.float64)
        self.scale = np.ones(len(FEATURES), np.float64)

    # -- word tables ------------------------------------------------------------------
    def fit_tables(self, coder) -> CandidateReranker:
        """Count per occupation the training titles that use, end in or start with each word."""
        texts = coder.title_texts
        words = sorted({w for t in texts for w in t.split()})
        index = {w: i for i, w in enumerate(words)}
        split = [[index[w] for w in t.split()] for t in texts]
        n_codes = len(coder.codes)
        owner = coder.title_owner
        membership = sp.csr_matrix(
            (np.ones(len(owner), np.float32), (owner, np.arange(len(owner)))),
            shape=(n_codes, len(owner)),
        )
        tables = []
        for rows in (split, [s[-1:] for s in split], [s[:1] for s in split]):
            tables.append((membership @ _one_hot(rows, len(words))).T.tocsr())
        return self.set_tables(np.array(words, dtype=str), *tables)

    def set_tables(
        self, words: np.ndarray, word_titles: sp.csr_matrix, head_titles, first_titles
    ) -> CandidateReranker:
        """Use stored word tables (words × occupations title counts)."""
        self.words = words
        self.word_index = {w: i for i, w in enumerate(words.tolist())}
        self.word_titles = sp.csr_matrix(word_titles, dtype=np.float32)
        self.head_titles = sp.csr_matrix(head_titles, dtype=np.float32)
        self.first_titles = sp.csr_matrix(first_titles, dtype=np.float32)
        self._word_used = (self.word_titles > 0).astype(np.float32)
        return self

    # -- features ---------------------------------------------------------------------
    def features(
        self, coder, texts: Sequence[str], parts: dict[str, np.ndarray], logits: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate indices (rows × k, first-stage order) and features (rows × k × features:
        :data:`FEATURES`, then :attr:`extra`)."""
        n = len(texts)
        k = min(self.candidates, logits.shape[1])
        cand, top = top_k(logits, k)
        z = (logits - top[:, :1]) / coder.params.temperature
        probability = np.exp(np.take_along_axis(z, cand, 1)) / np.exp(z).sum(1, keepdims=True)
        index = self.word_index
        split = [t.split() for t in texts]
        known = [[index[w] for w in s if w in index] for s in split]
        n_known = np.array([max(len(set(x)), 1) for x in known], np.float32)
        heads = [[index[s[-1]]] if s and s[-1] in index else [] for s in split]
        firsts = [[index[s[0]]] if s and s[0] in index else [] for s in split]
        n_words = len(self.words)
        q = _one_hot(known, n_words)
        word_share = (q @ self._word_used).toarray() / n_known[:, None]
        word_titles = (q @ self.word_titles).toarray()
        head_titles = (_one_hot(heads, n_words) @ self.head_titles).toarray()
        first_titles = (_one_hot(firsts, n_words) @ self.first_titles).toarray()
        context_share = coder.context.word_share(texts)
        n_titles = np.exp(coder.log_prior)

        def pick(matrix: np.ndarray) -> np.ndarray:
            return np.take_along_axis(matrix, cand, 1)

        columns = [
            pick(parts["nearest"]),
            pick(parts["profile"]),
            pick(parts["evidence"]),
            pick(parts["context"]) if "context" in parts else np.zeros((n, k)),
            coder.log_prior[cand],
            np.broadcast_to(np.arange(k, dtype=np.float32), (n, k)),
            probability,
            pick(word_share),
            np.log1p(pick(word_titles)),
            np.log1p(pick(head_titles)),
            pick(head_titles) / n_titles[cand],
            np.log1p(pick(first_titles)),
            pick(context_share),
            *(pick(parts[name]) for name in self.extra),
        ]
        return cand, np.stack([np.asarray(c, np.float64) for c in columns], axis=2)

    # -- fitting and scoring ----------------------------------------------------------
    def fit(self, coder, titles: Sequence[str | None], codes: Sequence[str]) -> dict:
        """Fit the weights on held-out ``titles`` with known ``codes``; return held-out facts.

        Titles are weighted by ``balance`` (default: every occupation alike). The facts —
        top-1 accuracy of the first stage and of the re-ranked scores, plain and with every
        occupation weighted alike (``_balanced``), and the ECE — come from a two-fold split
        of the titles (each half scored by weights fitted on the other); the final weights
        use all.
        """
        self.extra = tuple(getattr(coder, "extra_parts", ()))
        texts, truth = _usable(coder, titles, codes)
        if len(truth) == 0:
            raise ValueError("no usable held-out titles to fit the re-ranker on")
        cand, x = self._batched_features(coder, texts)
        hit = cand == truth[:, None]
        _, inverse, counts = np.unique(truth, return_inverse=True, return_counts=True)
        weights = counts[inverse].astype(np.float64) ** -self.balance
        fold = np.array([hash_bucket(t) for t in texts]) % 2
        correct = np.zeros(len(truth), bool)
        confidence = np.zeros(len(truth))
        for f in (0, 1):
            mine = fold == f
            if mine.all() or not mine.any():
                continue
            self._fit_weights(x[~mine], hit[~mine], weights[~mine])
            probs = _softmax(self._linear(x[mine]))
            best = probs.argmax(1)
            correct[mine] = hit[mine][np.arange(len(best)), best]
            confidence[mine] = probs.max(1)
        self._fit_weights(x, hit, weights)
        first = cand[:, 0] == truth
        share = weights / weights.sum()
        facts = {
            "rerank_titles": len(truth),
            "rerank_top1_first_stage": round(float(first.mean()), 4),
            "rerank_top1_first_stage_balanced": round(float(share @ first), 4),
        }
        if 0 < fold.sum() < len(fold):
            facts["rerank_top1_crossfit"] = round(float(correct.mean()), 4)
            facts["rerank_top1_crossfit_balanced"] = round(float(share @ correct), 4)
            facts["rerank_ece_crossfit"] = round(top_label_ece(confidence, correct), 4)
        return facts

    def _batched_features(self, coder, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        step = coder.params.batch_size
        out = [
            self.features(coder, batch, *coder.score_parts(batch))
            for batch in (texts[s : s + step] for s in range(0, len(texts), step))
        ]
        return np.vstack([c for c, _ in out]), np.concatenate([x for _, x in out])

    def _fit_weights(self, x: np.ndarray, hit: np.ndarray, weights: np.ndarray) -> None:
        flat = x.reshape(-1, x.shape[2])
        self.mean = flat.mean(0)
        self.scale = flat.std(0)
        self.scale[self.scale < 1e-9] = 1.0
        z = (x - self.mean) / self.scale
        has = hit.any(1)  # titles whose code is not among the candidates say nothing here
        if not has.any():
            self.coef = np.zeros(x.shape[2])
            return
        z, y, w = z[has], hit[has].astype(np.float64), weights[has] / weights[has].sum()
        l2 = self.l2

        def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
            s = z @ beta
            s -= s.max(1, keepdims=True)
            log_norm = np.log(np.exp(s).sum(1))
            p = np.exp(s - log_norm[:, None])
            value = w @ (log_norm - (s * y).sum(1)) + l2 * beta @ beta
            grad = np.einsum("n,nkd->d", w, z * (p - y)[:, :, None]) + 2 * l2 * beta
            return float(value), grad

        start = np.zeros(x.shape[2])
        self.coef = minimize(loss, start, jac=True, method="L-BFGS-B").x

    def _linear(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef

    def rank(
        self, coder, texts: Sequence[str], parts: dict[str, np.ndarray], logits: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate indices and their probabilities (rows × k), best first."""
        cand, x = self.features(coder, texts, parts, logits)
        probs = _softmax(self._linear(x))
        order = np.argsort(-probs, axis=1, kind="stable")
        return np.take_along_axis(cand, order, 1), np.take_along_axis(probs, order, 1)

    # -- storage ----------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to rebuild the re-ranker, as named numpy arrays."""
        return {
            "rerank_settings": np.array([self.candidates, self.l2, self.balance], np.float64),
            "rerank_coef": self.coef,
            "rerank_mean": self.mean,
            "rerank_scale": self.scale,
            "rerank_words": self.words,
            "rerank_extra": np.array(self.extra, dtype=str),
            **csr_arrays("rerank_word", self.word_titles),
            **csr_arrays("rerank_head", self.head_titles),
            **csr_arrays("rerank_first", self.first_titles),
        }

    @classmethod
    def from_arrays(cls, z) -> CandidateReranker:
        candidates, l2, balance = z["rerank_settings"]
        ranker = cls(int(candidates), float(l2), float(balance))
        ranker.coef, ranker.mean = z["rerank_coef"], z["rerank_mean"]
        ranker.scale = z["rerank_scale"]
        ranker.extra = tuple(z["rerank_extra"].tolist())
        return ranker.set_tables(
            z["rerank_words"],
            csr_from(z, "rerank_word"),
            csr_from(z, "rerank_head"),
            csr_from(z, "rerank_first"),
        )

    def fingerprint_arrays(self) -> list[np.ndarray]:
        return [
            self.coef,
            self.mean,
            self.scale,
            self.words,
            self.word_titles.data,
            self.head_titles.data,
            self.first_titles.data,
        ]


def hash_bucket(text: str) -> int:
    """A stable (process-independent) small hash of a text, for deterministic folds."""
    import zlib

    return zlib.crc32(text.encode())


def _usable(coder, titles, codes) -> tuple[list[str], np.ndarray]:
    index = {code: i for i, code in enumerate(coder.codes)}
    texts = normalise_titles(titles)
    keep = [i for i, (t, c) in enumerate(zip(texts, codes, strict=True)) if t and c in index]
    return [texts[i] for i in keep], np.array([index[codes[i]] for i in keep], dtype=np.int64)


def _one_hot(rows: list[list[int]], n_columns: int) -> sp.csr_matrix:
    rows = [sorted(set(r)) for r in rows]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.array([i for r in rows for i in r], dtype=np.int64)
    return sp.csr_matrix(
        (np.ones(len(indices), np.float32), indices, indptr), shape=(len(rows), n_columns)
    )


def _softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=-1, keepdims=True)
    out = np.exp(s)
    return out / out.sum(axis=-1, keepdims=True)
