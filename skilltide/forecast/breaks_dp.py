"""Multiple breaks by dynamic programming (Bai & Perron 2003), over many series at once.

Every segment between two breaks has its own intercept and slope. The residual sum of
squares of a line fitted to any segment ``[i, j)`` follows from prefix sums of ``1, t, t²,
y, t·y, y²``, so the cost of all ``O(T²)`` segments of all series is a few array
operations; the optimal partition with ``m`` breaks is then the Bellman recursion
``V_m(j) = min_i V_{m-1}(i) + C(i, j)``, again vectorised over series. The number of breaks
minimises the Bayesian information criterion
``T·log(SSR_m / T) + (3m + 2)·log T`` (2 coefficients per segment and one date per break).

Example
-------
>>> import numpy as np
>>> y = np.r_[np.zeros(20), np.full(20, 5.0)] + np.random.default_rng(1).normal(size=40)
>>> bic_partitions(y[None, :], min_size=6, max_breaks=3)[0]
[20]
"""

from __future__ import annotations

import numpy as np

__all__ = ["bic_partitions", "optimal_partitions", "segment_costs"]

_CELLS_PER_CHUNK = 20_000_000  # float64 cells of the (series, T+1, T+1) cost array


def segment_costs(Y: np.ndarray, min_size: int) -> np.ndarray:
    """``C[s, i, j]``: SSR of a line fitted to ``Y[s, i:j]``; ``inf`` when ``j - i < min_size``."""
    _n, length = Y.shape
    t = (np.arange(length) - (length - 1) / 2.0) / length
    Yc = Y - Y.mean(axis=1, keepdims=True)

    def prefix(values: np.ndarray) -> np.ndarray:
        out = np.zeros((*values.shape[:-1], length + 1))
        np.cumsum(values, axis=-1, out=out[..., 1:])
        return out

    p0 = np.arange(length + 1, dtype=float)
    p1, p2 = prefix(t), prefix(t * t)
    py, pty, pyy = prefix(Yc), prefix(Yc * t), prefix(Yc * Yc)

    def seg(p: np.ndarray) -> np.ndarray:  # sums over [i, j) for all i, j
        return p[..., None, :] - p[..., :, None]

    n_ = seg(p0)
    valid = n_ >= max(min_size, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_n = np.where(valid, n_, 1.0)
        st, stt = seg(p1), seg(p2)
        sxx = np.where(valid, stt - st * st / safe_n, 1.0)
        sy, sty, syy = seg(py), seg(pty), seg(pyy)
        sxy = sty - st * sy / safe_n
        cost = syy - sy * sy / safe_n - sxy * sxy / sxx
    cost = np.maximum(cost, 0.0)
    cost[:, ~valid] = np.inf
    return cost


def optimal_partitions(
    Y: np.ndarray, min_size: int, max_breaks: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Minimal SSR with 0..max_breaks breaks and the arg-min tables to recover the dates.

    Returns ``ssr (n, max_breaks + 1)`` and ``back[m] (n, T + 1)``: the start of the last
    segment of the best ``m``-break partition of ``[0, j)``.
    """
    n, length = Y.shape
    cost = segment_costs(Y, min_size)
    value = cost[:, 0, :]
    ssr = np.full((n, max_breaks + 1), np.inf)
    ssr[:, 0] = value[:, length]
    back: list[np.ndarray] = [np.zeros((n, length + 1), dtype=int)]
    for m in range(1, max_breaks + 1):
        total = value[:, :, None] + cost
        arg = total.argmin(axis=1)
        value = np.take_along_axis(total, arg[:, None, :], axis=1)[:, 0, :]
        back.append(arg)
        ssr[:, m] = value[:, length]
    return ssr, back


def bic_partitions(
    Y: np.ndarray, min_size: int, max_breaks: int, criterion: str = "bic"
) -> list[list[int]]:
    """Break indices (first month of each new segment) chosen by BIC, per row of ``Y``.

    ``criterion='lwz'`` uses the heavier penalty ``0.299·(log T)^2.1`` per parameter of
    Liu, Wu & Zidek (1997), which Bai & Perron (2003) found to over-fit less than BIC.
    """
    Y = np.asarray(Y, dtype=float)
    n, length = Y.shape
    max_breaks = max(0, min(max_breaks, length // min_size - 1))
    chunk = max(1, _CELLS_PER_CHUNK // (length + 1) ** 2)
    found: list[list[int]] = []
    for start in range(0, n, chunk):
        block = Y[start : start + chunk]
        ssr, back = optimal_partitions(block, min_size, max_breaks)
        scale = np.maximum(np.einsum("ij,ij->i", block, block), 1e-300)
        per_parameter = np.log(length)
        if criterion == "lwz":
            per_parameter = 0.299 * np.log(length) ** 2.1
        penalty = (3 * np.arange(max_breaks + 1) + 2) * per_parameter
        with np.errstate(divide="ignore", invalid="ignore"):
            bic = length * np.log(np.maximum(ssr, 1e-12 * scale[:, None]) / length) + penalty
        bic = np.where(np.isfinite(ssr), bic, np.inf)
        chosen = bic.argmin(axis=1)
        for row in range(block.shape[0]):
            bkps, j = [], length
            for m in range(int(chosen[row]), 0, -1):
                j = int(back[m][row, j])
                bkps.append(j)
            found.append(sorted(bkps))
    return found
