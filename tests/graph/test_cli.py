"""skilltide graph build / metrics / neighbours / export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import polars as pl

from tests.conftest import run_skilltide
from tests.graph.conftest import OFFICE


def test_build_metrics_neighbours_export(cli, filled_db, tmp_path):
    built = cli(
        "graph",
        "build",
        "--from",
        "onet",
        "--weight",
        "rca",
        "--null",
        "4",
        "--json",
        "--db",
        filled_db,
    )
    assert built.exit_code == 0, built.output
    result = json.loads(built.output)
    assert result["n_edges"] == 48 and result["summary"]["modularity"]["observed"] > 0.4
    assert result["summary"]["modularity"]["n_null"] == 4  # as graph metrics --json says

    text = cli("graph", "build", "--from", "onet", "--null", "2", "--db", filled_db)
    assert text.exit_code == 0
    assert "8 skills × 12 occupations" in text.output and "modularity" in text.output
    assert "(2 randomisations)" in text.output and "(0 randomisations)" not in text.output
    negative = cli("graph", "build", "--from", "onet", "--seed", "-1", "--db", filled_db)
    assert negative.exit_code == 2 and "Traceback" not in negative.output  # a usage error

    metrics = cli("graph", "metrics", "--json", "--db", filled_db)
    report = json.loads(metrics.output)
    assert report["graph"]["weight"] == "importance"  # the newest build
    assert {"modularity", "nodf", "degree_assortativity"} <= set(report["summary"])
    assert sum(c["skills"] for c in report["communities"]) == 8
    chosen = cli("graph", "metrics", "--graph", result["graph_id"], "--db", filled_db)
    assert result["graph_id"] in chosen.output and "z =" in chosen.output

    near = cli("graph", "neighbours", "critical thinking", "--json", "--db", filled_db)
    found = json.loads(near.output)
    assert found["layer"] == "skill_complementarity"
    assert {r["name"] for r in found["neighbours"]} == {"Active Listening", "Writing", "Persuasion"}
    occ = cli("graph", "neighbours", OFFICE[0], "-k", "2", "--db", filled_db)
    assert occ.exit_code == 0 and "closest occupations" in occ.output
    assert occ.output.count("Office job") == 3  # itself + its two closest

    graphml = tmp_path / "g.graphml"
    assert cli("graph", "export", "--out", graphml, "--db", filled_db).exit_code == 0
    g = nx.read_graphml(graphml)
    assert g.number_of_nodes() == 20 and g.number_of_edges() == 48
    assert g.nodes["onet:2.A.2.a"]["name"] == "Critical Thinking"
    assert "eigenvector" in g.nodes["onet:2.A.2.a"]
    gexf = tmp_path / "g.gexf"
    assert (
        cli("graph", "export", "--format", "gexf", "--out", gexf, "--db", filled_db).exit_code == 0
    )
    assert ET.parse(gexf).getroot().tag.endswith("gexf")
    folder = tmp_path / "parquet"
    assert (
        cli("graph", "export", "--format", "parquet", "--out", folder, "--db", filled_db).exit_code
        == 0
    )
    edges = pl.read_parquet(folder / "edges.parquet")
    assert {"bipartite", "skill_complementarity", "occupation_similarity"} <= set(edges["layer"])


def test_user_errors_are_one_line(filled_db, tmp_path):
    missing = run_skilltide("graph", "metrics", "--db", tmp_path / "none.duckdb")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error:") and "Traceback" not in missing.stderr
    none_yet = run_skilltide("graph", "neighbours", "Writing", "--db", filled_db)
    assert none_yet.returncode == 1 and "no graph built yet" in none_yet.stderr
    bad = run_skilltide("graph", "build", "--from", "onet", "--weight", "bogus", "--db", filled_db)
    assert bad.returncode == 1 and "--weight must be one of" in bad.stderr
    usage = run_skilltide("graph", "build", "--null", "-3", "--db", filled_db)
    assert usage.returncode == 2


def test_unknown_node_and_format(cli, filled_db):
    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    unknown = cli("graph", "neighbours", "Juggling", "--db", filled_db)
    assert unknown.exit_code == 1 and "no skill or occupation" in unknown.output
    fmt = cli("graph", "export", "--format", "dot", "--db", filled_db)
    assert fmt.exit_code == 1 and "--format must be one of" in fmt.output


def test_export_format_follows_the_out_suffix(cli, filled_db, tmp_path):
    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    gexf = tmp_path / "skills.gexf"
    assert cli("graph", "export", "--out", gexf, "--db", filled_db).exit_code == 0
    assert gexf.is_file() and "<gexf" in gexf.read_text()[:500]  # not a folder of GraphML
    for out, fmt in (("g.txt", None), ("g.gexf", "graphml"), ("g.graphml", "parquet")):
        extra = ("--format", fmt) if fmt else ()
        refused = cli("graph", "export", "--out", tmp_path / out, *extra, "--db", filled_db)
        assert refused.exit_code == 1 and "--out" in refused.output
        assert "--format None" not in refused.output and "for --format 12" not in refused.output
        assert not (tmp_path / out).exists()


def test_a_misspelt_node_gets_the_closest_names(cli, filled_db):
    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    names = cli("graph", "metrics", "--json", "--db", filled_db)
    assert names.exit_code == 0
    import json

    top = json.loads(names.output)["top"]
    name = next(row["name"] for row in top if row.get("name") and len(row["name"]) > 6)
    typo = name[:-1]
    result = cli("graph", "neighbours", typo, "--db", filled_db)
    assert result.exit_code == 1 and f"did you mean {name!r}" in result.output


def test_quiet_keeps_the_results_of_metrics_and_neighbours(cli, filled_db):
    assert cli("graph", "build", "--from", "onet", "--null", "0", "--db", filled_db).exit_code == 0
    for query in (("metrics",), ("neighbours", "critical thinking")):
        loud = cli("graph", *query, "--db", filled_db)
        quiet = cli("graph", *query, "--quiet", "--db", filled_db)
        assert quiet.exit_code == 0 and quiet.stdout == loud.stdout != ""


def test_help_has_examples(cli):
    for command in ("build", "metrics", "neighbours", "export"):
        out = cli("graph", command, "--help")
        assert out.exit_code == 0 and "Example:" in out.output


def test_a_known_skill_outside_the_graph_is_named_as_such(cli, filled_db):
    """'Python' is in the taxonomy but not in a graph of O*NET skills: say so, not that no
    such skill or occupation exists (the same goes for an O*NET occupation without ratings:
    Software Developers has none in O*NET 29.3's Skills.xlsx)."""
    from skilltide.store import Warehouse

    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    with Warehouse(filled_db) as wh:
        wh.con.execute(
            "INSERT INTO skills (skill_id, name, kind, source, run_id)"
            " VALUES ('tech:python', 'Python', 'technology', 'onet 30.1', 'r')"
        )
    skill = cli("graph", "neighbours", "python", "--db", filled_db)
    assert skill.exit_code == 1
    assert "'Python' (tech:python) is a skill in the taxonomy but not in graph" in skill.output
    assert "no skill or occupation" not in skill.output


def test_an_onet_occupation_without_ratings_is_named_as_such(cli, db):
    """O*NET 29.3's Skills.xlsx rates no Software Developers (15-1252.00), which 30.1 lists."""
    from tests.conftest import shared_path

    folders = [shared_path("onet", "30.1"), shared_path("onet", "29.3")]
    assert cli("onet", "load", *folders, "--db", db).exit_code == 0
    assert cli("graph", "build", "--null", "0", "--db", db).exit_code == 0
    result = cli("graph", "neighbours", "15-1252.00", "--db", db)
    assert result.exit_code == 1
    assert "'Software Developers' (15-1252.00) is an O*NET occupation but not in graph" in (
        result.output
    )
    assert "the loaded O*NET skills ratings have none for it" in result.output


def test_metrics_print_counts_as_counts_and_params_as_json(cli, filled_db):
    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    table = cli("graph", "metrics", "--db", filled_db)
    assert table.exit_code == 0, table.output
    lines = {line.split()[0]: line.split()[1] for line in table.output.splitlines()[1:] if line}
    as_json = json.loads(cli("graph", "metrics", "--json", "--db", filled_db).output)
    n_edges = as_json["summary"]["n_edges"]["observed"]
    assert lines["n_edges"] == f"{n_edges:,.0f}" and lines["n_skills"].isdigit()
    assert lines["modularity"] == f"{as_json['summary']['modularity']['observed']:.4f}"
    assert as_json["graph"]["params"]["seed"] == 0  # an object, not a JSON string in JSON


def test_a_complete_network_is_warned_about_and_a_negative_threshold_refused(filled_db):
    """--threshold 0 keeps every rated pair: O*NET rates every occupation on every skill, so
    the network is complete and its measures are 0; the build says why. Weights are never
    negative, so a negative threshold is a usage error."""
    complete = run_skilltide(
        "graph", "build", "--from", "onet", "--threshold", "0", "--null", "0", "--db", filled_db
    )
    assert complete.returncode == 0, complete.stderr
    assert "warning: every occupation is linked to every skill" in complete.stderr
    default = run_skilltide("graph", "build", "--from", "onet", "--null", "0", "--db", filled_db)
    assert default.returncode == 0 and "warning" not in default.stderr
    negative = run_skilltide("graph", "build", "--threshold", "-1", "--db", filled_db)
    assert negative.returncode == 2 and "--threshold" in negative.stderr


def test_an_export_stopped_by_a_full_disk_leaves_the_earlier_files_whole(
    cli, filled_db, tmp_path, monkeypatch
):
    # Found on an 8 KB tmpfs: an empty .graphml stayed behind, with an OSError traceback.
    import errno

    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    graphml, folder = tmp_path / "g.graphml", tmp_path / "tables"
    folder.mkdir()
    graphml.write_text("earlier")
    for name in ("nodes", "edges", "metrics"):
        (folder / f"{name}.parquet").write_text("earlier")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    calls = []
    write_parquet = pl.DataFrame.write_parquet

    def second_fails(self, path, *args, **kwargs):  # nodes written, then the disk is full
        calls.append(path)
        write_parquet(self, path, *args, **kwargs)
        if len(calls) == 2:
            full()

    monkeypatch.setattr(nx, "write_graphml", full)
    monkeypatch.setattr(pl.DataFrame, "write_parquet", second_fails)
    for out, fmt in ((graphml, "graphml"), (folder, "parquet")):
        result = cli("graph", "export", "--out", out, "--format", fmt, "--db", filled_db)
        assert result.exit_code == 1
        assert "cannot write it (No space left on device)" in result.output.splitlines()[-1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files
    assert graphml.read_text() == "earlier"
    assert sorted(p.name for p in folder.iterdir()) == [
        "edges.parquet",
        "metrics.parquet",
        "nodes.parquet",
    ]
    assert {p.read_text() for p in folder.iterdir()} == {"earlier"}


def test_neighbours_says_when_the_graph_keeps_fewer_than_asked(cli, filled_db):
    """`graph neighbours -k 5` on a graph keeping 2 per node printed 2 with no word of the
    rest; and `graph build` had no --neighbours although [graph] neighbours is documented
    as its option."""
    from skilltide.graph.store import build_graph_warehouse
    from skilltide.store import Warehouse

    with Warehouse(filled_db) as wh:
        build_graph_warehouse(wh, source="onet", n_null=0, neighbours=2)
    near = cli("graph", "neighbours", "Writing", "-k", "5", "--db", filled_db)
    assert near.exit_code == 0 and near.stdout.count("\n") == 3  # the node and its 2 nearest
    assert "keeps the 2 nearest of each node, not 5: build it again with --neighbours 5" in (
        near.stderr
    )
    found = json.loads(cli("graph", "neighbours", "Writing", "--json", "--db", filled_db).stdout)
    assert found["stored"] == 2 and len(found["neighbours"]) == 2
    enough = cli("graph", "neighbours", "Writing", "-k", "2", "--db", filled_db)
    assert enough.exit_code == 0 and "warning" not in enough.stderr
    built = cli("graph", "build", "--null", "0", "--neighbours", "3", "--db", filled_db)
    assert built.exit_code == 0, built.output
    found = json.loads(cli("graph", "neighbours", "Writing", "--json", "--db", filled_db).stdout)
    assert found["stored"] == 3 and len(found["neighbours"]) == 3


def test_exports_label_nodes_with_their_names_for_gephi(cli, filled_db, tmp_path):
    """Gephi shows a node's label: GEXF and GraphML exports labelled every node with its id
    (onet:2.A.2.a, 13-2001.00), so a user opening them saw codes, not skill names."""
    assert cli("graph", "build", "--null", "0", "--db", filled_db).exit_code == 0
    for suffix in ("gexf", "graphml"):
        out = tmp_path / f"g.{suffix}"
        assert cli("graph", "export", "--out", out, "--db", filled_db).exit_code == 0
        g = (nx.read_gexf if suffix == "gexf" else nx.read_graphml)(out)
        assert g.nodes["onet:2.A.2.a"]["label"] == "Critical Thinking"
        assert g.nodes[OFFICE[0]]["label"] == "Office job 0"


def test_build_help_gives_the_default_edges_of_technology(cli):
    """--threshold's help gave RCA > 1 as the default for every network; a technology network
    by default keeps every listed pair (weight presence)."""
    text = " ".join(cli("graph", "build", "--help").output.split())
    assert "technology presence: every listed pair" in text


def test_one_randomisation_is_not_called_a_null_without_spread(cli, filled_db):
    """--null 1 printed 'z n/a (null without spread)' for every metric: a single draw has no
    sd, whatever the spread of the null; the words told the user the null was degenerate."""
    built = cli("graph", "build", "--null", "1", "--db", filled_db)
    assert built.exit_code == 0, built.output
    assert "null without spread" not in built.stdout
    assert "z n/a (one randomisation has no spread), p = " in built.stdout
