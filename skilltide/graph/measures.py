"""Node and graph measures, vectorised on sparse matrices where networkx would loop.

All functions take a symmetric sparse adjacency (unipartite graphs, projections) or the
occupation × skill matrix of a :class:`~skilltide.graph.build.BipartiteMatrix`; the
bipartite adjacency orders nodes occupations first, then skills (:func:`bipartite_adjacency`).

- degree and strength: row sums.
- weighted eigenvector centrality: the Perron vector of the adjacency (ARPACK), normalised
  like :func:`networkx.eigenvector_centrality_numpy`. For a bipartite graph it is the leading
  singular pair of the weight matrix.
- betweenness: Brandes' algorithm vectorised over blocks of sources (sparse × dense
  products), exact on graphs up to ``exact_limit`` nodes and estimated from ``k`` sampled
  sources (Brandes & Pich 2007) above; the same numbers as
  :func:`networkx.betweenness_centrality`.
- bipartite clustering: Latapy et al. (2008) "dot" clustering from the sparse overlap matrix
  (the same numbers as :func:`networkx.bipartite.clustering`).
- degree assortativity: Pearson correlation of the degrees at both ends of every edge.

Example
-------
>>> import numpy as np
>>> from scipy import sparse
>>> a = sparse.csr_array(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float))
>>> eigenvector_centrality(a).round(3).tolist()
[0.577, 0.577, 0.577]
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import linalg

__all__ = [
    "betweenness",
    "bipartite_adjacency",
    "bipartite_clustering",
    "degree_assortativity",
    "eigenvector_centrality",
    "local_clustering",
    "strength",
]


def bipartite_adjacency(weights: sparse.sparray) -> sparse.csr_array:
    """Symmetric adjacency of a bipartite graph; nodes are rows (occupations) then columns."""
    w = sparse.csr_array(weights, dtype=float)
    return sparse.csr_array(sparse.block_array([[None, w], [w.T, None]], format="csr"))


def strength(adjacency: sparse.sparray, *, weighted: bool = True) -> np.ndarray:
    """Node strength (sum of edge weights) or, with ``weighted=False``, degree."""
    a = sparse.csr_array(adjacency, dtype=float)
    if not weighted:
        a = a.copy()
        a.data[:] = 1.0
    return np.asarray(a.sum(axis=1)).ravel()


def eigenvector_centrality(adjacency: sparse.sparray) -> np.ndarray:
    """Weighted eigenvector centrality: the non-negative leading eigenvector, unit length.

    A bipartite adjacency has eigenvalues ±λ, so its Perron vector is taken from the
    leading singular pair of the off-diagonal block instead (see :func:`bipartite_eigenvector`).
    """
    a = sparse.csr_array(adjacency, dtype=float)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    if n < 3:
        _, vectors = np.linalg.eigh(a.toarray())
        vector = vectors[:, -1]
    else:
        # Shift by the identity so the Perron root is the unique largest algebraic one.
        shifted = a + sparse.eye_array(n)
        _, vectors = linalg.eigsh(shifted, k=1, which="LA", v0=np.ones(n), tol=1e-10)
        vector = vectors[:, 0]
    return _positive_unit(vector)


def bipartite_eigenvector(weights: sparse.sparray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvector centrality of a bipartite graph as (rows, columns) from its weight matrix.

    The adjacency [[0, W], [Wᵀ, 0]] has leading eigenvector (u, v)/√2 where (u, v) is the
    leading singular pair of W.
    """
    w = sparse.csr_array(weights, dtype=float)
    if min(w.shape) < 2 or w.nnz == 0:
        full = eigenvector_centrality(bipartite_adjacency(w))
        return full[: w.shape[0]], full[w.shape[0] :]
    u, _, vt = linalg.svds(w, k=1, v0=np.ones(min(w.shape)), tol=1e-10)
    vector = _positive_unit(np.concatenate([u[:, 0], vt[0]]))
    return vector[: w.shape[0]], vector[w.shape[0] :]


def _positive_unit(vector: np.ndarray) -> np.ndarray:
    vector = np.real(vector)
    if vector.sum() < 0:
        vector = -vector
    vector = np.where(np.abs(vector) < 1e-15, 0.0, vector)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def betweenness(
    adjacency: sparse.sparray,
    *,
    exact_limit: int = 5000,
    k: int = 256,
    seed: int = 0,
    batch: int = 128,
) -> tuple[np.ndarray, dict]:
    """Unweighted (hop-count) betweenness centrality, normalised as in networkx.

    Brandes' algorithm run for many sources at once: breadth-first search levels and path
    counts σ are sparse × dense matrix products over a block of sources, then dependencies
    are accumulated level by level backwards (the algebraic form of Brandes 2001, as in
    GraphBLAS). Exact (every node a source) up to ``exact_limit`` nodes; above it ``k``
    sources are drawn with ``seed`` and the sums rescaled like
    ``networkx.betweenness_centrality(G, k=k)`` (Brandes & Pich 2007).

    Returns
    -------
    (numpy.ndarray, dict)
        Betweenness per node and how it was computed (method, k, seed).

    Example
    -------
    >>> path = sparse.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> betweenness(path)[0].tolist()
    [0.0, 1.0, 0.0]
    """
    a = sparse.csr_array(adjacency, dtype=float)
    a.data[:] = 1.0
    a.setdiag(0)
    a.eliminate_zeros()
    n = a.shape[0]
    sampled = n > exact_limit and k < n
    if sampled:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
    else:
        sources = np.arange(n)
    raw = np.zeros(n)
    for first in range(0, sources.size, batch):
        raw += _dependencies(a, sources[first : first + batch])
    how = {"method": "sampled" if sampled else "exact", "k": int(sources.size), "seed": seed}
    if n <= 2:
        return np.zeros(n), how
    if not sampled:
        return raw / ((n - 1) * (n - 2)), how
    scale = np.full(n, 1 / (k * (n - 2)))
    scale[sources] = 1 / ((k - 1) * (n - 2)) if k > 1 else np.nan
    return raw * scale, how


def _dependencies(a: sparse.csr_array, sources: np.ndarray) -> np.ndarray:
    """Σ over ``sources`` s of Brandes' dependency δ_s(v), for every node v."""
    n, b = a.shape[0], sources.size
    cols = np.arange(b)
    sigma = np.zeros((n, b))
    sigma[sources, cols] = 1.0
    depth = np.full((n, b), -1, dtype=np.int32)
    depth[sources, cols] = 0
    frontier = sigma.copy()
    level = 0
    while True:
        reached = a @ frontier
        new = (reached > 0) & (depth < 0)
        if not new.any():
            break
        level += 1
        depth[new] = level
        sigma[new] = reached[new]
        frontier = np.where(new, reached, 0.0)
    delta = np.zeros((n, b))
    for d in range(level, 0, -1):
        at_d = depth == d
        coefficient = np.where(at_d, (1.0 + delta) / np.where(at_d, sigma, 1.0), 0.0)
        pulled = a @ coefficient
        at_parent = depth == d - 1
        delta[at_parent] += sigma[at_parent] * pulled[at_parent]
    delta[sources, cols] = 0.0
    return delta.sum(axis=1)


def local_clustering(adjacency: sparse.sparray) -> np.ndarray:
    """Unweighted local clustering coefficient of a unipartite graph (triangles / pairs)."""
    a = sparse.csr_array(adjacency, dtype=float)
    a.data[:] = 1.0
    a.setdiag(0)
    a.eliminate_zeros()
    degree = np.asarray(a.sum(axis=1)).ravel()
    triangles = np.asarray((a @ a).multiply(a).sum(axis=1)).ravel() / 2
    pairs = degree * (degree - 1) / 2
    return np.divide(triangles, pairs, out=np.zeros_like(triangles), where=pairs > 0)


def bipartite_clustering(incidence: sparse.sparray) -> np.ndarray:
    """Latapy "dot" clustering of the row nodes of a bipartite incidence matrix.

    c_u is the mean over second neighbours v of |N(u) ∩ N(v)| / |N(u) ∪ N(v)|; call it on
    the transpose for the column nodes. Matches :func:`networkx.bipartite.clustering`.

    Example
    -------
    >>> m = sparse.csr_array(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]]))
    >>> bipartite_clustering(m).round(3).tolist()
    [0.667, 0.667, 0.333]
    """
    b = sparse.csr_array(incidence, dtype=float)
    b.data[:] = 1.0
    degree = np.asarray(b.sum(axis=1)).ravel()
    overlap = (b @ b.T).tocoo()
    off = overlap.row != overlap.col
    rows, cols, shared = overlap.row[off], overlap.col[off], overlap.data[off]
    jaccard = shared / (degree[rows] + degree[cols] - shared)
    total = np.bincount(rows, weights=jaccard, minlength=b.shape[0])
    count = np.bincount(rows, minlength=b.shape[0])
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)


def degree_assortativity(adjacency: sparse.sparray) -> float:
    """Degree assortativity: Pearson r of the degrees at the two ends of each edge.

    For a bipartite adjacency this is the correlation between the degree of a skill and of
    the occupations using it (negative in nested networks). Equals
    :func:`networkx.degree_assortativity_coefficient` on simple graphs.
    """
    a = sparse.coo_array(adjacency)
    degree = np.bincount(a.row, minlength=a.shape[0]).astype(float)
    x, y = degree[a.row], degree[a.col]
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])
