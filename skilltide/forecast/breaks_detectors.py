"""Break detectors by name: each takes a (series × months) matrix and returns candidates.

A detector is called as ``detect(Z, alpha=..., min_size=..., **options)`` on the tested values
of series of one length and returns ``(row, start, end, tau, kind, statistic, p_value)``
tuples: the break at month index ``tau`` of row ``row``, tested on the stretch
``[start, end)``. :data:`DETECTORS` maps the names used by ``--method`` to them;
:func:`check_break_options` refuses a method, ``alpha`` or ``min_size`` no detector takes.

Example
-------
>>> import numpy as np
>>> Z = np.r_[np.zeros(20), np.full(20, 3.0)] + np.random.default_rng(0).normal(size=40)
>>> [(row, tau, kind) for row, _, _, tau, kind, _, _ in DETECTORS["supf"](
...     Z[None, :], alpha=0.05, min_size=6)]
[(0, 20, 0)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from skilltide.errors import UserError
from skilltide.forecast.breaks_cusum import cusum_test
from skilltide.forecast.breaks_dp import bic_partitions
from skilltide.forecast.breaks_supf import sup_f_test

__all__ = [
    "DEFAULT_METHOD",
    "DETECTORS",
    "SEASONAL_MIN_LENGTH",
    "base_for",
    "deseasonalise",
    "moving_average",
]

# A candidate: (row, segment start, segment end, tau within the series, kind index, stat, p)
Candidate = tuple[int, int, int, int, int, float, float]


SEASONAL_MIN_LENGTH = 48  # four years: three full cycles around the moving average


def base_for(length: int, seasonal: bool) -> str:
    """The null model of a series or stretch: trend, plus month-of-year effects if long."""
    return "trend+season" if seasonal and length >= SEASONAL_MIN_LENGTH else "trend"


def moving_average(Z: np.ndarray) -> np.ndarray:
    """Per row, the centred 2×12 moving average (the trend of a classical decomposition);
    NaN in the first and last six months, where it is undefined."""
    length = Z.shape[1]
    weights = np.r_[0.5, np.ones(11), 0.5] / 12.0
    trend = np.full(Z.shape, np.nan)
    trend[:, 6 : length - 6] = sum(
        w * Z[:, lag : length - 12 + lag] for lag, w in enumerate(weights)
    )
    return trend


def deseasonalise(Z: np.ndarray) -> np.ndarray:
    """``Z`` minus its month-of-year effects, by classical decomposition (per row).

    The effects are the median, per month of the year, of ``Z`` minus its centred 2×12
    moving average, centred to sum to zero. A moving average follows a break and the median
    ignores the one year whose deviations a break distorts, so a level shift does not leak
    into the seasonal effects (as it would with dummies next to one straight line, whose
    misfit around the break is partly periodic).
    """
    length = Z.shape[1]
    detrended = Z - moving_average(Z)
    month = np.arange(length) % 12
    effects = np.stack([np.nanmedian(detrended[:, month == k], axis=1) for k in range(12)], 1)
    effects -= effects.mean(axis=1, keepdims=True)
    return Z - effects[:, month]


def _supf(
    Z: np.ndarray, *, alpha: float, min_size: int, seasonal: bool = False, **_: Any
) -> list[Candidate]:
    length = Z.shape[1]
    res = sup_f_test(Z, min_size, base=base_for(length, seasonal))
    keep = np.flatnonzero(res.p_value < alpha)
    return [
        (
            int(r),
            0,
            length,
            int(res.tau[r]),
            int(res.kind[r]),
            float(res.statistic[r]),
            float(res.p_value[r]),
        )
        for r in keep
    ]


def _bai_perron(
    Z: np.ndarray,
    *,
    alpha: float,
    min_size: int,
    max_breaks: int | None = None,
    criterion: str = "lwz",
    seasonal: bool = False,
    **_: Any,
) -> list[Candidate]:
    length = Z.shape[1]
    limit = max_breaks if max_breaks is not None else min(5, length // min_size - 1)
    flat = deseasonalise(Z) if base_for(length, seasonal) != "trend" else Z
    segments: dict[int, list[tuple[int, int]]] = {}  # stretch length -> [(row, start)]
    for row, bkps in enumerate(bic_partitions(flat, min_size, limit, criterion)):
        edges = [0, *bkps, length]
        for k in range(1, len(edges) - 1):
            start, end = edges[k - 1], edges[k + 1]
            segments.setdefault(end - start, []).append((row, start))
    found: dict[tuple[int, int], Candidate] = {}
    for span, items in segments.items():
        if span < 2 * min_size:
            continue
        rows = np.array([r for r, _ in items])
        starts = np.array([s for _, s in items])
        # long stretches estimate their own seasonal effects; short ones use the global ones
        base = base_for(span, seasonal)
        source = Z if base != "trend" else flat
        stretch = source[rows[:, None], starts[:, None] + np.arange(span)]
        res = sup_f_test(stretch, min_size, base=base)
        for i in np.flatnonzero(res.p_value < alpha):
            row, start = int(rows[i]), int(starts[i])
            tau = start + int(res.tau[i])
            cand = (
                row,
                start,
                start + span,
                tau,
                int(res.kind[i]),
                float(res.statistic[i]),
                float(res.p_value[i]),
            )
            if (row, tau) not in found or found[(row, tau)][6] > cand[6]:
                found[(row, tau)] = cand
    return sorted(found.values())


def _cusum(Z: np.ndarray, *, alpha: float, min_size: int, **_: Any) -> list[Candidate]:
    stat, p, tau = cusum_test(Z, min_size)
    length = Z.shape[1]
    return [
        (int(r), 0, length, int(tau[r]), 0, float(stat[r]), float(p[r]))
        for r in np.flatnonzero(p < alpha)
    ]


DETECTORS: dict[str, Callable[..., list[Candidate]]] = {
    "supf": _supf,
    "bai-perron": _bai_perron,
    "cusum": _cusum,
}
DEFAULT_METHOD = "bai-perron"


def check_break_options(method: str, alpha: float, min_size: int) -> str:
    """The detector ``method`` names (``auto``: the default); a :class:`UserError` for an
    unknown method, an ``alpha`` outside (0, 1) or a ``min_size`` under 3 months."""
    name = DEFAULT_METHOD if method == "auto" else method
    if name not in DETECTORS:
        raise UserError(
            f"unknown break method {method!r}; choose one of auto, {', '.join(DETECTORS)}"
        )
    if not 0 < alpha < 1:
        raise UserError(f"alpha must be between 0 and 1, not {alpha}")
    if min_size < 3:
        raise UserError(f"min_size must be at least 3 months, not {min_size}")
    return name
