"""The O*NET stage of ``skilltide run``: load the releases, then build the title coders.

The lexical coder is built once per release (with the re-ranker when ``[onet] rerank`` says
so, else as the stored coder was built); a stale embedding or static coder is removed; the
model that codes the ads (``[ingest] coder``), when it is not the lexical one and not stored,
is built here too, so that the first ingest stage does not spend minutes on it.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
>>> onet_stage(wh, [], None, "lexical")  # as `skilltide run` with [onet] dirs = []
Traceback (most recent call last):
skilltide.errors.UserError: give at least one O*NET release folder
>>> wh.close()
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def onet_stage(wh, dirs: Sequence[Path], rerank: bool | None, ads_model: str) -> dict:
    """Load ``dirs`` and build the coders; returns the stage's summary (JSON-able)."""
    from skilltide.onet.coder import build_coder, coder_run, source_release
    from skilltide.onet.coder_params import CoderParams
    from skilltide.onet.coder_refresh import drop_stale_sentence_coders, stored_coder_params
    from skilltide.onet.load import load_onet

    summary = load_onet(wh, list(dirs))
    if source_release(wh) is None:  # Excel ratings only: no titles to code from
        summary["coder"] = "not built: no O*NET occupation titles (Occupation Data) loaded"
        return summary
    stored = stored_coder_params(wh) or {}
    if rerank is None:
        rerank = bool(stored.get("rerank", False))
    linear = float(stored.get("linear", 0.0))  # a coder built with --linear stays so
    summary["coder"] = build_coder(wh, CoderParams(rerank=rerank, linear=linear))
    summary |= drop_stale_sentence_coders(wh, summary, summary["coder"])
    if ads_model != "lexical" and coder_run(wh, ads_model) is None:
        summary["ads_coder"] = build_coder(wh, model=ads_model)
    return summary
