"""Calibration of the coder's scores: softmax temperature and expected calibration error.

Example
-------
>>> probs = softmax(np.array([[2.0, 0.0], [0.0, 1.0]]))
>>> round(expected_calibration_error(probs, np.array([0, 1])), 3)
0.194
"""

from __future__ import annotations

import numpy as np


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
