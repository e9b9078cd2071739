"""Shared fits: the refits of a model that chooses by backtest reuse their candidates'
forecasts, with outputs bit-for-bit those of fitting every candidate again."""

from __future__ import annotations

import contextlib

import pytest

from skilltide.forecast import pipeline
from skilltide.forecast.break_source import DetectedBreaks
from skilltide.forecast.models.base import Forecaster
from tests.forecast.test_no_lookahead import HORIZON, PARAMS, market


@pytest.mark.parametrize("model", ["auto", "ensemble"])
def test_shared_fits_change_nothing_but_the_number_of_fits(model, monkeypatch):
    """auto's backtest refits auto at each of its origins (0a757fc): four times the fits,
    the demo's forecast stage 2.7x slower. Shared fits cut them, and must change no number."""
    fits = []
    fit_wide = Forecaster.fit_wide

    def counted(self, wide, horizon):
        fits.append(type(self).__name__)
        return fit_wide(self, wide, horizon)

    monkeypatch.setattr(Forecaster, "fit_wide", counted)
    frame = market()

    def run():
        fits.clear()
        params = {**PARAMS[model], "breaks": DetectedBreaks()}
        out, backtest = pipeline.forecast_panel(frame, horizon=HORIZON, model=model, params=params)
        return out, backtest, len(fits)

    shared = run()
    monkeypatch.setattr(pipeline, "shared_fits", contextlib.nullcontext)
    alone = run()
    assert shared[0].equals(alone[0]) and shared[1].equals(alone[1])
    assert shared[2] < 0.7 * alone[2]
