"""Skill extraction: word boundaries, longest match, aliases, ambiguous names, accuracy."""

from __future__ import annotations

import polars as pl
import pytest

from skilltide.ingest.extract import SkillMatcher, normalise
from tests.ingest.helpers import generate_ads, small_vocab


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    skills, aliases = small_vocab()
    vocab = aliases.join(skills.select("skill_id", "name", "ambiguous"), on="skill_id")
    return SkillMatcher(vocab)


def found(matcher: SkillMatcher, text: str, title: str | None = None) -> set[str]:
    ads = pl.DataFrame(
        {"ad_id": ["a"], "title": [title], "text": [text]},
        schema={"ad_id": pl.String, "title": pl.String, "text": pl.String},
    )
    return {s.removeprefix("custom:") for s in matcher.extract(ads)["skill_id"].to_list()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experience with JavaScript required", {"javascript"}),  # Java not inside JavaScript
        ("Java and JavaScript", {"java", "javascript"}),
        ("Pythonic code", set()),  # no partial words
        ("python3 scripts", set()),
        ("We use Python.", {"python"}),  # sentence-final full stop
        ("(Python/SQL)", {"python", "sql"}),
        ("Skills: Python,SQL;Docker", {"python", "sql", "docker"}),
        ("C++ and C# developers", {"cpp", "csharp"}),
        ("We build on .NET and Node.js, Docker", {"dotnet", "node", "docker"}),
        ("scikit learn and NodeJS", {"sklearn", "node"}),  # normalised aliases
        ("熟悉Python和Docker", {"python", "docker"}),  # CJK next to Latin names is a boundary
    ],
)
def test_word_boundaries_and_aliases(matcher, text, expected):
    assert found(matcher, text) == expected


def test_longest_match_wins_but_separate_mentions_count(matcher):
    ads = pl.DataFrame(
        {"ad_id": ["a"], "title": [None], "text": ["Microsoft Excel expert"]},
        schema={"ad_id": pl.String, "title": pl.String, "text": pl.String},
    )
    assert matcher.extract(ads)["skill_id"].to_list() == ["custom:excel"]
    # Alias normalisation: MS Excel and Excel are the same skill, counted once per ad.
    assert found(matcher, "MS Excel, Excel and Microsoft Excel") == {"excel"}


def test_case_insensitive_for_ordinary_names(matcher):
    assert found(matcher, "PYTHON and docker") == {"python", "docker"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Backend in Python, Go and SQL.", {"python", "go", "sql"}),  # in a skills list
        ("Stack: Python, R, SQL", {"python", "r", "sql"}),
        ("We write C and C++ with Docker", {"c", "cpp", "docker"}),
        ("iOS apps in Swift and Python", {"swift", "python"}),
        ("Go to our site to apply. We use Python.", {"python"}),  # sentence-initial Go
        ("Our R&D team uses Python", {"python"}),
        ("Report to the C-suite. Python needed", {"python"}),
        ("let's go build things with python", {"python"}),  # lowercase go is not Go
        ("Go is great", set()),  # guarded name alone, no list context
        ("We love Go", set()),
        ("Ready to Go further? Work on Shift C (nights)", set()),
        ("Python, Go and SQL. Go to our site. Go to the office.", {"python", "go", "sql"}),
        ("Skills: R", {"r"}),
        ("SQL and Golang", {"sql", "go"}),  # unambiguous alias of an ambiguous skill
        # a known non-skill phrase in a list context is still not the skill
        ("Python developers: apply by email or Go to our site", {"python"}),
        ("Departments: R&D, Sales. We use Python", {"python"}),
        # sentence-initial, though next to a comma (the module's "Swift, friendly service")
        ("We use Python. Swift, friendly service is our promise.", {"python"}),
    ],
)
def test_ambiguous_names_need_case_and_context(matcher, text, expected):
    assert found(matcher, text) == expected


def test_ambiguous_name_in_title_needs_context_too(matcher):
    assert found(matcher, "We build services.", title="Go Developer") == {"go"}
    assert found(matcher, "We build services.", title="Swift/Python Engineer") == {
        "swift",
        "python",
    }
    assert found(matcher, "We build services.", title="go-getter wanted") == set()
    assert found(matcher, "We build services.", title="Sous Chef on Shift C") == set()


def test_an_alias_of_two_characters_needs_case_and_context(matcher):
    """'JS' (an ordinary skill's alias, but two characters long) is guarded like R and Go."""
    assert found(matcher, "We ship JS daily") == set()
    assert found(matcher, "we ship js and python") == {"python"}
    assert found(matcher, "Stack: JS, Python") == {"javascript", "python"}


def test_a_name_inside_another_skills_longer_name_counts_only_on_its_own():
    vocab = pl.DataFrame(
        {
            "alias": ["Microsoft SQL Server", "SQL"],
            "skill_id": ["mssql", "sql"],
            "case_sensitive": [False, False],
            "ambiguous": [False, False],
        }
    )
    matcher = SkillMatcher(vocab)

    def skills(text: str) -> list[str]:
        ads = pl.DataFrame({"ad_id": ["a"], "title": [None], "text": [text]})
        return sorted(matcher.extract(ads.cast({"title": pl.String}))["skill_id"])

    assert skills("Microsoft SQL Server administration") == ["mssql"]
    assert skills("Microsoft SQL Server and SQL reporting") == ["mssql", "sql"]


def test_found_in_title_text_both(matcher):
    ads = pl.DataFrame(
        {"ad_id": ["a"], "title": ["Python developer"], "text": ["Python and SQL, Docker"]}
    )
    got = dict(matcher.extract(ads).select("skill_id", "found_in").iter_rows())
    assert got == {"custom:python": "both", "custom:sql": "text", "custom:docker": "text"}


def test_normalise_keeps_name_characters():
    out = pl.select(normalise(pl.lit("Node.js, C++; C#. Done")).alias("n"))["n"][0]
    assert " Node.js " in out and " C++ " in out and " C# " in out


def test_accuracy_on_generated_ads(matcher):
    """Precision/recall against generated ads with known mentions (own generator; the synthetic
    market's truth is scored in tests/ingest/test_real_data.py once it is merged)."""
    names = ["Python", "Java", "JavaScript", "SQL", "Microsoft Excel", "Docker", "C++", "Node.js"]
    ambiguous = ["R", "C", "Go", "Swift"]
    ads, truth = generate_ads(
        300, names, seed=3, min_bytes=300, max_bytes=1200, ambiguous=ambiguous
    )
    skills, _ = small_vocab()
    got = (
        matcher.extract(ads.rename({"id": "ad_id"}))
        .join(skills.select("skill_id", "name"), on="skill_id")
        .select(pl.col("ad_id").alias("id"), "name")
    )
    tp = got.join(truth, on=["id", "name"], how="semi").height
    precision, recall = tp / got.height, tp / truth.height
    amb_got = got.filter(pl.col("name").is_in(ambiguous))
    amb_truth = truth.filter(pl.col("name").is_in(ambiguous))
    amb_tp = amb_got.join(amb_truth, on=["id", "name"], how="semi").height
    print(
        f"generated ads: precision {precision:.3f} recall {recall:.3f}; ambiguous names "
        f"precision {amb_tp / amb_got.height:.3f} recall {amb_tp / amb_truth.height:.3f}"
    )
    assert precision > 0.99 and recall > 0.99
    assert amb_tp / amb_got.height > 0.95 and amb_tp / amb_truth.height > 0.9


def test_a_name_that_another_skill_owns_as_alias_is_matched_once(tmp_path):
    """The taxonomy gives each alias to one skill; a skill's name is matched as its own only
    when no skill holds it as an alias (else every mention counted for two skills)."""
    from skilltide.onet.taxonomy_custom import add_taxonomy_csv
    from skilltide.store import Warehouse

    csv = tmp_path / "mine.csv"
    csv.write_text("name,aliases\nPython,\nPython language,Python\nDocker,\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, csv)  # the user alias 'Python' outranks the name 'Python'
        owner = wh.con.execute(
            "SELECT skill_id FROM skill_aliases WHERE lower(alias) = 'python'"
        ).fetchall()
        matcher = SkillMatcher.from_warehouse(wh.con)
    assert owner == [("custom:python-language",)]
    assert found(matcher, "We use Python and Docker.") == {"python-language", "docker"}


def test_derived_acronyms_match_in_capitals_only():
    """An acronym the taxonomy derives from a longer name (rule ``acronym``) is the skill in
    capitals, in any context; in lower case it is as often an English word ('etc', 'apps')."""
    vocab = pl.DataFrame(
        {
            "alias": ["Electronic Time Clock ETC", "ETC", "CRM", "SQL", "Microsoft Dynamics CRM"],
            "skill_id": ["etc", "etc", "crm", "sql", "dynamics"],
            "case_sensitive": [False] * 5,
            "ambiguous": [False] * 5,
            "rule": ["name", "acronym", "acronym", "curated", "name"],
        }
    )
    matcher = SkillMatcher(vocab)

    def skills(text: str) -> list[str]:
        ads = pl.DataFrame({"ad_id": ["a"], "title": [None], "text": [text]})
        return sorted(matcher.extract(ads.cast({"title": pl.String}))["skill_id"])

    assert skills("Tools, time etc. and a crm mindset") == []
    assert skills("We run ETC for timesheets") == ["etc"]
    assert skills("Experience with CRM systems required") == ["crm"]
    assert skills("electronic time clock etc and sql") == ["etc", "sql"]  # name, curated
    assert skills("Microsoft Dynamics CRM admin") == ["dynamics"]  # the longer name wins
    # what the matcher finds changed, so files ingested with it are read again
    assert matcher.fingerprint != SkillMatcher(vocab.drop("rule")).fingerprint


def test_names_opening_with_a_function_word_match_with_exact_case():
    """A name of several words that opens with an article, preposition, pronoun or conjunction
    ('After the Deadline', 'The General Store') is in lower case a phrase of English; other
    names and everyday-word names without a function word first still match in any case."""
    vocab = pl.DataFrame(
        {
            "alias": [
                "After the Deadline",
                "The General Store",
                "A programming language",
                "Spring Boot",
            ],
            "skill_id": ["atd", "store", "apl", "boot"],
            "case_sensitive": [False] * 4,
            "ambiguous": [False] * 4,
            "rule": ["name", "name", "acronym", "name"],
        }
    )
    matcher = SkillMatcher(vocab)

    def skills(text: str) -> list[str]:
        ads = pl.DataFrame({"ad_id": ["a"], "title": [None], "text": [text]})
        return sorted(matcher.extract(ads.cast({"title": pl.String}))["skill_id"])

    assert skills("Submit it after the deadline at the general store.") == []
    assert skills("Knowledge of a programming language and spring boot") == ["boot"]
    assert skills("We proofread with After the Deadline and The General Store") == ["atd", "store"]
    assert skills("Tools: A programming language, Spring Boot") == ["apl", "boot"]


def test_the_function_word_rule_changes_the_fingerprints(monkeypatch, tmp_path):
    """Files ingested before the rule are read again: the matcher's fingerprint changes with
    it, and ``skilltide run``'s vocabulary fingerprint holds the matching rules' version."""
    from skilltide import pipeline_ingest
    from skilltide.ingest import extract_lists
    from skilltide.store import Warehouse

    vocab = pl.DataFrame(
        {
            "alias": ["After the Deadline", "Python"],
            "skill_id": ["atd", "py"],
            "case_sensitive": [False, False],
            "ambiguous": [False, False],
        }
    )
    now = SkillMatcher(vocab).fingerprint
    with Warehouse(tmp_path / "w.duckdb") as wh:
        current = pipeline_ingest.vocabulary_fingerprint(wh)
        monkeypatch.setattr(extract_lists, "FUNCTION_WORDS", [])
        monkeypatch.setattr(pipeline_ingest, "MATCHING", 1)
        assert SkillMatcher(vocab).fingerprint != now
        assert pipeline_ingest.vocabulary_fingerprint(wh) != current
