"""build_graph_warehouse on the small contract fixture: tables, provenance, rollback."""

from __future__ import annotations

import json

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.graph.store import build_graph_warehouse
from skilltide.store import Warehouse
from tests.graph.conftest import OFFICE, PHYSICAL, SOCIAL, TRADES


def test_onet_build_writes_every_table(filled_db):
    with Warehouse(filled_db) as wh:
        out = build_graph_warehouse(wh, source="onet", element="skills", weight="rca", n_null=5)
        gid = out["graph_id"]
        assert out["n_skills"] == 8 and out["n_occupations"] == 12
        # effective use: each occupation uses exactly its own block of 4 skills
        assert out["n_edges"] == 48
        graphs = wh.query("SELECT * FROM graphs")
        assert graphs["run_id"].to_list() == [out["run_id"]]
        params = json.loads(graphs["params"][0])
        assert params["threshold_rule"] == "rca > 1" and params["betweenness"]["method"] == "exact"
        nodes = wh.query("SELECT * FROM graph_nodes WHERE graph_id = ?", [gid])
        assert nodes.height == 20
        assert set(nodes.filter(pl.col("bipartite") == 1)["soc_major"]) == {"13-0000", "47-0000"}
        named = dict(nodes.select("node_id", "name").iter_rows())
        assert named["onet:2.A.2.a"] == "Critical Thinking"
        assert named[OFFICE[0]] == "Office job 0"
        # two blocks -> two communities, each holding one block of skills and occupations
        community = dict(nodes.select("node_id", "community").iter_rows())
        assert len({community[f"onet:{s}"] for s in SOCIAL}) == 1
        assert community[f"onet:{next(iter(SOCIAL))}"] != community[f"onet:{next(iter(PHYSICAL))}"]
        assert community[OFFICE[0]] == community["onet:2.A.2.a"]
        layers = wh.query(
            "SELECT layer, count(*) AS n FROM graph_edges WHERE graph_id = ? GROUP BY 1", [gid]
        )
        counts = dict(layers.iter_rows())
        assert counts["bipartite"] == 48
        assert counts["skill_complementarity"] == 2 * 6  # complete within each block of 4
        metrics = set(wh.query("SELECT DISTINCT metric FROM graph_metrics")["metric"])
        assert {
            "degree",
            "strength",
            "eigenvector",
            "betweenness",
            "clustering",
            "complexity",
            "complementarity_community",
        } <= metrics
        summary = wh.query("SELECT * FROM graph_summary WHERE graph_id = ?", [gid])
        modularity = summary.filter(pl.col("metric") == "modularity").row(0, named=True)
        assert modularity["observed"] == pytest.approx(0.5)  # two equal disconnected halves
        assert modularity["n_null"] == 5
        neighbours = wh.query(
            "SELECT neighbour FROM graph_neighbours WHERE graph_id = ? AND node_id = ?"
            " ORDER BY rank",
            [gid, "onet:2.A.2.a"],
        )["neighbour"].to_list()
        assert set(neighbours) == {f"onet:{s}" for s in SOCIAL} - {"onet:2.A.2.a"}
        exposure = wh.query("SELECT * FROM automation_exposure WHERE graph_id = ?", [gid])
        assert set(exposure["level"]) == {"occupation", "skill", "community"}
        social = exposure.filter(pl.col("node_id") == "onet:2.A.2.a").row(0, named=True)
        # equal occupation weights × edge weight (RCA) over the covered office occupations
        w = dict(
            wh.query(
                "SELECT target, weight FROM graph_edges WHERE graph_id = ? AND layer = 'bipartite'"
                " AND source = 'onet:2.A.2.a'",
                [gid],
            ).iter_rows()
        )
        expected = (0.6 * w[OFFICE[0]] + 0.4 * w[OFFICE[1]]) / (w[OFFICE[0]] + w[OFFICE[1]])
        assert social["share_green_light"] == pytest.approx(expected)
        assert social["coverage"] == pytest.approx((w[OFFICE[0]] + w[OFFICE[1]]) / sum(w.values()))
        assert social["n_occupations"] == 2
        physical = exposure.filter(pl.col("node_id") == "onet:2.B.5.f").row(0, named=True)
        assert physical["mean_worker_has"] == pytest.approx(4.0)
        assert (exposure["run_id"] == out["run_id"]).all()


def test_builds_are_deterministic_given_a_seed(filled_db):
    with Warehouse(filled_db) as wh:
        a = build_graph_warehouse(wh, source="onet", weight="importance", seed=3, n_null=3)
        b = build_graph_warehouse(wh, source="onet", weight="importance", seed=3, n_null=3)
        q = (
            "SELECT node_id, metric, value FROM graph_metrics WHERE graph_id = ?"
            " ORDER BY node_id, metric"
        )
        assert a["graph_id"] != b["graph_id"]
        metrics = wh.query(q, [a["graph_id"]])
        assert metrics.height > 0 and metrics.equals(wh.query(q, [b["graph_id"]]))
        s = "SELECT metric, observed, null_mean FROM graph_summary WHERE graph_id = ? ORDER BY 1"
        summary = wh.query(s, [a["graph_id"]])
        assert summary["null_mean"].drop_nulls().len() > 0  # the seeded null model ran
        assert summary.equals(wh.query(s, [b["graph_id"]]))


def test_technology_and_ads_sources(filled_db):
    with Warehouse(filled_db) as wh:
        tech = build_graph_warehouse(
            wh, source="onet", element="technology", weight="presence", n_null=2
        )
        assert tech["n_edges"] == 25 and tech["n_skills"] == 4
        ads = build_graph_warehouse(wh, source="ads", weight="count", threshold=0, n_null=2)
        assert ads["n_occupations"] == 12
        edges = wh.query(
            "SELECT weight FROM graph_edges WHERE graph_id = ? AND layer = 'bipartite'"
            " AND source = 'custom:teamwork' AND target = ?",
            [ads["graph_id"], TRADES[0]],
        )
        assert edges["weight"].to_list() == [5.0]  # ads 0, 12, 24, 36, 48
        weighting = wh.query(
            "SELECT DISTINCT weighting FROM automation_exposure WHERE graph_id = ?",
            [ads["graph_id"]],
        )
        assert weighting["weighting"].to_list() == ["demand"]


def test_a_build_names_the_runs_and_releases_it_read(filled_db):
    """Like a forecast run (notes.inputs), a graph build names what it read: a network from
    O*NET did not say which release, nor one from ads which ingest runs (traceability QA)."""
    read = {}
    with Warehouse(filled_db) as wh:
        for source, element, weight in (
            ("onet", "skills", "importance"),
            ("onet", "technology", "presence"),
            ("ads", "skills", "count"),
        ):
            run_id = build_graph_warehouse(wh, source, element, weight, n_null=0)["run_id"]
            notes = wh.query("SELECT notes FROM runs WHERE run_id = ?", [run_id])["notes"][0]
            read[source, element] = json.loads(notes)["inputs"]
    workbank = {"workbank_runs": ["workbank-run"]}
    assert read == {
        ("onet", "skills"): {"onet_releases": ["29.3"], **workbank},
        ("onet", "technology"): {"onet_releases": ["30.1"], **workbank},
        ("ads", "skills"): {"ads_runs": ["ingest-run"], **workbank},
    }


def test_an_ads_network_is_stored_as_what_it_is(filled_db):
    with Warehouse(filled_db) as wh:
        # the O*NET default weight means counts for ads, and is recorded as such
        ads = build_graph_warehouse(wh, source="ads", threshold=0, n_null=0)
        stored = wh.query(
            "SELECT element, weight FROM graphs WHERE graph_id = ?", [ads["graph_id"]]
        )
        assert ads["weight"] == "count" and stored.row(0) == ("skills", "count")
        with pytest.raises(UserError, match="--element knowledge is an O\\*NET domain"):
            build_graph_warehouse(wh, source="ads", element="knowledge", n_null=0)
        with pytest.raises(UserError, match=r"--element must be one of .*'skils'"):
            build_graph_warehouse(wh, source="ads", element="skils", n_null=0)


def test_ads_without_occupations_say_what_is_missing(filled_db):
    # skills found in every ad, but no occupation column and no title coder: the error must
    # name the occupations (it said "no skills data"), and how to get them
    with Warehouse(filled_db) as wh:
        wh.con.execute("UPDATE ads SET occupation = NULL")
        with pytest.raises(UserError, match="no ad with both an occupation and a skill"):
            build_graph_warehouse(wh, source="ads", n_null=0)
        assert wh.query("SELECT count(*) AS n FROM graphs")["n"].item() == 0


def test_ads_the_title_coder_could_not_code_are_not_told_to_load_onet(filled_db):
    """O*NET loaded, yet no ad coded (ruanyf's Chinese titles): the error
    told the user to load O*NET first, which they had."""
    with Warehouse(filled_db) as wh:
        wh.con.execute("UPDATE ads SET occupation = NULL")
        no_coder = pytest.raises(UserError, match=r"or load O\*NET first")
        with no_coder:
            build_graph_warehouse(wh, source="ads", n_null=0)
        wh.con.execute(
            "INSERT INTO onet_occupation_data VALUES"
            " ('30.1', '15-1252.00', 'Software Developers', '', 'r')"
        )
        with pytest.raises(UserError, match="the title coder found no occupation") as refused:
            build_graph_warehouse(wh, source="ads", n_null=0)
        assert "load O*NET" not in str(refused.value)


def test_technology_by_default_is_the_listed_pairs(filled_db):
    # as `graph build --from onet --element technology` does: skilltide run's [graph] too
    with Warehouse(filled_db) as wh:
        tech = build_graph_warehouse(wh, source="onet", element="technology", n_null=0)
    assert tech["weight"] == "presence" and tech["n_edges"] == 25


def test_bad_requests_leave_the_warehouse_unchanged(filled_db, db):
    with Warehouse(filled_db) as wh:
        with pytest.raises(UserError, match="no edges left"):
            build_graph_warehouse(wh, source="onet", weight="importance", threshold=99)
        with pytest.raises(UserError, match="technology skills have no ratings"):
            build_graph_warehouse(wh, source="onet", element="technology", weight="level")
        with pytest.raises(UserError, match="--from must be"):
            build_graph_warehouse(wh, source="linkedin")
        assert wh.query("SELECT count(*) AS n FROM graphs")["n"][0] == 0
        assert wh.query("SELECT count(*) AS n FROM graph_nodes")["n"][0] == 0
        runs = wh.query("SELECT status FROM runs WHERE command = 'graph build'")
        assert set(runs["status"]) == {"failed"}
    with Warehouse(db) as empty, pytest.raises(UserError, match="load O\\*NET first"):
        build_graph_warehouse(empty, source="onet")


def test_employment_weighted_overlay(filled_db):
    employment = pl.DataFrame({"soc": [OFFICE[0][:7], OFFICE[1][:7]], "tot_emp": [900.0, 100.0]})
    with Warehouse(filled_db) as wh:
        out = build_graph_warehouse(
            wh, source="onet", weight="rca", n_null=0, employment=employment
        )
        exposure = wh.query(
            "SELECT * FROM automation_exposure WHERE graph_id = ? AND node_id = 'onet:2.A.2.a'",
            [out["graph_id"]],
        ).row(0, named=True)
        w = dict(
            wh.query(
                "SELECT target, weight FROM graph_edges WHERE graph_id = ? AND layer = 'bipartite'"
                " AND source = 'onet:2.A.2.a'",
                [out["graph_id"]],
            ).iter_rows()
        )
    assert exposure["weighting"] == "employment"
    a, b = 900 * w[OFFICE[0]], 100 * w[OFFICE[1]]
    assert exposure["share_green_light"] == pytest.approx((0.6 * a + 0.4 * b) / (a + b))
    assert exposure["coverage"] == pytest.approx(1.0)  # only covered occupations employ anyone


def test_cli_employment_from_real_oews(cli, filled_db):
    from tests.conftest import shared_path

    oews = shared_path("oews", "national_M2024_dl.xlsx")
    result = cli("graph", "build", "--null", "0", "--employment", oews, "--json", "--db", filled_db)
    assert result.exit_code == 0, result.output
    graph_id = json.loads(result.output)["graph_id"]
    with Warehouse(filled_db) as wh:
        weighting = wh.query(
            "SELECT DISTINCT weighting FROM automation_exposure WHERE graph_id = ?", [graph_id]
        )
    assert weighting["weighting"].to_list() == ["employment"]


def test_cli_says_whether_the_overlay_was_built_and_that_employment_went_unused(filled_db):
    """--employment weights the WORKBank overlay; without WORKBank it was ignored in silence."""
    from tests.conftest import run_skilltide, shared_path

    oews = shared_path("oews", "national_M2024_dl.xlsx")
    args = ("graph", "build", "--null", "0", "--employment", oews, "--db", filled_db)
    built = run_skilltide(*args)
    assert built.returncode == 0, built.stderr
    assert "automation overlay (WORKBank):" in built.stdout and "warning" not in built.stderr
    with Warehouse(filled_db) as wh:
        wh.con.execute("DELETE FROM workbank_occupations")
    unused = run_skilltide(*args)
    assert unused.returncode == 0, unused.stderr
    assert "automation overlay" not in unused.stdout
    assert f"warning: --employment {oews} is not used: WORKBank is not loaded" in unused.stderr


def test_employment_of_occupations_oews_publishes_by_broad_group():
    """OEWS publishes some occupations only under their SOC broad group (31-1120 Home Health
    and Personal Care Aides, 3,988,140 jobs in May 2024; 29-2010, 13-1020, ...): the overlay
    gave them no employment, so --employment left out ~5M jobs and two WORKBank occupations."""
    from skilltide.graph.polarization import employment_weights, oews_wages
    from tests.conftest import shared_path

    oews = oews_wages(shared_path("oews", "national_M2024_dl.xlsx"))
    codes = ["31-1121.00", "31-1122.00", "13-1023.00", "15-1252.00"]
    weights = dict(employment_weights(codes, oews).iter_rows())
    aides = oews.filter(pl.col("soc") == "31-1120")["tot_emp"].item()
    assert weights["31-1121.00"] == weights["31-1122.00"] == pytest.approx(aides / 2)
    assert weights["13-1023.00"] == oews.filter(pl.col("soc") == "13-1020")["tot_emp"].item()
    assert weights["15-1252.00"] == oews.filter(pl.col("soc") == "15-1252")["tot_emp"].item()


def test_demand_weighted_overlay_counts_each_ad_once(filled_db):
    """With --from ads the overlay weighted each occupation by its ads × the ads asking for
    the skill (occupation weight × edge weight, the edge a count): an occupation with 4 times
    the ads weighed 16 times. A skill's exposure is now the mean over the ads asking for it."""
    from skilltide.store import append

    with Warehouse(filled_db) as wh:  # OFFICE[0] gets 15 more ads, all asking for writing
        extra = [f"extra{i}" for i in range(15)]
        ads = {"ad_id": extra, "occupation": [OFFICE[0]] * 15, "run_id": ["ingest-run"] * 15}
        append(wh.con, "ads", pl.DataFrame(ads))
        append(
            wh.con,
            "ad_skills",
            pl.DataFrame({"ad_id": extra, "skill_id": ["onet:2.A.1.c"] * 15, "found_in": "body"}),
        )
        gid = build_graph_warehouse(wh, source="ads", weight="count", threshold=0, n_null=0)[
            "graph_id"
        ]
        asking = dict(
            wh.query(
                "SELECT a.occupation, count(DISTINCT a.ad_id) FROM ads a JOIN ad_skills s"
                " USING (ad_id) WHERE s.skill_id = 'onet:2.A.1.c' GROUP BY 1"
            ).iter_rows()
        )
        row = wh.query(
            "SELECT * FROM automation_exposure WHERE graph_id = ? AND node_id = 'onet:2.A.1.c'",
            [gid],
        ).row(0, named=True)
    green = {OFFICE[0]: 0.6, OFFICE[1]: 0.4, TRADES[0]: 0.1}  # the fixture's WORKBank
    covered = {o: n for o, n in asking.items() if o in green}
    expected = sum(n * green[o] for o, n in covered.items()) / sum(covered.values())
    assert row["share_green_light"] == pytest.approx(expected)
    assert row["coverage"] == pytest.approx(sum(covered.values()) / sum(asking.values()))


@pytest.mark.shared_data
def test_a_release_without_ratings_says_which_file_a_build_needs(cli, db):
    """O*NET 30.1's text files have no Skills.txt: `graph build` said only "no skills data for
    source onet in the warehouse", with nothing on what to load or what else to build."""
    from tests.conftest import shared_path

    assert cli("onet", "load", shared_path("onet", "30.1"), "--db", db).exit_code == 0
    result = cli("graph", "build", "--db", db, "--null", 0)
    assert result.exit_code == 1
    assert "have no Skills file (Skills.txt or .xlsx)" in result.output
    assert "--element technology" in result.output
