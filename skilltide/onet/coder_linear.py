"""A discriminative first-stage score: one-vs-rest linear SVM over the coder's TF-IDF features.

The other first-stage scores of :class:`~skilltide.onet.coder_model.TitleCoder` are
generative or similarity-based (nearest title, profile, naive Bayes): each occupation is
described by its own titles alone. :class:`LinearScores` learns, for every occupation, which
features separate its titles from all the others' (a linear SVM, squared hinge loss, L2
penalty ``C``; Fan et al. 2008, LIBLINEAR through scikit-learn), with the training titles
weighted as in the profiles (:data:`~skilltide.onet.coder_params.KIND_WEIGHTS`). Its decision
values ``x · w_c + b_c`` are added to the logit. Weights smaller than ``min_weight`` in
absolute value are dropped, so the stored table is sparse and scoring is one sparse product.
scikit-learn is imported only to fit; scoring needs numpy and scipy.

Example
-------
>>> import numpy as np, scipy.sparse as sp
>>> x = sp.csr_matrix(np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], np.float32))
>>> linear = LinearScores().fit(x, np.array([0, 0, 1, 1]), np.ones(4), n_codes=2)
>>> linear.scores(sp.csr_matrix(np.array([[0.8, 0.2]], np.float32))).argmax(axis=1).tolist()
[0]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from skilltide.onet.coder_arrays import csr_arrays, csr_from


class LinearScores:
    """Per-occupation linear decision values over TF-IDF features.

    Parameters
    ----------
    c
        Inverse L2 penalty of the SVM (LIBLINEAR's ``C``).
    min_weight
        Feature weights with a smaller absolute value are dropped from the stored table.
    """

    def __init__(self, c: float = 1.0, min_weight: float = 0.01) -> None:
        self.c = c
        self.min_weight = min_weight
        self.weights_t = sp.csr_matrix((0, 0), dtype=np.float32)  # features × occupations
        self.intercept = np.zeros(0, np.float32)

    def fit(
        self, x: sp.csr_matrix, owner: np.ndarray, weight: np.ndarray, n_codes: int
    ) -> LinearScores:
        """Fit on title rows ``x`` owned by occupations ``owner`` (0 … ``n_codes`` − 1)."""
        classes = np.unique(owner)
        self.intercept = np.full(n_codes, -1.0, np.float32)  # no titles: never chosen
        rows: list = []
        coef = np.zeros((0, x.shape[1]))
        if len(classes) > 1:
            from sklearn.svm import LinearSVC

            model = LinearSVC(C=self.c, random_state=0).fit(x, owner, sample_weight=weight)
            coef, intercept, rows = model.coef_, model.intercept_, list(classes)
            if len(classes) == 2:  # one decision function: + for classes[1], − for classes[0]
                coef, intercept = np.vstack([coef, -coef]), np.r_[intercept, -intercept]
                rows = [classes[1], classes[0]]
            self.intercept[rows] = intercept
        # Sparse features × occupations table, built a block of occupations at a time.
        blocks, step = [], 128
        for start in range(0, len(rows), step):
            block = coef[start : start + step].astype(np.float32)
            block[np.abs(block) < self.min_weight] = 0
            blocks.append(sp.csr_matrix(block))
        stacked = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, x.shape[1]))
        order = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (np.asarray(rows, int), np.arange(len(rows)))),
            shape=(n_codes, len(rows)),
        )
        self.weights_t = sp.csr_matrix((order @ stacked).T, dtype=np.float32)
        return self

    def scores(self, q: sp.csr_matrix) -> np.ndarray:
        """Decision values (rows × occupations) for TF-IDF rows ``q``.

        Only the features the rows use are taken from the table, as a dense block: a sparse
        times dense product, about twice as fast as the sparse times sparse one.
        """
        used = np.unique(q.indices)
        local = sp.csr_matrix(
            (q.data, np.searchsorted(used, q.indices), q.indptr), shape=(q.shape[0], len(used))
        )
        return local @ self.weights_t[used].toarray() + self.intercept

    # -- storage ----------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """The fitted table as named arrays for the coder's ``.npz``."""
        return {**csr_arrays("linear", self.weights_t), "linear_intercept": self.intercept}

    @classmethod
    def from_arrays(cls, z, c: float, min_weight: float) -> LinearScores:
        """Rebuild from :meth:`arrays` (a mapping such as an open ``.npz``)."""
        out = cls(c, min_weight)
        out.weights_t = csr_from(z, "linear")
        out.intercept = z["linear_intercept"]
        return out
