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
    """Louvain communities (Blondel et al. 2008), largest first, seeded."""
    if graph.number_of_edges() == 0:
        return [{n} for n in sorted(graph.nodes, key=str)]
    parts = nx.community.louvain_communities(graph, weight=weight, resolution=resolution, seed=seed)
    return sorted(parts, key=lambda c: (-len(c), min(map(str, c))))


def modularity(graph: nx.Graph, communities: list[set], *, weight: str | None = "weight") -> float:
    """Newman–Girvan modularity of a partition (0 for an edgeless graph)."""
    if graph.number_of_edges() == 0:
        return 0.0
    return float(nx.community.modularity(graph, communities, weight=weight))


def membership(communities: list[set]) -> dict:
    """node → community number."""
    return {node: i for i, part in enumerate(communities) for node in part}
