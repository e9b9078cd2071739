"""``skilltide graph …`` commands."""

from __future__ import annotations

import typer

graph_app = typer.Typer(help="Build and analyse the bipartite skill–occupation network.")


def register(app: typer.Typer) -> None:
    app.add_typer(graph_app, name="graph")
