"""``auto``: choose the best model per segment of series by a rolling-origin backtest.

Series are put in segments by their last 12 months at the cutoff — ``dormant`` (no demand),
``intermittent`` (demand in fewer than half the months), ``low`` (mean below 10) and ``high``
— plus ``break`` for series with a detected break in the last 12 months when ``breaks`` are
given. Every candidate is backtested over ``n_windows`` rolling origins on the data before the
cutoff; in each segment the candidate with the lowest MAE wins (ties: earlier in the list, so
simple models win ties). The chosen models are refitted on all data. The backtest rows of the
chosen model per series are kept as ``backtest_`` (model ``auto``) for conformal intervals.
With ``workdays`` every candidate forecasts demand per working day (:mod:`.models.workdays`).

Example
-------
>>> import polars as pl, datetime as dt
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(24)]
>>> panel = pl.DataFrame({"unique_id": ["a"] * 24, "ds": months, "y": [5.0] * 24})
>>> auto = Auto(candidates=("naive", "window_average")).fit(panel, horizon=2)
>>> auto.choice_["model"].to_list()
['naive']
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import polars as pl

from skilltide.forecast.models.base import Forecaster, Wide, month_index

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


# the models that take the detected breaks: a regime feature, or training after the last break
BREAK_AWARE = ("lgbm", "post_break")


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
        end = month_index(wide.months[-1])
        ds = pl.col("break_ds")
        at = ds.dt.year().cast(pl.Int64) * 12 + ds.dt.month().cast(pl.Int64) - 1  # month_index
        recent = breaks.filter(at > end - 12, at <= end)["unique_id"].to_list()
        seg[np.isin(np.array(wide.ids, dtype=object), recent)] = "break"
    return seg


class Auto(Forecaster):
    """Per-segment model choice by rolling-origin backtest (see the module docstring)."""

    name = "auto"

    def __init__(
        self,
        candidates: Sequence[str] = DEFAULT_CANDIDATES,
        n_windows: int = 3,
        breaks: pl.DataFrame | None = None,
        params: dict | None = None,
        workdays: str | None = None,
    ) -> None:
        self.candidates = tuple(candidates)
        self.workdays = workdays
        self.n_windows = n_windows
        self.breaks = breaks
        self.params = params or {}

    def _factory(self, name: str):
        from skilltide.forecast.models.registry import make_model

        params = dict(self.params.get(name, {}))
        if name in BREAK_AWARE and self.breaks is not None:
            params.setdefault("breaks", self.breaks)
        return partial(make_model, name, workdays=self.workdays, **params)

    def _fit(self, wide: Wide, horizon: int) -> None:
        from skilltide.forecast.backtest import default_cutoffs, rolling_forecasts

        seg = segments(wide, self.breaks)
        seg_frame = pl.DataFrame({"unique_id": wide.ids, "segment": seg.astype(str)})
        factories = {name: self._factory(name) for name in self.candidates}
        try:
            cutoffs = default_cutoffs(wide.months[:-1], horizon, self.n_windows)
        except Exception:
            cutoffs = []
        if cutoffs and len(self.candidates) > 1:
            bt = rolling_forecasts(None, factories, horizon=horizon, cutoffs=cutoffs, wide=wide)
            bt = bt.join(seg_frame, on="unique_id")
            scores = (
                bt.group_by("segment", "model")
                .agg(mae=(pl.col("yhat") - pl.col("y")).abs().mean())
                .with_columns(
                    rank=pl.col("model").replace_strict(
                        {m: i for i, m in enumerate(self.candidates)}, return_dtype=pl.Int64
                    )
                )
            )
            best = (
                scores.sort("segment", "mae", "rank")
                .group_by("segment", maintain_order=True)
                .first()
            )
            self.scores_ = scores.drop("rank")
        else:
            bt = None
            best = pl.DataFrame(
                {"segment": sorted(set(seg.astype(str))), "model": self.candidates[0]}
            )
            self.scores_ = None
        self.choice_ = best.select("segment", "model")
        chosen = seg_frame.join(self.choice_, on="segment", how="left").with_columns(
            pl.col("model").fill_null(self.candidates[0])
        )
        self.series_model_ = chosen
        if bt is not None:
            self.backtest_ = (
                bt.join(
                    chosen.select("unique_id", pl.col("model").alias("_chosen")), on="unique_id"
                )
                .filter(pl.col("model") == pl.col("_chosen"))
                .drop("_chosen", "segment")
            )
        else:
            self.backtest_ = None
        needed = sorted(set(chosen["model"].to_list()))
        self.fitted_ = {name: factories[name]().fit_wide(wide, horizon) for name in needed}

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        out = np.zeros((len(wide.ids), horizon))
        mapping = dict(self.series_model_.select("unique_id", "model").iter_rows())
        per_series = np.array([mapping[u] for u in wide.ids], dtype=object)
        for name, model in self.fitted_.items():
            rows = per_series == name
            out[rows] = model.predict_matrix()[rows]
        return out

    def chosen_models(self) -> pl.DataFrame:
        """``(unique_id, segment, model)``: which model forecasts each series."""
        return self.series_model_
