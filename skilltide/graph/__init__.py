"""The bipartite skill–occupation network: build, weight, project, measure, overlay.

One topic per module, plain functions on polars frames and scipy sparse matrices:
``rca`` (revealed comparative advantage), ``build`` (edges and the bipartite graph),
``projection`` (complementarity θ, occupation similarity, backbones), ``measures``
(centralities, clustering, assortativity), ``communities`` (Louvain, modularity),
``nestedness`` (NODF), ``complexity`` (eigenvector form and reflections), ``null``
(curveball randomisations, z-scores), ``exposure`` (WORKBank overlay), ``polarization``
(social-cognitive lean, wage correlation), ``analysis`` (all measures in one pass),
``store`` (the warehouse entry point ``build_graph_warehouse``), ``query`` (reading back,
export) and ``cli``.
"""
