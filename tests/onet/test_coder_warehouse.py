"""The coder built from the real O*NET 30.1 titles: accuracy on known titles, storage, CLI."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.onet.coder import build_coder, code_titles, load_coder, training_examples
from skilltide.store import Warehouse
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data


def test_build_stores_one_coder_per_release(built_db):
    with Warehouse(built_db) as wh:
        stored = wh.query(
            "SELECT release, n_occupations, n_titles, calibration, run_id FROM title_coders"
        )
        runs = wh.query("SELECT status FROM runs WHERE command = 'onet build-coder'")
    assert stored.height == 1 and stored["release"][0] == "30.1"
    assert stored["n_occupations"][0] >= 1000 and stored["n_titles"][0] > 50_000
    calibration = json.loads(stored["calibration"][0])
    assert calibration["temperature"] > 0 and calibration["ece"] < calibration["ece_before"]
    assert runs.height >= 1 and set(runs["status"]) == {"success"}  # CLI tests reuse it


def test_default_coder_has_no_reranker(built_db, coder):
    # Since 2026-12-06 the re-ranker is opt-in (`build-coder --rerank`): it costs accuracy
    # on ads (docs/methods.md, "External title lists").
    assert coder.reranker is None
    with Warehouse(built_db) as wh:
        args = wh.query("SELECT args FROM runs WHERE command = 'onet build-coder'")["args"][0]
    assert json.loads(args)["rerank"] is False
    assert json.loads(args)["linear"] == 0.0  # the run records the SVM setting too


def test_build_coder_rerank_stores_a_reranker_that_pays_for_itself(built_db, tmp_path, cli):
    # The second stage is stored with the coder and fitted on held-out alternate titles: on
    # those (two-fold cross-fit, every occupation weighted alike) it beats the first stage.
    db = tmp_path / "reranked.duckdb"
    shutil.copy(built_db, db)
    result = cli("onet", "build-coder", "--db", db, "--rerank")
    assert result.exit_code == 0, result.output
    assert "re-ranked (first stage" in result.output
    with Warehouse(db) as wh:
        coder = load_coder(wh)
        facts = json.loads(wh.query("SELECT calibration FROM title_coders")["calibration"][0])
    assert coder.reranker is not None and coder.reranker.coef.any()
    assert facts["rerank_titles"] > 3_000
    assert facts["rerank_top1_crossfit_balanced"] > facts["rerank_top1_first_stage_balanced"] + 0.02
    assert facts["rerank_ece_crossfit"] < 0.1


def test_stored_coder_carries_task_context(coder):
    # Task statements and descriptions are read from the warehouse and stored with the coder.
    assert not coder.context.empty and len(coder.context.words) > 5_000
    assert "casino" in coder.context.word_index
    gambling = list(coder.codes).index("11-9071.00")
    # Among the occupations whose tasks speak of casinos most: Gambling Managers.
    scores = coder.context.scores(["casino"])[0]
    assert gambling in scores.argsort()[::-1][:5]


def test_rebuild_with_same_titles_is_reused(built_db):
    with Warehouse(built_db) as wh:
        before = wh.query("SELECT build_hash, run_id FROM title_coders")
        summary = build_coder(wh)
        after = wh.query("SELECT build_hash, run_id FROM title_coders")
    assert summary["reused"] is True
    assert after.equals(before)


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Registered Nurses", "29-1141.00"),
        ("Software Developers", "15-1252.00"),
        ("Heavy and Tractor-Trailer Truck Drivers", "53-3032.00"),
    ],
)
def test_official_titles_code_to_themselves(coder, title, code):
    assert coder.predict([title], top=1)["onetsoc_code"].to_list() == [code]


@pytest.mark.parametrize(
    ("title", "prefix"),
    [
        ("Sr. Java Developer - Remote", "15-12"),
        ("SWE II (Hybrid) - Backend", "15-12"),
        ("RN - ICU Nights", "29-1141"),
        ("Registered Nurse (RN) - Med/Surg - $5,000 Sign-On Bonus", "29-1141"),
        ("CDL-A Truck Driver", "53-3032"),
        ("Night Shift Warehouse Associate - $18/hr", "53-"),
        ("CNA - Part Time Evenings", "31-1131"),
        ("Staff Accountant - Chicago, IL", "13-2011"),
    ],
)
def test_noisy_ad_titles_land_in_the_right_group(coder, title, prefix):
    best = coder.predict([title], top=1)["onetsoc_code"][0]
    assert best.startswith(prefix), f"{title!r} coded {best}"


# Written like the JobBERT vacancy titles (a Malaysian job board, ../shared/data/soc/jobbert):
# all caps, trailing spaces, places after "IN", "@", " - " or in brackets, counts "(x2)".
@pytest.mark.parametrize(
    ("title", "prefix"),
    [
        ("REGISTERED NURSE IN PENANG", "29-1141"),
        ("SENIOR ELECTRICAL ENGINEER - JOHOR BAHRU", "17-2071"),
        ("MECHANICAL ENGINEER (PENANG)", "17-2141"),
        ("ACCOUNTS CLERK (KUALA LUMPUR)", "43-"),
        ("Software Engineer in Cyberjaya", "15-12"),
        ("FORKLIFT DRIVER ", "53-7051"),
        ("SECURITY GUARD (x2)", "33-9032"),
        ("CHEF DE PARTIE @ KLCC", "35-"),
        ("Retail Assistant @ Queensbay Mall, Penang", "41-"),
        ("WAREHOUSE ASSISTANT IN SHAH ALAM ", "53-"),
    ],
)
def test_noisy_vacancy_titles_land_in_the_right_group(coder, title, prefix):
    best = coder.predict([title, title.lower()], top=1)["onetsoc_code"].to_list()
    assert best[0].startswith(prefix), f"{title!r} coded {best[0]}"
    assert best[1] == best[0]  # case does not matter


def test_load_coder_is_none_without_a_coder(db):
    with Warehouse(db) as wh:
        assert load_coder(wh) is None


def test_no_onet_is_a_clear_error(db):
    with Warehouse(db) as wh, pytest.raises(UserError, match="skilltide onet load"):
        build_coder(wh)
    with Warehouse(db) as wh, pytest.raises(UserError, match="skilltide onet load"):
        code_titles(wh, ["Nurse"])


def test_training_examples_kinds():
    occ = pl.DataFrame({"onetsoc_code": ["1"], "title": ["A"]})
    alt = pl.DataFrame(
        {"onetsoc_code": ["1", "1"], "alternate_title": ["B", "C"], "short_title": ["n/a", "D"]}
    )
    rep = pl.DataFrame({"onetsoc_code": ["1"], "reported_title": ["E"]})
    out = training_examples(occ, alt, rep)
    assert sorted(zip(out["title"], out["kind"], strict=True)) == [
        ("A", "occupation"),
        ("B", "alternate"),
        ("C", "alternate"),
        ("D", "short"),
        ("E", "reported"),
    ]


def test_unreadable_stored_coder_says_rebuild(built_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    with Warehouse(copy) as wh:
        wh.con.execute("UPDATE title_coders SET model = 'not a coder'::BLOB")
        with pytest.raises(UserError, match="build-coder --force"):
            load_coder(wh)
        summary = build_coder(wh, force=True)
        assert summary["reused"] is False
        assert load_coder(wh).predict(["Registered Nurses"], top=1)["onetsoc_code"][0] == (
            "29-1141.00"
        )


def test_ingest_codes_ads_without_occupation_with_the_stored_coder(built_db, tmp_path):
    import datetime as dt

    from skilltide.ingest.ads import ingest_ads

    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    ads = tmp_path / "ads.csv"
    ads.write_text(
        "id,posted_at,title,company,region,occupation,text\n"
        "1,2024-03-10,RN - ICU Nights,Acme,North,,Critical care.\n"
        "2,2024-03-10,Sr. Java Developer - Remote,Acme,North,,Uses Java.\n"
        "3,2024-03-10,Data Analyst,Acme,North,15-2051.00,Uses Python.\n",
        encoding="utf-8",
    )
    with Warehouse(copy) as wh:
        summary = ingest_ads(wh, [ads], now=dt.datetime(2025, 6, 1))  # coder="auto"
        built = wh.query("SELECT run_id FROM title_coders")["run_id"].to_list()
        notes = wh.query("SELECT notes FROM runs WHERE run_id = ?", [summary["run_id"]])
        got = wh.query(
            "SELECT external_id, occupation, occupation_score, occupation_source FROM ads "
            "ORDER BY external_id"
        ).rows()
    assert got[0][1].startswith("29-1141") and got[0][3] == "coder" and 0 < got[0][2] <= 1
    assert got[1][1].startswith("15-12") and got[1][3] == "coder"
    assert got[2][1:] == ("15-2051.00", None, "mapped")
    # the run names the coder build that coded the titles (it said only "coder": true)
    assert json.loads(notes["notes"][0])["coder_run"] == built[0] and len(built) == 1


def test_build_message_reports_the_reranked_accuracy():
    from skilltide.onet.cli import built_message

    summary = {"release": "30.1", "occupations": 2, "titles": 9}
    first = {"heldout_top1": 0.5, "ece": 0.04}
    plain = built_message("lexical", {**summary, "calibration": first})
    assert plain.endswith("9 titles, held-out top-1 50.0%, ECE 0.040")
    reranked = {
        **first,
        "rerank_top1_crossfit": 0.55,
        "rerank_top1_first_stage": 0.5,
        "rerank_ece_crossfit": 0.03,
    }
    line = built_message("lexical", {**summary, "calibration": reranked})
    assert "held-out top-1 55.0% re-ranked (first stage 50.0%), ECE 0.030" in line


def test_build_coder_linear_passes_the_svm_weight(cli, db, monkeypatch):
    import skilltide.onet.coder as coder_module
    from skilltide.onet.coder_params import LINEAR_WEIGHT

    seen = []

    def fake_build(wh, params, force=False, model="lexical"):
        seen.append(params)
        return {"reused": True, "release": "30.1"}

    monkeypatch.setattr(coder_module, "build_coder", fake_build)
    Warehouse(db).close()  # build-coder refuses a --db that does not exist
    assert cli("onet", "build-coder", "--db", db).exit_code == 0
    assert cli("onet", "build-coder", "--linear", "--rerank", "--db", db).exit_code == 0
    assert [(p.linear, p.rerank) for p in seen] == [(0.0, False), (LINEAR_WEIGHT, True)]


def test_build_without_alternate_titles_is_a_clear_error(cli, db, tmp_path):
    # O*NET Occupation Data but no Alternate Titles: nothing to calibrate on. This was a
    # ValueError traceback from `code-titles`, which builds the coder on first use.
    from skilltide.onet.load import load_onet
    from tests.onet._helpers import copy_fixture

    with Warehouse(db) as wh:
        load_onet(wh, [copy_fixture(tmp_path)])
    for args in (("build-coder",), ("code-titles", "Nurse")):
        result = cli("onet", *args, "--db", db)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert "'Alternate Titles'" in result.output and "skilltide onet load" in result.output


def test_onet_load_that_changes_the_titles_rebuilds_the_stored_coder(cli, built_db, tmp_path):
    # Reloading release 30.1 with a corrected Alternate Titles file: code-titles and ingest
    # went on with the stored coder of the old titles until `build-coder` was run by hand.
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    folder = _corrected_titles(tmp_path)
    with Warehouse(copy) as wh:
        before = wh.query("SELECT n_titles, run_id FROM title_coders").row(0)
        _store_embed_coder(wh, "30.1")
    result = cli("onet", "load", folder, "--db", copy)
    assert result.exit_code == 0, result.output
    assert "built lexical title coder for O*NET 30.1" in result.output
    # The embedding coder of the old titles is removed (rebuilt on its next use), not kept.
    assert "embedding coder was fitted on the old titles and is removed" in result.output
    with Warehouse(copy) as wh:
        after = wh.query("SELECT n_titles, run_id FROM title_coders").row(0)
        assert after[0] == before[0] + 1 and after[1] != before[1]
        assert wh.query("SELECT count(*) AS n FROM embed_title_coders")["n"][0] == 0
        assert build_coder(wh)["reused"] is True  # what build-coder would build: the same
        _store_embed_coder(wh, "30.1")
    again = cli("onet", "load", folder, "--db", copy, "--json")  # nothing changed: no rebuild
    assert again.exit_code == 0 and json.loads(again.stdout)["coder"] is None
    assert json.loads(again.stdout)["embed_coder_removed"] is False
    with Warehouse(copy) as wh:  # titles unchanged: the embedding coder is kept
        assert wh.query("SELECT count(*) AS n FROM embed_title_coders")["n"][0] == 1


def _corrected_titles(tmp_path):
    """A copy of release 30.1's titles with one alternate title added (a corrected file)."""
    onet = shared_path("onet", "30.1")
    folder = tmp_path / "30.1"
    folder.mkdir()
    shutil.copy(onet / "Read Me.txt", folder)
    text = (onet / "Alternate Titles.txt").read_text(encoding="utf-8")
    row = "29-1141.00\tNurse of the Quiet Ward\tn/a\tTest\r\n"
    (folder / "Alternate Titles.txt").write_text(text + row, encoding="utf-8", newline="")
    return folder


def _store_embed_coder(wh, release: str) -> None:
    """A stand-in row of ``embed_title_coders`` (building one needs the embed extra)."""
    wh.con.execute(
        "INSERT INTO embed_title_coders (release, embed_model, build_hash, format_version,"
        " n_occupations, n_titles, n_features, params, calibration, model, run_id)"
        " VALUES (?, 'all-minilm-l6-v2', 'x', 1, 1, 1, 1, '{}', '{}', 'x'::BLOB, 'test')",
        [release],
    )


@pytest.mark.parametrize("utc_offset_hours", [0, 9])
def test_a_load_whose_coder_rebuild_was_stopped_rebuilds_it_when_loaded_again(
    cli, built_db, tmp_path, monkeypatch, utc_offset_hours
):
    # Found by Ctrl-C at 9 s into `onet load` of a corrected release: the load committed, its
    # coder rebuild rolled back, and loading the same (now unchanged) folder again left the
    # coder of the old titles (and the embedding coder fitted on them) in place for good.
    # utc_offset_hours=9: built_at as a machine in Tokyo stores it (DuckDB's current_timestamp
    # in local time); compared with the run log's UTC times, the coder looked built after the
    # load, and was never rebuilt (found in review).
    import skilltide.onet.coder_refresh as coder_refresh

    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    folder = _corrected_titles(tmp_path)
    with Warehouse(copy) as wh:
        before = wh.query("SELECT n_titles FROM title_coders")["n_titles"].item()
        _store_embed_coder(wh, "30.1")
        wh.con.execute(
            f"UPDATE title_coders SET built_at = built_at + INTERVAL {utc_offset_hours} HOUR"
        )

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(coder_refresh, "build_coder", stopped)
    assert cli("onet", "load", folder, "--db", copy).exit_code == 130
    monkeypatch.undo()
    again = cli("onet", "load", folder, "--db", copy, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["coder"]["reused"] is False
    assert json.loads(again.stdout)["embed_coder_removed"] is True
    with Warehouse(copy) as wh:
        assert wh.query("SELECT n_titles FROM title_coders")["n_titles"].item() == before + 1
    third = cli("onet", "load", folder, "--db", copy, "--json")  # current now: no rebuild
    assert third.exit_code == 0 and json.loads(third.stdout)["coder"] is None


def test_an_embedding_coder_built_before_the_last_load_of_its_titles_is_removed(
    cli, built_db, tmp_path, monkeypatch
):
    # Found in review: after a load whose coder rebuild was stopped, `onet build-coder` (or a
    # load whose embedding-coder removal failed on a full disk) refitted the lexical coder on
    # the new titles; the next load changed nothing and rebuilt nothing, so the embedding
    # coder fitted on the old titles was kept for good.
    import skilltide.onet.coder_refresh as coder_refresh

    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    folder = _corrected_titles(tmp_path)
    embed_args = {"model": "embed", "release": "30.1"}  # built (logged) before the load
    with Warehouse(copy) as wh, wh.run("onet build-coder", embed_args) as run:
        _store_embed_coder(wh, "30.1")
        wh.con.execute("UPDATE embed_title_coders SET run_id = ?", [run.run_id])

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(coder_refresh, "build_coder", stopped)
    assert cli("onet", "load", folder, "--db", copy).exit_code == 130
    monkeypatch.undo()
    assert cli("onet", "build-coder", "--db", copy).exit_code == 0  # the new titles
    again = cli("onet", "load", folder, "--db", copy, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["coder"] is None  # current
    assert json.loads(again.stdout)["embed_coder_removed"] is True
    with Warehouse(copy) as wh:
        assert wh.query("SELECT count(*) AS n FROM embed_title_coders")["n"][0] == 0


def test_coder_build_time_is_utc_whatever_the_session_time_zone(built_db, tmp_path):
    # built_at was DuckDB's current_timestamp, in the session's time zone: in Tokyo nine
    # hours ahead of every other time in the warehouse.
    import datetime as dt

    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    with Warehouse(copy) as wh:
        wh.con.execute("SET TimeZone = 'Asia/Tokyo'")
        build_coder(wh, force=True)
        built_at = wh.query("SELECT built_at FROM title_coders")["built_at"].item()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs(now - built_at) < dt.timedelta(hours=1)


def test_the_newest_coder_is_the_last_built_though_an_older_one_has_a_local_built_at(db):
    # A coder stored by an earlier version east of UTC has built_at in local time: hours
    # after the UTC built_at of a coder built later. The newest is the one built last.
    import datetime as dt

    from skilltide.onet.coder_refresh import stored_coder_params
    from skilltide.store import utc_now

    with Warehouse(db) as wh:
        for release, built_at in (("29.3", utc_now() + dt.timedelta(hours=9)), ("30.1", None)):
            with wh.run("onet build-coder") as run:
                run.con.execute(
                    "INSERT INTO title_coders VALUES (?, 'h', 1, 1, 1, 1, ?, '{}', '', ?, ?)",
                    [release, json.dumps({"built": release}), built_at or utc_now(), run.run_id],
                )
        assert stored_coder_params(wh) == {"built": "30.1"}
