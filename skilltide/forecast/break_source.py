"""Breaks detected on the data each model is fitted on, so that no backtest origin sees a
break found later.

:class:`DetectedBreaks` stands in for a frame of breaks wherever the break-aware models
(``post_break``, ``lgbm``, ``auto``) take one. Each fit calls it with its own data — in a
rolling backtest, the data up to that origin — and gets the breaks detection finds there,
each with ``known_ds`` (:func:`~skilltide.forecast.breaks.known_after_detection`). A backtest
origin thus uses exactly the breaks it could have found, placed where it would have placed
them. Results are kept per data set: ``auto``'s candidates backtested at the same origin
share one detection.

Example
-------
>>> import numpy as np, datetime as dt
>>> from skilltide.forecast.models.base import Wide
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(36)]
>>> y = np.r_[np.full(24, 100.0), np.full(12, 400.0)] + np.random.default_rng(1).normal(0, 5, 36)
>>> source = DetectedBreaks()
>>> source(Wide(["a"], months, y[None, :]))["break_ds"].to_list()
[datetime.date(2022, 1, 1)]
>>> # five months after the shift, detection on the data then places it two months early
>>> source(Wide(["a"], months[:29], y[None, :29]))["break_ds"].to_list()
[datetime.date(2021, 11, 1)]
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import polars as pl

from skilltide.forecast.models.base import Wide


class DetectedBreaks:
    """Callable ``wide → breaks`` (``unique_id, break_ds, …, known_ds``) detected on ``wide``.

    ``options`` go to :func:`~skilltide.forecast.breaks.detect_breaks` (``min_size``,
    ``alpha``, ``method``, …).
    """

    def __init__(self, **options: Any) -> None:
        self.options = options
        self._found: dict[tuple, pl.DataFrame] = {}

    def __call__(self, wide: Wide) -> pl.DataFrame:
        values = np.ascontiguousarray(wide.values)
        key = (
            tuple(wide.ids),
            wide.months[0],
            wide.months[-1],
            hashlib.sha1(values.tobytes()).hexdigest(),
        )
        if key not in self._found:
            from skilltide.forecast.pipeline import detect_known_breaks

            observed = ~np.isnan(values)
            rows, cols = np.nonzero(observed)
            long = pl.DataFrame(
                {
                    "unique_id": np.asarray(wide.ids, dtype=object)[rows].astype(str),
                    "ds": [wide.months[c] for c in cols],
                    "y": values[observed],
                },
                schema={"unique_id": pl.String, "ds": pl.Date, "y": pl.Float64},
            )
            self._found[key] = detect_known_breaks(long, wide.months[-1], **self.options)
        return self._found[key]


def breaks_for(breaks: pl.DataFrame | DetectedBreaks | None, wide: Wide) -> pl.DataFrame | None:
    """The breaks a fit on ``wide`` may use: the frame as given, or detected on ``wide``."""
    return breaks(wide) if isinstance(breaks, DetectedBreaks) else breaks
