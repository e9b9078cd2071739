"""What a warehouse holds, for ``skilltide status``: schema version, rows per table, last runs.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> with Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb") as wh:
...     summary = status(wh)
>>> summary["runs"], summary["tables"]["ads"]
([], 0)
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from skilltide.store import Warehouse


def status(wh: Warehouse, last: int = 20) -> dict[str, Any]:
    """What the warehouse holds: schema version, row counts per table, the last runs first."""
    runs = wh.query(
        "SELECT run_id, command, status, started, finished, rows, stages, error FROM runs"
        " ORDER BY started DESC, run_id DESC LIMIT ?",
        [last],
    )
    return {
        "schema_version": wh.schema_version,
        "tables": wh.row_counts(),
        "runs": [
            {
                **row,
                "started": _iso(row["started"]),
                "finished": _iso(row["finished"]),
                "rows": json.loads(row["rows"]) if row["rows"] else {},
                "stages": json.loads(row["stages"]) if row["stages"] else [],
            }
            for row in runs.iter_rows(named=True)
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"
