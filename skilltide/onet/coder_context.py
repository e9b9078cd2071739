"""Word evidence from what O*NET says an occupation does: task statements and descriptions.

Titles are short; an ad's "Casino Manager" shares no title word with "Gambling Managers",
and "Vocalist" is in no O*NET title at all, but Gambling Managers' tasks speak of casinos
and Singers' of vocals. :class:`ContextEvidence` counts, per occupation, the task and
description sentences that use each word (each sentence counts a word once; text is
normalised like titles) and scores a title by the multinomial naive Bayes mean
log P(word | occupation) of its words, as one sparse product.

Example
-------
>>> import polars as pl
>>> context = pl.DataFrame({
...     "onetsoc_code": ["11-9071.00", "27-2042.00"],
...     "text": ["Manage casino floors.", "Sing as a vocalist in a band."],
... })
>>> evidence = ContextEvidence(alpha=0.1).fit(context, np.array(["11-9071.00", "27-2042.00"]))
>>> evidence.scores(["vocalist"]).argmax(axis=1).tolist()
[1]
"""

from __future__ import annotations

import numpy as np
import polars as pl
import scipy.sparse as sp

from skilltide.onet.coder_normalise import normalise_titles


class ContextEvidence:
    """Naive Bayes word evidence per occupation from task and description texts.

    Parameters
    ----------
    alpha
        Additive smoothing of the word counts.
    """

    def __init__(self, alpha: float = 0.1) -> None:
        self.alpha = alpha
        self.words = np.array([], dtype=str)
        self.counts = sp.csr_matrix((0, 0), dtype=np.float32)

    def fit(self, context: pl.DataFrame | None, codes: np.ndarray) -> ContextEvidence:
        """Count words per occupation from ``context(onetsoc_code, text)`` (may be None)."""
        code_index = {code: i for i, code in enumerate(codes)}
        if context is None or context.height == 0:
            return self.set_counts(np.array([], dtype=str), sp.csr_matrix((len(codes), 0)))
        frame = context.filter(
            pl.col("onetsoc_code").is_in(list(code_index)) & pl.col("text").is_not_null()
        )
        texts = [set(t.split()) for t in normalise_titles(frame["text"].to_list())]
        words = np.array(sorted(set().union(*texts)), dtype=str)
        word_index = {w: i for i, w in enumerate(words)}
        rows = [code_index[c] for c, t in zip(frame["onetsoc_code"], texts, strict=True) for _ in t]
        cols = [word_index[w] for t in texts for w in t]
        counts = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(codes), len(words))
        )
        return self.set_counts(words, counts)

    def set_counts(self, words: np.ndarray, counts: sp.csr_matrix) -> ContextEvidence:
        """Use stored ``words`` and ``counts`` (occupations × words); derive the score table."""
        self.words = words
        self.counts = sp.csr_matrix(counts, dtype=np.float32)
        self.word_index = {w: i for i, w in enumerate(words.tolist())}
        self._used_t = (self.counts > 0).astype(np.float32).T.tocsr()
        self.table_t, self.constant = naive_bayes_table(self.counts, self.alpha, max(len(words), 1))
        return self

    @property
    def empty(self) -> bool:
        return self.counts.nnz == 0

    def scores(self, texts: list[str]) -> np.ndarray:
        """Mean log P(word | occupation) over each normalised title's words (rows × codes).

        Words no context text uses are left out (they say nothing about any occupation).
        """
        present = self._present(texts)
        n_words = np.maximum(np.diff(present.indptr), 1).astype(np.float32)
        return (present @ self.table_t).toarray() / n_words[:, None] + self.constant

    def word_share(self, texts: list[str]) -> np.ndarray:
        """Share of each normalised title's words that the occupation's texts use (rows × codes)."""
        n_codes = self.counts.shape[0]
        if self.empty:
            return np.zeros((len(texts), n_codes), np.float32)
        n_words = np.array([max(len(t.split()), 1) for t in texts], np.float32)
        return (self._present(texts) @ self._used_t).toarray() / n_words[:, None]

    def _present(self, texts: list[str]) -> sp.csr_matrix:
        """Which known context words each normalised title uses (rows × words, 0/1)."""
        index = self.word_index
        found = [sorted({index[w] for w in t.split() if w in index}) for t in texts]
        indptr = np.cumsum([0] + [len(f) for f in found])
        indices = np.array([i for f in found for i in f], dtype=np.int64)
        return sp.csr_matrix(
            (np.ones(len(indices), np.float32), indices, indptr),
            shape=(len(texts), len(self.words)),
        )


def naive_bayes_table(
    counts: sp.csr_matrix, alpha: float, n_features: int
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Features × occupations table and per-occupation constant of log P(feature | occupation).

    With additive smoothing ``alpha`` over ``n_features`` possible features,
    ``log P(f | c) = log(1 + n_cf / alpha) + log(alpha) − log(n_c + alpha · n_features)``:
    a sparse part (returned transposed, for ``query @ table``) and a constant per occupation.

    Example
    -------
    >>> table, constant = naive_bayes_table(sp.csr_matrix(np.array([[2.0, 0.0]])), 1.0, 2)
    >>> round(float(table[0, 0] + constant[0]), 3), round(float(np.log(3 / 4)), 3)
    (-0.288, -0.288)
    """
    counts = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    counts.data = np.log1p(counts.data / alpha).astype(np.float32)
    constant = (np.log(alpha) - np.log(totals + alpha * n_features)).astype(np.float32)
    return counts.T.tocsr(), constant
