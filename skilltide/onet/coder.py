"""Build, store and use the title → O*NET-SOC coder of the warehouse.

The coder is built once per O*NET release from the warehouse views ``occupations``,
``alternate_titles`` and ``reported_titles`` (:func:`build_coder`), stored in the
``title_coders`` table with the release, a hash of what it was built from and its held-out
calibration, and read back by :func:`load_coder` (the ingest stage codes ads without an
occupation column with it) and :func:`code_titles` (``skilltide onet code-titles``).

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> with Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb") as wh:
...     load_coder(wh) is None
True
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.onet.coder_calibration import calibrate_temperature
from skilltide.onet.coder_examples import context_texts, training_examples
from skilltide.onet.coder_hash import coder_build_hash
from skilltide.onet.coder_levels import check_level, predict_at
from skilltide.onet.coder_model import FORMAT_VERSION, TitleCoder
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_rerank import CandidateReranker
from skilltide.store import Warehouse, append, frame, utc_now

SOURCE_VIEWS = ("occupations", "alternate_titles", "reported_titles")
# Coder name -> the table it is stored in. "embed" needs the optional extra
# (:mod:`skilltide.onet.coder_embed`, ``pip install 'skilltide[embed]'``); "static" needs it
# to build (:mod:`skilltide.onet.coder_static_fit`), only its ``tokenizers`` to code.
CODER_TABLES = {
    "lexical": "title_coders",
    "embed": "embed_title_coders",
    "static": "static_title_coders",
}
# The coders with sentence-model scores (stored with the model's name).
EMBEDDING_MODELS = ("embed", "static")
_NO_ONET = "no O*NET occupations in the warehouse: run `skilltide onet load DIR` first"


def holdout_split(examples: pl.DataFrame, share: int = 10) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off about 1/``share`` of the alternate titles (by a hash of the text) for calibration.

    Deterministic: the same title always falls on the same side.
    """
    bucket = pl.col("title").hash(seed=20261123) % share
    held = examples.filter((pl.col("kind") == "alternate") & (bucket == 0))
    # As in the benchmark protocol, a held-out string is not left in training in another
    # role (an alternate title that is also a short title or a part).
    keys = held.select(_key("title"))["title"].implode()
    return examples.filter(~_key("title").is_in(keys)), held


def _key(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def fit_coder(
    examples: pl.DataFrame,
    params: CoderParams | None = None,
    context: pl.DataFrame | None = None,
) -> tuple[TitleCoder, dict]:
    """Calibrate the temperature and fit the re-ranker on held-out alternate titles, then
    fit on all examples (the re-ranker keeps its weights, its word tables are recounted).

    ``context`` (from :func:`context_texts`) adds task and description word evidence.

    Returns the coder and its calibration facts (held-out top-1 accuracy, ECE before and
    after, the temperature).
    """
    params = replace(params) if params is not None else CoderParams()
    train, held = holdout_split(examples)
    probe = TitleCoder(params).fit(train, context)
    titles, codes = held["title"].to_list(), held["onetsoc_code"].to_list()
    calibration = calibrate_temperature(probe, titles, codes)
    params.temperature = calibration["temperature"]
    refit = partial(TitleCoder(params).fit, examples, context)
    return rerank_and_refit(probe, refit, titles, codes, calibration), calibration


def rerank_and_refit(
    probe: TitleCoder,
    refit: Callable[[], TitleCoder],
    titles: list[str | None],
    codes: list[str],
    calibration: dict,
) -> TitleCoder:
    """The final coder, ``refit()`` on all examples, with the re-ranker fitted on ``probe``'s
    held-out ``titles`` (when ``params.rerank``): it keeps its weights, its word tables are
    recounted on the final coder. The re-ranker's held-out facts go into ``calibration``."""
    p = probe.params
    if not p.rerank:
        return refit()
    reranker = CandidateReranker(p.rerank_candidates, p.rerank_l2, p.rerank_balance)
    calibration.update(reranker.fit_tables(probe).fit(probe, titles, codes))
    coder = refit()
    coder.reranker = reranker.fit_tables(coder)
    return coder


def source_release(wh: Warehouse) -> str | None:
    """The O*NET release the views hold, or None when no occupations are loaded."""
    if not wh.has_table("occupations"):
        return None
    row = wh.con.execute("SELECT max(release), count(*) FROM occupations").fetchone()
    return None if not row or row[1] == 0 else str(row[0])


def build_coder(
    wh: Warehouse,
    params: CoderParams | None = None,
    force: bool = False,
    model: str = "lexical",
    embed=None,
) -> dict:
    """Fit the coder from the warehouse's O*NET views and store it for the release.

    ``model`` is ``lexical`` (the default, no extra dependencies), ``embed`` (the lexical
    coder plus sentence-embedding scores, :mod:`skilltide.onet.coder_embed`; ``embed`` takes
    its :class:`~skilltide.onet.coder_embed.EmbedParams`) or ``static`` (the same scores from
    static token vectors learned from the sentence model, :mod:`skilltide.onet.coder_static`;
    built with the ``embed`` extra, coded without torch). Skips the fit when a coder built
    from the same titles and parameters is stored already (unless ``force``). A new build of
    the model that codes the warehouse's ads (:mod:`skilltide.ingest.ads_coder`) codes the
    stored ads again in its run. Returns a JSON-able summary.
    """
    table = _coder_table(model)
    if model in EMBEDDING_MODELS:
        from skilltide.onet.coder_embed import STATIC_BUILD, EmbedParams, require_embed_extra

        embed = embed or EmbedParams()
        require_embed_extra(
            embed.model, STATIC_BUILD if model == "static" else "the embedding coder"
        )
    release = source_release(wh)
    if release is None:
        raise UserError(_NO_ONET)
    params = params or CoderParams()
    args = {
        "release": release,
        "force": force,
        "model": model,
        "rerank": params.rerank,
        "linear": params.linear,
    }
    with wh.run("onet build-coder", args) as run:
        with run.stage("read titles") as rec:
            examples, context = _examples_from(run.con)
            rec["examples"] = examples.height
            rec["context_texts"] = context.height
        _require_heldout(examples)
        build_hash = coder_build_hash(examples, context, params, embed, model)
        stored = frame(run.con, f"SELECT build_hash FROM {table} WHERE release = ?", [release])
        if not force and stored.height and stored["build_hash"][0] == build_hash:
            run.notes["reused"] = True
            return {
                "release": release,
                "build_hash": build_hash,
                "reused": True,
                "model": model,
                "run_id": run.run_id,
            }
        with run.stage("fit") as rec:
            if model == "embed":
                from skilltide.onet.coder_embed import fit_embed_coder

                coder, calibration = fit_embed_coder(examples, params, context, embed)
            elif model == "static":
                from skilltide.onet.coder_static_fit import fit_static_coder

                coder, calibration = fit_static_coder(examples, params, context, embed=embed)
            else:
                coder, calibration = fit_coder(examples, params, context)
            rec["occupations"] = len(coder.codes)
        run.con.execute(f"DELETE FROM {table} WHERE release = ?", [release])
        extra = {"embed_model": embed.model} if model in EMBEDDING_MODELS else {}
        row = pl.DataFrame(
            [
                {
                    "release": release,
                    **extra,
                    "build_hash": build_hash,
                    "format_version": FORMAT_VERSION,
                    "n_occupations": len(coder.codes),
                    "n_titles": int(coder.title_matrix.shape[0]),
                    "n_features": len(coder.vectorizer.vocabulary),
                    "params": json.dumps(coder.params_dict(), sort_keys=True),
                    "calibration": json.dumps(calibration, sort_keys=True),
                    "model": coder.to_bytes(),
                    "run_id": run.run_id,
                    # UTC like every other time stored (the column's default,
                    # current_timestamp, is in the machine's time zone)
                    "built_at": utc_now(),
                }
            ]
        )
        run.count(table, append(run.con, table, row))
        run.notes.update(calibration)
        recoded = None
        from skilltide.ingest import ads_coder

        if model == ads_coder.ads_model(run.con):  # the model ingest codes the ads with
            from skilltide.ingest.recode import recode_stored_ads

            recoded = run.notes["recoded"] = recode_stored_ads(run, coder)
            ads_coder.record(run, model, run.run_id)
        return {
            "release": release,
            "build_hash": build_hash,
            "reused": False,
            "model": model,
            "occupations": len(coder.codes),
            "titles": int(coder.title_matrix.shape[0]),
            "calibration": calibration,
            "recoded": recoded,
            "run_id": run.run_id,
        }


def load_coder(wh: Warehouse, model: str = "lexical") -> TitleCoder | None:
    """The stored coder for the warehouse's O*NET release, or None when there is none.

    ``model="embed"`` reads the embedding coder (its sentence model loads on first use and
    needs the ``embed`` extra); ``model="static"`` the static one (needs ``tokenizers``).
    """
    row = _stored_coder(wh, model, "model, run_id")
    if row is None:
        return None
    try:
        if model == "embed":
            from skilltide.onet.coder_embed import EmbeddingTitleCoder

            loaded = EmbeddingTitleCoder.from_bytes(bytes(row[0]))
        elif model == "static":
            from skilltide.onet.coder_static import StaticTitleCoder

            loaded = StaticTitleCoder.from_bytes(bytes(row[0]))
        else:
            loaded = TitleCoder.from_bytes(bytes(row[0]))
    except (ValueError, KeyError, OSError, EOFError) as exc:  # EOFError: an empty blob
        flag = f" --model {model}" if model != "lexical" else ""
        raise UserError(
            f"{wh.path}: the stored title coder cannot be read ({exc}); rebuild it with "
            f"`skilltide onet build-coder{flag} --force`"
        ) from None
    loaded.run_id = row[1]  # provenance: the build that made it (ads record it when coded)
    return loaded


def coder_run(wh: Warehouse, model: str = "lexical") -> str | None:
    """The run that built the coder :func:`load_coder` reads (None: no coder stored)."""
    row = _stored_coder(wh, model, "run_id")
    return None if row is None else row[0]


def _stored_coder(wh: Warehouse, model: str, columns: str) -> tuple | None:
    """``columns`` of the newest stored coder of the warehouse's O*NET release."""
    table = _coder_table(model)
    if not wh.has_table(table):
        return None
    release = source_release(wh)
    sql = f"SELECT {columns} FROM {table}"
    params: list = []
    if release is not None:
        sql += " WHERE release = ?"
        params = [release]
    return wh.con.execute(sql + newest_first(table) + " LIMIT 1", params).fetchone()


def newest_first(table: str) -> str:
    """SQL ``ORDER BY`` of a coder table, the last built first: by the start of the run that
    built it (UTC), as coders stored by earlier versions have ``built_at`` in local time."""
    started = f"(SELECT started FROM runs WHERE runs.run_id = {table}.run_id)"
    return f" ORDER BY {started} DESC NULLS LAST, built_at DESC"


def ensure_coder(wh: Warehouse, model: str = "lexical") -> TitleCoder:
    """The stored coder; built first when O*NET is loaded but no coder is stored yet."""
    if model == "embed":
        from skilltide.onet.coder_embed import require_embed_extra

        require_embed_extra()
    # "static": loading a stored coder needs tokenizers (checked as it loads), building one
    # (below) the whole extra (checked by build_coder): a missing coder asks for the extra
    coder = load_coder(wh, model)
    if coder is not None:
        return coder
    if source_release(wh) is None:
        raise UserError(f"{wh.path}: no title coder: {_NO_ONET}")
    build_coder(wh, model=model)
    coder = load_coder(wh, model)
    assert coder is not None
    return coder


def code_titles(
    wh: Warehouse,
    titles: list[str | None],
    top: int = 5,
    model: str = "lexical",
    level: str = "onet",
) -> list[dict[str, Any]]:
    """Code raw titles with the warehouse's coder: ``[{"title", "candidates": [...]}]``.

    ``level`` ``soc`` or ``major`` gives the ``top`` distinct 6-digit SOC codes or major
    groups, each scored by the summed probability of its O*NET-SOC candidates
    (:mod:`skilltide.onet.coder_levels`).

    Example
    -------
    ``code_titles(wh, ["RN - ICU Nights"], top=1)`` →
    ``[{"title": "RN - ICU Nights", "candidates": [{"code": "29-1141.00",
    "title": "Registered Nurses", "score": 0.93}]}]``
    """
    check_top(top)
    check_level(level)
    return candidates(ensure_coder(wh, model), titles, top, level)


def check_top(top: int) -> None:
    """Refuse a ``top`` below 1, before a coder is read or built."""
    if top < 1:
        raise UserError(f"--top must be at least 1, got {top}")


def candidates(
    coder: Any, titles: list[str | None], top: int = 5, level: str = "onet"
) -> list[dict[str, Any]]:
    """:func:`code_titles` with a coder in hand (``skilltide onet code-titles`` loads it once)."""
    predicted = predict_at(coder, titles, top, level)
    grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(titles))}
    for row in predicted.iter_rows(named=True):
        grouped[row["input_index"]].append(
            {"code": row["onetsoc_code"], "title": row["title"], "score": row["score"]}
        )
    return [{"title": title, "candidates": grouped[i]} for i, title in enumerate(titles)]


def _examples_from(con) -> tuple[pl.DataFrame, pl.DataFrame]:
    missing = [v for v in SOURCE_VIEWS[:2] if v not in _relations(con)]
    if missing:
        raise UserError(f"warehouse lacks {', '.join(missing)}: {_NO_ONET}")
    occupations = frame(con, "SELECT onetsoc_code, title, description FROM occupations")
    alternates = frame(
        con, "SELECT onetsoc_code, alternate_title, short_title FROM alternate_titles"
    )
    reported = (
        frame(con, "SELECT onetsoc_code, reported_title FROM reported_titles")
        if "reported_titles" in _relations(con)
        else None
    )
    tasks = (
        frame(con, "SELECT onetsoc_code, task FROM task_statements")
        if "task_statements" in _relations(con)
        else None
    )
    return training_examples(occupations, alternates, reported), context_texts(occupations, tasks)


def _require_heldout(examples: pl.DataFrame) -> None:
    """Refuse a build with no held-out alternate titles: the calibration is fitted on them."""
    if holdout_split(examples)[1].height:
        return
    alternates = int((examples["kind"] == "alternate").sum())
    raise UserError(
        f"cannot build the title coder: {alternates:,} O*NET alternate titles loaded, too few "
        "to calibrate its scores on; load the release's 'Alternate Titles' file with "
        "`skilltide onet load DIR`"
    )


def _relations(con) -> set[str]:
    from skilltide.store import relations

    return relations(con)


def check_coder_model(model: str) -> None:
    """Refuse an unknown coder model, before the warehouse is looked for."""
    _coder_table(model)


def _coder_table(model: str) -> str:
    if model not in CODER_TABLES:
        raise UserError(f"unknown coder model {model!r} (known: {', '.join(CODER_TABLES)})")
    return CODER_TABLES[model]
