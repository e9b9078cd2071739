"""Whether a forecast run is older than the demand it forecast.

``forecast run`` records the runs whose ``demand`` rows it read (``notes.inputs.demand_runs``);
``ingest ads`` rewrites the months whose ads changed under its own run id, and ``ingest
demand`` the whole panel, so a forecast whose recorded runs are not the ones the panel holds
now was made from other data (a forecast from before new ads arrived) — unless the rows hold
the same values (``notes.inputs.demand_rows``): a recode or a crosswalk rewrites the months of
the ads it moved between occupations, and the market's counts stay as they were.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
>>> stale_forecast(wh, "no-such-run", "ads", "market") is None
True
"""

from __future__ import annotations

import json

from skilltide.forecast.demand_panel import demand_rows
from skilltide.store import Warehouse


def stale_forecast(wh: Warehouse, run_id: str, panel: str, granularity: str) -> dict | None:
    """``{"run_id", "demand_run"}`` (the newest run that wrote the panel's rows) when the
    forecast run ``run_id`` read other demand rows than the panel holds now; ``None`` when it
    read these, or when it recorded no inputs (runs before the record was kept)."""
    notes = wh.query("SELECT notes FROM runs WHERE run_id = ?", [run_id])
    if notes.height == 0 or notes["notes"][0] is None:
        return None
    inputs = json.loads(notes["notes"][0]).get("inputs") or {}
    read, rows = inputs.get("demand_runs"), inputs.get("demand_rows")
    if read is None:
        return None
    now = wh.query(
        "SELECT DISTINCT run_id FROM demand WHERE panel = ? AND granularity = ? ORDER BY 1",
        [panel, granularity],
    )["run_id"].to_list()
    # the rows' values when recorded (since late 2026-12-07: a recode rewrites rows with the
    # same values under its run), else the runs that wrote them
    same = rows == demand_rows(wh, panel, granularity) if rows is not None else sorted(read) == now
    return None if same else {"run_id": run_id, "demand_run": now[-1] if now else None}
