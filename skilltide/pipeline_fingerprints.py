"""What each stage of ``skilltide run`` is built from, as a fingerprint: a stage whose
fingerprint is the one it was last built from is skipped.

Files are fingerprinted by path, size and time (:func:`files_fingerprint`); warehouse inputs
by a hash of the rows the stage reads (:func:`demand_fingerprint`, :func:`graph_fingerprint`);
the report by the fingerprints of the stages whose results it shows.

Example
-------
>>> digest(["demand", "market", 10]) == digest(["demand", "market", 10])
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def digest(parts: object) -> str:
    """sha256 of ``parts`` as sorted JSON (anything else as its ``str``)."""
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def files_fingerprint(paths, extra: object = None) -> str:
    """Path, size and modification time of every file under ``paths``, and ``extra``."""
    entries = []
    for root in paths:
        root = Path(root)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for p in files:
            st = p.stat() if p.exists() else None
            entries.append((str(p), st.st_size if st else None, st.st_mtime_ns if st else None))
    return digest([entries, extra])


def demand_fingerprint(wh: Any, granularity: str, *params: object, panel: str = "ads") -> str:
    """Demand panel ``panel`` at ``granularity`` (a hash of its rows), and ``params``."""
    from skilltide.forecast.demand_panel import demand_rows

    row = demand_rows(wh, panel, granularity)
    named = [] if panel == "ads" else [panel]  # as before for 'ads': no stage redone
    return digest(["demand", granularity, *row, *params, *named])


def graph_fingerprint(wh: Any, settings: object) -> str:
    """The rows a network is built from (ads' skills and occupations, O*NET ratings,
    WORKBank), and the ``[graph]`` settings."""
    inputs = {
        "ad_skills": "ad_id, skill_id",
        "ads": "ad_id, occupation",
        "onet_ratings": "onetsoc_code, element_id, scale_id, data_value",
        "workbank_occupations": "onetsoc_code, mean_desire, mean_capability",
    }
    parts: list[object] = [settings]
    for table, columns in inputs.items():
        if wh.has_table(table):
            parts.append(
                wh.con.execute(
                    f"SELECT count(*), coalesce(sum(hash({columns})::HUGEINT), 0) FROM {table}"
                ).fetchall()[0]
            )
    return digest(parts)


def report_fingerprint(wh: Any, title: object, granularity: object, panel: str = "ads") -> str:
    """The other stages' fingerprints, but the ingest stages' (file times and sizes: a
    touched file is read again; every change they store reaches the report through
    ``demand:ads``' own), and the report's settings."""
    rows = wh.con.execute(
        "SELECT stage, fingerprint FROM pipeline_state"
        " WHERE stage <> 'report' AND stage NOT LIKE 'ingest:%' ORDER BY 1"
    ).fetchall()
    # an imported panel reaches the report through no stage: its rows are part of it
    named = [] if panel == "ads" else [demand_fingerprint(wh, str(granularity), panel=panel)]
    return digest([rows, title, granularity, *named])
