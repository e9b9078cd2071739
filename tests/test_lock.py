"""One run at a time per warehouse; a lock left by a killed run is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from skilltide.errors import UserError, WarehouseLocked
from skilltide.lock import RunLock


def _hold(db):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from skilltide.lock import RunLock; import time; l=RunLock({str(db)!r}).acquire();"
            " print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_holder_is_refused_naming_the_first(db):
    holder = _hold(db)
    try:
        with pytest.raises(WarehouseLocked, match=f"process {holder.pid} on"):
            RunLock(db).acquire()
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_run_is_detected_as_stale_and_taken_over(db):
    holder = _hold(db)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with RunLock(db) as lock:
        assert lock.stale is not None and lock.stale["pid"] == holder.pid
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()


def test_clean_release_leaves_no_stale_lock(db):
    with RunLock(db):
        pass
    with RunLock(db) as again:
        assert again.stale is None


def _env() -> dict:
    """Subprocesses import this checkout's skilltide, not another installed copy."""
    import os
    from pathlib import Path

    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def test_a_warehouse_in_a_missing_folder_is_a_user_error_not_a_traceback(tmp_path):
    db = tmp_path / "missing" / "w.duckdb"
    with pytest.raises(UserError, match=r"w\.duckdb: folder .*missing does not exist"):
        RunLock(db).acquire()
