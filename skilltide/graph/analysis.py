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
    summary: pl.DataFrame  # metric, observed, null_mean, null_sd, z_score, p_value, n_null
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


def _core_communities(
    theta_full: sparse.csr_array,
    theta_graph: nx.Graph,
    skills: list[str],
    skill_degree: np.ndarray,
    seed: int,
) -> list[set]:
    """Louvain on the skills used by 2+ occupations; the others join by θ-weighted vote.

    ``theta_full`` is the unreduced θ (votes need the links to core skills, which a
    top-k reduction drops in favour of θ = 1 links between single-occupation skills).

    A skill used by one occupation has θ = 1/k_s′ with every skill s′ of that occupation,
    so its place is fixed by theirs. Skills with no core neighbour form communities by
    connected component among themselves.
    """
    core = np.flatnonzero(skill_degree >= 2)
    rest = np.flatnonzero(skill_degree < 2)
    names = np.asarray(skills, dtype=object)
    core_parts = comm.louvain(theta_graph.subgraph(names[core].tolist()), seed=seed)
    label = np.full(len(skills), -1)
    position = {s: i for i, s in enumerate(skills)}
    for number, part in enumerate(core_parts):
        label[[position[s] for s in part]] = number
    if rest.size and core.size:
        indicator = sparse.csr_array(
            (np.ones(core.size), (np.arange(core.size), label[core])),
            shape=(core.size, len(core_parts)),
        )
        votes = (theta_full[rest][:, core] @ indicator).toarray()
        has_vote = votes.max(axis=1) > 0
        label[rest[has_vote]] = votes[has_vote].argmax(axis=1)
    parts = [set() for _ in core_parts]
    for i in np.flatnonzero(label >= 0):
        parts[label[i]].add(skills[i])
    orphans = names[label < 0].tolist()
    if orphans:
        parts.extend(set(c) for c in nx.connected_components(theta_graph.subgraph(orphans)))
    return sorted(parts, key=lambda c: (-len(c), min(map(str, c))))


def _complementarity_modularity(
    incidence: sparse.csr_array, seed: int, k: int, max_edges: int, max_louvain_skills: int
) -> float:
    full = complementarity(incidence)
    theta = _sparse_enough(full, k, max_edges)
    labels = [str(i) for i in range(theta.shape[0])]
    graph = projection_graph(theta, labels)
    if len(labels) > max_louvain_skills:
        degree = np.asarray(incidence.sum(axis=0)).ravel()
        parts = _core_communities(full, graph, labels, degree, seed)
    else:
        parts = comm.louvain(graph, seed=seed)
    return comm.modularity(graph, parts)


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
    max_louvain_skills: int = 3000,
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
    max_louvain_skills : int
        Above this many skills, Louvain on θ runs on the skills used by two or more
        occupations and each single-occupation skill joins the community it is most
        complementary to (:func:`_core_communities`), which cuts the cost several-fold.
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
        theta_full = complementarity(incidence)
        theta = _sparse_enough(theta_full, neighbours, max_projection_edges)
        similarity_full = occupation_similarity(matrix.weights)
        similarity = _sparse_enough(similarity_full, neighbours, max_projection_edges)
        notes["projections"] = {  # what _sparse_enough decided, from the unreduced sizes
            "max_projection_edges": max_projection_edges,
            **{
                layer: "full"
                if full.nnz <= 2 * max_projection_edges
                else f"top {neighbours} per {node}"
                for layer, full, node in (
                    ("skill_complementarity", theta_full, "skill"),
                    ("occupation_similarity", similarity_full, "occupation"),
                )
            },
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
        skill_degree = np.asarray(incidence.sum(axis=0)).ravel()
        if len(skills) > max_louvain_skills:
            theta_parts = _core_communities(theta_full, theta_graph, skills, skill_degree, seed)
            notes["complementarity_communities"] = (
                f"Louvain on the {int((skill_degree >= 2).sum())} skills used by 2+ "
                "occupations; single-occupation skills join their strongest θ community"
            )
        else:
            theta_parts = comm.louvain(theta_graph, seed=seed)
        theta_membership = comm.membership(theta_parts)
        metrics.append(
            pl.DataFrame(
                {
                    "node_id": skills,
                    "metric": "complementarity_community",
                    "value": [float(theta_membership[s]) for s in skills],
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
                m, seed, neighbours, max_projection_edges, max_louvain_skills
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
        # NaN = not measured (complexity outside the largest component): no row
        node_metrics=pl.concat(metrics).filter(~pl.col("value").is_nan()).sort("metric", "node_id"),
        communities=membership,
        edges=edges,
        neighbours=near,
        summary=summary,
        notes=notes,
    )
