"""WORKBank (Shao et al. 2025, arXiv 2506.06576): automation desire, capability, human agency.

:func:`load_workbank` reads the four CSV files of a WORKBank folder into typed tables
(:mod:`skilltide.onet.workbank_files`) and derives, in SQL:

``workbank_tasks``  per O*NET task rated by workers: mean worker Automation Desire, mean
    expert Automation Capacity, rating counts, the dominant (modal) Human Agency Scale level of
    workers and of experts, and the zone of the paper: desire >= 3 and capability >= 3 →
    ``green_light``; desire < 3, capability >= 3 → ``red_light``; desire >= 3, capability < 3
    → ``rnd_opportunity``; both < 3 → ``low_priority``.
``workbank_occupations``  per occupation: zone shares, mean desire and capability (means of
    the task means), the distribution of worker HAS ratings and the dominant worker HAS level.

"Dominant" is the mode of the ratings; a tie goes to the lower level (more automation). That
rule, applied to all worker ratings of an occupation, reproduces the paper's count of
occupations per dominant worker HAS level (H1–H5 = 2 / 37 / 47 / 17 / 1); ties to the higher
level give 1 / 35 / 48 / 18 / 2, and a mode of task-level modes gives neither.

Example
-------
>>> from skilltide.store import Warehouse
>>> wh = Warehouse("w.duckdb")  # doctest: +SKIP
>>> load_workbank(wh, "../shared/data/workbank")["tasks"]  # doctest: +SKIP
844
>>> workbank_summary(wh)["zones"]  # doctest: +SKIP
{'green_light': 364, 'red_light': 267, 'rnd_opportunity': 107, 'low_priority': 106}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl

from skilltide import __version__
from skilltide.errors import UserError
from skilltide.onet.workbank_files import FILES, WorkbankFile, wb_column_name
from skilltide.provenance import sha256_file
from skilltide.store import Warehouse, append, frame
from skilltide.textfile import ragged_record, read_utf8

ZONES = ("green_light", "red_light", "rnd_opportunity", "low_priority")
_TRUE = ("true", "t", "yes", "1")
_FALSE = ("false", "f", "no", "0")


def read_workbank_file(path: Path, spec: WorkbankFile) -> pl.DataFrame:
    """One WORKBank CSV, header checked, typed; errors name the file, line and column."""
    read_utf8(path)  # a bad byte: its line, named
    ragged = ragged_record(path)  # before polars, which names neither a short nor a long row
    if ragged:
        raise UserError(f"{path}: line {ragged.line}: {ragged.describe()}")
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as exc:
        raise UserError(f"{path}: not a readable UTF-8 CSV file: {exc}") from None
    missing = [o for o, _ in spec.columns if o not in raw.columns]
    if missing:
        raise UserError(f"{path}: column {missing[0]!r} is missing from the header")
    exprs = []
    for official, kind in spec.columns:
        text = pl.col(official).str.strip_chars()
        text = pl.when(text == "").then(None).otherwise(text)
        if kind in ("int", "scale"):
            value = text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
        elif kind == "float":
            value = text.cast(pl.Float64, strict=False)
        elif kind == "bool":
            low = text.str.to_lowercase()
            value = pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
        elif kind == "ymd":
            value = text.str.to_date("%Y/%m/%d", strict=False)
        elif kind == "month":
            value = ("01/" + text).str.to_date("%d/%m/%Y", strict=False)
        else:
            value = pl.col(official)
        exprs.append(value.alias(wb_column_name(official)))
    out = raw.select(exprs)
    for official, kind in spec.columns:
        if kind == "str":
            continue
        name = wb_column_name(official)
        failed = raw[official].str.strip_chars().ne("") & out[name].is_null()
        if failed.any():
            row = failed.arg_true()[0]
            raise UserError(
                f"{path}: line {row + 2}, column {official!r}: "
                f"{raw[official][row]!r} is not a valid {kind} value"
            )
        if kind == "scale":  # a 9 would shift means, zones and HAS shares silently
            outside = ~out[name].is_between(1, 5)
            if outside.any():
                row = outside.arg_true()[0]
                raise UserError(
                    f"{path}: line {row + 2}, column {official!r}: {raw[official][row]!r} "
                    "is not on the survey's 1-5 scale"
                )
    # A blank line (or one of spaces) is an empty row to polars, not a rating: left out.
    blank = pl.all_horizontal(pl.all().str.strip_chars().fill_null("") == "")
    return out.filter(~raw.select(blank).to_series())


_TASKS_SQL = """
WITH worker AS (
    SELECT task_id, any_value(occupation_title) AS occupation_title, any_value(task) AS task,
           avg(automation_desire_rating) AS mean_desire, count(*) AS n_worker_ratings,
           avg(human_agency_scale_rating) AS mean_worker_has
    FROM workbank_worker_ratings GROUP BY task_id),
worker_has AS (
    SELECT task_id, arg_max(h, n * 10 - h) AS worker_has FROM (
        SELECT task_id, human_agency_scale_rating AS h, count(*) AS n
        FROM workbank_worker_ratings GROUP BY ALL) GROUP BY task_id),
expert AS (
    SELECT task_id, avg(automation_capacity_rating) AS mean_capability,
           count(*) AS n_expert_ratings FROM workbank_expert_ratings GROUP BY task_id),
expert_has AS (
    SELECT task_id, arg_max(h, n * 10 - h) AS expert_has FROM (
        SELECT task_id, human_agency_scale_rating AS h, count(*) AS n
        FROM workbank_expert_ratings GROUP BY ALL) GROUP BY task_id),
codes AS (
    SELECT task_id, min(onetsoc_code) AS onetsoc_code FROM workbank_task_metadata
    GROUP BY task_id)
SELECT w.task_id, c.onetsoc_code, w.occupation_title, w.task, w.mean_desire,
       e.mean_capability, w.n_worker_ratings, coalesce(e.n_expert_ratings, 0) AS n_expert_ratings,
       wh.worker_has, eh.expert_has, w.mean_worker_has,
       CASE WHEN e.mean_capability IS NULL THEN NULL
            WHEN w.mean_desire >= 3 AND e.mean_capability >= 3 THEN 'green_light'
            WHEN w.mean_desire < 3 AND e.mean_capability >= 3 THEN 'red_light'
            WHEN w.mean_desire >= 3 THEN 'rnd_opportunity'
            ELSE 'low_priority' END AS zone,
       ? AS run_id
FROM worker w JOIN worker_has wh USING (task_id)
LEFT JOIN expert e USING (task_id) LEFT JOIN expert_has eh USING (task_id)
LEFT JOIN codes c USING (task_id)
ORDER BY w.task_id
"""

_OCCUPATIONS_SQL = """
WITH tasks AS (
    SELECT occupation_title, mode(onetsoc_code) AS onetsoc_code, count(*) AS n_tasks,
           avg((zone = 'green_light')::INT) AS share_green_light,
           avg((zone = 'red_light')::INT) AS share_red_light,
           avg((zone = 'rnd_opportunity')::INT) AS share_rnd_opportunity,
           avg((zone = 'low_priority')::INT) AS share_low_priority,
           avg(mean_desire) AS mean_desire, avg(mean_capability) AS mean_capability
    FROM workbank_tasks GROUP BY occupation_title),
ratings AS (
    SELECT occupation_title, avg(human_agency_scale_rating) AS mean_worker_has,
           avg((human_agency_scale_rating = 1)::INT) AS share_worker_h1,
           avg((human_agency_scale_rating = 2)::INT) AS share_worker_h2,
           avg((human_agency_scale_rating = 3)::INT) AS share_worker_h3,
           avg((human_agency_scale_rating = 4)::INT) AS share_worker_h4,
           avg((human_agency_scale_rating = 5)::INT) AS share_worker_h5
    FROM workbank_worker_ratings GROUP BY occupation_title),
dominant AS (
    SELECT occupation_title, arg_max(h, n * 10 - h) AS dominant_worker_has FROM (
        SELECT occupation_title, human_agency_scale_rating AS h, count(*) AS n
        FROM workbank_worker_ratings GROUP BY ALL) GROUP BY occupation_title)
SELECT t.onetsoc_code, t.occupation_title, t.n_tasks, t.share_green_light, t.share_red_light,
       t.share_rnd_opportunity, t.share_low_priority, t.mean_desire, t.mean_capability,
       r.mean_worker_has, d.dominant_worker_has, r.share_worker_h1, r.share_worker_h2,
       r.share_worker_h3, r.share_worker_h4, r.share_worker_h5, ? AS run_id
FROM tasks t JOIN ratings r USING (occupation_title) JOIN dominant d USING (occupation_title)
ORDER BY t.occupation_title
"""


def check_folder(folder: str | Path) -> Path:
    """``folder`` if it holds every WORKBank file, else the error :func:`load_workbank` gives
    (``skilltide run`` checks its ``[workbank] dir`` so, before its first stage)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder (give the folder with the WORKBank CSV files)")
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise UserError(
            f"{folder}: {missing[0]} is missing (a WORKBank folder has {', '.join(FILES)})"
        )
    return folder


def load_workbank(wh: Warehouse, folder: str | Path) -> dict[str, Any]:
    """Load a WORKBank folder (replacing any earlier load) and derive tasks and occupations."""
    folder = check_folder(folder)
    checksums = {name: sha256_file(folder / name) for name in FILES}
    loaded = _loaded_from(wh.con)
    current = {"sha256": checksums, "derivation": DERIVATION, "version": __version__}
    if loaded is not None and loaded[1] == current:
        # The same files, read and derived the same way: nothing to rewrite (as `onet load`).
        summary = _summary(wh.con)
        return {
            "run_id": loaded[0],
            "unchanged": True,
            **summary,
            "onet_match": _onet_match(wh.con),
        }
    frames = {spec.table: read_workbank_file(folder / name, spec) for name, spec in FILES.items()}
    with wh.run("workbank load", {"folder": str(Path(folder).resolve())}) as run:
        for table, data in frames.items():
            run.con.execute(f"DELETE FROM {table}")
            run.count(
                table, append(run.con, table, data.with_columns(pl.lit(run.run_id).alias("run_id")))
            )
        for table, sql in (
            ("workbank_tasks", _TASKS_SQL),
            ("workbank_occupations", _OCCUPATIONS_SQL),
        ):
            run.con.execute(f"DELETE FROM {table}")
            run.con.execute(f"INSERT INTO {table} BY NAME {sql}", [run.run_id])
            run.count(table, run.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        run.notes["sha256"] = checksums
        run.notes["derivation"] = DERIVATION
        run.notes["onet_match"] = onet_match = _onet_match(run.con)
        summary = _summary(run.con)
        return {"run_id": run.run_id, "unchanged": False, **summary, "onet_match": onet_match}


def _loaded_from(con) -> tuple[str, dict] | None:
    """The run that loaded the stored WORKBank tables, its files' checksums, derivation and
    skilltide version (None when nothing is loaded)."""
    row = con.execute(
        "SELECT r.run_id, r.notes, r.skilltide_version FROM runs r"
        " WHERE r.run_id = (SELECT any_value(run_id) FROM workbank_tasks)"
    ).fetchone()
    if row is None or row[1] is None:
        return None
    notes = json.loads(row[1])
    found = {"sha256": notes.get("sha256"), "derivation": notes.get("derivation")}
    return row[0], {**found, "version": row[2]}


# Changes with the SQL that derives the tasks and occupations. The files' parsing and typing
# (read_workbank_file) is Python: a load by another skilltide version is redone, not reused.
DERIVATION = hashlib.sha256((_TASKS_SQL + _OCCUPATIONS_SQL).encode()).hexdigest()[:16]


def _onet_match(con) -> dict[str, int] | None:
    """How many WORKBank tasks and occupations the loaded O*NET release knows (by Task ID and
    code, by code and title); None when no O*NET release is loaded."""
    if con.execute("SELECT count(*) FROM task_statements").fetchone()[0] == 0:
        return None
    tasks = con.execute(
        "SELECT count(*) FROM workbank_tasks w JOIN task_statements t "
        "ON t.task_id = w.task_id AND t.onetsoc_code = w.onetsoc_code"
    ).fetchone()[0]
    occupations = con.execute(
        "SELECT count(*) FROM workbank_occupations w JOIN occupations o "
        "ON o.onetsoc_code = w.onetsoc_code AND o.title = w.occupation_title"
    ).fetchone()[0]
    return {"tasks": tasks, "occupations": occupations}


def workbank_summary(wh: Warehouse) -> dict[str, Any]:
    """The headline figures of the loaded WORKBank (the JSON of ``workbank summary``)."""
    if wh.con.execute("SELECT count(*) FROM workbank_tasks").fetchone()[0] == 0:
        raise UserError(f"{wh.path}: no WORKBank data loaded (run `skilltide workbank load DIR`)")
    return _summary(wh.con)


def _summary(con) -> dict[str, Any]:
    tasks = frame(con, "SELECT mean_desire, zone FROM workbank_tasks")
    zones = dict(tasks.group_by("zone").len().iter_rows())
    has = dict(
        frame(
            con, "SELECT dominant_worker_has, count(*) FROM workbank_occupations GROUP BY ALL"
        ).iter_rows()
    )
    return {
        "tasks": tasks.height,
        "occupations": con.execute("SELECT count(*) FROM workbank_occupations").fetchone()[0],
        "zones": {zone: int(zones.get(zone, 0)) for zone in ZONES},
        # a task without an expert rating has no zone; counted, so the zones add up
        "tasks_without_zone": int(zones.get(None, 0)),
        "desire_above_3_share": round(float((tasks["mean_desire"] > 3).mean()), 4),
        "dominant_worker_has_by_occupation": {f"H{h}": int(has.get(h, 0)) for h in range(1, 6)},
    }
