"""A weighted mean of other models' forecasts, with fixed weights or weights chosen by backtest.

With ``weights="backtest"`` (the default) the weights are the point of a grid on the simplex
(steps of ``grid_step``) whose combination has the lowest MAE over a rolling-origin backtest
of the members on the data up to the cutoff (``n_windows`` origins, every series and step
pooled). This is how the Job-SDF benchmark's entry is built (``docs/methods.md``): a few
simple, different members with weights chosen over several origins, which there beat both
LightGBM alone and ``auto``'s per-segment combination. With ``workdays`` every member
forecasts demand per working day, so the backtest stays in the panel's units; ``breaks``
go to the break-aware members (``lgbm``, ``post_break``).

Example
-------
>>> import polars as pl, datetime as dt
>>> panel = pl.DataFrame({"unique_id": ["a"] * 3, "ds": [dt.date(2024, m, 1) for m in (1, 2, 3)],
...                       "y": [0.0, 0.0, 6.0]})
>>> Ensemble(("naive", "window_average"), weights=(1, 1), window_average={"window": 3}).fit(
...     panel, horizon=1).predict()["yhat"].item()
4.0
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(24)]
>>> zigzag = pl.DataFrame({"unique_id": ["a"] * 24, "ds": months,
...                        "y": [5.0 + k % 2 for k in range(24)]})
>>> Ensemble(("naive", "window_average")).fit(zigzag, horizon=1).weights_.tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.forecast import fit_cache
from skilltide.forecast.break_source import DetectedBreaks
from skilltide.forecast.models.auto import member_factory
from skilltide.forecast.models.base import Forecaster, Wide

DEFAULT_MEMBERS = ("naive", "window_average", "top_down", "lgbm")
# the members' own defaults, unless given: the 3-month mean (the benchmark's member)
DEFAULT_MEMBER_PARAMS = {"window_average": {"window": 3}}


def simplex_grid(n: int, step: float) -> np.ndarray:
    """Every weight vector of ``n`` non-negative multiples of ``step`` summing to 1, the
    weights leaning on the earlier members first (so ties go to them).

    >>> simplex_grid(2, 0.5).tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    k = round(1 / step)
    if k < 1 or abs(k * step - 1) > 1e-9:
        raise UserError(f"ensemble: grid_step must divide 1 (e.g. 0.1, 0.2, 0.25), not {step}")
    points = []
    for bars in itertools.combinations(range(k + n - 1), n - 1):  # stars and bars
        edges = (-1, *bars, k + n - 1)
        points.append([edges[i + 1] - edges[i] - 1 for i in range(n)])
    return np.array(sorted(points, reverse=True), dtype=float) / k


class Ensemble(Forecaster):
    """Weighted mean of registry models (see the module docstring); keyword arguments named
    after a member pass its parameters, e.g. ``Ensemble(("lgbm", "naive"), lgbm={...})``."""

    name = "ensemble"

    def __init__(
        self,
        members: Sequence[str] = DEFAULT_MEMBERS,
        weights: Sequence[float] | str = "backtest",
        n_windows: int = 4,
        grid_step: float = 0.2,
        workdays: str | None = None,
        breaks: pl.DataFrame | DetectedBreaks | None = None,
        **member_params: dict,
    ) -> None:
        self.members = tuple(members)
        if not self.members or len(set(self.members)) < len(self.members):
            raise UserError(f"ensemble: give distinct member models, not {list(members)}")
        from skilltide.forecast.models.registry import MODELS  # which imports this module

        unknown = [m for m in self.members if m not in MODELS]
        if unknown:  # refused here, not at the first fit of a run
            raise UserError(
                f"ensemble: unknown member model(s) {', '.join(map(repr, unknown))}; "
                f"choose among {', '.join(sorted(MODELS))}"
            )
        stray = [
            k for k, v in member_params.items() if k not in self.members or not isinstance(v, dict)
        ]
        if stray:
            raise UserError(
                f"ensemble: unknown setting(s) {', '.join(stray)}; a member's parameters go in "
                f"a dict named after it ({', '.join(self.members)})"
            )
        if isinstance(weights, str):
            if weights != "backtest":
                raise UserError(f"ensemble: weights must be numbers or 'backtest', not {weights!r}")
            self._grid = simplex_grid(len(self.members), grid_step)
        else:
            fixed = np.asarray(weights, dtype=float)
            if fixed.shape != (len(self.members),) or (fixed < 0).any() or fixed.sum() <= 0:
                raise UserError(
                    f"ensemble: {len(self.members)} non-negative weights with a positive sum "
                    f"needed for {', '.join(self.members)}, got {list(weights)}"
                )
            self._grid = (fixed / fixed.sum())[None, :]
        self.weights = weights
        self.n_windows = n_windows
        self.grid_step = grid_step
        self.workdays = workdays
        self.breaks = breaks
        self.member_params = member_params

    def _factory(self, name: str):
        params = self.member_params.get(name, DEFAULT_MEMBER_PARAMS.get(name, {}))
        return member_factory(name, params, self.breaks, self.workdays)

    def _fit(self, wide: Wide, horizon: int) -> None:
        from skilltide.forecast.backtest import (
            default_cutoffs,
            forecasts_by_model,
            rolling_forecasts,
        )

        factories = {name: self._factory(name) for name in self.members}
        self.backtest_ = self.scores_ = None
        self.weights_ = self._grid[0]
        cutoffs = []
        if len(self._grid) > 1:
            with contextlib.suppress(UserError):  # too short to backtest: equal weights
                cutoffs = default_cutoffs(wide.months, horizon, self.n_windows)
        if cutoffs:
            bt = rolling_forecasts(None, factories, horizon=horizon, cutoffs=cutoffs, wide=wide)
            rows, yhat = forecasts_by_model(bt, self.members)
            actual = rows["y"].to_numpy()
            mae = np.array([np.abs(w @ yhat - actual).mean() for w in self._grid])
            best = int(np.argmin(mae))  # ties: the first grid point (earlier members)
            self.weights_ = self._grid[best]
            self.scores_ = pl.DataFrame(
                {
                    "weights": [w.round(6).tolist() for w in self._grid],
                    "mae": mae,
                }
            ).sort("mae", maintain_order=True)
            self.backtest_ = rows.with_columns(
                model=pl.lit(self.name), yhat=pl.Series(self.weights_ @ yhat)
            ).select(bt.columns)
        elif len(self._grid) > 1:
            self.weights_ = np.full(len(self.members), 1.0 / len(self.members))
        # the members' forecasts (shared with the backtests of refits: fit_cache)
        self.forecasts_ = {
            name: fit_cache.forecast(name, factories[name], wide, horizon)
            for name, w in zip(self.members, self.weights_, strict=True)
            if w > 0
        }

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        out = np.zeros((len(wide.ids), horizon))
        for name, w in zip(self.members, self.weights_, strict=True):
            if w > 0:
                out += w * self.forecasts_[name]
        return out


class Blend(Ensemble):
    """0.4 × the last value + 0.6 × the mean of the last 3 months.

    A fixed, robust combination for noisy monthly counts: on Job-SDF's tuning origins
    (2022-12 … 2023-03, see ``benchmarks/jobsdf.py``) it beat each part and LightGBM.
    """

    name = "blend"

    def __init__(self, last_value: float = 0.4, window: int = 3) -> None:
        super().__init__(
            ("naive", "window_average"),
            weights=(last_value, 1.0 - last_value),
            window_average={"window": window},
        )
