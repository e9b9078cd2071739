"""One ``skilltide run`` at a time per warehouse: an OS file lock beside the warehouse.

The lock is ``<warehouse>.lock``, held with ``fcntl.flock`` for the whole run and
holding the owner's pid, host and start time. The operating system releases a flock
when its process dies, however it dies; a finished run empties the file, so a
non-empty file found unlocked was left by a run that died: it is *stale*, and the
next run takes it over and says so.

Example
-------
>>> import tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "w.duckdb"
>>> with RunLock(db) as lock:
...     lock.path.name
'w.duckdb.lock'
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from skilltide.errors import UserError, WarehouseLocked


class RunLock:
    """Exclusive, crash-safe lock for one warehouse; ``stale`` tells if a dead run left one."""

    def __init__(self, db: str | os.PathLike) -> None:
        self.path = Path(f"{db}.lock")
        self.stale: dict | None = None
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:  # as the warehouse itself would say
            raise UserError(
                f"{self.path.with_suffix('')}: folder {self.path.parent} does not exist"
            ) from None
        except OSError as exc:  # a read-only or forbidden folder
            raise UserError(f"{self.path}: cannot open the run lock ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            who = f"process {holder.get('pid')} on {holder.get('host')}" if holder else "a process"
            since = f" since {holder['started']}" if holder.get("started") else ""
            raise WarehouseLocked(
                f"{self.path}: another skilltide run holds this warehouse ({who}{since}); "
                "this run was not started"
            ) from None
        self.stale = _read(fd) or None
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(owner).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
        # The file stays (empty): unlinking it would let two processes lock two inodes.

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read(fd: int) -> dict:
    try:
        raw = os.pread(fd, 4096, 0)
        return json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        return {"pid": "unknown"}
