"""The ad fields and where a file's columns (or nested paths) supply them.

A mapping names, for every field in :data:`FIELDS`, a column or a dotted path into nested
JSON/Parquet (``positions.0.title``); ``--map FIELD=PATH`` and the config's ``[ingest.map]``
override the defaults, which read each field from the column of the same name.

Example
-------
>>> mapping = parse_mapping(["text=raw_content", "posted_at=created_at"])
>>> mapping["text"], mapping["title"]
('raw_content', 'title')
"""

from __future__ import annotations

from pathlib import Path

from skilltide.errors import UserError

FIELDS = ("id", "posted_at", "title", "text", "company", "region", "occupation")


def default_mapping() -> dict[str, str]:
    """Every field read from the column of the same name (the synthetic generator's layout)."""
    return {f: f for f in FIELDS}


def parse_mapping(items: list[str] | dict[str, str] | None, base: dict | None = None) -> dict:
    """Merge ``FIELD=PATH`` items (``--map``) or a dict (config ``[ingest.map]``) into a mapping.

    >>> parse_mapping(["text=body", "title=positions.0.title"])["title"]
    'positions.0.title'
    """
    mapping = dict(base or default_mapping())
    pairs = (
        items.items()
        if isinstance(items, dict)
        else [tuple(i.split("=", 1)) if "=" in i else (i, None) for i in (items or [])]
    )
    seen: dict[str, str] = {}
    for field, path in pairs:
        field = str(field).strip()
        if path is None and field not in FIELDS:  # "--map body": no '=' at all
            raise UserError(f"--map {field}: write FIELD=PATH, e.g. --map text={field}")
        if field not in FIELDS:
            raise UserError(
                f"--map {field}=…: unknown field {field!r}; use one of {', '.join(FIELDS)}"
            )
        if not path or not str(path).strip():
            raise UserError(f"--map {field}: write FIELD=PATH, e.g. --map {field}=column_name")
        if field in seen and seen[field] != str(path).strip():  # which one did they mean?
            raise UserError(
                f"--map {field}: mapped twice ({seen[field]!r} and {str(path).strip()!r})"
            )
        mapping[field] = seen[field] = str(path).strip()
    return mapping


def require_columns(path: Path, columns: list[str], mapping: dict) -> None:
    """Stop unless the file has the columns that ``text``, ``posted_at`` and every field
    mapped to another column map to (an unmapped optional field may be absent)."""
    roots = {f: p.split(".")[0] if p not in columns else p for f, p in mapping.items()}
    needed = ["text", "posted_at"] + [f for f in FIELDS if mapping[f] != f]
    for field in dict.fromkeys(needed):
        if roots[field] not in columns:
            raise UserError(
                f"{path}: field {field}: no column {mapping[field]!r} (columns: "
                f"{', '.join(columns[:20])}); map it with --map {field}=COLUMN"
            )
