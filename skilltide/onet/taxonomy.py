"""The skill vocabulary (tables ``skills`` and ``skill_aliases``) that ads are matched against.

Three sources, rebuilt together so that an alias never points at two skills:

- O*NET Technology Skills examples → ``tech:<slug>`` (kind ``technology``), category the
  commodity title they are most often listed under, Hot Technology / In Demand flags when any
  occupation lists them so;
- O*NET content-model elements that occupations are rated on → ``onet:<element id>``
  (``skill`` 2.A/2.B, ``knowledge`` 2.C, ``ability`` 1.A, ``activity`` 4.A);
- a user's CSV (``skilltide onet taxonomy add FILE``,
  :mod:`skilltide.onet.taxonomy_custom`) → ``custom:<slug>``, kept in ``taxonomy_custom`` so
  every rebuild keeps it.

Aliases come from the rules of :mod:`skilltide.onet.aliases`. When two skills claim the same
alias (compared case-insensitively) one wins, by, in order: the rule's rank (:data:`RULE_RANK`:
a user's own alias, then a skill's own name, then curated exceptions, then derived rules),
a skill whose name is the alias, a Hot Technology, the skill listed for more occupations, and
finally the smaller skill id. The losers are counted in the run's notes.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("w.duckdb") as wh, wh.run("rebuild") as run:  # doctest: +SKIP
...     rebuild_taxonomy(run)
{'skills': ..., 'aliases': ..., ...}
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skilltide.onet.alias_lists import AMBIGUOUS, CURATED
from skilltide.onet.aliases import candidate_aliases, case_sensitive_expr, slug_expr
from skilltide.onet.schema import newest
from skilltide.store import Run, Warehouse, append, frame

# The O*NET tables the taxonomy is built from: a load that changes none of them keeps it.
TAXONOMY_INPUTS = frozenset(
    {
        "onet_technology_skills",
        "onet_content_model_reference",
        "onet_task_statements",
        "onet_occupation_data",
        "onet_dwa_reference",
    }
)
# How aliases are derived (1: before 2026-12-07's English-ad fixes: "Act!" compared as "act",
# "scheme" ambiguous, curated SVG/Sass/GIS; 2: before a vendor's product named like a job
# title kept its vendor, "IBM Content Manager" ↛ "Content Manager"). A stored taxonomy of an
# older derivation is rebuilt once (:func:`refresh_if_stale`), so an upgrade reaches the stored
# vocabulary.
RULES = 3
KINDS = ("technology", "skill", "knowledge", "ability", "activity", "custom")
ELEMENT_KINDS = {
    "2.A": "skill",
    "2.B": "skill",
    "2.C": "knowledge",
    "1.A": "ability",
    "4.A": "activity",
}
RULE_RANK = {
    "user": 0,
    "name": 1,
    "curated": 2,
    "acronym": 3,
    "parenthesis": 3,
    "strip_software": 4,
    "strip_vendor": 5,
    "vendor_abbrev": 5,
    "js_variant": 6,
    "strip_version": 7,
    "punctuation": 8,
}


def rebuild_taxonomy(run: Run) -> dict[str, Any]:
    """Rewrite ``skills`` and ``skill_aliases`` from the loaded O*NET views and custom skills."""
    con = run.con
    tech = frame(
        con,
        """
        WITH per_title AS (
            SELECT example, commodity_title, count(*) AS n FROM technology_skills
            GROUP BY ALL),
        best_title AS (
            SELECT example, arg_max(commodity_title, n * 1e6 - rank) AS category FROM (
                SELECT *, row_number() OVER (PARTITION BY example ORDER BY commodity_title)
                    AS rank FROM per_title) GROUP BY example)
        SELECT t.example AS name, b.category, bool_or(t.hot_technology) AS hot_technology,
               bool_or(t.in_demand) AS in_demand, count(DISTINCT t.onetsoc_code) AS occupations,
               'onet ' || max(t.release) AS source
        FROM technology_skills t JOIN best_title b USING (example)
        GROUP BY t.example, b.category ORDER BY t.example""",
    )
    tech = tech.with_columns(
        ("tech:" + slug_expr(pl.col("name"))).alias("skill_id"),
        pl.lit("technology").alias("kind"),
    )
    # examples that differ only in punctuation share a slug: one skill, the commonest name
    tech = tech.sort(["skill_id", "occupations", "name"], descending=[False, True, False])
    merged_names = tech.filter(pl.col("skill_id").is_duplicated())
    tech = tech.group_by("skill_id", maintain_order=True).agg(
        pl.first("name", "category", "kind", "source"),
        pl.col("hot_technology").any(),
        pl.col("in_demand").any(),
        pl.col("occupations").sum(),
    )
    elements = _content_model_skills(con)
    custom = frame(
        con,
        "SELECT skill_id, name, kind, category, source, ambiguous, aliases "
        "FROM taxonomy_custom ORDER BY skill_id",
    )

    columns = [
        "skill_id",
        "name",
        "kind",
        "category",
        "source",
        "hot_technology",
        "in_demand",
        "occupations",
    ]
    skills = pl.concat(
        [
            tech.select(columns),
            elements.select(columns),
            custom.with_columns(
                pl.lit(None, pl.Boolean).alias("hot_technology"),
                pl.lit(None, pl.Boolean).alias("in_demand"),
                pl.lit(0, pl.UInt32).alias("occupations"),
            ).select(columns),
        ],
        how="vertical_relaxed",
    ).unique("skill_id", keep="last", maintain_order=True)

    ordinary = ordinary_words(con)
    candidates = _candidates(skills, merged_names, custom, ordinary)
    aliases, dropped = _resolve(candidates, skills, ordinary)
    ambiguous_ids = set(aliases.filter(pl.col("ambiguous_word"))["skill_id"]) | set(
        custom.filter(pl.col("ambiguous"))["skill_id"]
    )
    skills = skills.with_columns(
        pl.col("skill_id").is_in(sorted(ambiguous_ids)).alias("ambiguous"),
        pl.lit(run.run_id).alias("run_id"),
    )
    con.execute("DELETE FROM skill_aliases")
    con.execute("DELETE FROM skills")
    n_skills = append(con, "skills", skills.drop("occupations"))
    n_aliases = append(
        con,
        "skill_aliases",
        aliases.select(
            "alias", "skill_id", "rule", "case_sensitive", pl.lit(run.run_id).alias("run_id")
        ),
    )
    con.execute("DELETE FROM taxonomy_builds")
    con.execute("INSERT INTO taxonomy_builds VALUES (?, ?)", [RULES, run.run_id])
    run.count("skills", n_skills)
    run.count("skill_aliases", n_aliases)
    by_rule = dict(aliases.group_by("rule").len().sort("rule").iter_rows())
    summary = {
        "skills": n_skills,
        "skills_by_kind": dict(skills.group_by("kind").len().sort("kind").iter_rows()),
        "aliases": n_aliases,
        "aliases_by_rule": by_rule,
        "ambiguous_skills": len(ambiguous_ids),
        "case_sensitive_aliases": int(aliases["case_sensitive"].sum()),
        "alias_collisions_dropped": dropped,
    }
    run.notes["taxonomy"] = summary
    return summary


def is_stale(con) -> bool:
    """Whether the stored taxonomy was derived by older rules than :data:`RULES` (a vocabulary
    written by hand, with no build recorded, is left alone)."""
    rows = con.execute("SELECT max(rules) FROM taxonomy_builds").fetchall()
    return rows[0][0] is not None and rows[0][0] < RULES


def refresh_if_stale(wh: Warehouse) -> dict[str, Any] | None:
    """Rebuild a stale taxonomy (:func:`is_stale`) in a run of its own; its summary, or None."""
    if not is_stale(wh.con):
        return None
    with wh.run("taxonomy rules", {"rules": RULES}) as run, run.stage("taxonomy"):
        return rebuild_taxonomy(run)


def _content_model_skills(con) -> pl.DataFrame:
    cm = frame(con, "SELECT element_id, element_name, release FROM content_model")
    if cm.height == 0:
        return pl.DataFrame(
            schema={
                "skill_id": pl.String,
                "name": pl.String,
                "kind": pl.String,
                "category": pl.String,
                "source": pl.String,
                "hot_technology": pl.Boolean,
                "in_demand": pl.Boolean,
                "occupations": pl.UInt32,
            }
        )
    names = dict(zip(cm["element_id"], cm["element_name"], strict=True))
    ids = cm["element_id"].to_list()
    # only leaves of the hierarchy are rated; their parent names the category
    parents = {i.rsplit(".", 1)[0] for i in ids if "." in i}
    rows = []
    for element_id in ids:
        kind = ELEMENT_KINDS.get(element_id[:3])
        if kind and element_id not in parents and element_id.count(".") >= 2:
            rows.append(
                {
                    "skill_id": f"onet:{element_id}",
                    "name": names[element_id],
                    "kind": kind,
                    "category": names.get(element_id.rsplit(".", 1)[0]),
                    "source": f"onet {cm['release'][0]}",
                }
            )
    return pl.DataFrame(rows).with_columns(
        pl.lit(None, pl.Boolean).alias("hot_technology"),
        pl.lit(None, pl.Boolean).alias("in_demand"),
        pl.lit(0, pl.UInt32).alias("occupations"),
    )


def ordinary_words(con) -> frozenset[str]:
    """Everyday words: those written in lower case in O*NET's task statements, occupation
    descriptions and DWA titles (about 12,000 in 30.1: 'world', 'video', 'spring', ...)."""
    rows = con.execute(rf"""
        SELECT DISTINCT unnest(regexp_extract_all(text, '\b[a-z][a-z]+\b')) FROM (
            SELECT task AS text FROM task_statements
            UNION ALL SELECT description FROM occupations
            UNION ALL SELECT dwa_title FROM onet_dwa_reference
                WHERE {newest("onet_dwa_reference")})""").fetchall()
    return frozenset(r[0] for r in rows)


def _candidates(
    skills: pl.DataFrame, merged: pl.DataFrame, custom: pl.DataFrame, ordinary: frozenset[str]
) -> pl.DataFrame:
    rows: list[tuple[str, str, str]] = []
    for skill_id, name in skills.select("skill_id", "name").iter_rows():
        rows += [(skill_id, alias, rule) for alias, rule in candidate_aliases(name, ordinary)]
    for skill_id, name in merged.select("skill_id", "name").iter_rows():
        rows += [(skill_id, alias, rule) for alias, rule in candidate_aliases(name, ordinary)]
    by_name = dict(zip(skills["name"], skills["skill_id"], strict=True))
    for name, extra in CURATED.items():
        if name in by_name:
            rows += [(by_name[name], alias, "curated") for alias in extra]
    for skill_id, aliases in custom.select("skill_id", "aliases").iter_rows():
        rows += [(skill_id, alias, "user") for alias in aliases]
    return pl.DataFrame(
        rows, schema={"skill_id": pl.String, "alias": pl.String, "rule": pl.String}, orient="row"
    )


def _resolve(
    candidates: pl.DataFrame, skills: pl.DataFrame, ordinary: frozenset[str]
) -> tuple[pl.DataFrame, int]:
    ranked = (
        candidates.join(
            skills.select("skill_id", "name", "kind", "hot_technology", "occupations"),
            on="skill_id",
        )
        .with_columns(
            pl.col("alias").str.to_lowercase().alias("key"),
            pl.col("rule").replace_strict(RULE_RANK, return_dtype=pl.Int32).alias("rank"),
            (pl.col("name").str.to_lowercase() != pl.col("alias").str.to_lowercase()).alias(
                "not_own"
            ),
            pl.col("hot_technology").fill_null(False).not_().alias("not_hot"),
        )
        .sort(
            ["key", "rank", "not_own", "not_hot", "occupations", "skill_id"],
            descending=[False, False, False, False, True, False],
        )
    )
    per_skill = ranked.unique(["key", "skill_id"], keep="first", maintain_order=True)
    winners = per_skill.unique("key", keep="first", maintain_order=True)
    dropped = per_skill.height - winners.height
    winners = winners.with_columns(
        # everyday words make a technology name case-sensitive, not a content-model skill
        pl.when(pl.col("kind") == "technology")
        .then(case_sensitive_expr(pl.col("alias"), ordinary))
        .otherwise(case_sensitive_expr(pl.col("alias")))
        .alias("case_sensitive"),
        # the skill itself is ambiguous when its own name (or a curated / user short form) is
        # an ordinary word or one letter; "Excel" derived from "Microsoft Excel" is not
        (
            (
                pl.col("key").is_in(sorted(AMBIGUOUS))
                | (
                    (pl.col("kind") == "technology")
                    & case_sensitive_expr(pl.col("alias"), ordinary)
                    & (pl.col("alias").str.len_chars() > 2)
                )
                | (pl.col("alias").str.len_chars() == 1)
            )
            & pl.col("rule").is_in(["name", "curated", "user"])
        ).alias("ambiguous_word"),
    ).sort(["skill_id", "rank", "alias"])
    return winners, dropped
