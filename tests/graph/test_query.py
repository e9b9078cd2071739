"""graph_metrics / graph queries: answers that do not depend on how rows happen to be stored."""

from __future__ import annotations

from skilltide.graph.query import graph_metrics
from skilltide.graph.store import build_graph_warehouse
from skilltide.store import Warehouse


def test_top_nodes_with_equal_values_come_in_node_order(filled_db):
    """Ties in a measure are listed by node id: two builds of the same inputs (one with
    PYTHONHASHSEED=0, one with 12345) listed tied skills in different orders in
    ``graph metrics --json``."""
    with Warehouse(filled_db) as wh:
        gid = build_graph_warehouse(wh, source="onet", weight="importance", seed=0, n_null=2)[
            "graph_id"
        ]
        # every skill's degree tied, stored in descending node order
        wh.con.execute(
            "CREATE TEMP TABLE tied AS SELECT * REPLACE (1.0 AS value) FROM graph_metrics"
            " WHERE graph_id = ? AND metric = 'degree'",
            [gid],
        )
        wh.con.execute("DELETE FROM graph_metrics WHERE graph_id = ? AND metric = 'degree'", [gid])
        wh.con.execute("INSERT INTO graph_metrics SELECT * FROM tied ORDER BY node_id DESC")
        top = graph_metrics(wh, gid, top=100)["top"]
    for side in (0, 1):
        listed = [r["node_id"] for r in top if r["metric"] == "degree" and r["bipartite"] == side]
        assert len(listed) > 2
        assert listed == sorted(listed)


def test_exported_files_name_their_graph_run_and_warehouse(filled_db, tmp_path):
    """Every exported file has a sidecar: the Parquet and GEXF exports held no graph id, so
    a file found later could not be traced to its build (found in the determinism QA pass)."""
    import json

    from skilltide.graph.query import export_graph
    from skilltide.provenance import provenance_path, sha256_file

    with Warehouse(filled_db) as wh:
        built = build_graph_warehouse(wh, source="onet", weight="importance", seed=0, n_null=0)
        files = [
            *export_graph(wh, tmp_path / "g.gexf"),
            *export_graph(wh, tmp_path / "g.graphml"),
            *export_graph(wh, tmp_path / "tables", "parquet"),
        ]
    assert len(files) == 5
    for path in files:
        record = json.loads(provenance_path(path).read_text())
        assert record["command"] == "skilltide graph export"
        assert record["output"]["sha256"] == sha256_file(path)
        options = record["options"]
        assert options["graph_id"] == built["graph_id"] and options["run_id"] == built["run_id"]
        assert options["db"] == str(filled_db.resolve())


def test_metrics_top_lists_that_many_nodes_per_measure_and_side(cli, filled_db):
    import json
    from collections import Counter

    with Warehouse(filled_db) as wh:
        build_graph_warehouse(wh, source="onet", weight="importance", seed=0, n_null=0)
    result = cli("graph", "metrics", "--json", "--top", "3", "--db", filled_db)
    assert result.exit_code == 0, result.output
    counts = Counter((r["metric"], r["bipartite"]) for r in json.loads(result.output)["top"])
    assert {side for _, side in counts} == {0, 1}
    assert set(counts.values()) == {3}


def test_an_export_to_a_folder_is_graphml_by_default(cli, filled_db, tmp_path):
    with Warehouse(filled_db) as wh:
        gid = build_graph_warehouse(wh, source="onet", weight="importance", seed=0, n_null=0)[
            "graph_id"
        ]
    result = cli("graph", "export", "--out", tmp_path / "graphs", "--db", filled_db)
    assert result.exit_code == 0, result.output
    written = tmp_path / "graphs" / f"graph-{gid}.graphml"
    assert sorted(p.name for p in (tmp_path / "graphs").iterdir()) == [
        written.name,
        f"{written.name}.provenance.json",
    ]
    assert "<graphml" in written.read_text()[:500]
