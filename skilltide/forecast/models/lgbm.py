"""A global LightGBM model over all series, direct multi-horizon, on scale-normalised targets.

One LightGBM regressor per step ``h`` learns the scaled change from the last value,
``(y[t+h] − y[t]) / scale[t]`` (``target="change"``; ``"ratio"`` learns ``y[t+h] / scale[t]``),
from the features of :mod:`skilltide.forecast.features` at origin ``t``, pooled over every
series and every past origin. Predicting the change makes "no change" (the last value, a
strong forecast for job-ad counts) the model's starting point. The default objective is L1
with sample weight ``scale ** weight_power``: with power 1 this is exactly the mean absolute
error on the original scale. Zero-aware by construction:
series silent for the last 12 months are forecast 0 (and left out of training), the L1
objective predicts the conditional median, which is 0 for mostly-zero series, and every
forecast is clipped at 0. Structural breaks enter as a feature (months since the last
detected break) and, optionally, by down-weighting training rows from before a series' last
break (``pre_break_weight=0`` trains only after it).

Example
-------
>>> import numpy as np, polars as pl, datetime as dt
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(36)]
>>> panel = pl.DataFrame({"unique_id": [f"all/s{i}" for i in range(20) for _ in months],
...                       "ds": months * 20, "y": [10.0 + i for i in range(20) for _ in months]})
>>> f = GlobalLGBM(n_estimators=20).fit(panel, horizon=2).predict()
>>> f.height
40
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import polars as pl

from skilltide.forecast.features import SCALE, feature_matrices
from skilltide.forecast.models.base import Forecaster, Wide

_NOT_FEATURES = {"y", SCALE}


class GlobalLGBM(Forecaster):
    """Direct multi-horizon LightGBM over the whole panel (see the module docstring)."""

    name = "lgbm"

    def __init__(
        self,
        *,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 63,
        min_data_in_leaf: int = 200,
        objective: str = "l1",
        target: str = "change",
        weight_power: float = 1.0,
        train_origins: int = 18,
        min_history: int = 6,
        scale_window: int = 6,
        blend_naive: float = 0.0,
        pre_break_weight: float = 1.0,
        breaks: pl.DataFrame | None = None,
        seed: int = 0,
        num_threads: int = 2,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.objective = objective
        if target not in ("change", "ratio"):
            raise ValueError(f"target must be 'change' or 'ratio', not {target!r}")
        self.target = target
        self.weight_power = weight_power
        self.train_origins = train_origins
        self.min_history = min_history
        self.scale_window = scale_window
        self.blend_naive = blend_naive
        self.pre_break_weight = pre_break_weight
        self.breaks = breaks
        self.seed = seed
        self.num_threads = num_threads

    def _params(self) -> dict:
        return {
            "objective": self.objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "max_bin": 127,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }

    def _fit(self, wide: Wide, horizon: int) -> None:
        breaks = self._breaks_until(wide)
        mats = feature_matrices(
            wide, horizon=horizon, scale_window=self.scale_window, breaks=breaks
        )
        self.features_ = [
            k
            for k in mats
            if k not in _NOT_FEATURES
            and not k.startswith("target_")
            and not np.isnan(mats[k]).all()
        ]
        n_t = wide.values.shape[1]
        active = (mats["nonzero_12"] > 0) & (mats["history"] >= self.min_history)
        weight = mats[SCALE] ** self.weight_power
        if breaks is not None and self.pre_break_weight != 1.0:
            # months before the series' last break at this origin count less (0: not at all)
            since = mats["since_break"][:, -1:]
            last_break = n_t - 1 - np.where(np.isnan(since), n_t, since)
            weight = np.where(np.arange(n_t) < last_break, weight * self.pre_break_weight, weight)
        self.models_ = []
        for h in range(1, horizon + 1):
            mask = active & (weight > 0) & np.isfinite(mats[f"target_{h}"])
            mask[:, : max(n_t - h - self.train_origins, 0)] = False
            mask[:, n_t - h :] = False
            if mask.sum() < 2:
                self.models_.append(None)
                continue
            label = mats[f"target_{h}"][mask]
            if self.target == "change":
                label = label - mats["lag_0"][mask]
            data = lgb.Dataset(
                np.column_stack([mats[k][mask] for k in self.features_]),
                label=label,
                weight=weight[mask],
                feature_name=self.features_,
                free_raw_data=True,
            )
            # small panels: let leaves shrink so the model can still split
            params = self._params() | {
                "min_data_in_leaf": int(min(self.min_data_in_leaf, max(5, mask.sum() // 100)))
            }
            self.models_.append(lgb.train(params, data, self.n_estimators))
        keep = {*self.features_, SCALE, "y", "nonzero_12", "lag_0"}
        self.origin_ = {k: mats[k][:, -1] for k in keep}

    def _breaks_until(self, wide: Wide) -> pl.DataFrame | None:
        if self.breaks is None or self.breaks.height == 0:
            return None
        return self.breaks.filter(pl.col("break_ds").cast(pl.Date) <= wide.months[-1])

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        origin = self.origin_
        x = np.column_stack([origin[k] for k in self.features_])
        out = np.zeros((len(x), horizon))
        for h, model in enumerate(self.models_):
            ratio = model.predict(x, num_threads=self.num_threads) if model else np.ones(len(x))
            if self.target == "change":
                ratio = ratio + origin["lag_0"]
            out[:, h] = ratio * origin[SCALE]
        out = (1 - self.blend_naive) * out + self.blend_naive * origin["y"][:, None]
        out[origin["nonzero_12"] == 0] = 0.0
        return np.clip(out, 0.0, None)
