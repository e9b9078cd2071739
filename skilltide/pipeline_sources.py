"""An ad source of ``skilltide run``: a folder, files or glob patterns, and how to read them.

Example
-------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ads.csv").write_text("id,posted_at,text\\n")
>>> _ = (folder / "README.md").write_text("not an ad file")
>>> [p.name for p in Source("jobs", (str(folder),)).files()]
['ads.csv']
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from skilltide.errors import UserError


@dataclass(frozen=True)
class Source:
    """A folder or glob of ad files and how their columns map to skilltide's fields."""

    name: str
    paths: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)
    date_order: str = "auto"  # of slash dates: its own, else [ingest] date_order
    encoding: str = "utf-8"  # of its text files: its own, else [ingest] encoding

    def files(self) -> list[Path]:
        """The files named or matched, and the ad files (by extension) under folders; a file
        or folder named (not a pattern) that does not exist is an error."""
        from skilltide.ingest.readers import is_ad_file

        self.check()
        found: set[Path] = set()
        for pattern in self.paths:
            path = Path(pattern)
            if path.is_dir():
                # As `skilltide ingest ads FOLDER`: a README beside the ads is not an ad file.
                found.update(p for p in path.rglob("*") if p.is_file() and is_ad_file(p))
            elif _is_pattern(pattern):
                found.update(Path(p) for p in glob.glob(pattern, recursive=True))
            else:
                found.add(path)
        return sorted(p for p in found if p.is_file() and not p.name.startswith("."))

    def check(self) -> None:
        """Refuse a file or folder named that does not exist, or a pattern whose folder does
        not (a pattern may match nothing yet): a mistyped or unmounted folder must not look
        like "no new ads". ``skilltide run`` checks every source so before its first stage."""
        for pattern in self.paths:
            path = Path(pattern)
            if path.is_dir() or path.is_file():
                continue
            if not _is_pattern(pattern):
                raise UserError(f"source {self.name!r}: {pattern}: no such file or folder")
            base = _pattern_base(path)  # the folder the pattern searches
            if not base.is_dir():
                raise UserError(f"source {self.name!r}: {pattern}: no such folder {base}")


def _is_pattern(path: str) -> bool:
    return any(c in path for c in "*?[")


def _pattern_base(pattern: Path) -> Path:
    """The folder a glob pattern searches: its parts before the first with a wildcard."""
    fixed = []
    for part in pattern.parts:
        if _is_pattern(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")
