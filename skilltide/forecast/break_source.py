"""When a structural break becomes usable for forecasting, and breaks detected on the data
each model is fitted on, so that no backtest origin sees a break found later.

:func:`known_after_detection` gives each detected break the first month whose data could
reveal it (``known_ds``); :func:`detect_known_breaks` detects breaks in a panel up to a cutoff
with that month.

:class:`DetectedBreaks` stands in for a frame of breaks wherever the break-aware models
(``post_break``, ``lgbm``, ``auto``) take one. Each fit calls it with its own data — in a
rolling backtest, the data up to that origin — and gets the breaks detection finds there,
each with ``known_ds``. A backtest origin thus uses exactly the breaks it could have found,
placed where it would have placed them. Results are kept per data set: ``auto``'s
candidates backtested at the same origin share one detection.

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
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.breaks import detect_breaks
from skilltide.forecast.models.base import Wide
from skilltide.forecast.panel import fill_gaps


def known_after_detection(
    breaks: pl.DataFrame,
    min_size: int = 6,
    *,
    panel: pl.DataFrame | None = None,
    min_length: int = 12,
) -> pl.DataFrame:
    """``breaks`` with ``known_ds``: the first month whose data could reveal each break.

    A detector needs ``min_size`` months on each side of a break, so a break starting in
    ``break_ds`` cannot be found before ``break_ds + min_size - 1``; with the ``panel`` it
    was found in, nor before its series has ``max(min_length, 2 * min_size)`` months (the
    shortest series :func:`detect_breaks` tests). Forecasting models read ``known_ds``
    (:func:`skilltide.forecast.features.months_since_break`): a backtest origin before it
    does not use the break. It is a lower bound: with less data a detector may still miss
    the break or place it elsewhere.

    >>> import datetime as dt
    >>> b = pl.DataFrame({"unique_id": ["a"], "break_ds": [dt.date(2024, 4, 1)]})
    >>> known_after_detection(b, min_size=6)["known_ds"].to_list()
    [datetime.date(2024, 9, 1)]
    """
    out = breaks.with_columns(
        known_ds=pl.col("break_ds").cast(pl.Date).dt.offset_by(f"{min_size - 1}mo")
    )
    if panel is None or out.height == 0:
        return out
    need = max(min_length, 2 * min_size)
    first = panel.group_by("unique_id").agg(_first=pl.col("ds").min().cast(pl.Date))
    return (
        out.join(first, on="unique_id", how="left", maintain_order="left")
        .with_columns(
            known_ds=pl.max_horizontal("known_ds", pl.col("_first").dt.offset_by(f"{need - 1}mo"))
        )
        .drop("_first")
    )


def detect_known_breaks(panel: pl.DataFrame, cutoff: date, **options) -> pl.DataFrame:
    """Breaks found in the panel up to ``cutoff`` (missing months as 0), each with the month
    it became knowable (``known_ds``); ``options`` go to ``detect_breaks``."""
    past = fill_gaps(panel.filter(pl.col("ds") <= cutoff).select("unique_id", "ds", "y"))
    found = detect_breaks(past, **options)
    return known_after_detection(
        found,
        options.get("min_size", 6),
        panel=past,
        min_length=options.get("min_length", 12),
    )


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


def as_break_source(
    breaks: pl.DataFrame | DetectedBreaks | str | None, **options: Any
) -> pl.DataFrame | DetectedBreaks | None:
    """A ``breaks`` argument as the models take it: ``"detect"`` becomes
    :class:`DetectedBreaks` (with ``options``); a frame, a source or None pass through."""
    if isinstance(breaks, str):
        if breaks != "detect":
            raise UserError(f"breaks must be a frame of breaks or 'detect', not {breaks!r}")
        return DetectedBreaks(**options)
    return breaks


def breaks_for(breaks: pl.DataFrame | DetectedBreaks | None, wide: Wide) -> pl.DataFrame | None:
    """The breaks a fit on ``wide`` may use: the frame as given, or detected on ``wide``."""
    return breaks(wide) if isinstance(breaks, DetectedBreaks) else breaks
