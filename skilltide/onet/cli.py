"""``skilltide onet …`` and ``skilltide workbank …`` commands."""

from __future__ import annotations

import typer

onet_app = typer.Typer(help="Load O*NET releases, build the skill taxonomy, code job titles.")
workbank_app = typer.Typer(help="Load WORKBank (Shao et al. 2025) and summarise automation zones.")


def register(app: typer.Typer) -> None:
    app.add_typer(onet_app, name="onet")
    app.add_typer(workbank_app, name="workbank")
