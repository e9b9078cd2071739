"""Whether a forecast or breaks run is older than the demand it read.

``forecast run`` and ``breaks detect`` record the runs whose ``demand`` rows they read
(``notes.inputs.demand_runs``) and what those rows held (``notes.inputs.demand_rows``);
``ingest ads`` rewrites the months whose ads changed under its own run id, and ``ingest
demand`` the whole panel. A run whose rows no longer hold those values was made from other
data (a forecast from before new ads arrived), and a report does not show its results as
current. The runs alone decide for runs from before the values were recorded: a recode or a
crosswalk rewrites the months of the ads it moved between occupations, and the market's
counts stay as they were.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
>>> stale_run(wh, "no-such-run", "ads", "market") is None
True
"""

from __future__ import annotations

import json

from skilltide.store import Warehouse


def stale_run(
    wh: Warehouse, run_id: str, panel: str, granularity: str, held: list[int] | None = None
) -> dict | None:
    """``{"run_id", "demand_run"}`` (the newest run that wrote the panel's rows) when the
    run ``run_id`` read other demand rows than the panel holds now; ``None`` when it read
    these, or when it recorded no inputs (runs before the record was kept). ``held``: the
    panel's :func:`~skilltide.forecast.demand_panel.demand_rows`, if already computed."""
    from skilltide.forecast.demand_panel import demand_rows  # a cycle through forecast.panel

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
    if rows is not None:
        same = rows == (held if held is not None else demand_rows(wh, panel, granularity))
    else:
        same = sorted(read) == now
    return None if same else {"run_id": run_id, "demand_run": now[-1] if now else None}
