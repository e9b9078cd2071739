"""Occupation and skill complexity from the bipartite incidence matrix.

Borrowed from economic complexity (Hidalgo & Hausmann 2009): occupations play countries,
skills play products. Two equivalent forms:

- :func:`complexity` (eigenvector form, Mealy, Farmer & Teytelboym 2019): occupation
  complexity is the eigenvector of the second-largest eigenvalue of
  M̃ = D_o⁻¹ M D_s⁻¹ Mᵀ (D = diagonal degrees), skill complexity the same for Mᵀ; both
  standardised (mean 0, sd 1). Signs: complex occupations are diverse (positive correlation
  with occupation degree), complex skills are those complex occupations use (often rare
  ones, but not always: on O*NET 29.3 skills, RCA > 1, skill complexity and degree correlate
  at +0.32).
  Computed from the singular vectors of D_o^-½ M D_s^-½, so nothing dense is formed.
- :func:`method_of_reflections`: the iterated averages k_{o,n} = mean of k_{s,n-1} over the
  occupation's skills, and vice versa.

Both are computed on the largest connected component only: on a disconnected network the
second eigenvector just labels a component (on O*NET 30.1 technology skills, with two small
components beside the giant one, every node of the giant component got the same value), so
nodes outside it get NaN, "not measured".

Example
-------
>>> import numpy as np
>>> m = np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]])  # nested
>>> occ, skill = complexity(m)
>>> [int(i) for i in np.argsort(-occ)]   # most diverse occupation is most complex
[0, 1, 2, 3]
>>> [int(i) for i in np.argsort(-skill)]   # rarest skill is most complex
[3, 2, 1, 0]
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

__all__ = ["complexity", "method_of_reflections"]


def _incidence(matrix) -> sparse.csr_array:
    b = sparse.csr_array(matrix, dtype=float)
    b.eliminate_zeros()
    b.data[:] = 1.0
    return b


def _giant(b: sparse.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Row and column masks of the largest connected component (ties: the first found)."""
    n_rows = b.shape[0]
    adjacency = sparse.block_array([[None, b], [b.T, None]], format="csr")
    _, label = csgraph.connected_components(adjacency, directed=False)
    giant = np.bincount(label).argmax()
    inside = (label == giant) & (np.diff(adjacency.indptr) > 0)
    return inside[:n_rows], inside[n_rows:]


def _spread(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.full(mask.size, np.nan)
    out[mask] = values
    return out


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def complexity(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Occupation (row) and skill (column) complexity, eigenvector form.

    Parameters
    ----------
    matrix : array or sparse, occupations × skills
        Non-zero where the occupation uses the skill (e.g. RCA > 1).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Standardised complexity per row and per column; NaN outside the largest connected
        component (nodes without edges included).
    """
    b = _incidence(matrix)
    k_o = np.asarray(b.sum(axis=1)).ravel()
    k_s = np.asarray(b.sum(axis=0)).ravel()
    rows, cols = _giant(b)
    if min(rows.sum(), cols.sum()) < 2:  # no second singular pair to take
        return np.full(b.shape[0], np.nan), np.full(b.shape[1], np.nan)
    core = b[rows][:, cols]
    scale_o = 1 / np.sqrt(k_o[rows])
    scale_s = 1 / np.sqrt(k_s[cols])
    s = sparse.diags_array(scale_o) @ core @ sparse.diags_array(scale_s)
    if min(s.shape) <= 50:
        u, _, vt = np.linalg.svd(s.toarray(), full_matrices=False)
        u2, v2 = u[:, 1], vt[1]
    else:
        from scipy.sparse import linalg

        u, sigma, vt = linalg.svds(s, k=2, v0=np.ones(min(s.shape)), tol=1e-10)
        order = np.argsort(-sigma)
        u2, v2 = u[:, order[1]], vt[order[1]]
    occ = _standardise(scale_o * u2)
    skill = _standardise(scale_s * v2)
    if _correlation(occ, k_o[rows]) < 0:
        occ = -occ
    # Skill and occupation vectors come from the same singular pair; keep them consistent:
    # complex skills are those used by complex occupations.
    used_by = (core.T @ occ) / k_s[cols]
    if _correlation(skill, used_by) < 0:
        skill = -skill
    return _spread(occ, rows), _spread(skill, cols)


def method_of_reflections(matrix, iterations: int = 18) -> tuple[np.ndarray, np.ndarray]:
    """Hidalgo–Hausmann reflections k_{o,n}, k_{s,n} after ``iterations`` steps (standardised).

    Even iterations rank occupations like diversity-corrected complexity; as n grows their
    order converges to the eigenvector form's. NaN outside the largest connected component.
    """
    full = _incidence(matrix)
    rows, cols = _giant(full)
    b = full[rows][:, cols]
    k_o = np.asarray(b.sum(axis=1)).ravel()
    k_s = np.asarray(b.sum(axis=0)).ravel()
    inv_o = np.divide(1.0, k_o, out=np.zeros_like(k_o), where=k_o > 0)
    inv_s = np.divide(1.0, k_s, out=np.zeros_like(k_s), where=k_s > 0)
    occ, skill = k_o.copy(), k_s.copy()
    for _ in range(iterations):
        occ, skill = inv_o * (b @ skill), inv_s * (b.T @ occ)
    return _spread(_standardise(occ), rows), _spread(_standardise(skill), cols)
