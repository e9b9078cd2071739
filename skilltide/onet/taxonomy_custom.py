"""A user's own skills: ``skilltide onet taxonomy add FILE``.

The CSV has a ``name`` column and optionally ``aliases`` (``|``-separated), ``kind``,
``category`` and ``ambiguous``. Its skills become ``custom:<slug>``, are kept in
``taxonomy_custom`` (so every O*NET reload keeps them) and the taxonomy is rebuilt
(:func:`skilltide.onet.taxonomy.rebuild_taxonomy`). A user's alias outranks every other.

Example
-------
>>> from skilltide.store import Warehouse
>>> add_taxonomy_csv(Warehouse("w.duckdb"), "my_skills.csv")  # doctest: +SKIP
{'run_id': ..., 'custom_skills': 3, 'skills': 3, 'aliases': 7, ...}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.onet.aliases import slug
from skilltide.onet.taxonomy import KINDS, rebuild_taxonomy
from skilltide.provenance import sha256_file
from skilltide.store import Warehouse, append
from skilltide.textfile import ragged_record, read_utf8


def read_taxonomy_csv(path: Path) -> pl.DataFrame:
    """Read and check a user taxonomy CSV: name (required), aliases (|-separated), kind,
    category, ambiguous (true/false)."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give the taxonomy CSV file")
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    read_utf8(path)  # a file saved as Latin-1 or cp1252: its first bad line, named
    if ragged := ragged_record(path):  # polars read a cut row's missing fields as empty
        raise UserError(f"{path}: line {ragged.line}: {ragged.describe()}")
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as exc:
        raise UserError(f"{path}: not a readable CSV file: {exc}") from None
    if "name" not in raw.columns:
        raise UserError(
            f"{path}: column 'name' is missing (found {', '.join(raw.columns)}; expected name "
            "and optionally aliases, kind, category, ambiguous)"
        )
    unknown = [
        c for c in raw.columns if c not in ("name", "aliases", "kind", "category", "ambiguous")
    ]
    if unknown:
        raise UserError(
            f"{path}: column {unknown[0]!r} is not one of name, aliases, kind, category, ambiguous"
        )
    rows = []
    seen: dict[str, int] = {}
    claims: dict[str, int] = {}
    for i, row in enumerate(raw.iter_rows(named=True), start=2):
        if not any((v or "").strip() for v in row.values()):
            continue  # a blank line (still counted: messages give file lines)
        name = (row.get("name") or "").strip()
        if not name or not slug(name):
            raise UserError(f"{path}: line {i}, field name: a skill needs a name")
        kind = (row.get("kind") or "custom").strip().lower()
        if kind not in KINDS:
            raise UserError(
                f"{path}: line {i}, field kind: {kind!r} is not one of {', '.join(KINDS)}"
            )
        flag = (row.get("ambiguous") or "false").strip().lower()
        if flag not in ("true", "false", "yes", "no", "1", "0", "y", "n"):
            raise UserError(f"{path}: line {i}, field ambiguous: {flag!r} is not true or false")
        skill_id = f"custom:{slug(name)}"
        if skill_id in seen:
            raise UserError(f"{path}: line {i}, field name: {name!r} repeats line {seen[skill_id]}")
        seen[skill_id] = i
        aliases = [a.strip() for a in re.split(r"\|", row.get("aliases") or "") if a.strip()]
        _claim(claims, path, i, aliases)
        rows.append(
            {
                "skill_id": skill_id,
                "name": name,
                "aliases": aliases,
                "kind": kind,
                "category": (row.get("category") or "").strip() or None,
                "ambiguous": flag in ("true", "yes", "1", "y"),
            }
        )
    if not rows:
        raise UserError(f"{path}: no skills in the file")
    return pl.DataFrame(
        rows,
        schema={
            "skill_id": pl.String,
            "name": pl.String,
            "aliases": pl.List(pl.String),
            "kind": pl.String,
            "category": pl.String,
            "ambiguous": pl.Boolean,
        },
    )


def _claim(claims: dict[str, int], path: Path, line: int, aliases: list[str]) -> None:
    """Refuse an alias (case-insensitive) that another row of the file gives too: both rank
    as the user's own, and the rebuild would keep one and drop the other silently. (An alias
    that is another row's name is allowed: the user's alias outranks a name.)"""
    for alias in aliases:
        owner = claims.setdefault(alias.lower(), line)
        if owner != line:
            raise UserError(
                f"{path}: line {line}, field aliases: {alias!r} is also an alias on line "
                f"{owner}; an alias can point at one skill only"
            )


def add_taxonomy_csv(wh: Warehouse, path: str | Path) -> dict[str, Any]:
    """Add (or replace, by name) the skills of a user CSV and rebuild the taxonomy."""
    path = Path(path)
    custom = read_taxonomy_csv(path)
    with wh.run("onet taxonomy add", {"file": str(path.resolve())}) as run:
        run.notes["sha256"] = sha256_file(path)  # provenance: the skills came from these bytes
        run.con.execute(
            "DELETE FROM taxonomy_custom WHERE list_contains(?, skill_id)",
            [custom["skill_id"].to_list()],
        )
        append(
            run.con,
            "taxonomy_custom",
            custom.with_columns(
                pl.lit(f"file {path.name}").alias("source"), pl.lit(run.run_id).alias("run_id")
            ),
        )
        run.count("taxonomy_custom", custom.height)
        summary = rebuild_taxonomy(run)
        # A name another skill holds (an O*NET technology's own name, say) matches that skill.
        taken = run.con.execute(
            "SELECT c.name, a.skill_id FROM taxonomy_custom c JOIN skill_aliases a"
            " ON lower(a.alias) = lower(c.name) AND a.skill_id <> c.skill_id"
            " WHERE list_contains(?, c.skill_id) ORDER BY 1",
            [custom["skill_id"].to_list()],
        ).fetchall()
        # An alias that is another skill's name takes the name from it (a user's alias
        # outranks a name): ads naming that skill count for this one from now on.
        shadowed = run.con.execute(
            "SELECT a.alias, s.skill_id FROM skill_aliases a JOIN skills s"
            " ON lower(a.alias) = lower(s.name) AND a.skill_id <> s.skill_id"
            " WHERE a.rule = 'user' AND list_contains(?, a.skill_id) ORDER BY 1",
            [custom["skill_id"].to_list()],
        ).fetchall()
        return {
            "run_id": run.run_id,
            "custom_skills": custom.height,
            **summary,
            "names_taken": dict(taken),
            "names_shadowed": dict(shadowed),
        }


def taxonomy_warnings(summary: dict[str, Any], file: Path | str) -> list[str]:
    """What an :func:`add_taxonomy_csv` summary warns about: names another skill holds, and
    aliases that take another skill's name.

    Example
    -------
    >>> taxonomy_warnings({"names_taken": {}, "names_shadowed": {"Python": "custom:x"}}, "s.csv")
    ["1 alias in s.csv is another skill's name, and ads naming that skill now count for yours: \
Python (custom:x); drop such an alias to leave its ads to that skill"]
    """
    out = []
    if taken := summary["names_taken"]:
        out.append(
            f"{len(taken):,} of the names in {file} are already another skill's, and ads naming "
            f"them count for that skill: {_first_five(taken)}; to count them for yours, give the "
            "name in its aliases column too"
        )
    if shadowed := summary["names_shadowed"]:
        what = (
            f"{len(shadowed):,} aliases in {file} are other skills' names, and ads naming those"
            " skills"
            if len(shadowed) > 1
            else f"1 alias in {file} is another skill's name, and ads naming that skill"
        )
        out.append(
            f"{what} now count for yours: {_first_five(shadowed)}; drop such an alias to leave "
            "its ads to that skill"
        )
    return out


def _first_five(names: dict[str, str]) -> str:
    shown = ", ".join(f"{name} ({owner})" for name, owner in list(names.items())[:5])
    return shown + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
