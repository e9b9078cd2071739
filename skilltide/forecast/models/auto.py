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
backtest of the weighted forecast is kept as ``backtest_`` (model ``auto``) for conformal
intervals. With ``workdays`` every candidate forecasts demand per working day
(:mod:`.models.workdays`).

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


STRATEGIES = ("combine", "select")
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
        except UserError:
            cutoffs = []
        if cutoffs and len(self.candidates) > 1:
            bt = rolling_forecasts(None, factories, horizon=horizon, cutoffs=cutoffs, wide=wide)
            bt = bt.join(seg_frame, on="unique_id")
            self.scores_ = bt.group_by("segment", "model").agg(
                mae=(pl.col("yhat") - pl.col("y")).abs().mean()
            )
            self.weights_ = self._weights(self.scores_)
            self.backtest_ = (
                bt.join(self.weights_, on=["segment", "model"])
                .group_by("unique_id", "cutoff", "ds", "step", maintain_order=True)
                .agg(
                    pl.lit("auto").alias("model"),
                    (pl.col("weight") * pl.col("yhat")).sum().alias("yhat"),
                    pl.col("y").first(),
                    pl.col("scale").first(),
                )
            )
        else:
            self.scores_ = self.backtest_ = None
            self.weights_ = pl.DataFrame(
                {"segment": sorted(set(seg.astype(str))), "model": self.candidates[0]}
            ).with_columns(weight=pl.lit(1.0))
        self.choice_ = (
            self.weights_.sort("segment", "weight", descending=[False, True])
            .group_by("segment", maintain_order=True)
            .agg(
                pl.col("model").first()
                if self.strategy == "select"
                else pl.lit("combination").alias("model")
            )
        )
        self.series_model_ = seg_frame.join(self.choice_, on="segment", how="left").with_columns(
            pl.col("model").fill_null(self.candidates[0])
        )
        self.segment_ = seg.astype(str)
        needed = sorted(set(self.weights_["model"].to_list()))
        self.fitted_ = {name: factories[name]().fit_wide(wide, horizon) for name in needed}

    def _weights(self, scores: pl.DataFrame) -> pl.DataFrame:
        """``(segment, model, weight)``: 1 for the lowest backtest MAE (``select``; ties go to
        the earlier candidate), or proportional to 1 / MAE (``combine``)."""
        if self.strategy == "select":
            rank = pl.col("model").replace_strict(
                {m: i for i, m in enumerate(self.candidates)}, return_dtype=pl.Int64
            )
            best = scores.sort("segment", "mae", rank).group_by("segment").first()
            return best.select("segment", "model", weight=pl.lit(1.0))
        # a perfect candidate (MAE 0) takes all the weight rather than dividing by zero
        floor = pl.max_horizontal(pl.col("mae").max().over("segment") * 1e-9, pl.lit(1e-12))
        inverse = 1.0 / pl.max_horizontal(pl.col("mae"), floor)
        return scores.select(
            "segment", "model", weight=inverse / inverse.sum().over("segment")
        ).filter(pl.col("weight") > 1e-6)

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        out = np.zeros((len(wide.ids), horizon))
        for name, model in self.fitted_.items():
            per_segment = dict(
                self.weights_.filter(pl.col("model") == name)
                .select("segment", "weight")
                .iter_rows()
            )
            weight = np.array([per_segment.get(s, 0.0) for s in self.segment_])
            out += weight[:, None] * model.predict_matrix()
        return out

    def chosen_models(self) -> pl.DataFrame:
        """``(unique_id, segment, model)``: the model forecasting each series, or
        ``combination`` where the ``combine`` strategy weights several (see ``weights_``)."""
        return self.series_model_
