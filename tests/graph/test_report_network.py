"""The report's skill-network section read from a network the graph stage built."""

from __future__ import annotations

from skilltide.graph.store import build_graph_warehouse
from skilltide.reports.network_data import load_network
from skilltide.store import Warehouse


def test_the_report_groups_skills_by_their_complementarity_communities(filled_db):
    """The chart 'Communities of complementary skills' draws the θ backbone, but coloured the
    skills by their community in the bipartite skill–occupation graph (graph_nodes) and
    quoted that graph's modularity: on O*NET 29.3 skills 3 groups, where θ has the 2 of
    Alabdulkareem et al. (social-cognitive, sensory-physical)."""
    with Warehouse(filled_db) as wh:
        gid = build_graph_warehouse(wh, source="onet", weight="rca", n_null=3)["graph_id"]
        # give θ one community of all skills, the bipartite graph keeping its two
        wh.con.execute(
            "UPDATE graph_metrics SET value = 0 WHERE graph_id = ?"
            " AND metric = 'complementarity_community'",
            [gid],
        )
        bipartite = wh.query(
            "SELECT DISTINCT community FROM graph_nodes WHERE graph_id = ? AND bipartite = 0",
            [gid],
        )
        net = load_network(wh)
    assert bipartite.height == 2
    assert net.graph_id == gid
    assert net.nodes["community"].unique().to_list() == ["0"]
    assert net.communities.height == 1
    assert {"complementarity_modularity", "p_value"} <= {
        *net.summary["metric"],
        *net.summary.columns,
    }
