"""The static coder's edge cases, stored blob and errors, with a small WordPiece tokenizer and
token matrix made here (no teacher, no torch: only ``tokenizers``, as when coding).

A title with no known token has no vector: no embedding evidence for any occupation.

A stored blob the static coder cannot read (another coder kind, another format, a tokenizer
this ``tokenizers`` cannot parse, unknown parameters, an empty or mismatched blob) gives the
clear error naming the rebuild command, never a traceback.
"""

from __future__ import annotations

import io
import json
import re
import sys

import numpy as np
import pytest

from skilltide.errors import UserError
from skilltide.onet.coder import code_titles, load_coder
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.store import Warehouse
from tests.onet.test_coder_embed import _warehouse_with_titles, examples

REBUILD = (
    r"cannot be read \(.+\); "
    r"rebuild it with `skilltide onet build-coder --model static --force`"
)


@pytest.fixture(scope="module")
def coder():
    """A static coder fitted on the small title set with a made-up token matrix."""
    pytest.importorskip("tokenizers", reason="the static coder codes with tokenizers")
    from tokenizers import Tokenizer
    from tokenizers.models import WordPiece
    from tokenizers.pre_tokenizers import Whitespace

    from skilltide.onet.coder_static import TokenVectors
    from skilltide.onet.coder_static_fit import fit_static_coder

    words = sorted({w for t in normalise_titles(examples()["title"].to_list()) for w in t.split()})
    tokenizer = Tokenizer(WordPiece({"[UNK]": 0, **{w: i + 1 for i, w in enumerate(words)}}))
    tokenizer.pre_tokenizer = Whitespace()
    matrix = np.random.default_rng(7).normal(size=(len(words) + 1, 8)).astype(np.float16)
    tokens = TokenVectors(tokenizer.to_str(), matrix.astype(np.float32))
    return fit_static_coder(examples(), tokens=tokens)[0]


def _variant(blob: bytes, **replace) -> bytes:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    out = io.BytesIO()
    np.savez(out, **{**arrays, **replace})
    return out.getvalue()


def _meta(static: dict) -> np.ndarray:
    return np.array(json.dumps({"format": 1, "static": static}))


@pytest.fixture
def stored(coder, db, tmp_path):
    """Store a blob as the release's static coder; returns the warehouse path."""

    def store(blob: bytes):
        with Warehouse(db) as wh:
            if not wh.has_table("occupations") or not wh.query("SELECT 1 FROM occupations").height:
                _warehouse_with_titles(wh, tmp_path / "onet")
            wh.con.execute("DELETE FROM static_title_coders")
            wh.con.execute(
                "INSERT INTO static_title_coders (release, embed_model, build_hash,"
                " format_version, n_occupations, n_titles, n_features, params, calibration,"
                " model, run_id) VALUES ('30.1', 'all-minilm-l6-v2', 'x', 1, 8, 1, 1, '{}',"
                " '{}', ?, 'test')",
                [blob],
            )
        return db

    return store


def test_stored_blob_loads_and_scores_alike(coder, stored):
    with Warehouse(stored(coder.to_bytes())) as wh:
        loaded = load_coder(wh, "static")
    titles = ["Attorney", "Lorry driver", "", None, "head chef (nights)"]
    np.testing.assert_array_equal(loaded.predict_proba(titles), coder.predict_proba(titles))


def test_a_first_round_blob_loads_without_the_svm_feature(coder, stored):
    """Blobs written before ``rerank_linear`` existed were re-ranked without the SVM score."""
    with np.load(io.BytesIO(coder.to_bytes()), allow_pickle=False) as z:
        static = json.loads(str(z["static_meta"]))["static"]
    del static["rerank_linear"]
    with Warehouse(stored(_variant(coder.to_bytes(), static_meta=_meta(static)))) as wh:
        assert load_coder(wh, "static").static.rerank_linear is False
    with Warehouse(stored(coder.to_bytes())) as wh:
        assert load_coder(wh, "static").static.rerank_linear is True


@pytest.mark.parametrize(
    "case",
    [
        "lexical blob",
        "embedding blob",
        "empty",
        "other format",
        "tokenizer unreadable",
        "unknown parameter",
        "matrix of another width",
    ],
)
def test_unreadable_blob_is_the_rebuild_error(coder, stored, case):
    good = coder.to_bytes()
    with np.load(io.BytesIO(good), allow_pickle=False) as z:
        embedding, matrix = z["embedding"].tobytes(), z["token_matrix"]
    blob = {
        "lexical blob": TitleCoder().fit(examples()).to_bytes(),
        "embedding blob": embedding,
        "empty": b"",
        "other format": _variant(good, static_meta=np.array('{"format": 99, "static": {}}')),
        # e.g. JSON written by a newer tokenizers that this one cannot parse
        "tokenizer unreadable": _variant(good, tokenizer=np.array('{"version": "9.0"}')),
        # e.g. a parameter added by a later skilltide without a format change
        "unknown parameter": _variant(good, static_meta=_meta({"new_knob": 1})),
        "matrix of another width": _variant(good, token_matrix=matrix[:, :4]),
    }[case]
    with Warehouse(stored(blob)) as wh, pytest.raises(UserError, match=REBUILD):
        load_coder(wh, "static")


@pytest.mark.parametrize("tokenizers", [True, False], ids=["with-tokenizers", "bare"])
def test_missing_extra_names_the_static_build(monkeypatch, db, tmp_path, cli, tokenizers):
    """Without the extra, building is what fails, and the error says so (not "embedding"),
    whether or not ``tokenizers`` (all that coding with a stored coder needs) is there."""
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    if not tokenizers:
        monkeypatch.setitem(sys.modules, "tokenizers", None)
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")
    build = r"building the static coder needs the optional extra .*pip install 'skilltide\[embed\]'"
    for args in (["build-coder"], ["code-titles", "Attorney"]):  # no static coder stored
        result = cli("onet", *args, "--model", "static", "--db", db)
        assert result.exit_code == 1
        assert re.search(build, result.output), result.output
    embed = cli("onet", "build-coder", "--model", "embed", "--db", db)
    assert "the embedding coder needs the optional extra" in embed.output


def test_title_without_known_tokens_gets_no_embedding_evidence(coder):
    texts = ["zqxv", "legal counsel"]  # "zqxv": no token of the vocabulary, one [UNK]
    assert coder.embedder.bag(texts).getnnz(axis=1).tolist() == [0, 2]
    nearest, profile = coder._scores(texts, TitleCoder.score_parts(coder, texts)[1])
    # not tau * log(the occupation's number of example titles), which favours the big ones
    assert np.all(nearest[0] == 0) and np.all(profile[0] == 0)
    assert np.ptp(nearest[1]) > 0


def test_coding_without_tokenizers_asks_for_tokenizers_not_torch(coder, stored, monkeypatch):
    """Coding with a stored coder needs only tokenizers: the error says so, not only the
    whole (torch) extra."""
    with Warehouse(stored(coder.to_bytes())) as wh:
        monkeypatch.setitem(sys.modules, "tokenizers", None)
        with pytest.raises(UserError, match=r"needs tokenizers to code.*pip install tokenizers;"):
            code_titles(wh, ["Attorney"], model="static")


def test_scores_do_not_depend_on_the_batch(coder, monkeypatch):
    """The nearest score over each title's own lexical candidates, grouped by occupation
    across the batch, equals the score of the title alone; batches split as they fall."""
    monkeypatch.setattr(coder.static, "candidates", 3)  # fewer than the 8 occupations
    titles = [*examples()["title"].to_list()[::5], "Attorney", "zqxv", "", None]
    texts = normalise_titles(titles)
    logits = TitleCoder.score_parts(coder, texts)[1]
    together = coder._scores(texts, logits)[0]
    alone = np.vstack([coder._scores([t], logits[i : i + 1])[0] for i, t in enumerate(texts)])
    np.testing.assert_allclose(together, alone, rtol=1e-6, atol=1e-7)
    whole = coder.predict(titles, top=3)
    monkeypatch.setattr(coder.params, "batch_size", 4)
    assert coder.predict(titles, top=3).equals(whole)
    assert not set(whole["input_index"]) & {len(titles) - 2, len(titles) - 1}  # "", None


def _plain_scores(coder, texts, lexical):
    """The nearest score as first written: one loop step per candidate occupation."""
    q = coder._encoder().encode(list(texts)).astype(np.float32)
    profile = q @ coder._profile_vectors_t
    k = min(coder.static.candidates, lexical.shape[1])
    flat = np.argpartition(-lexical, k - 1, axis=1)[:, :k].ravel()
    order = np.argsort(flat, kind="stable")
    occupation, rows_all = flat[order], order // k
    nearest = np.full_like(profile, np.inf)
    tau = coder.embed.vote_temperature
    for seg in np.split(np.arange(len(occupation)), np.flatnonzero(np.diff(occupation)) + 1):
        c, rows = occupation[seg[0]], rows_all[seg]
        sims = q[rows] @ coder._title_vectors[coder.title_starts[c] : coder._ends[c]].T
        peak = sims.max(axis=1)
        if tau > 0:
            peak = peak + tau * np.log(np.exp((sims - peak[:, None]) / tau).sum(axis=1))
        nearest[rows, c] = peak
    nearest = np.where(np.isinf(nearest), nearest.min(axis=1, keepdims=True), nearest)
    nearest[~q.any(axis=1)] = 0.0
    return nearest, profile


@pytest.mark.parametrize("candidates", [1, 3, 30])
@pytest.mark.parametrize("tau", [0.05, 0.0])
def test_nearest_scores_equal_the_plain_loop_to_the_bit(coder, monkeypatch, candidates, tau):
    """The vectorised smooth maximum gives the plain loop's scores exactly (same products,
    same sums), for titles sharing candidates, a title without known tokens included."""
    monkeypatch.setattr(coder.static, "candidates", candidates)
    monkeypatch.setattr(coder.embed, "vote_temperature", tau)
    texts = [t for t in normalise_titles([*examples()["title"].to_list(), "zqxv"]) if t]
    logits = TitleCoder.score_parts(coder, texts)[1]
    got, want = coder._scores(texts, logits), _plain_scores(coder, texts, logits)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_predict_without_the_query_memo_codes_alike(coder):
    """The static coder skips the embedding coder's per-chunk memo: same candidates and
    scores, and a coder's codes and titles read afresh when they are replaced."""
    from functools import partial

    from skilltide.onet.coder_embed import EmbeddingTitleCoder

    titles = ["Attorney", "Lorry driver", "", None, "head chef (nights)", "Attorney"]
    memo = EmbeddingTitleCoder._with_query_memo(
        coder, titles, partial(TitleCoder.predict, coder), 3
    )
    assert coder.predict(titles, top=3).equals(memo)
    np.testing.assert_array_equal(
        EmbeddingTitleCoder._with_query_memo(
            coder, titles, partial(TitleCoder.predict_proba, coder)
        ),
        coder.predict_proba(titles),
    )
    renamed = coder.code_titles.copy()
    renamed[:] = "x"
    coder.code_titles, kept = renamed, coder.code_titles
    try:
        assert set(coder.predict(titles, top=3)["title"]) == {"x"}
    finally:
        coder.code_titles = kept
    assert "x" not in set(coder.predict(titles, top=3)["title"])


def test_smooth_max_of_segments_equals_each_segment_alone():
    """Segments of many widths, adjacent or not (numpy sums 8 or more values pairwise, not in
    order), give what each gives alone as one row, to the bit."""
    pytest.importorskip("tokenizers", reason="the static coder codes with tokenizers")
    from skilltide.onet.coder_static import smooth_max

    rng = np.random.default_rng(3)
    width = rng.choice([1, 2, 7, 8, 9, 16, 129, 300, 1100], size=80)
    width[:40].sort()  # runs of one width, then widths in turn
    start = np.r_[0, np.cumsum(width)[:-1]]
    sims = rng.random(int(width.sum()), dtype=np.float32)
    for tau in (0.05, 0.0):
        alone = []
        for s, w in zip(start, width, strict=True):
            row = sims[None, s : s + w]
            peak = row.max(axis=1)
            if tau > 0:
                peak = peak + tau * np.log(np.exp((row - peak[:, None]) / tau).sum(axis=1))
            alone.append(peak[0])
        assert np.array_equal(smooth_max(sims, width, tau), np.array(alone, np.float32))
