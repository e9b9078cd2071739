"""Point-forecast accuracy measures (numpy in, float out), including Job-SDF's definitions.

``smape_jobsdf`` and ``rrmse_jobsdf`` follow the Job-SDF benchmark code (Chen et al., 2024):
sMAPE = 100·mean(|p−g| / (|p|+|g|)) with 0/0 counted as 0, and
RRMSE = 100·sqrt(mean((p−g)²) / mean(p²)) — note the denominator uses the *predictions*.

Example
-------
>>> import numpy as np
>>> mae(np.array([1.0, 2.0]), np.array([2.0, 2.0]))
0.5
>>> smape_jobsdf(np.array([1.0, 0.0]), np.array([3.0, 0.0]))
25.0
"""

from __future__ import annotations

import numpy as np

METRICS = ("mae", "rmse", "smape", "mase", "smape_jobsdf", "rrmse_jobsdf")


def mae(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(np.abs(pred - true)))


def rmse(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.sqrt(np.mean((pred - true) ** 2)))


def smape(pred: np.ndarray, true: np.ndarray) -> float:
    """Symmetric MAPE in percent on the 0–200 scale: 200·mean(|p−g| / (|p|+|g|)), 0/0 → 0."""
    return 2.0 * smape_jobsdf(pred, true)


def smape_jobsdf(pred: np.ndarray, true: np.ndarray) -> float:
    """Job-SDF's sMAPE: 100·mean(|p−g| / (|p|+|g|)), 0/0 counted as 0 (0–100 scale)."""
    num = np.abs(pred - true)
    den = np.abs(pred) + np.abs(true)
    ratio = np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)
    return float(100.0 * np.mean(ratio))


def rrmse_jobsdf(pred: np.ndarray, true: np.ndarray) -> float:
    """Job-SDF's relative RMSE: 100·sqrt(mean((p−g)²) / mean(p²)) (denominator: predictions)."""
    den = float(np.mean(pred**2))
    if den == 0:
        return float("nan")
    return float(100.0 * np.sqrt(np.mean((pred - true) ** 2) / den))


def mase(pred: np.ndarray, true: np.ndarray, scale: np.ndarray) -> float:
    """Mean absolute scaled error: |p−g| divided per series by its in-sample naive MAE.

    ``pred``/``true`` are ``series × steps`` (or ``windows × series × steps``), ``scale`` holds
    one in-sample one-step naive MAE per series; series with a zero scale are skipped.
    """
    err = np.abs(pred - true)
    scale = np.asarray(scale, dtype=float)
    shape = [1] * err.ndim
    shape[-2] = -1
    s = scale.reshape(shape)
    ok = np.broadcast_to(s > 0, err.shape)
    if not ok.any():
        return float("nan")
    return float(np.mean((err / np.where(s > 0, s, 1.0))[ok]))


def naive_scale(history: np.ndarray) -> np.ndarray:
    """Per-series in-sample MAE of the one-step naive forecast (MASE denominator)."""
    h = np.nan_to_num(history)
    return np.mean(np.abs(np.diff(h, axis=1)), axis=1) if h.shape[1] > 1 else np.zeros(len(h))


def score(pred: np.ndarray, true: np.ndarray, scale: np.ndarray | None = None) -> dict:
    """All measures at once as ``{metric: value}`` (MASE only when ``scale`` is given)."""
    out = {
        "mae": mae(pred, true),
        "rmse": rmse(pred, true),
        "smape": smape(pred, true),
        "smape_jobsdf": smape_jobsdf(pred, true),
        "rrmse_jobsdf": rrmse_jobsdf(pred, true),
    }
    if scale is not None:
        out["mase"] = mase(pred, true, scale)
    return out
