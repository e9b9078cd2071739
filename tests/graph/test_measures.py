"""Centrality, clustering, assortativity, communities, nestedness, complexity, null model."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from networkx.algorithms import bipartite as nxb
from scipy import sparse

from skilltide.graph.communities import louvain, membership, modularity
from skilltide.graph.complexity import complexity, method_of_reflections
from skilltide.graph.measures import (
    betweenness,
    bipartite_adjacency,
    bipartite_clustering,
    bipartite_eigenvector,
    degree_assortativity,
    eigenvector_centrality,
    local_clustering,
    strength,
)
from skilltide.graph.nestedness import nodf, nodf_parts
from skilltide.graph.null import curveball, significance


def _random_bipartite(rows=12, cols=9, p=0.4, seed=0):
    rng = np.random.default_rng(seed)
    m = (rng.uniform(size=(rows, cols)) < p).astype(float)
    m[np.arange(rows), rng.integers(0, cols, rows)] = 1  # no empty row
    m[rng.integers(0, rows, cols), np.arange(cols)] = 1  # no empty column
    return m * rng.uniform(0.5, 2.0, size=m.shape)


def _as_graph(w):
    rows, cols = w.shape
    g = nx.Graph()
    g.add_nodes_from(range(rows), bipartite=1)
    g.add_nodes_from(range(rows, rows + cols), bipartite=0)
    for i, j in zip(*np.nonzero(w), strict=True):
        g.add_edge(int(i), int(rows + j), weight=float(w[i, j]))
    return g


def test_degree_and_strength():
    w = np.array([[2.0, 0.0], [1.0, 3.0]])
    a = bipartite_adjacency(w)
    assert strength(a, weighted=False).tolist() == [1, 2, 2, 1]
    assert strength(a).tolist() == [2, 4, 3, 3]


def test_eigenvector_matches_networkx():
    w = _random_bipartite()
    g = _as_graph(w)
    ref = nx.eigenvector_centrality_numpy(g, weight="weight")
    rows, cols = bipartite_eigenvector(sparse.csr_array(w))
    mine = np.concatenate([rows, cols])
    assert mine == pytest.approx([ref[n] for n in range(sum(w.shape))], abs=1e-8)
    karate = nx.karate_club_graph()
    a = nx.to_scipy_sparse_array(karate, nodelist=list(karate), weight="weight")
    ref = nx.eigenvector_centrality_numpy(karate, weight="weight")
    assert eigenvector_centrality(a) == pytest.approx([ref[n] for n in karate], abs=1e-8)


@pytest.mark.parametrize(
    "graph",
    [
        nx.karate_club_graph(),
        nx.path_graph(6),
        nx.star_graph(5),
        nx.gnm_random_graph(60, 150, 3),
        nx.disjoint_union(nx.cycle_graph(5), nx.complete_graph(4)),
    ],
)
def test_exact_betweenness_matches_networkx(graph):
    a = nx.to_scipy_sparse_array(graph, nodelist=list(graph), weight=None)
    mine, how = betweenness(a)
    ref = nx.betweenness_centrality(graph)
    assert how["method"] == "exact"
    assert mine == pytest.approx([ref[n] for n in graph], abs=1e-12)


def test_sampled_betweenness_is_seeded_and_close():
    graph = nx.barabasi_albert_graph(400, 3, seed=1)
    a = nx.to_scipy_sparse_array(graph, nodelist=list(graph), weight=None)
    exact, _ = betweenness(a)
    first, how = betweenness(a, exact_limit=100, k=150, seed=7)
    again, _ = betweenness(a, exact_limit=100, k=150, seed=7)
    other, _ = betweenness(a, exact_limit=100, k=150, seed=8)
    assert how == {"method": "sampled", "k": 150, "seed": 7}
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    top = np.argsort(-exact)[:10]
    assert np.corrcoef(first, exact)[0, 1] > 0.95
    assert len(set(top) & set(np.argsort(-first)[:10])) >= 7


def test_bipartite_clustering_matches_networkx():
    w = _random_bipartite(seed=2)
    g = _as_graph(w)
    ref = nxb.clustering(g, mode="dot")
    rows, cols = w.shape
    b = sparse.csr_array(w)
    assert bipartite_clustering(b) == pytest.approx([ref[n] for n in range(rows)])
    assert bipartite_clustering(b.T) == pytest.approx([ref[n] for n in range(rows, rows + cols)])


def test_local_clustering_and_assortativity_match_networkx():
    g = nx.gnm_random_graph(50, 160, seed=5)
    a = nx.to_scipy_sparse_array(g, nodelist=list(g))
    ref = nx.clustering(g)
    assert local_clustering(a) == pytest.approx([ref[n] for n in g])
    assert degree_assortativity(a) == pytest.approx(nx.degree_assortativity_coefficient(g))
    w = _random_bipartite(seed=3)
    assert degree_assortativity(bipartite_adjacency(w)) == pytest.approx(
        nx.degree_assortativity_coefficient(_as_graph(w))
    )


def test_louvain_two_cliques_modularity():
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    g.add_edge(0, 5)
    parts = louvain(g, weight=None, seed=3)
    assert sorted(map(sorted, parts)) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    # m = 21, each clique 10 internal edges and degree sum 21: Q = 2 (10/21 - 1/4)
    assert modularity(g, parts, weight=None) == pytest.approx(2 * (10 / 21 - 0.25))
    assert membership(parts)[7] == membership(parts)[9]


def test_louvain_is_reproducible_with_a_seed():
    g = nx.planted_partition_graph(4, 25, 0.3, 0.05, seed=2)
    assert louvain(g, seed=11) == louvain(g, seed=11)


def test_nodf_known_values():
    assert nodf(np.triu(np.ones((5, 5)))) == 100.0
    checker = np.indices((6, 6)).sum(axis=0) % 2
    assert nodf(checker) == 0.0
    # rows (deg 3,2,1): pairs 100, 100, 0; columns all degree 2 -> 0; (200 + 0) / (3 + 3)
    parts = nodf_parts(np.array([[1, 1, 1], [1, 1, 0], [0, 0, 1]]))
    assert parts["nodf_rows"] == pytest.approx(200 / 3)
    assert parts["nodf_columns"] == 0.0
    assert parts["nodf"] == pytest.approx(200 / 6)


def _nodf_by_definition(m):
    def paired(x):
        order = np.argsort(-x.sum(axis=1), kind="stable")
        x = x[order]
        values = []
        for i, j in itertools.combinations(range(x.shape[0]), 2):
            di, dj = x[i].sum(), x[j].sum()
            values.append(0.0 if di <= dj or dj == 0 else (x[i] * x[j]).sum() / dj * 100)
        return values

    pairs = paired(m) + paired(m.T)
    return float(np.mean(pairs))


def test_nodf_matches_the_definition_on_random_matrices():
    for seed in range(5):
        m = (np.random.default_rng(seed).uniform(size=(9, 7)) < 0.45).astype(float)
        assert nodf(m) == pytest.approx(_nodf_by_definition(m))


def test_complexity_on_toys():
    nested = np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]])
    occ, skill = complexity(nested)
    assert list(np.argsort(-occ)) == [0, 1, 2, 3]
    assert list(np.argsort(-skill)) == [3, 2, 1, 0]
    assert occ.mean() == pytest.approx(0) and occ.std() == pytest.approx(1)
    # two weakly linked blocks: the second eigenvector separates them
    blocks = np.zeros((6, 6))
    blocks[:3, :3] = 1
    blocks[3:, 3:] = 1
    blocks[0, 3] = 1
    occ, skill = complexity(blocks)
    assert np.sign(occ[:3]).tolist().count(np.sign(occ[0])) == 3
    assert np.sign(occ[1]) != np.sign(occ[4])
    assert np.sign(skill[1]) != np.sign(skill[4])


def test_reflections_agree_with_eigenvector_form():
    m = (np.random.default_rng(4).uniform(size=(30, 20)) < 0.3).astype(float)
    m[np.arange(30), np.arange(30) % 20] = 1
    eig_occ, _ = complexity(m)
    mor_occ, _ = method_of_reflections(m, iterations=40)
    assert abs(np.corrcoef(eig_occ, mor_occ)[0, 1]) > 0.95


def test_curveball_preserves_degrees_and_is_seeded():
    m = (np.random.default_rng(0).uniform(size=(20, 35)) < 0.3).astype(int)
    first = curveball(m, seed=5).toarray()
    assert first.sum(axis=1).tolist() == m.sum(axis=1).tolist()
    assert first.sum(axis=0).tolist() == m.sum(axis=0).tolist()
    assert set(np.unique(first)) <= {0, 1}
    assert np.array_equal(first, curveball(m, seed=5).toarray())
    assert not np.array_equal(first, curveball(m, seed=6).toarray())
    assert not np.array_equal(first, m)


def test_significance_z_scores():
    # a block-diagonal matrix is far more modular than its randomisations
    m = np.kron(np.eye(3), np.ones((6, 6)))
    m[0, 6] = m[6, 12] = 1
    from skilltide.graph.analysis import _bipartite_modularity

    out = significance(
        m, {"modularity": lambda x: _bipartite_modularity(x, 0), "nodf": nodf}, n=10, seed=1
    )
    row = out.row(0, named=True)
    assert row["metric"] == "modularity" and row["n_null"] == 10
    assert row["observed"] > row["null_mean"]
    assert row["z_score"] > 3
    assert row["p_value"] == pytest.approx(1 / 11)  # no randomisation as extreme
    again = significance(m, {"nodf": nodf}, n=10, seed=1)
    assert again["null_mean"][0] == out["null_mean"][1]


def test_large_skill_sets_cluster_core_skills_and_attach_the_rest():
    import polars as pl

    from skilltide.graph.analysis import analyse
    from skilltide.graph.build import bipartite_matrix

    rows = []
    for block, occupations in enumerate((["o1", "o2", "o3"], ["o4", "o5", "o6"])):
        core = [f"core{block}{i}" for i in range(4)]
        for o in occupations:
            rows += [(o, s) for s in core] + [(o, f"only-{o}")]  # one single-use skill each
    rows.append(("o1", "core10"))  # one weak link between the blocks
    edges = pl.DataFrame(rows, schema=["occupation", "skill"], orient="row").with_columns(
        weight=pl.lit(1.0)
    )
    fast = analyse(bipartite_matrix(edges), n_null=0, max_louvain_skills=0)
    community = dict(
        fast.node_metrics.filter(pl.col("metric") == "complementarity_community")
        .select("node_id", "value")
        .iter_rows()
    )
    assert community["only-o1"] == community["core00"]
    assert community["only-o5"] == community["core13"]
    assert community["core00"] != community["core13"]
    assert "single-occupation skills" in fast.notes["complementarity_communities"]


def test_empirical_p_is_defined_when_the_null_has_no_spread():
    m = np.kron(np.eye(3), np.ones((6, 6)))
    out = significance(m, {"constant": lambda x: 1.0, "observed_only": lambda x: x.sum()}, n=9)
    constant = out.row(0, named=True)
    assert constant["z_score"] is None and constant["p_value"] == 1.0  # every draw ties


def test_complexity_only_on_the_largest_component():
    """On a disconnected network the second eigenvector labels components: on O*NET 30.1
    technology skills (a giant component of 9,694 nodes, and components of 11 and 3) every
    giant-component node got the same complexity (sd 1e-15) and the 10 tools of Musical
    Instrument Repairers were the most complex skills, at 6.46."""
    rng = np.random.default_rng(4)
    giant = (rng.uniform(size=(30, 20)) < 0.3).astype(float)
    giant[np.arange(30), np.arange(30) % 20] = 1
    m = np.zeros((32, 23))
    m[:30, :20] = giant
    m[30:, 20:] = 1  # a second component: 2 occupations × 3 skills
    occ, skill = complexity(m)
    alone, alone_skill = complexity(giant)
    assert np.isnan(occ[30:]).all() and np.isnan(skill[20:]).all()
    np.testing.assert_allclose(occ[:30], alone, atol=1e-8)
    np.testing.assert_allclose(skill[:20], alone_skill, atol=1e-8)
    mor_occ, mor_skill = method_of_reflections(m)
    assert np.isnan(mor_occ[30:]).all() and np.isnan(mor_skill[20:]).all()
    np.testing.assert_allclose(mor_occ[:30], method_of_reflections(giant)[0], atol=1e-8)
