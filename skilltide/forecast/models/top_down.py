"""Top-down: forecast each skill's total over all groups, then give every group its share.

Series ids are ``<group>/<skill>`` (:func:`skilltide.forecast.features.split_id`). The series
of one skill across groups (occupations, regions, …) are summed, the sum is forecast by
``model`` (a registry name), and each group gets its share of that skill over the last
``share_window`` months — 12 by default, a whole year, so that the share carries no season.
The total is far less noisy than its parts, which is what small group series need: top-down
forecasting with historical proportions (Gross & Sohl, 1990; Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., §11.2). A skill seen in one group only is
forecast as it is.

Example
-------
>>> import polars as pl, datetime as dt
>>> months = [dt.date(2024, m, 1) for m in range(1, 13)]
>>> panel = pl.DataFrame({"unique_id": ["north/python"] * 12 + ["south/python"] * 12,
...                       "ds": months * 2, "y": [30.0] * 12 + [10.0] * 12})
>>> TopDown(model="naive").fit(panel, horizon=1).predict()["yhat"].to_list()
[30.0, 10.0]
"""

from __future__ import annotations

import numpy as np

from skilltide.forecast.features import split_id
from skilltide.forecast.models.base import Forecaster, Wide


class TopDown(Forecaster):
    """Skill totals forecast by ``model``, split by each group's recent share (see above)."""

    name = "top_down"

    def __init__(self, model: str = "blend", share_window: int = 12, **params) -> None:
        self.model = model
        self.share_window = share_window
        self.params = params

    def _fit(self, wide: Wide, horizon: int) -> None:
        from skilltide.forecast.models.registry import make_model

        skills = [split_id(u)[1] for u in wide.ids]
        names, self.skill_of_ = np.unique(np.array(skills, dtype=object), return_inverse=True)
        y = wide.filled()
        totals = np.zeros((len(names), y.shape[1]))
        np.add.at(totals, self.skill_of_, y)
        recent = y[:, -self.share_window :].sum(axis=1)
        recent_total = np.bincount(self.skill_of_, weights=recent, minlength=len(names))
        denominator = recent_total[self.skill_of_]
        self.share_ = np.divide(
            recent, denominator, out=np.zeros_like(recent), where=denominator > 0
        )
        total_wide = Wide([str(s) for s in names], wide.months, totals, wide.levels)
        self.total_model_ = make_model(self.model, **self.params).fit_wide(total_wide, horizon)

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        return self.share_[:, None] * self.total_model_.predict_matrix()[self.skill_of_]
