"""Every loader's run names its input files by absolute path, whatever folder it ran from.

Found in the determinism/traceability QA pass: ``onet load``, ``workbank load``, ``ingest
demand`` and ``onet taxonomy add`` recorded the paths as typed (``"dirs": ["onet/30.1"]``,
``"file": "data/skills.csv"``), which name no file once one asks the warehouse later from
another folder. ``ingest ads`` already recorded resolved paths.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from skilltide.ingest.demand_import import import_demand
from skilltide.onet.load import load_onet
from skilltide.onet.taxonomy_custom import add_taxonomy_csv
from skilltide.store import Warehouse
from tests.conftest import shared_path
from tests.onet._helpers import FIXTURE_RELEASE


def _args(wh: Warehouse, command: str) -> dict:
    rows = wh.query("SELECT args FROM runs WHERE command = ?", [command])
    assert rows.height == 1
    return json.loads(rows["args"][0])


def test_loaders_record_their_inputs_by_absolute_path(tmp_path, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(FIXTURE_RELEASE, work / "onet")
    (work / "skills.csv").write_text("name,aliases\nPython,py\n", encoding="utf-8")
    (work / "panel.csv").write_text(
        "skill,month,count\nPython,2024-01,3\nPython,2024-02,4\n", encoding="utf-8"
    )
    monkeypatch.chdir(work)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        load_onet(wh, [Path("onet")])
        add_taxonomy_csv(wh, "skills.csv")
        import_demand(wh, Path("panel.csv"), panel="p")
        assert _args(wh, "onet load")["dirs"] == [str(work / "onet")]
        paths = wh.query("SELECT path FROM onet_files")["path"].to_list()
        assert paths and {str(Path(p).parent) for p in paths} == {str(work / "onet")}
        assert _args(wh, "onet taxonomy add")["file"] == str(work / "skills.csv")
        assert _args(wh, "ingest demand")["file"] == str(work / "panel.csv")


@pytest.mark.shared_data
def test_workbank_load_records_its_folder_by_absolute_path(tmp_path, monkeypatch):
    from skilltide.onet.workbank import load_workbank

    folder = shared_path("workbank")
    monkeypatch.chdir(tmp_path)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        load_workbank(wh, Path(os.path.relpath(folder, tmp_path)))
        assert _args(wh, "workbank load")["folder"] == str(folder.resolve())
