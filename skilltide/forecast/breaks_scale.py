"""The scale a count series is tested on: raw, ``log1p`` or seasonally adjusted by ratio.

A break test compares a no-break line with a broken one, so the scale decides what "no
break" means: a line in ``y`` (steady growth by a fixed number of ads a month) or a line in
``log1p(y)`` (growth by a fixed percentage). Testing a linearly growing series on the log
scale reads its curvature as trend breaks, and an exponentially growing one on the raw scale
likewise; and a line whose slope rises looks exponential unless its break is allowed
for. Seasonal swings add a third case: on the raw scale the null model's month-of-year
effects are additive, but the swings of ad counts usually grow with the level
(multiplicative seasonality), which the log scale fits only by bending a linear trend. The
``ratio`` scale divides ``y`` by multiplicative month-of-year factors (classical
ratio-to-moving-average decomposition, :func:`seasonal_factors`), whose no-break model is
``(a + b·t)·factor``.

:func:`choose_scale` picks, per series, the scale that fits best by the Box–Cox profile
likelihood (Box & Cox 1964) of a no-break line, or of a one-break line when that is far
likelier: Gaussian residuals on each scale, with the Jacobians ``-Σ log(1 + y)`` (log) and
``-Σ log factor`` (ratio), so the three are comparable. :func:`exact_rows` marks series the
no-break model fits exactly (a noise-free line), which have no noise to test a break against.

Example
-------
>>> import numpy as np
>>> t = np.arange(48.0)
>>> noise = np.random.default_rng(0).normal(scale=0.05, size=48)
>>> season = 1 + 0.5 * np.sin(2 * np.pi * t / 12)
>>> Y = np.stack([(20 + 3 * t) * (1 + noise), 20 * 1.05**t * (1 + noise),
...               (20 + 3 * t) * season * (1 + noise)])
>>> [SCALES[s] for s in choose_scale(Y, "trend")]
['raw', 'log', 'log']
>>> [SCALES[s] for s in choose_scale(Y, "trend+season")]
['raw', 'log', 'ratio']
>>> exact_rows(np.stack([20 + 3 * t, Y[0]]), "trend").tolist()
[True, False]
"""

from __future__ import annotations

import warnings

import numpy as np

from skilltide.forecast.breaks_detectors import moving_average
from skilltide.forecast.breaks_supf import base_columns, ssr_paths

SCALES = ("raw", "log", "ratio")
RAW, LOG, RATIO = range(3)
# Residual sum of squares below this share of the series' total sum of squares is an exact
# fit (float rounding of a perfect line is around 1e-30).
EXACT = 1e-20
# Factors outside this range (a month with almost no ads) would blow the noise up when
# divided out; such a series is not tested on the ratio scale.
FACTOR_RANGE = (0.1, 10.0)
# The one-break model is compared only when it beats the no-break one by more than
# PENALTY·log(n) (four times BIC's price for a step, a kink and a month): on the wrong scale
# a kink also fits away curvature, so at BIC's price steady growth would still pick it.
# Chosen on simulated series (docs/methods.md, "Scale"); 1.5 gave 3-5x the false breaks.
PENALTY = 6.0


def residual_ss(Z: np.ndarray, base: str) -> np.ndarray:
    """Per row of ``Z``, the residual sum of squares of the no-break model ``base``."""
    X = np.column_stack(base_columns(Z.shape[1], base))
    coef, *_ = np.linalg.lstsq(X, Z.T, rcond=None)
    return ((Z.T - X @ coef) ** 2).sum(axis=0)


def seasonal_factors(raw: np.ndarray) -> np.ndarray:
    """Per row, multiplicative month-of-year factors (mean 1 over the year), one per month.

    The factor of a month of the year is the median of ``y`` over its centred 2×12 moving
    average in that month (the median, like :func:`~skilltide.forecast.breaks_detectors.
    deseasonalise`, so that a level shift does not leak into the factors); months relative
    to the series' first month. Rows whose moving average is not positive get NaN.
    """
    trend = moving_average(raw)
    month = np.arange(raw.shape[1]) % 12
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no factors
        ratio = np.where(trend > 0, raw / trend, np.nan)
        ratio[(trend <= 0).any(axis=1)] = np.nan
        factors = np.stack([np.nanmedian(ratio[:, month == k], axis=1) for k in range(12)], 1)
        factors /= factors.mean(axis=1, keepdims=True)
    return factors[:, month]


def profile_ll(Z: np.ndarray, base: str, min_size: int) -> np.ndarray:
    """Per row of ``Z``, the Gaussian profile log-likelihood of the no-break model ``base``,
    or of the best one-break model (step and kink) when it is likelier by more than
    ``PENALTY·log(n)``."""
    n = Z.shape[1]
    with np.errstate(divide="ignore"):
        ll = -0.5 * n * np.log(residual_ss(Z, base))
        if n >= 2 * min_size:
            _, paths, _ = ssr_paths(Z, min_size, base)
            broken = -0.5 * n * np.log(paths["joint"].min(axis=1)) - PENALTY * np.log(n)
            ll = np.maximum(ll, broken)
    return ll


def choose_scale(
    raw: np.ndarray, base: str, transform: str = "auto", min_size: int = 6
) -> np.ndarray:
    """Per row of non-negative ``raw``, the index in :data:`SCALES` to test it on.

    ``transform``: ``auto`` (the likeliest model; ``ratio`` only with month-of-year effects
    in ``base``), ``log1p`` or ``none`` (every row ``log`` or ``raw``). A strong break
    counts (:func:`profile_ll`): a line whose slope rises is convex, and judged without its
    break it would look exponential.
    """
    if transform != "auto":
        return np.full(raw.shape[0], LOG if transform == "log1p" else RAW)
    ll = np.full((3, raw.shape[0]), -np.inf)
    with np.errstate(divide="ignore"):
        ll[RAW] = profile_ll(raw, base, min_size)
        log = np.log1p(raw)
        ll[LOG] = profile_ll(log, base, min_size) - log.sum(axis=1)
        if base == "trend+season":
            factors = seasonal_factors(raw)
            lo, hi = FACTOR_RANGE
            ok = ((factors >= lo) & (factors <= hi)).all(axis=1)
            if ok.any():
                # y = factor * z: the Jacobian of z = y / factor is -sum(log factor)
                Z = raw[ok] / factors[ok]
                jacobian = np.log(factors[ok]).sum(axis=1)
                ll[RATIO, ok] = profile_ll(Z, "trend", min_size) - jacobian
    return ll.argmax(axis=0)  # ties go to the simpler scale: raw, then log


def scaled(raw: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``raw`` on each row's scale (:func:`choose_scale`): as is, ``log1p`` or ÷ factors."""
    Z = np.where((scale == LOG)[:, None], np.log1p(np.maximum(raw, 0)), raw)
    ratio = scale == RATIO
    if ratio.any():
        Z[ratio] = raw[ratio] / seasonal_factors(raw[ratio])
    return Z


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
