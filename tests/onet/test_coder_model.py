"""The title coder on small hand-made training sets: normalisation, fit/predict, storage."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skilltide.onet.coder_calibration import calibrate_temperature, expected_calibration_error
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_normalise import (
    latin_word_share,
    normalise_title,
    normalise_titles,
    singular,
)
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_rerank import FEATURES, CandidateReranker


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sr. Java Developer - Remote", "java developer"),
        ("RN - ICU Nights", "registered nurse icu"),
        ("CDL-A Truck Driver", "truck driver"),
        ("Truck Driver, CDL A - $1,500 Sign-On Bonus", "truck driver"),
        ("Manager - Accounting", "accounting manager"),
        ("Sales Rep - Chicago, IL", "sale representative"),
        ("Pharmacy Tech II", "pharmacy technician"),
        ("Tech Support Specialist", "technical support specialist"),
        ("Admin Assistant (Part-Time)", "administrative assistant"),
        ("CEO (Chief Executive Officer)", "chief executive officer"),
        ("Occupational Therapist Aide (OT Aide)", "ot occupational therapist aide"),
        ("Software Engineer III, Backend (Req #12345)", "software engineer backend"),
        ("Night Shift Warehouse Associate - $18/hr", "warehouse associate"),
        ("Registered Nurses", "registered nurse"),
        ("Wholesale and Retail Buyers, Except Farm Products", "wholesale and retail buyer"),
        ("CAFÉ MANAGER", "cafe manager"),
        ("  ", ""),
        ("Remote", ""),
    ],
)
def test_normalise_title(raw, expected):
    assert normalise_title(raw) == expected


def test_normalise_titles_keeps_order_nulls_and_duplicates():
    assert normalise_titles(["Mgr", None, "Mgr", ""]) == ["manager", "", "manager", ""]
    assert normalise_titles([]) == []


def test_latin_word_share_counts_chinese_and_japanese_characters_as_words():
    titles = pl.Series(
        [
            ".Net软件工程师",
            "Java工程师",
            "Data Scientist",
            "Ingénieur logiciel",
            "42",
            None,
            "Программист Python",
            "ソフトウェアエンジニア",
        ]
    )
    shares = latin_word_share(titles).to_list()
    assert [None if s is None else round(s, 3) for s in shares] == [
        0.167,  # net + 5 characters
        0.25,
        1.0,
        1.0,  # accented letters are Latin
        None,  # no letters: the rule does not apply
        None,
        0.5,  # a Cyrillic word and a Latin one
        0.0,
    ]


def test_titles_mostly_in_another_script_normalise_to_nothing():
    """The coder reads English: ".Net软件工程师" was coded from "net" (Fishing and Hunting
    Workers, 0.56); a title under half Latin words now has no usable words."""
    unread = [".Net软件工程师", "Java开发工程师", "ソフトウェアエンジニア"]
    assert normalise_titles(unread) == [""] * 3
    # at least half its words Latin: coded from them, as before
    assert normalise_titles(["Senior Software Engineer: devOps方向", "Java Developer（北京）"]) == [
        "software engineer devop",
        "java developer",
    ]


def test_unreadable_titles_get_no_candidates(small_coder):
    out = small_coder.predict(["Java开发工程师", "Java Developer", "护士"], top=1)
    assert out["input_index"].to_list() == [1]  # was [0, 1]: "java" → Software Developers


def test_singular():
    assert [singular(w) for w in ["drivers", "secretaries", "business", "analysis", "bus"]] == [
        "driver",
        "secretary",
        "business",
        "analysis",
        "bus",
    ]


TRAIN = pl.DataFrame(
    {
        "onetsoc_code": ["15-1252.00"] * 4 + ["29-1141.00"] * 4 + ["53-3032.00"] * 3,
        "title": [
            "Software Developers",
            "Java Developer",
            "Application Developer",
            "Programmer Analyst",
            "Registered Nurses",
            "Staff Nurse",
            "ICU Nurse",
            "Charge Nurse",
            "Heavy and Tractor-Trailer Truck Drivers",
            "Truck Driver",
            "Semi Driver",
        ],
        "kind": ["occupation", "alternate", "alternate", "alternate"] * 2
        + ["occupation", "alternate", "alternate"],
    }
)


@pytest.fixture(scope="module")
def small_coder() -> TitleCoder:
    return TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)


def test_predict_shape_order_and_scores(small_coder):
    out = small_coder.predict(["Senior Python Developer", "RN - ICU Nights", ""], top=2)
    assert out.columns == ["input_index", "rank", "onetsoc_code", "title", "score"]
    # The empty title has no usable words: no rows for it.
    assert out["input_index"].to_list() == [0, 0, 1, 1]
    assert out["rank"].to_list() == [1, 2, 1, 2]
    best = out.filter(pl.col("rank") == 1)
    assert best["onetsoc_code"].to_list() == ["15-1252.00", "29-1141.00"]
    assert best["title"].to_list() == ["Software Developers", "Registered Nurses"]
    scores = out["score"].to_numpy().reshape(2, 2)
    assert (scores[:, 0] >= scores[:, 1]).all() and (scores.sum(axis=1) <= 1 + 1e-6).all()


def test_repeated_titles_are_scored_once_with_the_same_rows(small_coder, monkeypatch):
    titles = ["Truck Driver", "", "Charge Nurse", "Truck Driver", None, "CDL-A Truck Driver"]
    one_by_one = pl.concat(
        small_coder.predict([t], top=2).with_columns(pl.lit(i, pl.Int64).alias("input_index"))
        for i, t in enumerate(titles)
    )
    scored: list[str] = []
    logits = small_coder.logits
    monkeypatch.setattr(small_coder, "logits", lambda texts: scored.extend(texts) or logits(texts))
    together = small_coder.predict(titles, top=2)
    assert together.equals(one_by_one)
    # "Truck Driver" and "CDL-A Truck Driver" normalise alike: one distinct text, scored once.
    assert sorted(scored) == sorted(set(normalise_titles(["Truck Driver", "Charge Nurse"])))


def test_predict_proba_rows_sum_to_one(small_coder):
    probs = small_coder.predict_proba(["Truck Driver", "Charge Nurse"])
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert probs[0].argmax() == list(small_coder.codes).index("53-3032.00")


def test_top_is_capped_and_validated(small_coder):
    assert small_coder.predict(["driver"], top=10).height == 3
    with pytest.raises(ValueError, match="top"):
        small_coder.predict(["driver"], top=0)


def test_fit_is_deterministic_and_order_free(small_coder):
    shuffled = TRAIN.sample(fraction=1.0, shuffle=True, seed=7)
    again = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(shuffled)
    assert again.fingerprint() == small_coder.fingerprint()
    titles = ["Java Dev", "Semi Truck Driver - Nights", "Nurse"]
    assert again.predict(titles).equals(small_coder.predict(titles))


def test_round_trip_through_bytes(small_coder):
    loaded = TitleCoder.from_bytes(small_coder.to_bytes())
    titles = ["Java Dev", "Semi Truck Driver", "Staff RN"]
    assert loaded.predict(titles).equals(small_coder.predict(titles))
    assert loaded.fingerprint() == small_coder.fingerprint()


def test_fit_rejects_bad_frames():
    with pytest.raises(ValueError, match="columns"):
        TitleCoder().fit(TRAIN.drop("kind"))
    with pytest.raises(ValueError, match="no usable"):
        TitleCoder().fit(TRAIN.with_columns(title=pl.lit("(Remote)")))


def test_calibrate_sets_temperature_and_reports_ece(small_coder):
    coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)
    facts = calibrate_temperature(
        coder,
        ["Nurse", "Driver", "Developer", "Programmer"],
        ["29-1141.00", "53-3032.00", "15-1252.00", "15-1252.00"],
    )
    assert facts["heldout_titles"] == 4 and facts["heldout_top1"] == 1.0
    assert coder.params.temperature == facts["temperature"] > 0
    assert facts["ece"] <= facts["ece_before"] + 1e-9


def test_expected_calibration_error():
    probs = np.array([[0.9, 0.1], [0.6, 0.4]])
    assert expected_calibration_error(probs, np.array([0, 1])) == pytest.approx(0.35)
    assert expected_calibration_error(np.array([[1.0, 0.0]]), np.array([0])) == 0.0


HELD = (
    ["Python Developer", "Web Developer", "ICU RN", "Floor Nurse", "Semi Truck Driver"],
    ["15-1252.00", "15-1252.00", "29-1141.00", "29-1141.00", "53-3032.00"],
)


@pytest.fixture(scope="module")
def reranked_coder() -> TitleCoder:
    coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)
    ranker = CandidateReranker(candidates=2).fit_tables(coder)
    facts = ranker.fit(coder, *HELD)
    assert facts["rerank_titles"] == 5 and 0 <= facts["rerank_top1_first_stage"] <= 1
    coder.reranker = ranker
    return coder


def test_reranker_word_features_count_the_occupations_titles(reranked_coder):
    coder = reranked_coder
    texts = ["staff nurse", "truck driver"]
    cand, x = coder.reranker.features(coder, texts, *coder.score_parts(texts))
    assert x.shape == (2, 2, len(FEATURES))
    nurse = list(coder.codes).index("29-1141.00")
    assert cand[0, 0] == nurse
    f = {name: x[0, 0, i] for i, name in enumerate(FEATURES)}
    # Registered / staff / ICU / charge nurse: 4 of the occupation's 4 titles end in "nurse",
    # 1 starts with "staff"; both words are used by its titles.
    assert f["head_titles"] == pytest.approx(np.log1p(4)) and f["head_share"] == 1.0
    assert f["first_titles"] == pytest.approx(np.log1p(1)) and f["word_share"] == 1.0
    assert f["rank"] == 0 and 0 < f["probability"] <= 1


def test_reranked_predictions_are_candidates_with_probabilities(reranked_coder):
    out = reranked_coder.predict(["Charge Nurse", "Java Dev"], top=5)
    assert out.height == 4  # capped at the re-ranker's 2 candidates
    assert out.filter(pl.col("rank") == 1)["onetsoc_code"].to_list() == [
        "29-1141.00",
        "15-1252.00",
    ]
    probs = reranked_coder.predict_proba(["Charge Nurse"])
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert (probs > 0).sum() == 2


def test_reranker_round_trip_and_fingerprint(reranked_coder):
    loaded = TitleCoder.from_bytes(reranked_coder.to_bytes())
    assert loaded.reranker is not None
    titles = ["Charge Nurse", "Java Dev", "CDL-A Driver"]
    assert loaded.predict(titles).equals(reranked_coder.predict(titles))
    assert loaded.fingerprint() == reranked_coder.fingerprint()
    plain = TitleCoder.from_bytes(TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN).to_bytes())
    assert plain.reranker is None and plain.fingerprint() != loaded.fingerprint()


def test_reranker_weights_every_occupation_alike():
    # Nine held-out developer titles and one nurse title: weighted by occupation, the nurse
    # title counts as much as all developer titles together.
    coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)
    titles = [f"Developer {w}" for w in "abcdefghi"] + ["Nurse"]
    codes = ["15-1252.00"] * 9 + ["29-1141.00"]
    seen = {}

    def spy(x, hit, weights):
        seen["weights"] = weights

    ranker = CandidateReranker(candidates=3).fit_tables(coder)
    ranker._fit_weights = spy
    ranker.fit(coder, titles, codes)
    w = seen["weights"]
    assert w[:9].sum() == pytest.approx(w[9]) and w[9] == pytest.approx(1.0)
    ranker.balance = 0.0  # every title alike
    ranker.fit(coder, titles, codes)
    assert (seen["weights"] == 1.0).all()


def test_stored_format_version_is_checked(small_coder):
    import io
    import json

    blob = small_coder.to_bytes()
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    arrays["meta"] = np.array(json.dumps({**meta, "format": 2}))
    old = io.BytesIO()
    np.savez(old, **arrays)
    with pytest.raises(ValueError, match="format 2"):
        TitleCoder.from_bytes(old.getvalue())


def test_reranker_without_usable_titles_keeps_the_first_stage_order():
    # With one candidate and held-out codes never among it, nothing can be learnt: zero
    # weights, and the coder still answers with the first stage's best occupation.
    coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)
    ranker = CandidateReranker(candidates=1).fit_tables(coder)
    facts = ranker.fit(coder, ["Staff Nurse", "Truck Driver"], ["15-1252.00", "15-1252.00"])
    assert not ranker.coef.any() and facts["rerank_top1_first_stage"] == 0.0
    coder.reranker = ranker
    assert coder.predict(["Charge Nurse"])["onetsoc_code"].to_list() == ["29-1141.00"]
