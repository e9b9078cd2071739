"""Helpers shared by the onet tests."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_RELEASE = FIXTURES / "onet_28_0"


def copy_fixture(tmp_path: Path, name: str = "onet_28_0") -> Path:
    """A writable copy of a fixture release folder."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def table_snapshot(wh, names: list[str]) -> dict[str, list]:
    """Every row of each table (without run_id), sorted: compares warehouse contents."""
    out = {}
    for name in names:
        cols = [r[0] for r in wh.con.execute(f"DESCRIBE {name}").fetchall() if r[0] != "run_id"]
        out[name] = sorted(
            map(repr, wh.con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall())
        )
    return out
