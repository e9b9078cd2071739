"""Real data: English job-ad sentences (SkillSpan dev split; Green et al.'s test set) scored by
``benchmarks/extraction_english.py`` against the onet stage's O*NET 30.1 taxonomy."""

from __future__ import annotations

import json

import polars as pl
import pytest

from benchmarks.extraction_english import bio_spans, read_green, read_split, score
from skilltide.ingest.extract import SkillMatcher
from skilltide.onet.load import load_onet
from skilltide.store import Warehouse
from tests.conftest import shared_path


def test_bio_spans_read_bare_tags():
    assert bio_spans(["B", "I", "O", "B", "B", "I", "I"]) == [(0, 2), (3, 4), (4, 7)]
    assert bio_spans(["O", "I", "I", "O"]) == [(1, 3)]  # an I after O starts a span
    assert bio_spans([]) == []


@pytest.mark.shared_data
def test_skillspan_scoring_gives_sane_figures(tmp_path):
    path = shared_path("skill_extraction", "skillspan", "json", "dev.json")
    onet = shared_path("onet", "30.1")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        load_onet(wh, [onet])
        matcher = SkillMatcher.from_warehouse(wh.con)
        skills = wh.query("SELECT skill_id, name, kind FROM skills")
    every = read_split(path)
    sentences = pl.concat(
        [every.filter(pl.col("source") == s).head(750) for s in ("tech", "house")]
    )
    with path.open(encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    assert every["text"][0] == " ".join(first["tokens"])
    assert set(sentences["source"]) == {"tech", "house"}
    r = score(matcher, sentences, skills)
    overall = r["sentence_level"]
    print(f"\nSkillSpan dev, 750 tech and 750 house sentences: {overall}")
    assert r["sentences"] == 1500 and r["spans"] > 500
    assert overall["gold"] > 100 and overall["tp"] <= min(overall["gold"], overall["predicted"])
    # measured 2026-12-07 on the whole dev split: precision 0.68, recall 0.96
    assert 0.5 < overall["precision"] < 0.95 and overall["recall"] > 0.85
    assert set(r["by_source"]) == {"tech", "house"} and "technology" in r["by_kind"]
    assert r["posting_level"]["predicted"] <= overall["predicted"]
    # out-of-span English words the fix stopped matching are not among the false positives
    names = {name for name, _ in r["false_positives"]}
    assert not names & {"Electronic Time Clock ETC", "Scheme", "Act!"}
    assert all(isinstance(n, str) and c > 0 for n, c in r["false_positives"])


def test_gold_is_what_the_matcher_knows_inside_a_span():
    """A span's known skills: the extractor on the span alone, plus guarded names written in it
    with their exact case (no list context needed) outside non-skill phrases."""
    from benchmarks.extraction_english import known

    vocab = pl.DataFrame(
        {
            "alias": ["Python", "Go", "R"],
            "skill_id": ["py", "go", "r"],
            "case_sensitive": [False, True, True],
            "ambiguous": [False, True, True],
        }
    )
    sentences = pl.DataFrame(
        {
            "sentence": [0, 1, 2],
            "spans": [["Python"], ["services in Go"], ["R&D experience", "go live"]],
        }
    )
    gold = known(SkillMatcher(vocab), sentences).sort("sentence").rows()
    assert gold == [(0, "py"), (1, "go")]


@pytest.mark.shared_data
def test_green_test_set_is_read_and_scored(tmp_path):
    """Green, Maynard & Lin's gold test set (a test set: its figures choose nothing; the
    bounds are loose sanity checks): 336 sentences, 676 Skill spans as gold, Domain and
    Qualification spans only in the wider gold."""
    path = shared_path("skill_extraction", "green_lrec2022", "testset.conll.txt")
    onet = shared_path("onet", "30.1")
    sentences = read_green(path)
    assert sentences.height == 336 and sentences["spans"].list.len().sum() == 676
    assert sentences["wider"].list.len().sum() == 676 + 60 + 26
    assert sentences["text"][0].startswith("Proven ability to influence cross functional teams")
    assert sentences["spans"][0].to_list() == ["influence cross functional teams and suppliers"]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        load_onet(wh, [onet])
        matcher = SkillMatcher.from_warehouse(wh.con)
        skills = wh.query("SELECT skill_id, name, kind FROM skills")
    overall = score(matcher, sentences, skills)["sentence_level"]
    assert overall["gold"] > 30 and overall["tp"] <= min(overall["gold"], overall["predicted"])
    assert overall["precision"] > 0.5 and overall["recall"] > 0.8


def test_green_conll_spans_by_type(tmp_path):
    """CoNLL 'token tag' lines, blank lines between sentences: Skill spans are the gold,
    Domain and Qualification join them in ``wider``, Occupation in neither."""
    path = tmp_path / "t.conll.txt"
    path.write_text(
        "Python B-Skill \nand O \nSQL B-Skill \nin O \nfinance B-Domain \n\n\n"
        "Senior B-Occupation \nchef I-Occupation \nwith O \nNVQ B-Qualification \n"
        "level I-Qualification \n3 I-Qualification \n"
    )
    rows = read_green(path).rows(named=True)
    texts = ["Python and SQL in finance", "Senior chef with NVQ level 3"]
    assert [r["text"] for r in rows] == texts
    assert [r["spans"] for r in rows] == [["Python", "SQL"], []]
    assert [r["wider"] for r in rows] == [["Python", "SQL", "finance"], ["NVQ level 3"]]
