"""Numbered SQL migrations (``0001_core.sql``, ...): :func:`migrations` reads them in order.

Example
-------
>>> migrations()[0].name
'core'
>>> latest_version() == len(migrations())
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The schema migrations shipped with this version, in order."""
    found = []
    for entry in resources.files("skilltide.migrations").iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


def latest_version() -> int:
    return migrations()[-1].version


def has_statements(sql: str) -> bool:
    """Whether ``sql`` holds anything but comments and blank lines."""
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())
