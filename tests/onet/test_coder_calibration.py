"""Calibration of the coder's scores: the gap-scaled temperature fitted with the SVM score."""

from __future__ import annotations

import numpy as np
import pytest

from skilltide.onet.coder_calibration import (
    calibrate_temperature,
    expected_calibration_error,
    fit_gap_temperature,
    log_loss,
    scaled_softmax,
    softmax,
    top_label_log_loss,
)
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_params import CoderParams
from tests.onet.test_coder_model import TRAIN

HELD_TITLES = ["Nurse", "Driver", "Developer", "Programmer", "Staff Nurse", "Truck Driver"]
HELD_CODES = ["29-1141.00", "53-3032.00", "15-1252.00", "15-1252.00", "29-1141.00", "53-3032.00"]


def _synthetic(n: int = 4000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Logits with very unequal top-two gaps, codes drawn from the gap-scaled softmax."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, 20)) * rng.uniform(0.2, 4.0, size=(n, 1))
    logits[:, 0] += rng.exponential(3.0, size=n)  # some rows with a wide lead
    probs = scaled_softmax(logits.copy(), 0.5, 0.3)
    truth = (probs.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
    return logits, np.minimum(truth, 19)


def test_scaled_softmax_without_gap_is_the_plain_temperature_softmax():
    logits = np.random.default_rng(0).normal(size=(5, 7)).astype(np.float32)
    plain = logits / np.float32(0.3)
    plain -= plain.max(axis=1, keepdims=True)
    plain = np.exp(plain)
    plain /= plain.sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(scaled_softmax(logits.copy(), 0.3), plain)


def test_scaled_softmax_tempers_each_row_by_its_gap_and_keeps_the_order():
    logits = np.array([[9.0, 1.0, 0.0], [1.0, 0.5, 0.0]])
    out = scaled_softmax(logits.copy(), 1.0, 0.5)
    expected = [softmax(logits[:1] / (1 + 0.5 * 8)), softmax(logits[1:] / (1 + 0.5 * 0.5))]
    np.testing.assert_allclose(out, np.vstack(expected))
    assert (np.argsort(out, axis=1) == np.argsort(logits, axis=1)).all()


def test_gap_temperature_recovers_the_generating_scale():
    logits, truth = _synthetic()
    temperature, gap = fit_gap_temperature(logits, truth)
    assert temperature == pytest.approx(0.5, abs=0.15) and gap == pytest.approx(0.3, abs=0.1)
    # One temperature (minimum log loss, as calibrate_temperature fits it) calibrates worse.
    grid = np.exp(np.linspace(np.log(0.05), np.log(5.0), 80))
    one = grid[int(np.argmin([log_loss(logits / t, truth) for t in grid]))]
    fitted = scaled_softmax(logits.copy(), temperature, gap)
    assert top_label_log_loss(fitted, truth) < top_label_log_loss(softmax(logits / one), truth)
    assert expected_calibration_error(fitted, truth) < 0.03
    assert expected_calibration_error(fitted, truth) < expected_calibration_error(
        softmax(logits / one), truth
    )


def test_gap_temperature_fit_is_deterministic():
    logits, truth = _synthetic(1000, seed=9)
    assert fit_gap_temperature(logits, truth) == fit_gap_temperature(logits, truth)


def test_calibrate_with_the_svm_fits_the_gap_and_the_coder_uses_it():
    coder = TitleCoder(CoderParams(nearest_max_df=1.0, linear=2.0)).fit(TRAIN)
    facts = calibrate_temperature(coder, HELD_TITLES, HELD_CODES)
    p = coder.params
    assert (p.temperature, p.temperature_gap) == (facts["temperature"], facts["temperature_gap"])
    assert "ece_one_temperature" in facts and facts["heldout_top1"] == 1.0
    texts = ["registered nurse", "truck driver"]
    expected = scaled_softmax(coder.logits(texts), p.temperature, p.temperature_gap)
    np.testing.assert_allclose(coder.predict_proba(texts), expected, rtol=1e-6)
    top = coder.predict(texts, top=2)
    best = np.sort(expected, axis=1)[:, ::-1][:, :2].ravel()
    np.testing.assert_allclose(top["score"], best, atol=1e-6)
    loaded = TitleCoder.from_bytes(coder.to_bytes())
    assert loaded.params.temperature_gap == p.temperature_gap
    np.testing.assert_array_equal(loaded.predict_proba(texts), coder.predict_proba(texts))


def test_calibrate_without_the_svm_keeps_one_temperature():
    coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)
    facts = calibrate_temperature(coder, HELD_TITLES, HELD_CODES)
    assert coder.params.temperature_gap == 0.0
    assert set(facts) == {"heldout_titles", "heldout_top1", "temperature", "ece_before", "ece"}
    texts = ["registered nurse", "truck driver"]
    np.testing.assert_array_equal(
        coder.predict_proba(texts), softmax(coder.logits(texts) / coder.params.temperature)
    )
