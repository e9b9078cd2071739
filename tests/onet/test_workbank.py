"""WORKBank: the paper's figures on the shared data, the zone and dominance rules, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.onet.workbank import load_workbank, workbank_summary
from skilltide.onet.workbank_files import FILES
from skilltide.store import Warehouse
from tests.conftest import shared_path


def test_paper_figures_on_the_shared_data(cli, db):
    folder = shared_path("workbank")
    assert cli("workbank", "load", folder, "--db", db).exit_code == 0
    summary = json.loads(cli("workbank", "summary", "--json", "--db", db).output)
    assert summary == {
        "tasks": 844,
        "occupations": 104,
        "zones": {
            "green_light": 364,
            "red_light": 267,
            "rnd_opportunity": 107,
            "low_priority": 106,
        },
        "tasks_without_zone": 0,
        "desire_above_3_share": 0.4609,
        "dominant_worker_has_by_occupation": {"H1": 2, "H2": 37, "H3": 47, "H4": 17, "H5": 1},
    }
    assert f"{summary['desire_above_3_share']:.1%}" == "46.1%"
    with Warehouse(db) as wh:
        # every task finds its O*NET-SOC code; raw tables keep every rating
        assert (
            wh.con.execute(
                "SELECT count(*) FROM workbank_tasks WHERE onetsoc_code IS NULL"
            ).fetchone()[0]
            == 0
        )
        assert wh.con.execute("SELECT count(*) FROM workbank_worker_ratings").fetchone()[0] == 5731
        assert wh.con.execute("SELECT count(*) FROM workbank_expert_ratings").fetchone()[0] == 2057
        assert wh.con.execute("SELECT count(*) FROM workbank_workers").fetchone()[0] == 1500
        shares = wh.con.execute(
            "SELECT max(abs(share_green_light + share_red_light + share_rnd_opportunity + "
            "share_low_priority - 1)), max(abs(share_worker_h1 + share_worker_h2 + "
            "share_worker_h3 + share_worker_h4 + share_worker_h5 - 1)) FROM workbank_occupations"
        ).fetchone()
        assert max(shares) < 1e-9
    # loading the same files again writes nothing: no new run, the rows of the first load
    with Warehouse(db) as wh:
        first = wh.query("SELECT DISTINCT run_id FROM workbank_worker_ratings")["run_id"].to_list()
        again = load_workbank(wh, folder)
        assert again["tasks"] == 844 and again["unchanged"] is True
        assert again["run_id"] == first[0]
        assert wh.query("SELECT DISTINCT run_id FROM workbank_tasks")["run_id"].to_list() == first
        assert wh.con.execute("SELECT count(*) FROM workbank_worker_ratings").fetchone()[0] == 5731
    result = cli("workbank", "load", folder, "--db", db)
    assert f"unchanged since run {first[0]}" in result.output


def test_workbank_joins_onet_by_task_id_and_occupation(db):
    onet30, folder = shared_path("onet", "30.1"), shared_path("workbank")
    from skilltide.onet.load import load_onet

    with Warehouse(db) as wh:
        load_onet(wh, [onet30])
        summary = load_workbank(wh, folder)
    # one WORKBank task (of 844) is no longer in O*NET 30.1's Task Statements
    assert summary["onet_match"] == {"tasks": 843, "occupations": 104}


def _write_folder(folder: Path, worker: list[tuple], expert: list[tuple]) -> Path:
    """A minimal WORKBank folder: worker rows (task, occ, desire, has), expert rows
    (task, capability, has)."""
    folder.mkdir(exist_ok=True)
    specs = {spec.table: spec for spec in FILES.values()}

    def write(table: str, rows: list[dict]) -> None:
        spec = specs[table]
        defaults = {
            "int": "1",
            "scale": "1",
            "float": "1.0",
            "str": "x",
            "bool": "False",
            "ymd": "2025/2/25",
            "month": "08/2018",
        }
        full = [{o: str(r.get(o, defaults[k])) for o, k in spec.columns} for r in rows]
        pl.DataFrame(full).write_csv(folder / spec.name)

    occ = "Occupation (O*NET-SOC Title)"
    write(
        "workbank_worker_ratings",
        [
            {"Task ID": t, occ: o, "Automation Desire Rating": d, "Human Agency Scale Rating": h}
            for t, o, d, h in worker
        ],
    )
    write(
        "workbank_expert_ratings",
        [
            {"Task ID": t, "Automation Capacity Rating": c, "Human Agency Scale Rating": h}
            for t, c, h in expert
        ],
    )
    tasks = sorted({(t, o) for t, o, _, _ in worker})
    write(
        "workbank_task_metadata",
        [{"Task ID": t, occ: o, "O*NET-SOC Code": "15-1252.00"} for t, o in tasks],
    )
    write("workbank_workers", [{"User ID": "u1"}])
    return folder


def test_zones_use_the_paper_thresholds_and_ties_go_to_the_lower_has(tmp_path, db):
    folder = _write_folder(
        tmp_path / "wb",
        worker=[
            (1, "A", 3, 2),
            (1, "A", 3, 3),  # desire 3.0 (>= 3), HAS tie 2/3 -> 2
            (2, "A", 2, 4),
            (2, "A", 3, 4),  # desire 2.5
            (3, "B", 5, 5),
            (3, "B", 4, 1),  # desire 4.5, tie 1/5 -> 1
            (4, "B", 1, 5),  # desire 1
        ],
        expert=[(1, 3, 1), (2, 4, 2), (3, 2, 3), (3, 2, 3), (4, 1, 4)],
    )
    with Warehouse(db) as wh:
        load_workbank(wh, folder)
        tasks = wh.query(
            "SELECT task_id, zone, worker_has, expert_has FROM workbank_tasks ORDER BY task_id"
        ).rows()
        assert tasks == [
            (1, "green_light", 2, 1),
            (2, "red_light", 4, 2),
            (3, "rnd_opportunity", 1, 3),
            (4, "low_priority", 5, 4),
        ]
        occupations = wh.query(
            "SELECT occupation_title, dominant_worker_has, share_green_light "
            "FROM workbank_occupations ORDER BY 1"
        ).rows()
        # A: ratings 2,3,4,4 -> 4; B: 5,1,5 -> 5
        assert occupations == [("A", 4, 0.5), ("B", 5, 0.0)]
        assert workbank_summary(wh)["zones"] == {
            "green_light": 1,
            "red_light": 1,
            "rnd_opportunity": 1,
            "low_priority": 1,
        }


def test_files_loaded_by_another_skilltide_version_are_loaded_again(tmp_path, db):
    # Found in review: the unchanged check compared the files' sha256 and the SQL's hash only,
    # so after an upgrade that reads the files differently (a type, a bool spelling), loading
    # the same folder kept the rows the old version had parsed, with no way to reload them.
    worker = [(1, "A", 3, 2), (2, "A", 4, 3)]
    folder = _write_folder(tmp_path / "wb", worker=worker, expert=[(1, 3, 1), (2, 4, 2)])
    with Warehouse(db) as wh:
        first = load_workbank(wh, folder)
        assert load_workbank(wh, folder)["unchanged"] is True
        wh.con.execute(
            "UPDATE runs SET skilltide_version = '0.0.1' WHERE run_id = ?", [first["run_id"]]
        )
        again = load_workbank(wh, folder)
        assert again["unchanged"] is False and again["run_id"] != first["run_id"]
        assert load_workbank(wh, folder)["unchanged"] is True


def test_a_changed_file_is_loaded_again_and_tasks_without_a_zone_are_counted(tmp_path, db):
    worker = [(1, "A", 3, 2), (2, "A", 4, 3)]
    folder = _write_folder(tmp_path / "wb", worker=worker, expert=[(1, 3, 1), (2, 4, 2)])
    with Warehouse(db) as wh:
        first = load_workbank(wh, folder)
        assert first["unchanged"] is False and first["tasks_without_zone"] == 0
        # the same folder with task 2's expert rating gone: replaced, and task 2 has no zone
        _write_folder(tmp_path / "wb", worker=worker, expert=[(1, 3, 1)])
        second = load_workbank(wh, folder)
        assert second["unchanged"] is False and second["run_id"] != first["run_id"]
        assert second["tasks"] == 2 and second["zones"]["green_light"] == 1
        assert second["tasks_without_zone"] == 1  # the zones no longer add up to the tasks
        assert sum(second["zones"].values()) + second["tasks_without_zone"] == second["tasks"]
        assert wh.con.execute("SELECT count(*) FROM workbank_expert_ratings").fetchone()[0] == 1


def test_bad_workbank_files_name_file_row_and_column(tmp_path, db):
    folder = _write_folder(tmp_path / "wb", worker=[(1, "A", 3, 2)], expert=[(1, 3, 1)])
    path = folder / "domain_worker_desires.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(pl.lit("lots").alias("Automation Desire Rating")).write_csv(path)
    with Warehouse(db) as wh:
        with pytest.raises(
            UserError,
            match=r"domain_worker_desires\.csv: line 2, column 'Automation Desire Rating': 'lots'",
        ):
            load_workbank(wh, folder)
        frame.with_columns(pl.lit("9").alias("Human Agency Scale Rating")).write_csv(path)
        with pytest.raises(
            UserError, match=r"line 2, column 'Human Agency Scale Rating': '9' is not on the .*1-5"
        ):  # H1-H5: a 9 would drop out of the HAS shares, and skew the means and zones
            load_workbank(wh, folder)
        frame.with_columns(pl.lit("0").alias("Automation Desire Rating")).write_csv(path)
        with pytest.raises(UserError, match="'Automation Desire Rating': '0' is not on the"):
            load_workbank(wh, folder)
        frame.drop("Task ID").write_csv(path)
        with pytest.raises(UserError, match="column 'Task ID' is missing"):
            load_workbank(wh, folder)
        path.unlink()
        with pytest.raises(UserError, match=r"domain_worker_desires\.csv is missing"):
            load_workbank(wh, folder)
        with pytest.raises(UserError, match="no WORKBank data loaded"):
            workbank_summary(wh)


def test_a_truncated_workbank_file_is_refused_with_its_line(tmp_path, db):
    # A copy cut short mid-row: polars read the missing fields as empty and the load went on,
    # with a rating row that had no HAS rating, no date and no reasons.
    worker = [(1, "A", 3, 2), (2, "A", 4, 3), (2, "B", 5, 1)]
    folder = _write_folder(tmp_path / "wb", worker=worker, expert=[(1, 3, 1), (2, 4, 2)])
    path = folder / "domain_worker_desires.csv"
    lines = path.read_text().splitlines()
    width = lines[0].count(",") + 1
    path.write_text("\n".join([*lines[:-1], ",".join(lines[-1].split(",")[:7])]))
    with Warehouse(db) as wh:
        with pytest.raises(
            UserError,
            match=rf"domain_worker_desires\.csv: line 4: 7 fields where the header has {width} "
            r"\(truncated or damaged row\)",
        ):
            load_workbank(wh, folder)
        assert (
            not wh.has_table("workbank_tasks")
            or wh.query("SELECT count(*) AS n FROM workbank_tasks")["n"][0] == 0
        )


def test_blank_lines_in_a_workbank_file_are_not_rows(tmp_path, db):
    # Found in review: polars reads a blank line (or one of spaces) as a row of nulls, and
    # workbank load stored it as a worker rating with no task, user or rating.
    worker = [(1, "A", 3, 2), (2, "A", 4, 3)]
    folder = _write_folder(tmp_path / "wb", worker=worker, expert=[(1, 3, 1), (2, 4, 2)])
    path = folder / "domain_worker_desires.csv"
    lines = path.read_text().splitlines()
    path.write_text("\r\n".join([lines[0], lines[1], "", "   ", *lines[2:], ""]))
    with Warehouse(db) as wh:
        assert load_workbank(wh, folder)["tasks"] == 2
        assert wh.con.execute("SELECT count(*) FROM workbank_worker_ratings").fetchone()[0] == 2


def test_a_workbank_file_that_is_not_utf8_names_the_line(tmp_path, db):
    folder = _write_folder(tmp_path / "wb", worker=[(1, "A", 3, 2)], expert=[(1, 3, 1)])
    path = folder / "domain_worker_metadata.csv"
    path.write_bytes(path.read_bytes() + b"u2,caf\xe9\n")  # the header, row u1, then this
    with Warehouse(db) as wh, pytest.raises(UserError, match=r"metadata.csv, line 3: not valid"):
        load_workbank(wh, folder)


def test_a_workbank_row_with_a_field_too_many_is_refused_with_its_line(tmp_path, db):
    # polars refused it as 'found more fields than defined in Schema', without the line
    folder = _write_folder(tmp_path / "wb", worker=[(1, "A", 3, 2)], expert=[(1, 3, 1)])
    path = folder / "domain_worker_desires.csv"
    lines = path.read_text().splitlines()
    width = lines[0].count(",") + 1
    path.write_text("\n".join([*lines, lines[-1] + ",extra"]) + "\n")
    with Warehouse(db) as wh, pytest.raises(UserError, match=rf"line 3: {width + 1} fields"):
        load_workbank(wh, folder)
