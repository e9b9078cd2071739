"""One-mode projections of the bipartite network and their backbones.

- :func:`complementarity`: skill–skill θ of Alabdulkareem et al. (2018),
  θ(s, s') = min(P(s | s'), P(s' | s)), the share of occupations using one skill effectively
  that also use the other, taking the smaller of the two conditional probabilities. With
  co-use count C(s, s') and degrees k_s that is C / max(k_s, k_s').
- :func:`occupation_similarity`: cosine similarity of occupations' weighted skill profiles.
- :func:`disparity_filter` (Serrano, Boguñá & Vespignani 2009) and
  :func:`spanning_backbone` (maximum spanning tree plus each node's strongest edges).

Matrices are scipy sparse, so ~10k skills stay cheap; the projections keep only pairs that
share at least one occupation (skill) — all other θ and similarities are 0.

Example
-------
>>> import numpy as np
>>> from scipy import sparse
>>> used = sparse.csr_array(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 1]]))  # occupations × skills
>>> complementarity(used).toarray().round(3)
array([[0.   , 0.667, 0.667],
       [0.667, 0.   , 0.5  ],
       [0.667, 0.5  , 0.   ]])
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import sparse
from scipy.sparse import csgraph

__all__ = [
    "complementarity",
    "disparity_filter",
    "knn_sparsify",
    "matrix_edges",
    "occupation_similarity",
    "spanning_backbone",
    "top_neighbours",
]


def _binary(matrix: sparse.sparray) -> sparse.csr_array:
    out = sparse.csr_array(matrix, dtype=float, copy=True)
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def complementarity(used: sparse.sparray) -> sparse.csr_array:
    """Skill × skill complementarity θ from an occupation × skill incidence matrix.

    Parameters
    ----------
    used : sparse array, occupations × skills
        Non-zero where the occupation uses the skill effectively (e.g. RCA > 1); values are
        ignored.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric, zero diagonal, θ in (0, 1] for pairs co-used at least once.
    """
    b = _binary(used)
    co = (b.T @ b).tocoo()
    degree = np.asarray(b.sum(axis=0)).ravel()
    off = co.row != co.col
    rows, cols, counts = co.row[off], co.col[off], co.data[off]
    theta = counts / np.maximum(degree[rows], degree[cols])
    n = b.shape[1]
    return sparse.csr_array((theta, (rows, cols)), shape=(n, n))


def occupation_similarity(weights: sparse.sparray) -> sparse.csr_array:
    """Occupation × occupation cosine similarity of weighted skill profiles (zero diagonal).

    Example
    -------
    >>> w = sparse.csr_array(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]]))
    >>> occupation_similarity(w).toarray().round(3)
    array([[0.   , 0.707, 0.   ],
           [0.707, 0.   , 0.707],
           [0.   , 0.707, 0.   ]])
    """
    w = sparse.csr_array(weights, dtype=float)
    norms = np.sqrt(np.asarray(w.multiply(w).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    unit = sparse.diags_array(inverse) @ w
    sim = (unit @ unit.T).tocoo()
    off = sim.row != sim.col
    return sparse.csr_array(
        (np.minimum(sim.data[off], 1.0), (sim.row[off], sim.col[off])), shape=sim.shape
    )


def knn_sparsify(matrix: sparse.sparray, k: int) -> sparse.csr_array:
    """Keep, for every node, its ``k`` strongest entries (ties by index), symmetrised.

    The union of each node's k-nearest-neighbour edges: a sparse, connected-as-far-as-possible
    view of a dense projection, used for community detection on large skill sets.

    Example
    -------
    >>> m = sparse.csr_array(np.array([[0, 3, 1], [3, 0, 2], [1, 2, 0]], dtype=float))
    >>> knn_sparsify(m, 1).toarray()
    array([[0., 3., 0.],
           [3., 0., 2.],
           [0., 2., 0.]])
    """
    coo = sparse.coo_array(matrix)
    order = np.lexsort((coo.col, -coo.data, coo.row))
    rows, cols, data = coo.row[order], coo.col[order], coo.data[order]
    starts = np.searchsorted(rows, rows, side="left")
    rank = np.arange(rows.size) - starts
    keep = rank < k
    top = sparse.csr_array((data[keep], (rows[keep], cols[keep])), shape=coo.shape)
    return sparse.csr_array(top.maximum(top.T))


def matrix_edges(matrix: sparse.sparray, labels: list[str], *, min_weight: float = 0.0):
    """Upper-triangle edges of a symmetric projection as a (source, target, weight) frame."""
    coo = sparse.triu(sparse.coo_array(matrix), k=1).tocoo()
    keep = coo.data > min_weight
    names = np.asarray(labels, dtype=object)
    return pl.DataFrame(
        {
            "source": names[coo.row[keep]],
            "target": names[coo.col[keep]],
            "weight": coo.data[keep].astype(float),
        },
        schema={"source": pl.String, "target": pl.String, "weight": pl.Float64},
    ).sort("source", "target")


def top_neighbours(matrix: sparse.sparray, labels: list[str], k: int = 10) -> pl.DataFrame:
    """For each node its ``k`` strongest neighbours in a projection (ties by label).

    Returns a (node, neighbour, weight, rank) frame; rank 1 is the strongest.
    """
    coo = sparse.coo_array(matrix)
    names = np.asarray(labels, dtype=object)
    frame = pl.DataFrame(
        {"node": names[coo.row], "neighbour": names[coo.col], "weight": coo.data.astype(float)},
        schema={"node": pl.String, "neighbour": pl.String, "weight": pl.Float64},
    ).filter(pl.col("weight") > 0)
    return (
        frame.sort(["node", "weight", "neighbour"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("node").alias("rank"))
        .filter(pl.col("rank") <= k)
    )


def disparity_filter(edges: pl.DataFrame, alpha: float = 0.05) -> pl.DataFrame:
    """Backbone of a weighted undirected graph by the disparity filter.

    An edge (i, j) survives if, for at least one endpoint of degree k > 1, its normalised
    weight p = w / s_i is improbably large under uniform random splitting of the node's
    strength: α_ij = (1 - p)^(k - 1) < ``alpha`` (Serrano et al. 2009). Returns the kept
    edges with their smallest ``alpha_ij``.

    Example
    -------
    >>> e = pl.DataFrame({"source": ["a", "a", "a", "b"], "target": ["b", "c", "d", "c"],
    ...                   "weight": [10.0, 0.1, 0.1, 0.1]})
    >>> disparity_filter(e, alpha=0.1).select("source", "target").rows()
    [('a', 'b')]
    """
    both = pl.concat(
        [
            edges.select("source", "target", "weight").with_columns(pl.col("source").alias("node")),
            edges.select("source", "target", "weight").with_columns(pl.col("target").alias("node")),
        ]
    )
    scored = both.with_columns(
        strength=pl.col("weight").sum().over("node"), degree=pl.len().over("node")
    ).with_columns(
        a=pl.when(pl.col("degree") > 1)
        .then((1 - pl.col("weight") / pl.col("strength")).pow(pl.col("degree") - 1))
        .otherwise(1.0)
    )
    return (
        scored.group_by("source", "target", maintain_order=True)
        .agg(pl.col("weight").first(), pl.col("a").min().alias("alpha"))
        .filter(pl.col("alpha") < alpha)
        .sort("source", "target")
    )


def spanning_backbone(edges: pl.DataFrame, strongest: int = 1) -> pl.DataFrame:
    """Maximum spanning tree (forest) plus each node's ``strongest`` heaviest edges.

    The usual readable picture of a dense projection (Hidalgo et al. 2007 "product space").
    The tree is scipy's minimum spanning tree of (max weight + 1 − weight), which orders
    edges the other way round and keeps every weight positive.

    Example
    -------
    >>> e = pl.DataFrame({"source": ["a", "a", "b"], "target": ["b", "c", "c"],
    ...                   "weight": [3.0, 2.0, 1.0]})
    >>> spanning_backbone(e, strongest=0).select("source", "target").rows()
    [('a', 'b'), ('a', 'c')]
    """
    if edges.height == 0:
        return edges
    labels = sorted(set(edges["source"].to_list()) | set(edges["target"].to_list()))
    index = pl.DataFrame({"node": labels, "i": np.arange(len(labels), dtype=np.int64)})
    coded = edges.join(index.rename({"node": "source", "i": "si"}), on="source").join(
        index.rename({"node": "target", "i": "ti"}), on="target"
    )
    weights = coded["weight"].to_numpy()
    cost = sparse.coo_array(
        (weights.max() + 1.0 - weights, (coded["si"].to_numpy(), coded["ti"].to_numpy())),
        shape=(len(labels), len(labels)),
    )
    tree = csgraph.minimum_spanning_tree(cost.tocsr()).tocoo()
    names = np.asarray(labels, dtype=object)
    pairs = [
        pl.DataFrame(
            {"node": names[tree.row], "neighbour": names[tree.col]},
            schema={"node": pl.String, "neighbour": pl.String},
        )
    ]
    if strongest > 0:
        pairs.append(top_neighbours_frame(edges, strongest).select("node", "neighbour"))
    keys = (
        pl.concat(pairs)
        .select(a=pl.min_horizontal("node", "neighbour"), b=pl.max_horizontal("node", "neighbour"))
        .unique()
    )
    ordered = edges.with_columns(
        a=pl.min_horizontal("source", "target"), b=pl.max_horizontal("source", "target")
    )
    return ordered.join(keys, on=["a", "b"], how="semi").drop("a", "b").sort("source", "target")


def top_neighbours_frame(edges: pl.DataFrame, k: int) -> pl.DataFrame:
    """``k`` heaviest edges per node of an undirected (source, target, weight) frame."""
    both = pl.concat(
        [
            edges.select(
                pl.col("source").alias("node"), pl.col("target").alias("neighbour"), "weight"
            ),
            edges.select(
                pl.col("target").alias("node"), pl.col("source").alias("neighbour"), "weight"
            ),
        ]
    )
    return (
        both.sort(["node", "weight", "neighbour"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("node").alias("rank"))
        .filter(pl.col("rank") <= k)
    )
