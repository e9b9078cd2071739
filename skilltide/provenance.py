"""Provenance of output files: what wrote a file, from which inputs, with which options.

Files written outside the warehouse (``forecast panel --out``, ``breaks detect --out``) carry
no run id, so each gets a sidecar ``<file>.provenance.json``: the command and its options, the
skilltide version, the time, and the path, size and sha256 of every input file and of the
output itself, so that a forecast file found in a shared folder can be traced back and
checked. Warehouse outputs are traced by their run instead (``runs``).

Example
-------
>>> import pathlib, tempfile, json
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "in.csv").write_text("a\\n1\\n"); (folder / "out.csv").write_text("b\\n2\\n")
4
4
>>> side = write_provenance(folder / "out.csv", command="forecast panel",
...     inputs=[folder / "in.csv"], options={"horizon": 3})
>>> record = json.loads(side.read_text())
>>> side.name, record["options"], record["inputs"][0]["bytes"]
('out.csv.provenance.json', {'horizon': 3}, 4)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from skilltide.outfile import cannot_write, replacing

__all__ = [
    "file_record",
    "provenance_path",
    "provenance_record",
    "record_text",
    "sha256_file",
    "warehouse_source",
    "write_provenance",
]


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, streamed."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_record(path: Path) -> dict[str, Any]:
    """``path`` (absolute), ``bytes`` and ``sha256`` of a file."""
    path = Path(path)
    return {
        "path": str(path.resolve()),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }


def warehouse_source(db: Path, run_id: str | None = None) -> dict[str, Any]:
    """``db``, the warehouse a file was written from (absolute, as ``--db`` may be relative
    to a folder the sidecar does not name), and ``run_id``, the run whose rows it holds."""
    record: dict[str, Any] = {"db": str(Path(db).resolve())}
    return record | ({"run_id": run_id} if run_id is not None else {})


def provenance_path(out: Path) -> Path:
    """The sidecar of ``out``: ``<out>.provenance.json`` in the same folder."""
    return Path(out).with_name(Path(out).name + ".provenance.json")


def provenance_record(
    out: Path,
    *,
    command: str,
    inputs: list[Path],
    options: dict[str, Any],
    written: Path | None = None,
) -> dict[str, Any]:
    """The sidecar's record of ``out``; ``written`` is the file holding ``out``'s bytes until
    it is renamed to ``out`` (a warehouse command writes it before its run commits)."""
    from skilltide import __version__

    return {
        "output": file_record(written or out) | {"path": str(Path(out).resolve())},
        "command": f"skilltide {command}",
        "options": options,
        "inputs": [file_record(p) for p in inputs],
        "skilltide_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def record_text(record: dict[str, Any]) -> str:
    """A record as the sidecar's text."""
    return json.dumps(record, indent=2, default=str) + "\n"


def write_provenance(
    out: Path, *, command: str, inputs: list[Path], options: dict[str, Any]
) -> Path:
    """Write the sidecar of the output file ``out`` (written already) and return its path.

    If the sidecar cannot be written (a full disk), ``out`` is removed too: an output file
    that nothing traces is not left behind.
    """
    side = provenance_path(out)
    try:
        record = provenance_record(out, command=command, inputs=inputs, options=options)
        with replacing(side) as tmp:
            tmp.write_text(record_text(record), encoding="utf-8")
    except BaseException as exc:
        Path(out).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(side, exc) from None
        raise
    return side
