"""The ad fields and where a file's columns (or nested paths) supply them.

A mapping names, for every field in :data:`FIELDS`, a column or a dotted path into nested
JSON/Parquet (``positions.0.title``); ``--map FIELD=PATH`` and the config's ``[ingest.map]``
override the defaults, which read each field from the column of the same name.

A field that is a JSON (or Parquet) list of strings or numbers is read by :func:`list_value`:
the text fields (``title``, ``company``, ``text``) join its items, and the single-valued ones
(``id``, ``posted_at``, ``region``, ``occupation``) take the first: an ad posted in
``["上海", "南京"]`` is counted in 上海, as one ad in one region (joined, ``上海, 南京`` would be a
region of its own in the demand panels; ``--map region=location.1`` reads the second).

Example
-------
>>> mapping = parse_mapping(["text=raw_content", "posted_at=created_at"])
>>> mapping["text"], mapping["title"]
('raw_content', 'title')
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from skilltide.errors import UserError

FIELDS = ("id", "posted_at", "title", "text", "company", "region", "occupation")
# how a list's items are joined, for the fields that join them (the others take the first)
JOINED = {"title": ", ", "company": ", ", "text": "\n"}


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


def list_value(field: str, items: list) -> str | None:
    """A list of strings or numbers as ``field``'s text: joined (``title``, ``company``: with
    ", ", ``text``: one item a line) or its first item (the others); blank items are left out,
    and no item left is None.

    >>> list_value("region", ["上海", "南京"]), list_value("title", ["Dev", " ", "Ops"])
    ('上海', 'Dev, Ops')
    """
    texts = [s for s in (str(v).strip() for v in items if v is not None) if s]
    if not texts:
        return None
    return JOINED[field].join(texts) if field in JOINED else texts[0]


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


def path_expr(schema: pl.Schema, path: str, columns: dict) -> tuple[pl.Expr, pl.DataType] | None:
    """The expression and type of ``path`` (a column, or a dotted path through structs and
    lists) in a frame of ``schema`` whose columns are ``columns``; None when it is not there."""
    if path in columns:
        return pl.col(path), schema[path]
    parts = path.split(".")
    if parts[0] not in columns:
        return None
    expr, dtype = pl.col(parts[0]), schema[parts[0]]
    for part in parts[1:]:
        if isinstance(dtype, pl.List | pl.Array) and part.lstrip("-").isdigit():
            expr, dtype = expr.list.get(int(part), null_on_oob=True), dtype.inner
        elif isinstance(dtype, pl.Struct) and part in {f.name for f in dtype.fields}:
            expr = expr.struct.field(part)
            dtype = next(f.dtype for f in dtype.fields if f.name == part)
        else:
            return None
    return expr, dtype


def as_text(found: tuple[pl.Expr, pl.DataType] | None, field: str) -> pl.Expr | None:
    """The column or path as ``field``'s text: a list of strings or numbers as
    :func:`~skilltide.ingest.mapping.list_value` reads it (joined, or its first item), a
    struct, or a list of structs or lists, as JSON (as JSON Lines gives it; null when empty)."""
    if found is None:
        return None
    expr, dtype = found
    if dtype == pl.String:
        return expr
    if isinstance(dtype, pl.Struct | pl.List | pl.Array) and (
        isinstance(dtype, pl.Struct) or isinstance(dtype.inner, pl.Struct | pl.List | pl.Array)
    ):  # its JSON, as JSON Lines gives it (no value or an empty list: null)
        json = pl.struct(expr.alias("v")).struct.json_encode()
        json = json.str.strip_prefix('{"v":').str.strip_suffix("}")
        return pl.when(~json.is_in(["null", "[]"])).then(json)
    if isinstance(dtype, pl.List | pl.Array):
        items = (
            expr.cast(pl.List(dtype.inner))
            .list.eval(pl.element().cast(pl.String).str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
        text = items.list.join(JOINED[field]) if field in JOINED else items.list.first()
        return pl.when(text != "").then(text)
    return expr.cast(pl.String)
