"""CUSUM of OLS residuals (Ploberger & Krämer 1992), via statsmodels, as a single-break baseline.

Each series is fitted by a line ``a + b·t``; :func:`statsmodels.stats.diagnostic.
breaks_cusumolsresid` tests the residuals' cumulated sum against the sup of a Brownian
bridge. The break month is where the cumulated residuals peak, and every break is reported
as a level shift (the test has no notion of a slope change). With a trend among the
regressors the Brownian-bridge p-value is conservative, so this is a deliberately plain
baseline for the sup-F and Bai–Perron detectors.

Example
-------
>>> import numpy as np
>>> y = np.r_[np.zeros(24), np.full(24, 8.0)] + np.random.default_rng(0).normal(size=48)
>>> stat, p, tau = cusum_test(y[None, :], min_size=6)
>>> bool(p[0] < 0.05), int(tau[0])
(True, 24)
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.diagnostic import breaks_cusumolsresid

__all__ = ["cusum_test"]


def cusum_test(Y: np.ndarray, min_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the OLS-CUSUM statistic, its p-value and the month index of the peak."""
    Y = np.asarray(Y, dtype=float)
    n, length = Y.shape
    X = np.column_stack([np.ones(length), np.arange(length) / length])
    q = np.linalg.qr(X)[0]
    resid = Y - (Y @ q) @ q.T
    stat, p = np.zeros(n), np.ones(n)
    for row in range(n):  # statsmodels tests one series at a time
        if np.allclose(resid[row], 0.0):
            continue
        stat[row], p[row], _ = breaks_cusumolsresid(resid[row], ddof=X.shape[1])
    peak = np.abs(np.cumsum(resid, axis=1)).argmax(axis=1) + 1
    tau = np.clip(peak, min_size, length - min_size)
    return stat, p, tau
