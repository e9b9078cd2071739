"""What a warehouse holds, for ``skilltide status``: schema version, rows per table, the
demand panels with their breaks and forecasts, last runs.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> with Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb") as wh:
...     summary = status(wh)
>>> summary["runs"], summary["tables"]["ads"], summary["panels"]
([], 0, [])
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
        "panels": panels(wh),
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


def panels(wh: Warehouse) -> list[dict[str, Any]]:
    """Each demand panel and granularity: its groups, skills, rows and months, its unit
    (``None``: counts of ads), and its newest breaks and forecast runs, each ``current``
    unless it read other demand than the panel holds now."""
    from skilltide.forecast.breaks_store import latest_breaks_run
    from skilltide.forecast.demand_panel import demand_rows
    from skilltide.forecast.freshness import stale_run

    frame = wh.query(
        # no count of distinct series: on a million ads (7.8M company series) it took
        # status from 3 s to 8 s and 1.6 GB
        """SELECT d.panel, d.granularity, count(DISTINCT d.group_id) AS groups,
                  count(DISTINCT d.skill_id) AS skills, count(*) AS rows,
                  strftime(min(d.month), '%Y-%m') AS first_month,
                  strftime(max(d.month), '%Y-%m') AS last_month, any_value(u.unit) AS unit
           FROM demand d LEFT JOIN demand_units u USING (panel, granularity)
           GROUP BY ALL ORDER BY d.panel, d.granularity"""
    )
    out = []
    for row in frame.iter_rows(named=True):
        key = (row["panel"], row["granularity"])
        breaks = latest_breaks_run(wh, *key)
        forecast = wh.query(
            "SELECT run_id, strftime(max(cutoff), '%Y-%m') AS cutoff, strftime(max(ds), '%Y-%m')"
            " AS last FROM forecasts WHERE panel = ? AND granularity = ?"
            " GROUP BY run_id ORDER BY run_id DESC LIMIT 1",
            list(key),
        )
        forecast = None if forecast.height == 0 else forecast.row(0, named=True)
        # what the rows hold, hashed once for both checks (14.6M rows for ads' companies)
        held = demand_rows(wh, *key) if breaks or forecast else None
        if breaks is not None:
            n = wh.query("SELECT count(*) AS n FROM breaks WHERE run_id = ?", [breaks])["n"][0]
            breaks = {
                "run_id": breaks,
                "breaks": int(n),
                "current": not stale_run(wh, breaks, *key, held=held),
            }
        if forecast is not None:
            forecast["current"] = not stale_run(wh, forecast["run_id"], *key, held=held)
        out.append({**row, "breaks": breaks, "forecast": forecast})
    return out


def panel_lines(panels: list[dict[str, Any]]) -> list[str]:
    """One line per panel of :func:`panels`, for people: what it holds, and whether its
    breaks and forecast are current (with the command that makes them so)."""
    lines = []
    for p in panels:
        option = _options(p)
        unit = "" if p["unit"] is None else f" in {p['unit']}"
        line = (
            f"{p['panel']} ({p['granularity']}): {_n(p['skills'], 'skill')} in "
            f"{_n(p['groups'], 'group')}{unit}, {p['first_month']} to {p['last_month']}, "
            f"{_n(p['rows'], 'row')}"
        )
        if (b := p["breaks"]) is None:
            line += "; breaks not detected"
        else:
            line += f"; {_n(b['breaks'], 'break')} (run {b['run_id']}"
            line += ")" if b["current"] else f", older demand: `skilltide breaks detect{option}`)"
        if (f := p["forecast"]) is None:
            line += "; no forecast"
        else:
            line += f"; forecast to {f['last']} from data to {f['cutoff']} (run {f['run_id']}"
            line += ")" if f["current"] else f", older demand: `skilltide forecast run{option}`)"
        lines.append(line)
    return lines


def _n(n: int, noun: str) -> str:
    return f"{n:,} {noun if n == 1 or noun.endswith('s') else noun + 's'}"


def _options(p: dict[str, Any]) -> str:
    panel = "" if p["panel"] == "ads" else f" --panel {p['panel']}"
    return f"{panel} --granularity {p['granularity']}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"
