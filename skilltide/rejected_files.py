"""Files a ``skilltide run`` could not read, remembered so that later runs retry them only
when the file or its source's map, date order or encoding has changed (a file rejected again
and again would otherwise end every run as partial, or be silently skipped once fixed).

Example
-------
>>> import pathlib, tempfile
>>> from skilltide.store import Warehouse
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> bad = folder / "ads.csv"
>>> _ = bad.write_text("not,an,ad")
>>> with Warehouse(folder / "w.duckdb") as wh:
...     reject_file(wh, bad, "no text column", {"text": "body"})
...     rejected_files(wh)[str(bad)] == (readable_sha256(bad), {"text": "body"}, "auto", "utf-8")
True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skilltide.ingest.readers import sha256_file
from skilltide.store import Warehouse, utc_now


def rejected_files(wh: Warehouse) -> dict[str, tuple[str, Any, str, str]]:
    """Path → (sha256, the source's map, its date order, its encoding) of every file a run
    has rejected."""
    rows = wh.con.execute(
        "SELECT f.path, f.sha256, r.args FROM rejected_files f LEFT JOIN runs r USING (run_id)"
    ).fetchall()
    found = {}
    for path, sha, args in rows:
        how = json.loads(args or "{}")
        found[path] = (
            sha,
            how.get("map"),
            how.get("date_order", "auto"),
            how.get("encoding", "utf-8"),
        )
    return found


def reject_file(
    wh: Warehouse,
    path: Path,
    reason: str,
    mapping: dict,
    date_order: str = "auto",
    encoding: str = "utf-8",
) -> None:
    """Record ``path`` as rejected for ``reason`` (in a run of its own, status partial)."""
    args = {"file": str(path), "map": mapping, "date_order": date_order, "encoding": encoding}
    with wh.run("run reject-file", args) as run:
        run.con.execute("DELETE FROM rejected_files WHERE path = ?", [str(path)])
        run.con.execute(
            "INSERT OR REPLACE INTO rejected_files VALUES (?, ?, ?, ?, ?, ?)",
            [str(path), readable_sha256(path), path.stat().st_size, reason, run.run_id, utc_now()],
        )
        run.count("rejected_files", 1)
        run.status = "partial"


def forget_rejected(wh: Warehouse, path: Path) -> None:
    """``path`` was read at last: it is no longer rejected."""
    wh.con.execute("DELETE FROM rejected_files WHERE path = ?", [str(path)])


def readable_sha256(path: Path) -> str:
    """The file's sha256, or "" while it cannot be read (retried once it can)."""
    try:
        return sha256_file(path)
    except OSError:
        return ""
