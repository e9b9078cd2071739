"""``skilltide ingest …`` commands."""

from __future__ import annotations

import typer

ingest_app = typer.Typer(help="Ingest job ads and aggregated demand panels into the warehouse.")


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
