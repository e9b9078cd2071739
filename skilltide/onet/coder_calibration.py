"""Calibration of the coder's scores: softmax temperature and expected calibration error.

Example
-------
>>> probs = softmax(np.array([[2.0, 0.0], [0.0, 1.0]]))
>>> round(expected_calibration_error(probs, np.array([0, 1])), 3)
0.194
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from skilltide.onet.coder_normalise import normalise_titles


def expected_calibration_error(probs: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-1 score: mean |accuracy − confidence| over equal-width score bins.

    Example
    -------
    >>> round(expected_calibration_error(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1])), 2)
    0.35
    """
    top = probs.argmax(axis=1)
    return top_label_ece(probs[np.arange(len(top)), top], top == truth, bins)


def top_label_ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE from each prediction's confidence and whether it was right.

    Example
    -------
    >>> round(top_label_ece(np.array([0.9, 0.6]), np.array([True, False])), 2)
    0.35
    """
    correct = np.asarray(correct, dtype=np.float64)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total / len(correct))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    out = np.exp(shifted)
    return out / out.sum(axis=1, keepdims=True)


def log_loss(logits: np.ndarray, truth: np.ndarray) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(truth)), truth]))


def calibrate_temperature(coder, titles: Sequence[str | None], codes: Sequence[str]) -> dict:
    """Fit the softmax temperature to held-out titles with known codes (minimum log loss).

    Sets ``coder.params.temperature`` and returns the held-out top-1 accuracy and the expected
    calibration error (ECE, 10 bins of the top score) before and after.
    """
    index = {code: i for i, code in enumerate(coder.codes)}
    keep = [i for i, (t, c) in enumerate(zip(titles, codes, strict=True)) if c in index and t]
    texts = normalise_titles([titles[i] for i in keep])
    usable = [i for i, t in enumerate(texts) if t]
    texts = [texts[i] for i in usable]
    truth = np.array([index[codes[keep[i]]] for i in usable])
    if len(truth) == 0:
        raise ValueError("no usable held-out titles to calibrate on")
    step = coder.params.batch_size
    logits = np.vstack([coder.logits(texts[s : s + step]) for s in range(0, len(texts), step)])
    before = expected_calibration_error(softmax(logits / coder.params.temperature), truth)
    grid = np.exp(np.linspace(np.log(0.005), np.log(1.0), 60))
    losses = [log_loss(logits / t, truth) for t in grid]
    best = float(grid[int(np.argmin(losses))])
    coder.params.temperature = round(best, 5)
    probs = softmax(logits / coder.params.temperature)
    return {
        "heldout_titles": len(truth),
        "heldout_top1": round(float(np.mean(probs.argmax(axis=1) == truth)), 4),
        "temperature": coder.params.temperature,
        "ece_before": round(before, 4),
        "ece": round(expected_calibration_error(probs, truth), 4),
    }
