"""Forecasts shared between rolling backtests of one forecasting job.

``auto`` and a backtest-weighted ``ensemble`` choose their weights on a rolling backtest of
their candidates; their own backtest refits them, choice included, at each of its origins
(:func:`skilltide.forecast.pipeline.forecast_panel`), and each refit fits the candidates
again at origins the others have too. Inside :func:`shared_fits`, :func:`forecast` (which
:func:`~skilltide.forecast.backtest.rolling_forecasts` and the combinations' final fits call)
fits a candidate once per origin and reuses its forecast. That is exact, not an
approximation: a forecast made at an origin reads no data after it
(``tests/forecast/test_no_lookahead.py``), so the same model on the same data up to the
origin forecasts the same.

Example
-------
>>> import numpy as np
>>> from skilltide.forecast.models.base import Wide
>>> from skilltide.forecast.models.baselines import Naive
>>> w = Wide(["a"], [], np.array([[1.0, 2.0]]))
>>> with shared_fits():
...     first = forecast("naive", Naive, w, 2)
...     again = forecast("naive", Naive, w, 2)  # not fitted again
>>> first.tolist(), again is first
([[2.0, 2.0]], True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

import numpy as np

from skilltide.forecast.models.base import Wide

_FITS: ContextVar[dict | None] = ContextVar("skilltide_shared_fits", default=None)


@contextmanager
def shared_fits() -> Iterator[None]:
    """Within the block, a model fitted again on the same data up to the same origin is not
    fitted again (nested blocks share the outer one's forecasts)."""
    token = _FITS.set({}) if _FITS.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _FITS.reset(token)


def forecast(name: str, factory: Callable, past: Wide, horizon: int) -> np.ndarray:
    """The ``series × horizon`` forecast of ``factory()`` fitted on ``past``; in a
    :func:`shared_fits` block, the one made before for the same model and data if any."""
    fits = _FITS.get()
    if fits is None:
        return factory().fit_wide(past, horizon).predict_matrix()
    key = (name, horizon, _model_key(factory), _data_key(past))
    if key not in fits:  # the factory kept with it: the ids in its key stay its own
        fits[key] = (factory().fit_wide(past, horizon).predict_matrix(), factory)
    return fits[key][0]


def _model_key(factory: Callable) -> tuple:
    """What makes a model: a ``partial``'s function and arguments (unhashable ones, such as
    a frame of breaks, by identity: a refit passes on the same object), else the factory."""
    if not isinstance(factory, partial):
        return (factory,)
    values = [*factory.args, *sorted(factory.keywords.items())]
    return (factory.func, *(_hashable(v) for v in values))


def _hashable(value: object) -> object:
    if isinstance(value, tuple):  # a keyword's (name, value) pair
        return tuple(_hashable(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value


def _data_key(past: Wide) -> str:
    digest = hashlib.blake2b(np.ascontiguousarray(past.values).tobytes(), digest_size=16)
    digest.update("\n".join(past.ids).encode())
    digest.update(repr((past.months[:1], past.months[-1:], past.levels)).encode())
    return digest.hexdigest()
