"""Every measure of a bipartite skill–occupation network in one pass, step by step.

:func:`analyse` runs the steps in order (node measures, projections, communities,
significance against the null model) and wraps each in ``stage(name)`` — a context manager
the caller supplies to time it (:meth:`skilltide.store.Run.stage`, or the benchmark's
time-and-memory probe). The result holds long polars frames ready for the warehouse.

Example
-------
>>> import polars as pl
>>> from skilltide.graph.build import bipartite_matrix
>>> edges = pl.DataFrame({"occupation": ["a", "a", "b", "b", "c"],
...                       "skill": ["x", "y", "x", "z", "z"], "weight": [1.0] * 5})
>>> result = analyse(bipartite_matrix(edges), n_null=3)
>>> result.summary.filter(pl.col("metric") == "n_edges")["observed"].item()
5.0
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import polars as pl
from scipy import sparse

from skilltide.graph import communities as comm
from skilltide.graph.build import BipartiteMatrix, bipartite_graph
from skilltide.graph.complexity import complexity, method_of_reflections
from skilltide.graph.measures import (
    betweenness,
    bipartite_adjacency,
    bipartite_clustering,
    bipartite_eigenvector,
    degree_assortativity,
    strength,
)
from skilltide.graph.nestedness import nodf_parts
from skilltide.graph.null import significance
from skilltide.graph.projection import (
    complementarity,
    knn_sparsify,
    matrix_edges,
    occupation_similarity,
    spanning_backbone,
    top_neighbours,
)

__all__ = ["NetworkAnalysis", "analyse", "projection_graph"]

_METRIC_SCHEMA = {"node_id": pl.String, "metric": pl.String, "value": pl.Float64}


@dataclass
class NetworkAnalysis:
    """What :func:`analyse` found; frames are long and sorted."""

    graph: nx.Graph
    node_metrics: pl.DataFrame  # node_id, metric, value
    communities: dict[str, int]  # node → bipartite Louvain community
    edges: pl.DataFrame  # layer, source, target, weight
    neighbours: pl.DataFrame  # layer, node, neighbour, weight, rank
    summary: pl.DataFrame  # metric, observed, null_mean, null_sd, z_score, n_null
    notes: dict = field(default_factory=dict)


def _no_stage(name: str):
    return contextlib.nullcontext({})


def projection_graph(matrix: sparse.sparray, labels: list[str]) -> nx.Graph:
    """A weighted networkx graph of a symmetric projection matrix (isolated nodes kept)."""
    graph = nx.Graph()
    graph.add_nodes_from(labels)
    graph.add_weighted_edges_from(matrix_edges(matrix, labels).iter_rows())
    return graph


def _bipartite_modularity(incidence: sparse.csr_array, seed: int) -> float:
    graph = nx.Graph()
    n_rows = incidence.shape[0]
    graph.add_nodes_from(range(sum(incidence.shape)))
    coo = incidence.tocoo()
    graph.add_edges_from(zip(coo.row.tolist(), (coo.col + n_rows).tolist(), strict=True))
    return comm.modularity(graph, comm.louvain(graph, weight=None, seed=seed), weight=None)


def _sparse_enough(matrix: sparse.csr_array, k: int, max_edges: int) -> sparse.csr_array:
    """The projection itself when small, else the union of each node's top-k edges."""
    return matrix if matrix.nnz <= 2 * max_edges else knn_sparsify(matrix, k)


def _complementarity_modularity(
    incidence: sparse.csr_array, seed: int, k: int, max_edges: int
) -> float:
    theta = _sparse_enough(complementarity(incidence), k, max_edges)
    labels = [str(i) for i in range(theta.shape[0])]
    graph = projection_graph(theta, labels)
    return comm.modularity(graph, comm.louvain(graph, seed=seed))


def _assortativity(incidence: sparse.csr_array) -> float:
    return degree_assortativity(bipartite_adjacency(incidence))


def _long(ids: list[str], **metrics: np.ndarray) -> pl.DataFrame:
    return pl.concat(
        [
            pl.DataFrame(
                {"node_id": ids, "metric": [name] * len(ids), "value": np.asarray(v, float)},
                schema=_METRIC_SCHEMA,
            )
            for name, v in metrics.items()
        ]
    )


def analyse(
    matrix: BipartiteMatrix,
    *,
    names: dict[str, str] | None = None,
    soc_major: dict[str, str] | None = None,
    seed: int = 0,
    n_null: int = 20,
    neighbours: int = 10,
    betweenness_k: int = 256,
    exact_betweenness_limit: int = 2000,
    backbone_strongest: int = 1,
    max_projection_edges: int = 50_000,
    null_louvain_limit: int = 5000,
    stage: Callable[[str], contextlib.AbstractContextManager] = _no_stage,
) -> NetworkAnalysis:
    """Build the graph and compute every measure; see the module docstring.

    Parameters
    ----------
    matrix : BipartiteMatrix
        Edges (after thresholding) with their weights.
    seed : int
        Seeds Louvain, sampled betweenness and the null model.
    n_null : int
        Degree-preserving randomisations for the z-scores (0 skips them).
    neighbours : int
        How many most complementary skills / closest occupations to keep per node.
    betweenness_k, exact_betweenness_limit : int
        Betweenness is exact up to ``exact_betweenness_limit`` nodes, else estimated from
        ``betweenness_k`` seeded sources (see :func:`~skilltide.graph.measures.betweenness`).
    max_projection_edges : int
        Projections with more edges are reduced to each node's ``neighbours`` strongest
        edges before they are stored and clustered.
    null_louvain_limit : int
        Largest graph (nodes) whose modularity is also tested against the null model.
    stage : callable
        ``stage(name)`` returns a context manager wrapped around each step (timings).
    """
    occ, skills = matrix.occupations, matrix.skills
    ids = occ + skills
    incidence = matrix.binary
    notes: dict = {}
    with stage("graph"):
        graph = bipartite_graph(matrix, names=names, soc_major=soc_major)
    with stage("degree_strength_eigenvector"):
        adjacency = bipartite_adjacency(matrix.weights)
        eig_o, eig_s = bipartite_eigenvector(matrix.weights)
        metrics = [
            _long(
                ids,
                degree=strength(adjacency, weighted=False),
                strength=strength(adjacency),
                eigenvector=np.concatenate([eig_o, eig_s]),
            )
        ]
    with stage("betweenness"):
        values, how = betweenness(
            adjacency, k=betweenness_k, seed=seed, exact_limit=exact_betweenness_limit
        )
        notes["betweenness"] = how
        metrics.append(_long(ids, betweenness=values))
    with stage("clustering_complexity"):
        metrics.append(
            _long(
                ids,
                clustering=np.concatenate(
                    [bipartite_clustering(incidence), bipartite_clustering(incidence.T)]
                ),
            )
        )
        c_o, c_s = complexity(incidence)
        r_o, r_s = method_of_reflections(incidence)
        metrics.append(
            _long(
                ids,
                complexity=np.concatenate([c_o, c_s]),
                complexity_reflections=np.concatenate([r_o, r_s]),
            )
        )
    with stage("projections"):
        theta = _sparse_enough(complementarity(incidence), neighbours, max_projection_edges)
        similarity = _sparse_enough(
            occupation_similarity(matrix.weights), neighbours, max_projection_edges
        )
        notes["projections"] = {
            "max_projection_edges": max_projection_edges,
            "skill_complementarity": "full"
            if theta.nnz <= 2 * max_projection_edges
            else f"top {neighbours} per skill",
        }
        theta_edges = matrix_edges(theta, skills)
        similarity_edges = matrix_edges(similarity, occ)
        layers = [
            theta_edges.with_columns(layer=pl.lit("skill_complementarity")),
            similarity_edges.with_columns(layer=pl.lit("occupation_similarity")),
        ]
        if theta_edges.height:
            layers.append(
                spanning_backbone(theta_edges, backbone_strongest).with_columns(
                    layer=pl.lit("skill_backbone")
                )
            )
        if similarity_edges.height:
            layers.append(
                spanning_backbone(similarity_edges, backbone_strongest).with_columns(
                    layer=pl.lit("occupation_backbone")
                )
            )
        near = pl.concat(
            [
                top_neighbours(theta, skills, neighbours).with_columns(
                    layer=pl.lit("skill_complementarity")
                ),
                top_neighbours(similarity, occ, neighbours).with_columns(
                    layer=pl.lit("occupation_similarity")
                ),
            ]
        ).select("layer", "node", "neighbour", "weight", "rank")
    with stage("communities"):
        parts = comm.louvain(graph, seed=seed)
        membership = comm.membership(parts)
        theta_graph = projection_graph(theta, skills)
        theta_parts = comm.louvain(theta_graph, seed=seed)
        metrics.append(
            pl.DataFrame(
                {
                    "node_id": skills,
                    "metric": "complementarity_community",
                    "value": [float(comm.membership(theta_parts)[s]) for s in skills],
                },
                schema=_METRIC_SCHEMA,
            )
        )
        observed_extra = {
            "modularity_weighted": comm.modularity(graph, parts),
            "n_communities": float(len(parts)),
            "complementarity_n_communities": float(len(theta_parts)),
        }
    with stage("nestedness_null_model"):
        statistics = {
            "nodf": lambda m: nodf_parts(m)["nodf"],
            "degree_assortativity": _assortativity,
        }
        if len(ids) <= null_louvain_limit:
            statistics["modularity"] = lambda m: _bipartite_modularity(m, seed)
            statistics["complementarity_modularity"] = lambda m: _complementarity_modularity(
                m, seed, neighbours, max_projection_edges
            )
        else:
            # networkx Louvain takes seconds per run on graphs this size; z-scores for
            # modularity would dominate the run time, so only the observed values are kept.
            notes["null_model"] = (
                f"modularity not tested against the null model: {len(ids)} nodes > "
                f"null_louvain_limit {null_louvain_limit}"
            )
            observed_extra["modularity"] = comm.modularity(graph, parts, weight=None)
            observed_extra["complementarity_modularity"] = comm.modularity(theta_graph, theta_parts)
        tested = significance(incidence, statistics, n=n_null, seed=seed)
        parts_nodf = nodf_parts(incidence)
        n_o, n_s = incidence.shape
        plain = {
            "n_occupations": float(n_o),
            "n_skills": float(n_s),
            "n_edges": float(matrix.n_edges),
            "density": matrix.n_edges / (n_o * n_s) if n_o * n_s else 0.0,
            "nodf_rows": parts_nodf["nodf_rows"],
            "nodf_columns": parts_nodf["nodf_columns"],
            **observed_extra,
        }
        summary = pl.concat(
            [
                tested,
                pl.DataFrame(
                    {"metric": list(plain), "observed": list(plain.values())},
                    schema={"metric": pl.String, "observed": pl.Float64},
                ),
            ],
            how="diagonal_relaxed",
        ).with_columns(pl.col("n_null").fill_null(0))
    edges = pl.concat(
        [
            matrix.edges().select(
                pl.lit("bipartite").alias("layer"),
                pl.col("skill").alias("source"),
                pl.col("occupation").alias("target"),
                "weight",
            ),
            *[f.select("layer", "source", "target", "weight") for f in layers],
        ]
    )
    return NetworkAnalysis(
        graph=graph,
        node_metrics=pl.concat(metrics).sort("metric", "node_id"),
        communities=membership,
        edges=edges,
        neighbours=near,
        summary=summary,
        notes=notes,
    )
