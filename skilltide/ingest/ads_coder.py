"""Which title coder codes the warehouse's ads: one model for all of them, with its build.

Ads without a mapped occupation column are coded from their title
(:func:`skilltide.ingest.ad_occupations.occupations`). So that occupation panels never mix coders,
one model codes every ad of a warehouse: ``lexical`` (the default, in the base install),
``static`` or ``embed`` (the keys of :data:`skilltide.onet.coder.CODER_TABLES`). The table
``ads_coder`` (migration 0015) records the model and the coder build (the ``run_id`` of the
stored coder) that coded the stored ads, and how it read their titles (migration 0016,
:data:`~skilltide.onet.coder_normalise.READING`); no row is the lexical coder, as before the
table.

:func:`choose` picks the coder of an ingest (``ingest ads --coder MODEL``, ``[ingest] coder``
in ``skilltide run``; default: the recorded model) and builds it when it is not stored;
:func:`apply`, in the ingest's run, codes the stored ads again when that coder is not the one
recorded (another model, a newer build, or a newer way of reading titles: an upgrade codes
the stored ads again once) and records it, so a failed run leaves both as they were.
``onet build-coder`` of the ads' model codes them again too (:func:`record`).

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> with Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb") as wh:
...     ads_model(wh.con), recorded(wh.con)
('lexical', None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skilltide.errors import UserError
from skilltide.onet.coder_normalise import READING
from skilltide.store import Warehouse, utc_now

DEFAULT = "lexical"


@dataclass
class AdsCoder:
    """The model chosen to code the ads and its loaded coder (None: none stored)."""

    model: str
    coder: Any

    @property
    def run(self) -> str | None:
        """The build that made the coder (its ``run_id``), None without one."""
        return getattr(self.coder, "run_id", None)


def recorded(con) -> tuple[str, str | None, int] | None:
    """``(model, coder_run, reading)`` recorded for the stored ads; None when nothing is."""
    rows = con.execute("SELECT model, coder_run, reading FROM ads_coder LIMIT 1").fetchall()
    return None if not rows else (rows[0][0], rows[0][1], rows[0][2] or 1)


def ads_model(con) -> str:
    """The model that codes the warehouse's ads (lexical when none is recorded)."""
    found = recorded(con)
    return DEFAULT if found is None else found[0]


def record(run: Any, model: str, coder_run: str | None) -> None:
    """Record, in ``run``, that ``model``'s build ``coder_run`` coded the stored ads."""
    run.con.execute("DELETE FROM ads_coder")
    run.con.execute(
        "INSERT INTO ads_coder (model, coder_run, updated_at, run_id, reading)"
        " VALUES (?, ?, ?, ?, ?)",
        [model, coder_run, utc_now(), run.run_id, READING],
    )


def choose(wh: Warehouse, model: str | None = None) -> AdsCoder:
    """The coder an ingest codes ads with: ``model``, else the recorded one, else lexical.

    The recorded lexical coder is loaded as ingest always did (none stored: ads are not coded;
    ``onet build-coder`` codes them later). Another model, or a switch to lexical, is built
    first when it is not stored (``onet load`` removes a static or embed coder of old titles).
    """
    from skilltide.onet.coder import check_coder_model, ensure_coder, load_coder

    current = ads_model(wh.con)
    chosen = model or current
    check_coder_model(chosen)
    if chosen == DEFAULT == current:
        try:
            return AdsCoder(chosen, load_coder(wh))
        except UserError:  # an unreadable stored coder: ads uncoded, as before
            return AdsCoder(chosen, None)
    try:
        return AdsCoder(chosen, ensure_coder(wh, chosen))
    except UserError as exc:
        if model is not None:  # asked for: its own error says what to do
            raise
        raise UserError(
            f"{exc} (the warehouse's ads are coded with the {chosen} title coder; "
            f"`skilltide ingest ads --coder {DEFAULT} …` codes them with the {DEFAULT} one)"
        ) from None


def is_current(wh: Warehouse, model: str | None = None) -> bool:
    """Whether the stored ads are coded by ``model`` (default: the recorded one) as stored
    now: False when another model was asked for or the model's coder was rebuilt (or removed
    by ``onet load``, to be rebuilt)."""
    from skilltide.onet.coder import coder_run

    chosen = model or ads_model(wh.con)
    run = coder_run(wh, chosen)
    return _before(wh.con, chosen, run) == (chosen, run, READING)


def _before(con, model: str, run: str | None) -> tuple[str, str | None, int]:
    found = recorded(con)
    if found is not None:
        return found
    # Nothing recorded (every warehouse before migration 0015): each lexical build coded the
    # stored ads again, so they are coded by the lexical coder stored now, read as before.
    return (DEFAULT, run if model == DEFAULT else None, 1)


def apply(run: Any, chosen: AdsCoder) -> dict[str, int] | None:
    """In the ingest's ``run``: code the stored ads again with ``chosen`` when they were coded
    by another model or build, and record it. Returns the recode's counts (None: current).
    (Mapped values stored before an upgrade are read as now by every ingest:
    :func:`~skilltide.ingest.occupation_codes.normalise_stored`.)"""
    from skilltide.ingest.recode import recode_stored_ads

    if _before(run.con, chosen.model, chosen.run) == (chosen.model, chosen.run, READING):
        return None
    counts = None if chosen.coder is None else recode_stored_ads(run, chosen.coder)
    record(run, chosen.model, chosen.run)
    return counts


def switch(wh: Warehouse, chosen: AdsCoder) -> dict[str, Any] | None:
    """:func:`apply` in a run of its own (``skilltide run`` before its ingest stages: its
    files are ingested one transaction each). None when the ads are coded by ``chosen``."""
    if _before(wh.con, chosen.model, chosen.run) == (chosen.model, chosen.run, READING):
        return None
    with wh.run("ingest coder", {"model": chosen.model}) as run:
        counts = apply(run, chosen)
        run.notes.update({"coder_model": chosen.model, "coder_run": chosen.run})
        run.notes["recoded"] = counts
    return {"coder_model": chosen.model, "coder_run": chosen.run, "recoded": counts}


def describe(wh: Warehouse) -> dict[str, Any]:
    """What ``skilltide status`` says of the ads' coder: model, build, whether recorded."""
    found = recorded(wh.con)
    if found is None:
        from skilltide.onet.coder import coder_run

        return {"model": DEFAULT, "coder_run": coder_run(wh, DEFAULT), "recorded": False}
    return {"model": found[0], "coder_run": found[1], "recorded": True}
