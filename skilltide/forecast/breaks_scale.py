"""The scale a count series is tested on: raw or ``log1p``, chosen per series.

A break test compares a no-break line with a broken one, so the scale decides what "no
break" means: a line in ``y`` (steady growth by a fixed number of ads a month) or a line in
``log1p(y)`` (growth by a fixed percentage). Testing a linearly growing series on the log
scale reads its curvature as trend breaks, and an exponentially growing one on the raw scale
likewise. :func:`log_rows` picks, per series, the scale on which the no-break model fits
best by the Box–Cox profile likelihood (Box & Cox 1964): Gaussian residuals on each scale,
with the Jacobian ``-Σ log(1 + y)`` for the log scale, so the two are comparable.
:func:`exact_rows` marks series the no-break model fits exactly (a noise-free line), which
have no noise to test a break against.

Example
-------
>>> import numpy as np
>>> t = np.arange(48.0)
>>> noise = np.random.default_rng(0).normal(scale=0.05, size=48)
>>> Y = np.stack([(20 + 3 * t) * (1 + noise), 20 * 1.05**t * (1 + noise)])
>>> log_rows(Y, "trend").tolist()
[False, True]
>>> exact_rows(np.stack([20 + 3 * t, Y[0]]), "trend").tolist()
[True, False]
"""

from __future__ import annotations

import numpy as np

from skilltide.forecast.breaks_supf import base_columns

# Residual sum of squares below this share of the series' total sum of squares is an exact
# fit (float rounding of a perfect line is around 1e-30).
EXACT = 1e-20


def residual_ss(Z: np.ndarray, base: str) -> np.ndarray:
    """Per row of ``Z``, the residual sum of squares of the no-break model ``base``."""
    X = np.column_stack(base_columns(Z.shape[1], base))
    coef, *_ = np.linalg.lstsq(X, Z.T, rcond=None)
    return ((Z.T - X @ coef) ** 2).sum(axis=0)


def log_rows(raw: np.ndarray, base: str) -> np.ndarray:
    """Rows of non-negative ``raw`` whose no-break model is likelier on the ``log1p`` scale."""
    n = raw.shape[1]
    with np.errstate(divide="ignore"):
        ll_raw = -0.5 * n * np.log(residual_ss(raw, base))
        ll_log = -0.5 * n * np.log(residual_ss(np.log1p(raw), base)) - np.log1p(raw).sum(1)
    return ll_log > ll_raw


def exact_rows(Z: np.ndarray, base: str) -> np.ndarray:
    """Rows the no-break model ``base`` fits exactly (nothing to test a break against); for
    non-negative ``Z``, on either scale, whichever scale the rows are then tested on."""
    exact = _exact(Z, base)
    if Z.min() >= 0:
        exact |= _exact(np.log1p(Z), base)
    return exact


def _exact(Z: np.ndarray, base: str) -> np.ndarray:
    total = ((Z - Z.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    return residual_ss(Z, base) <= EXACT * np.maximum(total, np.finfo(float).tiny)


def choose_log(raw: np.ndarray, base: str, transform: str = "auto") -> np.ndarray:
    """Per row, test on ``log1p``? ``transform``: ``auto`` (:func:`log_rows`), ``log1p`` or
    ``none``."""
    if transform == "auto":
        return log_rows(raw, base)
    return np.full(raw.shape[0], transform == "log1p")
