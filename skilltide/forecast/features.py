"""Features for the global model, vectorised in numpy over the whole panel at once.

The panel is first made a dense ``series × months`` matrix (:class:`~skilltide.forecast.models.
base.Wide`); every feature is then a whole-matrix operation (shifted slices, cumulative sums),
so one call costs about as much as reading the data. Every row is one series at one forecast
origin ``t`` and uses only months up to and including ``t``. Values are divided by the
series' *scale* (the mean of its last ``scale_window`` months, floored) so that series of very
different sizes share one model: the model learns the ratio of future demand to the recent
level.

Feature families: own lags and rolling statistics (scaled); calendar month; history length and
months since the last non-zero month; the skill's market series summed over all groups
(context across groups, and the series' share of it); the group's total over all skills (a
proxy for the month's ads in the group); months since the last detected break.

Example
-------
>>> import numpy as np, datetime as dt
>>> from skilltide.forecast.models.base import Wide
>>> wide = Wide(["all/a"], [dt.date(2024, m, 1) for m in range(1, 5)],
...             np.array([[2.0, 2.0, 4.0, 4.0]]))
>>> f = build_features(wide, lags=2, scale_window=2)
>>> float(f.row(3, named=True)["lag_1"])
1.0
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from skilltide.forecast.models.base import Wide, month_index

SCALE = "scale"


def split_id(unique_id: str) -> tuple[str, str]:
    """``<group_id>/<skill_id>`` → ``(group_id, skill_id)``; no ``/`` means group ``all``."""
    group, sep, skill = unique_id.rpartition("/")
    return (group, skill) if sep else ("all", unique_id)


def default_scale_floor(values: np.ndarray) -> float:
    """1 for count panels; for fractional panels a small quantile of the positive values."""
    v = values[np.isfinite(values)]
    if v.size == 0 or np.all(v == np.round(v)):
        return 1.0
    positive = v[v > 0]
    return float(np.quantile(positive, 0.05)) if positive.size else 1.0


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``out[:, t] = a[:, t-k]`` (NaN where out of range); negative ``k`` looks ahead."""
    out = np.full(a.shape, np.nan)
    if abs(k) >= a.shape[1]:
        return out
    if k >= 0:
        out[:, k:] = a[:, : a.shape[1] - k]
    else:
        out[:, :k] = a[:, -k:]
    return out


def rolling(a: np.ndarray, window: int, fn: str) -> np.ndarray:
    """Trailing rolling statistic over the last ``window`` columns (partial at the start)."""
    if fn in ("mean", "sum"):
        c = np.cumsum(np.concatenate([np.zeros((a.shape[0], 1)), a], axis=1), axis=1)
        total = (
            c[:, 1:]
            - np.concatenate(
                [np.zeros((a.shape[0], window)), c[:, 1 : a.shape[1] - window + 1]], axis=1
            )[:, : a.shape[1]]
        )
        if fn == "sum":
            return total
        count = np.minimum(np.arange(1, a.shape[1] + 1), window)
        return total / count
    stack = np.stack([_shift(a, k) for k in range(window)])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if fn == "max":
            return np.nanmax(stack, axis=0)
        return np.nanstd(stack, axis=0, ddof=1)


def _context(y: np.ndarray, keys: np.ndarray, prefix: str, window: int) -> dict:
    """Scaled lags and yearly change of the sum of ``y`` over rows sharing a key."""
    n_keys = int(keys.max()) + 1
    total = np.zeros((n_keys, y.shape[1]))
    np.add.at(total, keys, y)
    scale = np.maximum(rolling(total, window, "mean"), 1e-9)
    with np.errstate(all="ignore"):
        feats = {
            f"{prefix}_lag_0": total / scale,
            f"{prefix}_lag_1": _shift(total, 1) / scale,
            f"{prefix}_lag_2": _shift(total, 2) / scale,
            f"{prefix}_lag_11": _shift(total, 11) / scale,
            f"{prefix}_yoy": scale / _shift(scale, 12),
        }
    return {k: v[keys] for k, v in feats.items()} | {f"{prefix}_scale": scale[keys]}


def months_since_break(wide: Wide, breaks: pl.DataFrame | None) -> np.ndarray:
    """Months since the series' last *known* break at or before each month (NaN before any).

    A break counts from its ``break_ds``; with a ``known_ds`` column (the first month whose
    data reveal it, see :func:`skilltide.forecast.break_source.known_after_detection`) only at
    origins from ``known_ds`` on, so a backtest origin does not use a break that could not
    have been detected yet.
    """
    out = np.full(wide.values.shape, np.nan)
    if breaks is None or breaks.height == 0:
        return out
    row = {u: i for i, u in enumerate(wide.ids)}
    start = month_index(wide.months[0])
    t = np.arange(len(wide.months))
    known = pl.col("break_ds")
    if "known_ds" in breaks.columns:
        known = pl.coalesce("known_ds", "break_ds")
    rows = breaks.select("unique_id", "break_ds", known.alias("known_ds"))
    for uid, ds, known_ds in rows.iter_rows():
        i = row.get(uid)
        if i is None:
            continue
        b = month_index(ds) - start
        since = np.where(t >= max(b, month_index(known_ds) - start), t - b, np.nan)
        out[i] = np.where(np.isnan(out[i]) | (since < out[i]), since, out[i])
    return out


def feature_matrices(
    wide: Wide,
    *,
    lags: int = 12,
    scale_window: int = 6,
    scale_floor: float | None = None,
    horizon: int = 0,
    breaks: pl.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Every feature (and ``target_h`` for ``h <= horizon``) as a ``series × months`` matrix."""
    y = wide.filled()
    floor = default_scale_floor(wide.values) if scale_floor is None else scale_floor
    scale = np.maximum(rolling(y, scale_window, "mean"), floor)
    started = np.cumsum(np.isfinite(wide.values), axis=1) > 0  # observed months, not a filled level
    nz = (y > 0).astype(float)
    t = np.arange(y.shape[1])
    last_nz = np.maximum.accumulate(np.where(nz > 0, t, -1), axis=1)
    month = np.array([d.month for d in wide.months], dtype=float)
    with np.errstate(all="ignore"):
        f = {f"lag_{k}": _shift(y, k) / scale for k in range(lags)}
        f |= {
            "mean_3": rolling(y, 3, "mean") / scale,
            "mean_12": rolling(y, 12, "mean") / scale,
            "std_6": rolling(y, 6, "std") / scale,
            "max_12": rolling(y, 12, "max") / scale,
            "nonzero_12": rolling(nz, 12, "sum"),
            "since_nonzero": np.where(last_nz >= 0, t - last_nz, t + 1).astype(float),
            "history": np.cumsum(started, axis=1).astype(float),
            "month": np.broadcast_to(month, y.shape),
            "log_scale": np.log(scale),
        }
        groups, skills = zip(*(split_id(u) for u in wide.ids), strict=True)
        g_keys = np.unique(np.array(groups), return_inverse=True)[1]
        s_keys = np.unique(np.array(skills), return_inverse=True)[1]
        f |= _context(y, s_keys, "mkt", scale_window)
        f |= _context(y, g_keys, "grp", scale_window)
        f["share"] = scale / f.pop("mkt_scale")
        f.pop("grp_scale")
        f["since_break"] = months_since_break(wide, breaks)
        f |= {f"target_{h}": _shift(y, -h) / scale for h in range(1, horizon + 1)}
    f[SCALE] = scale
    f["y"] = y
    return f


def build_features(wide: Wide, **kwargs) -> pl.DataFrame:
    """The features as a long polars frame, one row per ``(unique_id, ds)`` (for inspection).

    Takes the same keyword arguments as :func:`feature_matrices`.
    """
    mats = feature_matrices(wide, **kwargs)
    n, t = wide.values.shape
    cols = {
        "unique_id": pl.Series(wide.ids).gather(np.repeat(np.arange(n), t)),
        "ds": pl.Series(wide.months * n, dtype=pl.Date),
    }
    return pl.DataFrame(cols | {k: np.ascontiguousarray(v).ravel() for k, v in mats.items()})
