"""Louvain communities (seeded) and Newman modularity, via networkx.

Communities are numbered 0, 1, ... by decreasing size (ties by their smallest node), so a
seed gives the same labels on every run.

Example
-------
>>> import networkx as nx
>>> g = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(4))
>>> g.add_edge(0, 4)
>>> parts = louvain(g, seed=1)
>>> sorted(map(sorted, parts))
[[0, 1, 2, 3], [4, 5, 6, 7]]
>>> round(modularity(g, parts), 4)
0.4231
"""

from __future__ import annotations

import networkx as nx

__all__ = ["louvain", "membership", "modularity"]


def louvain(
    graph: nx.Graph, *, weight: str | None = "weight", resolution: float = 1.0, seed: int = 0
) -> list[set]:
    """Louvain communities (Blondel et al. 2008), largest first, seeded.

    networkx walks sets of nodes, whose order for string labels changes with each process's
    hash seed (PYTHONHASHSEED), so Louvain runs on integers standing for the nodes in sorted
    order (:func:`_stable`): the same seed gives the same communities in every process.
    """
    if graph.number_of_edges() == 0:
        return [{n} for n in sorted(graph.nodes, key=str)]
    stable, nodes, _ = _stable(graph, weight)
    parts = nx.community.louvain_communities(
        stable, weight=None if weight is None else "w", resolution=resolution, seed=seed
    )
    parts = [{nodes[i] for i in part} for part in parts]
    return sorted(parts, key=lambda c: (-len(c), min(map(str, c))))


def modularity(graph: nx.Graph, communities: list[set], *, weight: str | None = "weight") -> float:
    """Newman–Girvan modularity of a partition (0 for an edgeless graph); summed in a fixed
    order, so the same partition gives the same float in every process."""
    if graph.number_of_edges() == 0:
        return 0.0
    stable, _, index = _stable(graph, weight)
    parts = [set(sorted(index[n] for n in part)) for part in communities]
    return float(nx.community.modularity(stable, parts, weight=None if weight is None else "w"))


def _stable(graph: nx.Graph, weight: str | None) -> tuple[nx.Graph, list, dict]:
    """``graph`` on integers 0..n-1 for its nodes sorted by ``str`` (edges added sorted,
    weight in ``"w"``), the nodes in that order and node → integer."""
    nodes = sorted(graph.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    stable = nx.Graph()
    stable.add_nodes_from(range(len(nodes)))
    stable.add_weighted_edges_from(
        sorted(
            (*sorted((index[u], index[v])), 1.0 if weight is None else d.get(weight, 1.0))
            for u, v, d in graph.edges(data=True)
        ),
        weight="w",
    )
    return stable, nodes, index


def membership(communities: list[set]) -> dict:
    """node → community number."""
    return {node: i for i, part in enumerate(communities) for node in part}
