"""One settings object, from a TOML file, the environment and command-line flags.

Precedence, highest first: flags, environment (``SKILLTIDE_DB``, ``SKILLTIDE_CONFIG``),
the config file (``--config``, else ``./skilltide.toml`` when present), defaults.
Relative paths in the config file are relative to the file's folder, and resolved to
absolute paths, so the same file names the same files from any working folder.

Example
-------
>>> s = load_settings(db="w.duckdb")
>>> s.db.name
'w.duckdb'
>>> s.section("forecast")
{}
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skilltide.errors import UserError
from skilltide.textfile import read_utf8

DEFAULT_CONFIG = Path("skilltide.toml")
DEFAULT_DB = Path("skilltide.duckdb")


@dataclass(frozen=True)
class Settings:
    """Where the warehouse is, how chatty to be, and the parsed config file."""

    db: Path = DEFAULT_DB
    config_path: Path | None = None
    verbosity: int = 0  # -1 quiet, 0 normal, 1 verbose
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def verbose(self) -> bool:
        return self.verbosity > 0

    def section(self, name: str) -> dict[str, Any]:
        """A top-level table of the config file (``[ingest]``, ``[forecast]``, ...), or {}."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise UserError(f"{self.config_path}: [{name}] must be a table")
        return value

    def path(self, value: str | os.PathLike) -> Path:
        """Resolve a path written in the config file against the file's folder, as an
        absolute path: ``skilltide run`` fingerprints its inputs by path, and a config
        given as ``skilltide.toml`` or ``/srv/skilltide/skilltide.toml`` names the same files.
        """
        p = Path(value).expanduser()
        if p.is_absolute() or self.config_path is None:
            return p
        return Path(os.path.abspath(self.config_path.parent / p))


def read_config(path: Path) -> dict[str, Any]:
    """Parse a TOML config file, with a clear error naming the file and line."""
    if not path.exists():
        raise UserError(f"{path}: config file not found")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a config file")
    text = read_utf8(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None


def load_settings(
    config: str | os.PathLike | None = None,
    db: str | os.PathLike | None = None,
    quiet: bool = False,
    verbose: bool = False,
) -> Settings:
    """Combine flags, environment and config file into :class:`Settings`."""
    config_path = _config_path(config)
    data = read_config(config_path) if config_path else {}
    settings = Settings(config_path=config_path, data=data)
    if db is not None:
        db_path = Path(db)
    elif os.environ.get("SKILLTIDE_DB"):
        db_path = Path(os.environ["SKILLTIDE_DB"])
    elif "db" in settings.section("warehouse"):
        value = settings.section("warehouse")["db"]
        if not isinstance(value, str):
            raise UserError(f"{config_path}: [warehouse] db must be a string, not {value!r}")
        db_path = settings.path(value)
    else:
        db_path = DEFAULT_DB
    verbosity = -1 if quiet else (1 if verbose else 0)
    return Settings(db=db_path, config_path=config_path, verbosity=verbosity, data=data)


def _config_path(config: str | os.PathLike | None) -> Path | None:
    if config is not None:
        return Path(config)
    if os.environ.get("SKILLTIDE_CONFIG"):
        return Path(os.environ["SKILLTIDE_CONFIG"])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None
