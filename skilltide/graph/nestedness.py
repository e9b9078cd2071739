"""Nestedness of a bipartite network: NODF (Almeida-Neto et al. 2008).

For every pair of rows (and of columns) with different degrees, the paired nestedness is the
share of the smaller one's ones that the larger one also has; pairs with equal degrees score
0. NODF is the mean over all row pairs and column pairs, in percent (0 none, 100 perfectly
nested). Pairs that share nothing score 0, so only the non-zero entries of the sparse overlap
matrices BBᵀ and BᵀB are visited: exact and cheap for ~10k × 1k matrices.

Example
-------
>>> import numpy as np
>>> nested = np.triu(np.ones((4, 4)))          # staircase: perfectly nested
>>> nodf(nested)
100.0
>>> checkerboard = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]])
>>> nodf(checkerboard)
0.0
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["nodf", "nodf_parts"]


def _paired_sum(b: sparse.csr_array) -> float:
    degree = np.asarray(b.sum(axis=1)).ravel()
    overlap = sparse.triu(b @ b.T, k=1).tocoo()
    di, dj = degree[overlap.row], degree[overlap.col]
    differs = di != dj
    return float((overlap.data[differs] / np.minimum(di, dj)[differs]).sum())


def nodf_parts(incidence) -> dict[str, float]:
    """NODF and its row and column components, each in percent."""
    b = sparse.csr_array(incidence, dtype=float)
    b.eliminate_zeros()
    b.data[:] = 1.0
    n_rows, n_cols = b.shape
    row_pairs, col_pairs = n_rows * (n_rows - 1) / 2, n_cols * (n_cols - 1) / 2
    rows = _paired_sum(b)
    cols = _paired_sum(sparse.csr_array(b.T))
    pairs = row_pairs + col_pairs
    return {
        "nodf": 100 * (rows + cols) / pairs if pairs else 0.0,
        "nodf_rows": 100 * rows / row_pairs if row_pairs else 0.0,
        "nodf_columns": 100 * cols / col_pairs if col_pairs else 0.0,
    }


def nodf(incidence) -> float:
    """NODF of a 0/1 (or weighted: non-zero counts as 1) matrix, in percent."""
    return nodf_parts(incidence)["nodf"]
