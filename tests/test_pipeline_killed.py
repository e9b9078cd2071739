"""A ``skilltide run`` killed outright (SIGKILL, power loss) still lists the stages it
finished in its ``runs`` row, which the next command marks ``interrupted``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from skilltide.store import Warehouse
from tests.test_pipeline import _seed_vocabulary

ROOT = Path(__file__).resolve().parents[1]

# The run dies without unwinding (as under SIGKILL) when its breaks stage starts.
KILLED = """
import os, sys
from skilltide.config import load_settings
from skilltide.pipeline import Pipeline, run_pipeline
Pipeline._breaks = lambda self, granularity: os._exit(9)
run_pipeline(load_settings(config=sys.argv[1], quiet=True))
"""


def test_a_killed_run_lists_the_stages_it_finished(tmp_path):
    # Before, the stages were written when the run finished: a killed run listed none.
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("id,posted_at,text\n1,2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n[[sources]]\npaths = ["ads"]\n[breaks]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", KILLED, str(config)], env=env, check=False)
    assert killed.returncode == 9
    with Warehouse(tmp_path / "w.duckdb") as wh:  # opening it marks the run interrupted
        status, stages = wh.con.execute(
            "SELECT status, stages FROM runs WHERE command = 'run'"
        ).fetchall()[0]
    assert status == "interrupted"
    assert [(s["stage"], s["status"]) for s in json.loads(stages)] == [
        ("ingest:source1", "done"),
        ("demand:ads", "done"),
    ]
