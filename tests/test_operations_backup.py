"""The backup recipe of docs/operations.md keeps what a killed run committed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"

# A process that commits and dies without closing (SIGKILL): its work is in the .wal file.
KILLED = """
import duckdb, os
duckdb.connect("skilltide.duckdb").execute("CREATE TABLE ads AS SELECT 1 AS ad_id").close()
con = duckdb.connect("skilltide.duckdb")
con.execute("INSERT INTO ads VALUES (2)")
os._exit(0)
"""


@pytest.mark.skipif(shutil.which("flock") is None, reason="needs flock(1) (util-linux)")
def test_the_documented_backup_keeps_a_killed_runs_commits(tmp_path):
    # Before, the recipe copied skilltide.duckdb alone: the copy lacked the killed run's rows.
    subprocess.run([sys.executable, "-c", KILLED], cwd=tmp_path, check=True)
    assert (tmp_path / "skilltide.duckdb.wal").is_file()
    text = " ".join(DOCS.read_text().split())  # as rendered: one line
    recipe = re.search(r"`(mkdir -p backup && flock skilltide\.duckdb\.lock [^`]+)`", text)
    subprocess.run(["bash", "-c", recipe.group(1)], cwd=tmp_path, check=True)
    (copy,) = (tmp_path / "backup").glob("*.duckdb")
    con = duckdb.connect(str(copy), read_only=True)
    assert con.execute("SELECT count(*) FROM ads").fetchone()[0] == 2
