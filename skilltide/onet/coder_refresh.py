"""Keep the stored title coders in step with O*NET loads.

An ``onet load`` (or ``download --load``) that changes the coder's training titles rebuilds the
stored lexical coder with the options it was built with (:func:`refresh_coder`) and removes the
release's embedding and static coders (:func:`drop_stale_sentence_coders`), which are rebuilt
on their next use. A rebuild that was stopped after its load committed is done by the next load.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> with Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb") as wh:
...     stored_coder_params(wh) is None
True
"""

from __future__ import annotations

import json

from skilltide.onet.coder import (
    CODER_TABLES,
    EMBEDDING_MODELS,
    build_coder,
    newest_first,
    source_release,
)
from skilltide.onet.coder_params import CoderParams
from skilltide.store import Warehouse

# The O*NET tables of the coder's training titles and context (the views of SOURCE_VIEWS).
CODER_INPUTS = frozenset(
    {
        "onet_occupation_data",
        "onet_alternate_titles",
        "onet_sample_of_reported_titles",
        "onet_task_statements",
    }
)


def refresh_coder(wh: Warehouse, load_summary: dict) -> dict | None:
    """After an O*NET load that changed the coder's titles, rebuild the stored lexical coder
    with the options it was built with (``--rerank``, ``--linear``), as ``skilltide run``
    does; otherwise ``code-titles`` and ingest would go on with the coder of the old titles,
    or with none for a new release. None when no coder is stored or nothing it reads changed.
    """
    changed = {f["table"] for f in load_summary["files"] if f["status"] == "loaded"}
    stored = stored_coder_params(wh)
    release = source_release(wh)
    if stored is None or release is None:
        return None
    if not changed & CODER_INPUTS and not _built_before_its_titles(wh, release):
        return None
    params = CoderParams(rerank=bool(stored.get("rerank")), linear=float(stored.get("linear", 0)))
    return build_coder(wh, params)


def _built_before_its_titles(wh: Warehouse, release: str, model: str = "lexical") -> bool:
    """Whether the release's ``model`` coder was last built (or found current) before the last
    load of its titles: that load's rebuild (or removal) was stopped or failed after the load
    committed, and loading the now unchanged files again would leave the old coder in place."""
    row = wh.con.execute(
        f"SELECT max(r.started) > ({_last_built(model)}) FROM onet_files f"
        " JOIN runs r USING (run_id) WHERE f.release = $r AND list_contains($t, f.table_name)",
        {"r": release, "t": sorted(CODER_INPUTS)},
    ).fetchone()
    return bool(row and row[0])


def _last_built(model: str) -> str:
    """SQL: when the release's ``model`` coder was last built or found current. Times from
    the run log only: coders stored by earlier versions have built_at in the machine's time
    zone (DuckDB's current_timestamp), and east of UTC would look built after a later load."""
    return (
        f"SELECT max(t) FROM (SELECT r.started AS t FROM {CODER_TABLES[model]} c"
        " JOIN runs r USING (run_id) WHERE c.release = $r UNION ALL SELECT started FROM runs"
        " WHERE command = 'onet build-coder' AND status = 'success'"
        f" AND args->>'model' = '{model}' AND args->>'release' = $r)"
    )


def drop_stale_sentence_coders(wh: Warehouse, load_summary: dict, lexical: dict | None) -> dict:
    """After an O*NET load that changed the coder's titles, remove the release's stored
    coders built with the sentence model (``embed`` and ``static``): they were fitted on the
    old titles. Rebuilding one takes minutes and needs the ``embed`` extra, so it is rebuilt on
    its next use instead (``code-titles --model embed``, ``--model static``). A coder is kept
    when the lexical coder, rebuilt from the same titles, was reused: then nothing it read
    changed. It is also removed by a load that changed nothing when it was built before the
    last load of its titles (that load's removal was stopped or failed, or its lexical rebuild
    was stopped and done by ``build-coder``). Returns the load summary's
    ``embed_coder_removed`` and ``static_coder_removed`` (True: removed)."""
    return {
        f"{model}_coder_removed": _drop_stale_coder(wh, load_summary, lexical, model)
        for model in EMBEDDING_MODELS
    }


def _drop_stale_coder(wh: Warehouse, load_summary: dict, lexical: dict | None, model: str) -> bool:
    """:func:`drop_stale_sentence_coders` for one ``model``."""
    changed = bool(
        {f["table"] for f in load_summary["files"] if f["status"] == "loaded"} & CODER_INPUTS
    )
    release = source_release(wh)
    table = CODER_TABLES[model]
    if release is None or not wh.has_table(table):
        return False
    stored = wh.con.execute(f"SELECT count(*) FROM {table} WHERE release = ?", [release])
    if not stored.fetchone()[0]:  # nothing to remove: no run (an empty one would log a removal)
        return False
    reused = lexical is not None and bool(lexical.get("reused"))
    if changed and reused:
        return False
    # a lexical coder rebuilt because an earlier load's rebuild was stopped: titles changed
    rebuilt = lexical is not None and not reused
    if not (changed or rebuilt or _built_before_its_titles(wh, release, model)):
        return False
    with wh.run(f"onet drop-{model}-coder", {"release": release}) as run:
        removed = run.con.execute(
            f"DELETE FROM {table} WHERE release = ? RETURNING release", [release]
        ).fetchall()
        run.notes["removed"] = len(removed)
    return bool(removed)


def stored_coder_params(wh: Warehouse) -> dict | None:
    """The parameters the newest stored lexical coder was built with (None: no coder)."""
    table = CODER_TABLES["lexical"]
    if not wh.has_table(table):
        return None
    row = wh.con.execute(f"SELECT params FROM {table}{newest_first(table)} LIMIT 1").fetchone()
    return json.loads(row[0]) if row else None
