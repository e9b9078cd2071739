"""Which O*NET release a folder holds: from its ``Read Me.txt``, ``--release`` or its name.

Example
-------
>>> parse_release("O*NET 30.1 Database\\nDecember 2025 Release\\n")
('30.1', 'December 2025 Release')
>>> release_key("29.3") < release_key("30.1") < release_key("30.10")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skilltide.errors import UserError

_README = re.compile(r"O\*NET\s+(\d+)\.(\d+)\s+Database", re.IGNORECASE)
_FOLDER = re.compile(r"(?:^|[^0-9])(\d{2})[._](\d{1,2})(?:$|[^0-9])")
_GIVEN = re.compile(r"^(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Release:
    release: str  # e.g. '30.1'
    label: str | None  # e.g. 'December 2025 Release'
    detected_from: str  # 'Read Me.txt' | '--release' | 'folder name'
    notice: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        return release_key(self.release)


def release_key(release: str) -> tuple[int, int]:
    """Sortable (major, minor) of a release string such as ``'30.1'``."""
    major, minor = release.split(".")
    return int(major), int(minor)


def parse_release(readme_text: str) -> tuple[str, str | None] | None:
    """The release and its label from the text of an O*NET ``Read Me.txt``, or None."""
    match = _README.search(readme_text)
    if not match:
        return None
    lines = [line.strip() for line in readme_text.splitlines() if line.strip()]
    label = next((line for line in lines[1:3] if line.lower().endswith("release")), None)
    return f"{int(match[1])}.{int(match[2])}", label


def detect_release(folder: Path, given: str | None = None) -> Release:
    """The release of ``folder``: ``given`` wins, else ``Read Me.txt``, else the folder name."""
    readme = next((p for p in folder.iterdir() if p.name.lower() == "read me.txt"), None)
    parsed = parse_release(readme.read_text("utf-8", errors="replace")) if readme else None
    if given is not None:
        match = _GIVEN.match(given.strip())
        if not match:
            raise UserError(f"--release {given!r}: write a release as MAJOR.MINOR, e.g. 30.1")
        release = f"{int(match[1])}.{int(match[2])}"
        notice = None
        if parsed and parsed[0] != release:
            notice = (
                f"{folder}: Read Me.txt says release {parsed[0]}, loading it as {release} "
                "as --release asks"
            )
        return Release(release, parsed[1] if parsed else None, "--release", notice)
    if parsed:
        return Release(parsed[0], parsed[1], "Read Me.txt")
    match = _FOLDER.search(folder.resolve().name)
    if match:
        release = f"{int(match[1])}.{int(match[2])}"
        return Release(
            release,
            None,
            "folder name",
            f"{folder}: no O*NET Read Me.txt; release {release} taken from the "
            "folder name (use --release to set it)",
        )
    raise UserError(
        f"{folder}: cannot tell which O*NET release this is (no 'Read Me.txt' naming it and "
        "no release in the folder name); give it with --release, e.g. --release 30.1, or "
        "name the folder after it (onet/30.1, db_30_1_text; the only way in a config file)"
    )
