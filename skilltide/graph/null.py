"""Degree-preserving null models of a bipartite network, and z-scores against them.

:func:`curveball` randomises a 0/1 matrix while keeping every row and column sum (Strona et
al. 2014, "A fast and unbiased procedure to randomize ecological binary matrices with fixed
row and column totals"): each trade picks two rows, pools the columns that only one of them
has and deals them back at random in the same numbers. :func:`significance` compares
observed statistics with their distribution over seeded randomisations, the test asked of
popularity and homophily in skill networks.

Example
-------
>>> import numpy as np
>>> m = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1]])
>>> r = curveball(m, seed=3).toarray()
>>> r.sum(axis=1).tolist(), r.sum(axis=0).tolist()
([2, 2, 3], [2, 2, 2, 1])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
from scipy import sparse

__all__ = ["curveball", "null_samples", "significance"]


def _rows(b: sparse.csr_array) -> list[np.ndarray]:
    return [b.indices[b.indptr[i] : b.indptr[i + 1]].copy() for i in range(b.shape[0])]


def curveball(matrix, *, seed: int = 0, trades: int | None = None) -> sparse.csr_array:
    """One random 0/1 matrix with the same row and column sums as ``matrix``.

    Parameters
    ----------
    matrix : array or sparse
        Non-zero entries are edges.
    seed : int
        Seed of the random trades: the same seed gives the same matrix.
    trades : int, optional
        Number of pair trades; default 5 × the smaller dimension, enough for mixing in
        Strona et al.'s tests. Trades run between the rows of the smaller dimension.
    """
    b = sparse.csr_array(matrix, dtype=np.int8)
    b.eliminate_zeros()
    flip = b.shape[0] > b.shape[1]
    if flip:
        b = sparse.csr_array(b.T)
    n = b.shape[0]
    rows = _rows(b)
    rng = np.random.default_rng(seed)
    trades = 5 * n if trades is None else trades
    if n >= 2:
        firsts = rng.integers(0, n, size=trades)
        seconds = (firsts + rng.integers(1, n, size=trades)) % n
        for i, j in zip(firsts.tolist(), seconds.tolist(), strict=True):
            a, c = rows[i], rows[j]
            only_a = np.setdiff1d(a, c, assume_unique=True)
            if only_a.size == 0:
                continue
            only_c = np.setdiff1d(c, a, assume_unique=True)
            if only_c.size == 0:
                continue
            shared = np.intersect1d(a, c, assume_unique=True)
            pool = rng.permutation(np.concatenate([only_a, only_c]))
            rows[i] = np.concatenate([shared, pool[: only_a.size]])
            rows[j] = np.concatenate([shared, pool[only_a.size :]])
    lengths = np.fromiter((r.size for r in rows), dtype=np.int64, count=n)
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    out = sparse.csr_array(
        (np.ones(indices.size, dtype=np.int8), (np.repeat(np.arange(n), lengths), indices)),
        shape=b.shape,
    )
    return sparse.csr_array(out.T) if flip else out


def null_samples(matrix, n: int, *, seed: int = 0, trades: int | None = None):
    """``n`` independent curveball randomisations; sample i uses seed (seed, i)."""
    for i in range(n):
        child = int(np.random.SeedSequence([seed, i]).generate_state(1)[0])
        yield curveball(matrix, seed=child, trades=trades)


def significance(
    matrix,
    statistics: dict[str, Callable[[sparse.csr_array], float]],
    *,
    n: int = 50,
    seed: int = 0,
    trades: int | None = None,
) -> pl.DataFrame:
    """Observed statistics against ``n`` degree-preserving randomisations.

    Returns one row per statistic: ``metric, observed, null_mean, null_sd, z_score, p_value,
    n_null``. z is null when the null distribution has no spread; ``p_value`` is the two-sided
    empirical one, (1 + randomisations at least as far from the null mean) / (n + 1), so it
    is defined even then (its floor is 1 / (n + 1)).

    Example
    -------
    >>> from skilltide.graph.nestedness import nodf
    >>> m = np.triu(np.ones((6, 6)))
    >>> significance(m, {"nodf": nodf}, n=5)["observed"].to_list()
    [100.0]
    """
    observed_matrix = sparse.csr_array(matrix, dtype=float)
    observed_matrix.eliminate_zeros()
    observed_matrix.data[:] = 1.0
    observed = {name: float(fn(observed_matrix)) for name, fn in statistics.items()}
    draws: dict[str, list[float]] = {name: [] for name in statistics}
    for sample in null_samples(observed_matrix, n, seed=seed, trades=trades):
        sample = sparse.csr_array(sample, dtype=float)
        for name, fn in statistics.items():
            draws[name].append(float(fn(sample)))
    rows = []
    for name in statistics:
        values = np.asarray(draws[name], dtype=float)
        mean = float(values.mean()) if values.size else float("nan")
        sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
        # A null distribution without spread (e.g. Louvain finds one community in every
        # sample) has no z-score; the row still shows observed against null_mean.
        spread = np.isfinite(sd) and sd > 1e-9 * max(1.0, abs(mean))
        z = (observed[name] - mean) / sd if spread else None
        distance = abs(observed[name] - mean)
        extreme = int(np.sum(np.abs(values - mean) >= distance - 1e-12 * max(1.0, abs(mean))))
        p = (1 + extreme) / (1 + values.size) if values.size else None
        rows.append(
            {
                "metric": name,
                "observed": observed[name],
                "null_mean": mean,
                "null_sd": sd,
                "z_score": z,
                "p_value": p,
                "n_null": int(values.size),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "metric": pl.String,
            "observed": pl.Float64,
            "null_mean": pl.Float64,
            "null_sd": pl.Float64,
            "z_score": pl.Float64,
            "p_value": pl.Float64,
            "n_null": pl.Int64,
        },
    )
