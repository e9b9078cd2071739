"""Small array helpers of the title coder: CSR matrices in ``.npz`` files, top-K per row.

Example
-------
>>> import numpy as np
>>> top_k(np.array([[0.1, 0.7, 0.2]]), 2)[0].tolist()
[[1, 2]]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def csr_arrays(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    """The arrays of a CSR matrix, named ``<prefix>_data`` … ``<prefix>_shape``."""
    return {
        f"{prefix}_data": matrix.data,
        f"{prefix}_indices": matrix.indices,
        f"{prefix}_indptr": matrix.indptr,
        f"{prefix}_shape": np.array(matrix.shape),
    }


def csr_from(z, prefix: str) -> sp.csr_matrix:
    """The CSR matrix stored by :func:`csr_arrays` under ``prefix`` in ``z`` (a mapping)."""
    return sp.csr_matrix(
        (z[f"{prefix}_data"], z[f"{prefix}_indices"], z[f"{prefix}_indptr"]),
        shape=tuple(z[f"{prefix}_shape"]),
    )


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the ``k`` largest scores per row, best first.

    A partial sort (argpartition), then a stable sort of the ``k``: ties go to the lower
    column (code order), so the result is deterministic.
    """
    if k < scores.shape[1]:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(scores.shape[1]), scores.shape).copy()
    part.sort(axis=1)
    values = np.take_along_axis(scores, part, axis=1)
    within = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(part, within, axis=1), np.take_along_axis(values, within, axis=1)
