"""RCA, building, projections and backbones on small graphs with hand-computed answers."""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl
import pytest
from scipy import sparse

from skilltide.errors import UserError
from skilltide.graph.build import bipartite_graph, bipartite_matrix, select_edges, validate_frame
from skilltide.graph.projection import (
    complementarity,
    disparity_filter,
    knn_sparsify,
    matrix_edges,
    occupation_similarity,
    spanning_backbone,
    top_neighbours,
)
from skilltide.graph.rca import rca, rca_matrix


def test_rca_by_hand():
    # total 10; occupation a: 4+1=5, b: 1+4=5; skill x: 5, y: 5 -> expected share 0.25 each
    frame = pl.DataFrame(
        {
            "occupation": ["a", "a", "b", "b"],
            "skill": ["x", "y", "x", "y"],
            "weight": [4.0, 1.0, 1.0, 4.0],
        }
    )
    assert rca(frame)["rca"].to_list() == pytest.approx([1.6, 0.4, 0.4, 1.6])


def test_rca_frame_matches_matrix_form():
    rng = np.random.default_rng(1)
    dense = rng.uniform(0, 5, size=(6, 4))
    frame = pl.DataFrame(
        {
            "occupation": np.repeat(np.arange(6), 4).astype(str),
            "skill": np.tile(["s0", "s1", "s2", "s3"], 6),
            "weight": dense.ravel(),
        }
    )
    assert rca(frame)["rca"].to_numpy() == pytest.approx(rca_matrix(dense).ravel())


def test_select_edges_threshold_rules():
    frame = pl.DataFrame(
        {
            "occupation": ["a", "a", "b", "b"],
            "skill": ["x", "y", "x", "y"],
            "weight": [4.0, 1.0, 1.0, 4.0],
        }
    )
    effective = select_edges(frame, weight="raw")  # RCA > 1, raw weights kept
    assert effective.select("occupation", "skill", "weight").rows() == [
        ("a", "x", 4.0),
        ("b", "y", 4.0),
    ]
    assert select_edges(frame, weight="raw", threshold=0).height == 4
    assert select_edges(frame, weight="raw", threshold=1.0).height == 2
    assert select_edges(frame, weight="rca", threshold=0.5)["weight"].to_list() == [1.6, 1.6]
    with pytest.raises(UserError, match="weight must be"):
        select_edges(frame, weight="bogus")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"occupation": ["a"], "skill": ["x"]}), "missing column"),
        (
            pl.DataFrame({"occupation": ["a", "a"], "skill": ["x", "x"], "weight": [1.0, 2.0]}),
            "row 2, fields occupation/skill",
        ),
        (
            pl.DataFrame({"occupation": ["a", "b"], "skill": ["x", "y"], "weight": [1.0, -2.0]}),
            "row 2, field weight",
        ),
        (
            pl.DataFrame({"occupation": ["a", None], "skill": ["x", "y"], "weight": [1.0, 2.0]}),
            "row 2, field occupation",
        ),
        (
            pl.DataFrame({"occupation": ["a", "x"], "skill": ["x", "y"], "weight": [1.0, 2.0]}),
            "both sides",
        ),
    ],
)
def test_validate_refuses_bad_input(frame, message):
    with pytest.raises(UserError, match=message):
        validate_frame(frame, what="ratings.csv")


def test_bipartite_graph_attributes_and_matrix():
    edges = pl.DataFrame(
        {
            "occupation": ["15-1252.00", "15-1252.00", "47-2111.00"],
            "skill": ["onet:a", "onet:b", "onet:b"],
            "weight": [2.0, 1.0, 3.0],
        }
    )
    m = bipartite_matrix(edges)
    assert m.occupations == ["15-1252.00", "47-2111.00"]
    assert m.weights.toarray().tolist() == [[2.0, 1.0], [0.0, 3.0]]
    g = bipartite_graph(m, names={"onet:a": "Writing"}, soc_major={"15-1252.00": "15-0000"})
    assert nx.is_bipartite(g)
    assert g.nodes["onet:a"] == {"bipartite": 0, "name": "Writing"}
    assert g.nodes["15-1252.00"]["bipartite"] == 1
    assert g.nodes["15-1252.00"]["soc_major"] == "15-0000"
    assert g["47-2111.00"]["onet:b"]["weight"] == 3.0
    assert m.edges().equals(edges.sort("occupation", "skill"))


def test_complementarity_by_hand():
    # occupations × skills; k = [3, 2, 2]; co-use (0,1)=2, (0,2)=2, (1,2)=1
    used = sparse.csr_array(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 1]]))
    theta = complementarity(used).toarray()
    expected = np.array([[0, 2 / 3, 2 / 3], [2 / 3, 0, 1 / 2], [2 / 3, 1 / 2, 0]])
    assert theta == pytest.approx(expected)
    # definition: min(P(s|s'), P(s'|s)) from the raw counts
    b = used.toarray()
    for s in range(3):
        for t in range(3):
            if s != t:
                both = (b[:, s] * b[:, t]).sum()
                assert theta[s, t] == pytest.approx(min(both / b[:, s].sum(), both / b[:, t].sum()))


def test_occupation_similarity_is_cosine():
    w = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]])
    sim = occupation_similarity(sparse.csr_array(w)).toarray()
    assert sim[0, 1] == pytest.approx(1.0)
    assert sim[0, 2] == 0.0
    assert np.diag(sim).tolist() == [0.0, 0.0, 0.0]


def test_disparity_filter_keeps_the_strong_edge():
    # hub a: one heavy edge among many light ones; alpha_ab = (1 - 10/10.4)^4 ≈ 2.6e-6
    edges = pl.DataFrame(
        {
            "source": ["a"] * 5 + ["b"],
            "target": ["b", "c", "d", "e", "f", "c"],
            "weight": [10.0, 0.1, 0.1, 0.1, 0.1, 0.1],
        }
    )
    kept = disparity_filter(edges, alpha=0.05)
    assert kept.select("source", "target").rows() == [("a", "b")]
    assert kept["alpha"][0] == pytest.approx((1 - 10 / 10.4) ** 4)
    # a uniform ring has no edge more significant than chance
    ring = pl.DataFrame(
        {"source": ["a", "b", "c"], "target": ["b", "c", "a"], "weight": [1.0, 1.0, 1.0]}
    )
    assert disparity_filter(ring, alpha=0.05).height == 0


def test_spanning_backbone_is_maximum_tree_plus_strongest():
    g = nx.gnm_random_graph(30, 120, seed=4)
    rng = np.random.default_rng(0)
    for u, v in g.edges:
        g[u][v]["weight"] = float(rng.uniform())
    edges = pl.DataFrame(
        [(str(u), str(v), d["weight"]) for u, v, d in g.edges(data=True)],
        schema=["source", "target", "weight"],
        orient="row",
    )
    tree = spanning_backbone(edges, strongest=0)
    expected = nx.maximum_spanning_tree(g)
    assert tree["weight"].sum() == pytest.approx(expected.size(weight="weight"))
    assert tree.height == 29
    more = spanning_backbone(edges, strongest=2)
    assert more.height > tree.height
    degree = pl.concat([more["source"], more["target"]]).value_counts()
    assert degree["count"].min() >= 2


def test_knn_and_top_neighbours():
    m = sparse.csr_array(
        np.array([[0, 3, 1, 2], [3, 0, 0, 1], [1, 0, 0, 5], [2, 1, 5, 0]], dtype=float)
    )
    top = top_neighbours(m, ["a", "b", "c", "d"], k=2)
    assert top.filter(pl.col("node") == "a")["neighbour"].to_list() == ["b", "d"]
    assert top.filter(pl.col("node") == "a")["rank"].to_list() == [1, 2]
    sparse_m = knn_sparsify(m, 1)
    assert (sparse_m != sparse_m.T).nnz == 0
    assert set(zip(*sparse.triu(sparse_m).nonzero(), strict=True)) == {(0, 1), (2, 3)}
    assert matrix_edges(m, ["a", "b", "c", "d"]).height == 5


LOUVAIN_SCRIPT = """
import networkx as nx
from skilltide.graph import communities as comm
g = nx.relabel_nodes(nx.gnm_random_graph(400, 2400, seed=3), lambda i: f"s{i}")
sub = g.subgraph([f"s{i}" for i in range(150)])  # a view: it iterates a set of str
parts = comm.louvain(sub, seed=0, weight=None)
print([sorted(p) for p in parts], repr(comm.modularity(sub, parts, weight=None)))
"""


def test_louvain_gives_the_same_communities_in_every_process():
    """String nodes iterate in hash-seed order; a seeded Louvain must not depend on it (the
    technology graph's complementarity communities were 74, 75 or 77 from run to run)."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    outputs = {
        subprocess.run(
            [sys.executable, "-c", LOUVAIN_SCRIPT],
            env=os.environ | {"PYTHONHASHSEED": str(seed), "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1


def test_params_say_which_projections_were_reduced_to_each_nodes_nearest():
    """graphs.params said 'skill_complementarity: full' whenever the *reduced* θ was small
    (so a θ cut to each skill's top k was recorded as full) and said nothing of occupation
    similarity, cut to each occupation's top 10 on O*NET 29.3 (6,820 of 385,000 pairs)."""
    from skilltide.graph.analysis import analyse

    # 6 occupations sharing every skill: both projections are complete graphs (15 edges)
    edges = pl.DataFrame(
        [(f"o{i}", f"s{j}", 1.0 + i + j) for i in range(6) for j in range(6)],
        orient="row",
        schema=["occupation", "skill", "weight"],
    )
    reduced = analyse(bipartite_matrix(edges), n_null=0, neighbours=1, max_projection_edges=10)
    assert reduced.notes["projections"] == {
        "max_projection_edges": 10,
        "skill_complementarity": "top 1 per skill",
        "occupation_similarity": "top 1 per occupation",
    }
    assert reduced.edges.filter(pl.col("layer") == "skill_complementarity").height < 10
    full = analyse(bipartite_matrix(edges), n_null=0, neighbours=1, max_projection_edges=15)
    assert full.notes["projections"]["skill_complementarity"] == "full"
    assert full.notes["projections"]["occupation_similarity"] == "full"
