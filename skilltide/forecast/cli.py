"""``skilltide forecast …`` and ``skilltide breaks …`` commands."""

from __future__ import annotations

import typer

forecast_app = typer.Typer(help="Forecast monthly skill demand, backtest models.")
breaks_app = typer.Typer(help="Detect structural breaks in demand series.")


def register(app: typer.Typer) -> None:
    app.add_typer(forecast_app, name="forecast")
    app.add_typer(breaks_app, name="breaks")
