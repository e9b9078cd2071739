"""Market-wide breaks: events in the panel's aggregate, and many series breaking together.

Two rules label a break ``market`` (see :func:`~skilltide.forecast.breaks.detect_breaks`):

1. Aggregate route (:func:`market_event_breaks`): the panel's aggregate (the sum of ``y``
   over all tested series, e.g. all skill mentions) is searched for breaks with the
   Bai–Perron detector; each break month ``c`` is a candidate event. Every series is then
   tested for a break at the known month ``c`` within ``±span`` (24) months of it and
   between the neighbouring candidate events (Chow test of level and slope,
   :func:`~skilltide.forecast.breaks_supf.chow_test`), which needs no search over months
   and so finds a shared shift too small to stand out in one noisy series. The event
   stands only if at least ``share`` of the series that could break at ``c`` (and
   ``min_series``) reject, since one large series can move the aggregate alone. Series that
   reject get a ``market`` break at ``c`` (replacing their own break within ``±window``
   months, if any); any other break within ``±window`` of an event is ``market`` too.
2. Share rule (:func:`label_scope`): a month where at least ``share`` of the series that could
   break there (and at least ``min_series``) break within ``±window`` months.

Example
-------
>>> found = pl.DataFrame({"unique_id": list("abcdef"), "_m": [100, 100, 101, 99, 100, 50]})
>>> coverage = pl.DataFrame({"unique_id": list("abcdefgh"), "from": [40] * 8,
...                          "to": [120] * 8})
>>> label_scope(found, coverage)["scope"].to_list()
['market', 'market', 'market', 'market', 'market', 'series']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from skilltide.forecast.breaks_detectors import base_for
from skilltide.forecast.breaks_scale import choose_scale, scaled
from skilltide.forecast.breaks_supf import KINDS, chow_test

# One break per row while detecting: series, month index, kind, size and test.
DETECTED_SCHEMA = {
    "unique_id": pl.Utf8,
    "_m": pl.Int64,
    "kind": pl.Utf8,
    "size": pl.Float64,
    "statistic": pl.Float64,
    "p_value": pl.Float64,
    "method": pl.Utf8,
}

__all__ = ["SeriesBlock", "label_scope", "market_event_breaks"]


@dataclass
class SeriesBlock:
    """Series of one length: ids, first month numbers, raw values, tested values, and the
    tested values without month-of-year effects (``flat``, ``Z`` itself when not seasonal)."""

    ids: list[str]
    first: np.ndarray
    raw: np.ndarray
    Z: np.ndarray
    flat: np.ndarray


def market_event_breaks(
    blocks: list[SeriesBlock],
    values: pl.DataFrame,
    *,
    detect: Callable[..., list],
    alpha: float,
    min_size: int,
    need: int,
    scale: str,
    size: Callable[[np.ndarray, int, int], float],
    seasonal: bool = False,
    share: float = 0.25,
    min_series: int = 5,
    span: int = 24,
    **detector_options: Any,
) -> tuple[list[int], pl.DataFrame]:
    """Event months of the aggregate and the series' breaks at them (scope ``market``)."""
    schema = DETECTED_SCHEMA | {"scope": pl.Utf8}
    total = values.group_by("_m").agg(pl.col("y").sum()).sort("_m")
    lo, hi = int(total["_m"].min()), int(total["_m"].max())
    months = pl.DataFrame({"_m": np.arange(lo, hi + 1, dtype=np.int64)})
    aggregate = months.join(total, on="_m", how="left")["y"].fill_null(0.0).to_numpy()
    if aggregate.size < need or np.ptp(aggregate) <= 0:
        return [], pl.DataFrame(schema=schema)
    series = aggregate[None, :]
    base = base_for(aggregate.size, seasonal)
    z = scaled(series, choose_scale(series, base, scale, min_size))[0]
    found = detect(
        z[None, :], alpha=alpha, min_size=min_size, seasonal=seasonal, **detector_options
    )
    candidates = sorted({lo + tau for _, _, _, tau, *_ in found})
    events: list[int] = []
    rows: list[dict[str, Any]] = []
    for k, event in enumerate(candidates):
        # the stretch around an event stops at the neighbouring candidate events
        before = candidates[k - 1] if k > 0 else None
        after = candidates[k + 1] if k + 1 < len(candidates) else None
        hits, eligible = [], 0
        for block in blocks:
            length = block.Z.shape[1]
            taus = event - block.first
            ok = (taus >= min_size) & (taus <= length - min_size)
            eligible += int(ok.sum())
            # the test looks at +-span months around the event, so that the series' other
            # breaks and slow bends years away do not pass for a break at the event
            starts = np.maximum(taus - span, 0)
            ends = np.minimum(taus + span, length)
            if before is not None:
                starts = np.maximum(starts, before - block.first)
            if after is not None:
                ends = np.minimum(ends, after - block.first)
            for start, end in {(int(a), int(b)) for a, b in zip(starts[ok], ends[ok], strict=True)}:
                idx = np.flatnonzero(ok & (starts == start) & (ends == end))
                tau = int(taus[idx[0]]) - start
                # long stretches estimate their own seasonal effects; short ones use the
                # series-wide ones (as the Bai-Perron confirmation does)
                base = "trend+season" if seasonal and end - start >= 48 else "trend"
                stretch = (block.Z if base != "trend" else block.flat)[idx, start:end]
                # joint test: an event may shift some series' levels and others' slopes
                res = chow_test(stretch, tau, min_size, base=base)
                for i in np.flatnonzero(res.p_value < alpha):
                    row = int(idx[i])
                    kind = int(res.kind[i])
                    hits.append(
                        {
                            "unique_id": block.ids[row],
                            "_m": int(event),
                            "kind": KINDS[kind],
                            "size": size(block.raw[row, start:end], tau, kind),
                            "statistic": float(res.statistic[i]),
                            "p_value": float(res.p_value[i]),
                            "method": "chow",
                            "scope": "market",
                        }
                    )
        # a break of the aggregate is market-wide only if many series share it: a few large
        # series can move the aggregate on their own
        if eligible and len(hits) >= max(min_series, share * eligible):
            events.append(event)
            rows += hits
    return events, pl.DataFrame(rows, schema=schema)


def label_scope(
    found: pl.DataFrame,
    coverage: pl.DataFrame,
    *,
    share: float = 0.25,
    window: int = 1,
    min_series: int = 5,
) -> pl.DataFrame:
    """Add ``scope``: ``market`` when many series break within ``±window`` months.

    ``found`` has ``unique_id`` and ``_m`` (month number, year·12 + month − 1) per break;
    ``coverage`` has per tested series ``unique_id``, ``from``, ``to``: the month numbers at
    which it could break. Month ``c`` is a market-wide event when the series with a break in
    ``[c − window, c + window]`` are at least ``min_series`` and at least ``share`` of the
    series whose ``[from, to]`` contains ``c``; a break is ``market`` when it lies within
    ``±window`` months of an event month (example in the module docstring).
    """
    lo = int(min(coverage["from"].min(), found["_m"].min())) - window
    hi = int(max(coverage["to"].max(), found["_m"].max())) + window
    ids = {uid: i for i, uid in enumerate(coverage["unique_id"])}
    months = hi - lo + 1
    hits = np.zeros((len(ids), months), dtype=bool)
    hits[[ids[u] for u in found["unique_id"]], (found["_m"].to_numpy() - lo)] = True
    near = hits.copy()
    for shift in range(1, window + 1):
        near[:, shift:] |= hits[:, :-shift]
        near[:, :-shift] |= hits[:, shift:]
    breaking = near.sum(axis=0)
    grid = np.arange(lo, hi + 1)
    eligible = (
        (coverage["from"].to_numpy()[:, None] <= grid)
        & (grid <= coverage["to"].to_numpy()[:, None])
    ).sum(axis=0)
    frac = np.divide(breaking, eligible, out=np.zeros(months), where=eligible > 0)
    event = (breaking >= min_series) & (frac >= share)  # market-wide event months
    near_event = event.copy()
    for shift in range(1, window + 1):
        near_event[shift:] |= event[:-shift]
        near_event[:-shift] |= event[shift:]
    market = near_event[found["_m"].to_numpy() - lo]
    return found.with_columns(pl.Series("scope", np.where(market, "market", "series")))
