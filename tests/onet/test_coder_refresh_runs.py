"""An O*NET load logs one run when there is no stored coder to rebuild or remove."""

from __future__ import annotations

from skilltide.store import Warehouse
from tests.onet._helpers import copy_fixture


def test_a_load_without_stored_coders_is_one_run(cli, db, tmp_path):
    folder = copy_fixture(tmp_path)
    result = cli("onet", "load", folder, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        commands = wh.query("SELECT command FROM runs ORDER BY started")["command"].to_list()
        assert wh.query("SELECT count(*) AS n FROM embed_title_coders")["n"][0] == 0
    # no empty 'onet drop-embed-coder' run: there was no embedding coder to remove
    assert commands == ["onet load"]
