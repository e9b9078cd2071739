"""``auto``: combine (or choose) models per segment of series by a rolling-origin backtest.

Series are put in segments by their last 12 months at the cutoff — ``dormant`` (no demand),
``intermittent`` (demand in fewer than half the months), ``low`` (mean below 10) and ``high``
— plus ``break`` for series with a detected break in the last 12 months when ``breaks`` are
given. Every candidate is backtested over ``n_windows`` rolling origins on the data before the
cutoff. With ``strategy="combine"`` (default) each segment's forecast is the mean of all
candidates weighted by 1 / backtest MAE; with ``"select"`` the lowest-MAE candidate wins
(ties: earlier in the list, so simple models win ties). On Job-SDF the combination beat the
selection on both the tuning and the test origins (``docs/methods.md``): which single model
wins a short backtest flips with the season. The models are refitted on all data; the
backtest of the weighted forecast is kept as ``backtest_`` (model ``auto``); it is in-sample
for the weights, so the intervals come from refitting ``auto`` at its origins
(:func:`skilltide.forecast.pipeline.forecast_panel`). With ``workdays`` every candidate
forecasts demand per working day (:mod:`.models.workdays`).

Example
-------
>>> import polars as pl, datetime as dt
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(24)]
>>> y = [5.0 + k % 2 for k in range(24)]  # zig-zag: the 6-month mean beats the last value
>>> panel = pl.DataFrame({"unique_id": ["a"] * 24, "ds": months, "y": y})
>>> two = ("naive", "window_average")
>>> Auto(two, strategy="select").fit(panel, horizon=1).choice_["model"].to_list()
['window_average']
>>> Auto(two).fit(panel, horizon=1).weights_.sort("model")["weight"].round(3).to_list()
[0.333, 0.667]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.forecast import fit_cache
from skilltide.forecast.break_source import breaks_for
from skilltide.forecast.features import months_since_break
from skilltide.forecast.models.base import Forecaster, Wide

DEFAULT_CANDIDATES = (
    "naive",
    "seasonal_naive",
    "window_average",
    "blend",
    "top_down",
    "post_break",
    "tsb",
    "lgbm",
)


STRATEGIES = ("combine", "select")
# the models that take the detected breaks: a regime feature, or training after the last break
BREAK_AWARE = ("lgbm", "post_break")
# every model name that takes ``breaks`` (auto and ensemble pass them to their members)
TAKES_BREAKS = (*BREAK_AWARE, "auto", "ensemble")


def member_factory(name: str, params: dict, breaks, workdays: str | None):
    """A fresh-model factory for a member of ``auto`` or ``ensemble``: its ``params``, the
    breaks when it uses them, and the combination's ``workdays`` (backtests in panel units)."""
    from skilltide.forecast.models.registry import make_model

    params = dict(params)
    if name in BREAK_AWARE and breaks is not None:
        params.setdefault("breaks", breaks)
    return partial(make_model, name, workdays=workdays, **params)


def segments(wide: Wide, breaks: pl.DataFrame | None = None) -> np.ndarray:
    """Segment name per series from its last 12 months (and recent breaks, if given)."""
    last = wide.filled()[:, -12:]
    nonzero = (last > 0).mean(axis=1)
    seg = np.where(
        nonzero == 0,
        "dormant",
        np.where(nonzero < 0.5, "intermittent", np.where(last.mean(axis=1) < 10, "low", "high")),
    ).astype(object)
    if breaks is not None and breaks.height:
        seg[months_since_break(wide, breaks)[:, -1] < 12] = "break"
    return seg


class Auto(Forecaster):
    """Per-segment choice or combination by rolling-origin backtest (see the module docstring)."""

    name = "auto"

    def __init__(
        self,
        candidates: Sequence[str] = DEFAULT_CANDIDATES,
        n_windows: int = 3,
        breaks: pl.DataFrame | None = None,
        params: dict | None = None,
        workdays: str | None = None,
        strategy: str = "combine",
    ) -> None:
        if strategy not in STRATEGIES:
            raise UserError(f"auto: strategy must be one of {', '.join(STRATEGIES)}")
        self.candidates = tuple(candidates)
        self.n_windows = n_windows
        self.breaks = breaks
        self.params = params or {}
        self.workdays = workdays
        self.strategy = strategy

    def _fit(self, wide: Wide, horizon: int) -> None:
        from skilltide.forecast.backtest import (
            default_cutoffs,
            forecasts_by_model,
            rolling_forecasts,
        )

        seg = segments(wide, breaks_for(self.breaks, wide)).astype(str)
        self.segment_names_, self.segment_of_ = np.unique(seg, return_inverse=True)
        factories = {
            name: member_factory(name, self.params.get(name, {}), self.breaks, self.workdays)
            for name in self.candidates
        }
        try:
            cutoffs = default_cutoffs(wide.months[:-1], horizon, self.n_windows)
        except UserError:
            cutoffs = []
        n_seg = len(self.segment_names_)
        if cutoffs:  # one candidate too: its backtest gives the intervals
            bt = rolling_forecasts(None, factories, horizon=horizon, cutoffs=cutoffs, wide=wide)
            # one matrix row per candidate, summed in a fixed order so that the weights are
            # bit-for-bit reproducible
            rows, yhat = forecasts_by_model(bt, self.candidates)
            segment_of = dict(zip(wide.ids, self.segment_of_.tolist(), strict=True))
            row_segment = (
                rows["unique_id"].replace_strict(segment_of, return_dtype=pl.Int64).to_numpy()
            )
            counts = np.bincount(row_segment, minlength=n_seg)
            error = np.abs(yhat - rows["y"].to_numpy())
            sums = np.stack([np.bincount(row_segment, e, minlength=n_seg) for e in error])
            mae = np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
            # a segment whose series all start after the backtest origins has no score:
            # like a panel too short to backtest, it gets the first candidate alone
            untested = counts == 0
            self.weight_matrix_ = self._weights(np.where(untested, 0.0, mae))
            self.weight_matrix_[:, untested] = 0.0
            self.weight_matrix_[0, untested] = 1.0
            combined = (self.weight_matrix_[:, row_segment] * yhat).sum(axis=0)
            self.backtest_ = rows.with_columns(
                model=pl.lit("auto"), yhat=pl.Series(combined)
            ).select(bt.columns)
            self.scores_ = pl.DataFrame(
                {
                    "segment": np.tile(self.segment_names_, len(self.candidates)),
                    "model": np.repeat(self.candidates, n_seg),
                    "mae": mae.ravel(),
                }
            )
        else:
            self.scores_ = self.backtest_ = None
            self.weight_matrix_ = np.zeros((len(self.candidates), n_seg))
            self.weight_matrix_[0] = 1.0
        m, k = np.nonzero(self.weight_matrix_)
        self.weights_ = pl.DataFrame(
            {
                "segment": self.segment_names_[k],
                "model": np.array(self.candidates)[m],
                "weight": self.weight_matrix_[m, k],
            }
        ).sort("segment", "model")
        best = np.array(self.candidates)[self.weight_matrix_.argmax(axis=0)]
        # a segment forecast by one model alone (``select``, no backtest, or one candidate
        # taking all the weight) is labelled with that model, not as a combination
        alone = (self.weight_matrix_ > 0).sum(axis=0) == 1
        label = np.where(alone, best, "combination")
        self.choice_ = pl.DataFrame({"segment": self.segment_names_, "model": label})
        self.series_model_ = pl.DataFrame(
            {"unique_id": wide.ids, "segment": seg, "model": label[self.segment_of_]}
        )
        # the candidates' forecasts (shared with the backtests of refits: fit_cache)
        self.forecasts_ = {
            name: fit_cache.forecast(name, factories[name], wide, horizon)
            for name, used in zip(self.candidates, self.weight_matrix_.any(axis=1), strict=True)
            if used
        }

    def _weights(self, mae: np.ndarray) -> np.ndarray:
        """``candidates × segments`` weights from the backtest MAE: 1 for the lowest
        (``select``; ties go to the earlier candidate), or proportional to 1 / MAE
        (``combine``; weights below 1e-6 dropped)."""
        weights = np.zeros_like(mae)
        if self.strategy == "select":
            weights[mae.argmin(axis=0), np.arange(mae.shape[1])] = 1.0
            return weights
        # a perfect candidate (MAE 0) takes all the weight rather than dividing by zero
        floor = np.maximum(mae.max(axis=0) * 1e-9, 1e-12)
        inverse = 1.0 / np.maximum(mae, floor)
        weights = inverse / inverse.sum(axis=0)
        weights[weights < 1e-6] = 0.0
        return weights / weights.sum(axis=0)

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        out = np.zeros((len(wide.ids), horizon))
        for m, name in enumerate(self.candidates):
            if name in self.forecasts_:
                weight = self.weight_matrix_[m, self.segment_of_]
                out += weight[:, None] * self.forecasts_[name]
        return out

    def chosen_models(self) -> pl.DataFrame:
        """``(unique_id, segment, model)``: the model forecasting each series, or
        ``combination`` where the ``combine`` strategy weights several (see ``weights_``)."""
        return self.series_model_
