"""Skill taxonomy: O*NET technology and content-model skills, alias rules, custom skills."""

from __future__ import annotations

import json

import pytest

from skilltide.errors import UserError
from skilltide.onet.aliases import candidate_aliases, is_case_sensitive, slug
from skilltide.onet.load import load_onet
from skilltide.onet.taxonomy_custom import add_taxonomy_csv
from skilltide.provenance import sha256_file
from skilltide.store import Warehouse
from tests.conftest import shared_path
from tests.onet._helpers import copy_fixture


def test_rules_derive_explainable_aliases():
    assert dict(candidate_aliases("Microsoft Excel")) == {
        "Microsoft Excel": "name",
        "Excel": "strip_vendor",
        "MS Excel": "vendor_abbrev",
    }
    assert {"NodeJS", "Node JS", "Node"} <= set(dict(candidate_aliases("Node.js")))
    assert dict(candidate_aliases("Structured query language SQL"))["SQL"] == "acronym"
    assert dict(candidate_aliases("Adobe Experience Manager (AEM)"))["AEM"] == "acronym"
    assert dict(candidate_aliases("Adobe Acrobat Pro"))["Adobe Acrobat"] == "strip_version"
    assert dict(candidate_aliases("Microsoft Power BI"))["PowerBI"] == "punctuation"
    assert dict(candidate_aliases("Microsoft Azure software"))["Azure"] == "strip_vendor"
    # a generic remainder is not an alias on its own
    assert "Project" not in dict(candidate_aliases("Microsoft Project"))
    assert "Drive" not in dict(candidate_aliases("Google Drive"))
    assert slug("C++") != slug("C") != slug("C#")
    assert is_case_sensitive("Go") and is_case_sensitive("R") and not is_case_sensitive("Python")


def test_a_vendors_product_named_like_a_job_title_keeps_its_vendor():
    """'IBM Content Manager' without 'IBM' reads as a job title ('Content Manager' in an ad's
    title line): everyday words ending in a role noun are not derived by strip_vendor."""
    ordinary = frozenset({"content", "enterprise", "visual", "basic"})
    assert dict(candidate_aliases("IBM Content Manager", ordinary)) == {
        "IBM Content Manager": "name"
    }
    assert "Enterprise Manager" not in dict(
        candidate_aliases("Oracle Enterprise Manager", ordinary)
    )
    # a name that is no job title, or a role noun after a brand word, keeps the rule
    assert dict(candidate_aliases("Microsoft Visual Basic", ordinary))["Visual Basic"] == (
        "strip_vendor"
    )
    assert dict(candidate_aliases("Oracle SQL Developer", ordinary))["SQL Developer"] == (
        "strip_vendor"
    )


@pytest.fixture(scope="module")
def onet_warehouse(tmp_path_factory):
    onet30 = shared_path("onet", "30.1")
    db = tmp_path_factory.mktemp("taxonomy") / "w.duckdb"
    with Warehouse(db) as wh:
        load_onet(wh, [onet30])
    return db


def _alias(wh, alias: str):
    return wh.con.execute(
        "SELECT skill_id, rule, case_sensitive FROM skill_aliases WHERE lower(alias) = lower(?)",
        [alias],
    ).fetchone()


def test_alias_examples_of_the_issue(onet_warehouse):
    with Warehouse(onet_warehouse) as wh:
        assert _alias(wh, "Excel") == ("tech:microsoft-excel", "strip_vendor", True)
        assert _alias(wh, "ms excel")[0] == "tech:microsoft-excel"
        assert _alias(wh, "JS") == ("tech:javascript", "curated", True)
        assert _alias(wh, "Postgres")[:2] == ("tech:postgresql", "curated")
        assert _alias(wh, "k8s")[:2] == ("tech:kubernetes", "curated")
        assert _alias(wh, "NodeJS")[0] == _alias(wh, "Node")[0] == "tech:node-js"
        assert _alias(wh, "SQL")[0] == "tech:structured-query-language-sql"
        assert _alias(wh, "AWS")[0] == "tech:amazon-web-services-aws-software"


def test_ambiguous_names_need_case(onet_warehouse):
    with Warehouse(onet_warehouse) as wh:
        flags = dict(wh.con.execute("SELECT name, ambiguous FROM skills").fetchall())
        for name in ("R", "C", "Go", "Swift", "Chef", "Rust programming language"):
            assert flags[name] is True, name
        assert flags["Python"] is False and flags["Microsoft Excel"] is False
        for alias in ("R", "C", "Go", "Swift", "Chef", "Rust"):
            assert _alias(wh, alias)[2] is True, alias
        assert _alias(wh, "Python")[2] is False


def test_everyday_words_are_not_derived_and_need_case(onet_warehouse):
    with Warehouse(onet_warehouse) as wh:
        # 'logic', 'world', 'video' are written in lower case in O*NET's own task text
        for alias in ("Logic", "World", "Video", "Smoke"):
            assert _alias(wh, alias) is None, alias
        # kept: not everyday words, or listed in AMBIGUOUS (exact case only)
        assert _alias(wh, "Revit") == ("tech:autodesk-revit", "strip_vendor", False)
        assert _alias(wh, "Hive")[1:] == ("strip_vendor", True)
        flags = dict(wh.con.execute("SELECT name, ambiguous FROM skills").fetchall())
        assert flags["Zoom"] is True and flags["Puppet"] is True and flags["Python"] is False


def test_one_alias_never_maps_to_two_skills(onet_warehouse):
    with Warehouse(onet_warehouse) as wh:
        total, distinct = wh.con.execute(
            "SELECT count(*), count(DISTINCT lower(alias)) FROM skill_aliases"
        ).fetchone()
        assert total == distinct
        # every skill keeps at least its own name unless another skill owns it exactly
        # ('Mathematics' is both a skill and a knowledge area: the smaller id, the skill, wins)
        orphans = wh.con.execute(
            "SELECT s.name, a.skill_id FROM skills s LEFT JOIN skill_aliases a "
            "ON lower(a.alias) = lower(s.name) WHERE NOT EXISTS (SELECT 1 FROM skill_aliases b "
            "WHERE b.skill_id = s.skill_id)"
        ).fetchall()
        assert orphans == [("Mathematics", "onet:2.A.1.e")]


def test_an_ad_naming_mathematics_gets_one_skill(onet_warehouse):
    import polars as pl

    from skilltide.ingest.extract import SkillMatcher

    with Warehouse(onet_warehouse) as wh:
        matcher = SkillMatcher.from_warehouse(wh.con)
    ads = pl.DataFrame({"ad_id": ["a"], "title": ["Tutor"], "text": ["Teach mathematics."]})
    assert matcher.extract(ads)["skill_id"].to_list() == ["onet:2.A.1.e"]


def test_skills_from_technology_examples_and_content_model(onet_warehouse):
    with Warehouse(onet_warehouse) as wh:
        kinds = dict(wh.con.execute("SELECT kind, count(*) FROM skills GROUP BY ALL").fetchall())
        assert kinds == {
            "technology": 8785,
            "skill": 35,
            "knowledge": 33,
            "ability": 52,
            "activity": 41,
        }
        python = wh.con.execute(
            "SELECT category, hot_technology, in_demand, source FROM skills "
            "WHERE skill_id = 'tech:python'"
        ).fetchone()
        assert python == (
            "Object or component oriented development software",
            True,
            True,
            "onet 30.1",
        )
        assert wh.con.execute(
            "SELECT name, category FROM skills WHERE skill_id = 'onet:2.A.1.a'"
        ).fetchone() == ("Reading Comprehension", "Content")


def test_custom_skills_survive_a_taxonomy_rebuild(tmp_path, db, cli):
    folder = copy_fixture(tmp_path)
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "name,aliases,kind,category,ambiguous\n"
        "Large language models,LLM|LLMs|Excel,technology,AI,false\n"
        "Dart,,custom,,true\n"
    )
    with Warehouse(db) as wh:
        load_onet(wh, [folder])
    result = cli("onet", "taxonomy", "add", csv, "--db", db)
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        assert _alias(wh, "LLMs") == ("custom:large-language-models", "user", False)
        # a user's alias wins over a derived one
        assert _alias(wh, "Excel")[0] == "custom:large-language-models"
        assert wh.con.execute(
            "SELECT ambiguous FROM skills WHERE skill_id = 'custom:dart'"
        ).fetchone() == (True,)
        path = folder / "Technology Skills.txt"
        path.write_text(
            path.read_text() + "15-1252.00\tPython\t43232405\tObject or component "
            "oriented development software\tY\tY\r\n"
        )
        summary = load_onet(wh, [folder])
        assert summary["loaded"] == 1
        ids = {r[0] for r in wh.con.execute("SELECT skill_id FROM skills").fetchall()}
        assert {"custom:large-language-models", "custom:dart", "tech:python"} <= ids
        assert _alias(wh, "LLM")[0] == "custom:large-language-models"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skill,aliases\nPython,py\n", "column 'name' is missing \\(found skill, aliases;"),
        ("name,kind\nPython,language\n", "line 2, field kind: 'language'"),
        ("name\nPython\npython\n", "line 3, field name: 'python' repeats line 2"),
        ("name,ambiguous\nGo,maybe\n", "line 2, field ambiguous"),
        # a blank line is skipped, and the lines after it keep their numbers
        ("name,kind\nPython,skill\n\nGo,language\n", "line 4, field kind: 'language'"),
        ("name,colour\nGo,blue\n", "column 'colour'"),
        # A file cut off mid-row: its missing fields were read as empty (kind 'custom', no
        # category) and the skill stored; a row with a field too many was refused unnamed.
        (
            "name,aliases,kind\nPython,py,technology\nRust,rs",
            r"line 3: 2 fields where the header has 3 \(truncated or damaged row\)",
        ),
        ("name,aliases\nPython,py\nRust,rs,technology\n", "line 3: 3 fields where the header"),
        # Two rows giving one alias: the rebuild kept one and dropped the other silently.
        (
            "name,aliases\nDuckDB Warehousing,duckdb\nPolars Wrangling,polars|DuckDB\n",
            "line 3, field aliases: 'DuckDB' is also an alias on line 2",
        ),
    ],
)
def test_bad_taxonomy_csv(tmp_path, db, text, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(text)
    with Warehouse(db) as wh, pytest.raises(UserError, match=message):
        add_taxonomy_csv(wh, csv)


def test_custom_taxonomy_without_onet(tmp_path, db):
    csv = tmp_path / "mine.csv"
    csv.write_text("name,aliases\nMicrosoft Excel,spreadsheets\n\n")  # a blank last line
    with Warehouse(db) as wh:
        summary = add_taxonomy_csv(wh, csv)
        assert summary["skills"] == 1
        aliases = dict(wh.con.execute("SELECT alias, rule FROM skill_aliases").fetchall())
        # the run names the file's bytes, as the other loaders do (it named only the path)
        notes = wh.query("SELECT notes FROM runs WHERE run_id = ?", [summary["run_id"]])
        assert json.loads(notes["notes"][0])["sha256"] == sha256_file(csv)
    # user aliases plus the same rules as O*NET names
    assert aliases == {
        "Microsoft Excel": "name",
        "spreadsheets": "user",
        "Excel": "strip_vendor",
        "MS Excel": "vendor_abbrev",
    }


def test_a_line_of_spaces_is_a_blank_line_not_a_damaged_row(tmp_path, db):
    # Found in review: the ragged-row check (4ebe920) refused 'mine.csv: line 3: 1 fields where
    # the header has 2' for a line of spaces (or a tab) that an editor left, which polars reads
    # as an empty row and taxonomy add had skipped as blank before.
    csv = tmp_path / "mine.csv"
    csv.write_text("name,aliases\r\nMicrosoft Excel,spreadsheets\r\n   \r\nRust,rs\r\n\t\r\n")
    with Warehouse(db) as wh:
        assert add_taxonomy_csv(wh, csv)["skills"] == 2


def test_vectorised_slug_and_case_rules_equal_the_scalar_ones():
    import polars as pl

    from skilltide.onet.aliases import case_sensitive_expr, is_case_sensitive, slug_expr

    names = ["C++", "C#", "Node.js", "Microsoft Excel", "  Go ", "R", "JS", "Python", "Ext JS"]
    out = pl.DataFrame({"n": names}).select(
        slug_expr(pl.col("n")).alias("s"), case_sensitive_expr(pl.col("n")).alias("c")
    )
    assert out["s"].to_list() == [slug(n) for n in names]
    assert out["c"].to_list() == [is_case_sensitive(n) for n in names]


def test_everyday_words_are_compared_as_the_matcher_reads_them():
    """'Act!' (CRM software) is read as 'act' by the matcher, so it is the everyday word 'act':
    exact case; so is 'Scheme' ('pension scheme'), missing from O*NET's US text."""
    import polars as pl

    from skilltide.onet.aliases import case_sensitive_expr

    ordinary = frozenset({"act", "net"})
    names = ["Act!", "Scheme", ".NET", "Yahoo!"]
    assert [is_case_sensitive(n, ordinary) for n in names] == [True, True, False, False]
    vectorised = pl.select(case_sensitive_expr(pl.lit(pl.Series(names)), ordinary))
    assert vectorised.to_series().to_list() == [True, True, False, False]


def test_the_real_taxonomy_finds_no_skill_in_everyday_english(onet_warehouse):
    """Found in SkillSpan's English ads: 'pension scheme', 'etc.', 'apps' and 'act' were the
    skills Scheme, Electronic Time Clock ETC, Automated Package Processing System APPS, Act!."""
    from skilltide.ingest.extract import SkillMatcher

    with Warehouse(onet_warehouse) as wh:
        matcher = SkillMatcher.from_warehouse(wh.con)
    ads = pl_ads(
        [
            "A pension scheme, mobile apps, tools etc. and the freedom to act.",
            "Stack: Scheme, Act! and ETC timesheets",
            "Icons as svg, styles in sass.",  # acronyms written in lower case: curated
        ]
    )
    found = matcher.extract(ads).select("ad_id", "skill_id").rows()
    assert found == [
        ("b", "tech:act"),
        ("b", "tech:electronic-time-clock-etc"),
        ("b", "tech:scheme"),
        ("c", "tech:scalable-vector-graphics-svg"),
        ("c", "tech:syntactically-awesome-style-sheets-sass"),
    ]


def pl_ads(texts: list[str]):
    import polars as pl

    ids = [chr(ord("a") + i) for i in range(len(texts))]
    return pl.DataFrame({"ad_id": ids, "title": [None] * len(texts), "text": texts}).cast(
        {"title": pl.String}
    )


def test_taxonomy_add_counts_one_skill_as_one(tmp_path, db, cli):
    # a one-skill file printed "added 1 skills from one.csv; taxonomy now 1 skills"
    one = tmp_path / "one.csv"
    one.write_text("name\nDagster\n")
    result = cli("onet", "taxonomy", "add", one, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"added 1 skill from {one}; taxonomy now 1 skill, 1 alias")


def test_a_name_that_is_already_another_skills_is_reported(tmp_path, db, cli):
    first = tmp_path / "first.csv"
    first.write_text("name,aliases\nPython language,Python\n")
    second = tmp_path / "second.csv"
    second.write_text("name,aliases\nPython,\nDocker,\n")
    with Warehouse(db) as wh:
        assert add_taxonomy_csv(wh, first)["names_taken"] == {}
    result = cli("onet", "taxonomy", "add", second, "--json", "--db", db)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["names_taken"] == {"Python": "custom:python-language"}
    assert "1 of the names in" in result.stderr and "Python (custom:python-language)" in (
        result.stderr
    )
    second.write_text("name,aliases\nPython,Python\n")  # the hint: the name as an alias too
    with Warehouse(db) as wh:
        assert add_taxonomy_csv(wh, second)["names_taken"] == {}


def test_taxonomy_csv_that_is_not_utf8_names_the_line(tmp_path, db):
    csv = tmp_path / "mine.csv"
    csv.write_bytes(b"name,aliases\nDuckDB,duck db\nCaf\xe9 Ops,\n")
    with Warehouse(db) as wh, pytest.raises(UserError, match=r"mine.csv, line 3: not valid UTF-8"):
        add_taxonomy_csv(wh, csv)


def test_an_alias_that_is_another_skills_name_is_reported(tmp_path, db, cli):
    # "Rust" with the alias "Python" took the name from the skill Python: every ad naming
    # Python counted for Rust from then on, and taxonomy add said nothing.
    first = tmp_path / "first.csv"
    first.write_text("name,aliases\nPython,\n")
    second = tmp_path / "second.csv"
    second.write_text("name,aliases\nRust,Python|rustlang\n")
    with Warehouse(db) as wh:
        assert add_taxonomy_csv(wh, first)["names_shadowed"] == {}
    result = cli("onet", "taxonomy", "add", second, "--json", "--db", db)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["names_shadowed"] == {"Python": "custom:python"}
    assert "1 alias in" in result.stderr and "is another skill's name" in result.stderr
    assert "Python (custom:python)" in result.stderr


def test_more_than_five_shadowed_names_are_counted_not_dropped(tmp_path, db, cli):
    # the warning listed five and said nothing of the rest (names taken say "and N more")
    names = ["Go", "Java", "Perl", "Ruby", "Scala", "Swift"]
    first = tmp_path / "first.csv"
    first.write_text("name,aliases\n" + "".join(f"{n},\n" for n in names))
    second = tmp_path / "second.csv"
    second.write_text("name,aliases\nRust," + "|".join(names) + "\n")
    cli("onet", "taxonomy", "add", first, "--db", db)
    result = cli("onet", "taxonomy", "add", second, "--db", db)
    assert result.exit_code == 0
    assert "6 aliases in" in result.stderr and "are other skills' names" in result.stderr
    assert "and 1 more;" in result.stderr


def test_a_folder_given_as_the_taxonomy_csv_is_named_as_a_folder(tmp_path, db):
    with Warehouse(db) as wh, pytest.raises(UserError, match="is a folder; give the taxonomy CSV"):
        add_taxonomy_csv(wh, tmp_path)  # said "file not found"
