"""``skilltide report`` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add ``skilltide report`` to the root app."""
