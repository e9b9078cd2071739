"""Word evidence from what O*NET says an occupation does: task statements and descriptions.

Titles are short; an ad's "Casino Manager" shares no title word with "Gambling Managers",
but Gambling Managers' tasks and description speak of casinos. :func:`context_counts`
counts, per occupation, the task and description sentences that use each title word (each
sentence counts a word once; text is normalised like titles), and :func:`naive_bayes_table`
turns such counts into a multinomial naive Bayes log-likelihood table, so the coder can add
the mean log P(word | occupation) of a title's words as one sparse product.

Example
-------
>>> import polars as pl
>>> context = pl.DataFrame({"onetsoc_code": ["11-9071.00"], "text": ["Manage casino floors."]})
>>> counts = context_counts(context, {"w:casino": 0, "c: ca": 1}, np.array(["11-9071.00"]))
>>> counts.toarray().tolist()
[[1.0, 0.0]]
"""

from __future__ import annotations

import numpy as np
import polars as pl
import scipy.sparse as sp

from skilltide.onet.coder_normalise import normalise_titles


def context_counts(
    context: pl.DataFrame, vocabulary: dict[str, int], codes: np.ndarray
) -> sp.csr_matrix:
    """Occupations × features: in how many context texts each title word occurs.

    ``context(onetsoc_code, text)``; only word features (``w:``) already in ``vocabulary``
    are counted, and texts of codes not in ``codes`` are ignored.
    """
    code_index = {code: i for i, code in enumerate(codes)}
    frame = context.filter(
        pl.col("onetsoc_code").is_in(list(code_index)) & pl.col("text").is_not_null()
    )
    rows: list[int] = []
    cols: list[int] = []
    texts = normalise_titles(frame["text"].to_list())
    for code, text in zip(frame["onetsoc_code"].to_list(), texts, strict=True):
        found = {vocabulary.get(f"w:{word}") for word in text.split()} - {None}
        rows.extend([code_index[code]] * len(found))
        cols.extend(found)
    return sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)),
        shape=(len(codes), len(vocabulary)),
        dtype=np.float32,
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
