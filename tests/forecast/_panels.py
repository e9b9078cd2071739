"""Synthetic panels with known behaviour, built in the tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl


def months(n: int, start: date = date(2020, 1, 1)) -> list[date]:
    return [
        date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
        for k in range(n)
    ]


def panel(series: dict[str, np.ndarray], start: date = date(2020, 1, 1)) -> pl.DataFrame:
    frames = []
    for uid, y in series.items():
        frames.append(
            pl.DataFrame(
                {"unique_id": uid, "ds": months(len(y), start), "y": np.asarray(y, dtype=float)}
            )
        )
    return pl.concat(frames)


def known_panel(n_months: int = 36, seed: int = 0, copies: int = 10) -> pl.DataFrame:
    """Constant, trending, seasonal and intermittent series (``copies`` of each, noisy)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_months)
    series = {}
    for c in range(copies):
        series[f"g{c}/constant"] = np.full(n_months, 50.0)
        series[f"g{c}/trend"] = 20.0 + 3.0 * t + rng.normal(0, 0.5, n_months)
        series[f"g{c}/seasonal"] = 100.0 + 30.0 * np.sin(2 * np.pi * t / 12)
        series[f"g{c}/intermittent"] = (rng.random(n_months) < 0.2) * rng.integers(1, 4, n_months)
        series[f"g{c}/falling"] = np.maximum(40.0 - 2.0 * t, 0.0)
    return panel(series)
