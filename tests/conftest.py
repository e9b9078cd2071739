"""Shared fixtures: the real-data helper, CLI runners and a fresh warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SKILLTIDE_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_path(*parts: str) -> Path:
    """A path inside the real data sets (../shared/data); skips the test when it is absent.

    This is the one way tests reach real data: set SKILLTIDE_SHARED_DATA to point elsewhere.
    """
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"real data not available: {path} is missing (set SKILLTIDE_SHARED_DATA to the "
            "folder holding the shared data sets)"
        )
    return path


@pytest.fixture
def cli():
    """Run the CLI in-process: ``cli("status", "--json", "--db", path)`` -> click Result."""
    from skilltide.cli import app

    runner = CliRunner()

    def invoke(*args: object, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def run_skilltide(
    *args: object, cwd: Path | None = None, env: dict | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m skilltide ARGS`` in a real subprocess (exit codes, tracebacks, kills)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "skilltide", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Path for a fresh warehouse file in the test's temporary folder."""
    return tmp_path / "skilltide.duckdb"
