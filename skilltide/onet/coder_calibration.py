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


def scaled_softmax(logits: np.ndarray, temperature: float, gap: float = 0.0) -> np.ndarray:
    """``softmax(logits / t)`` per row with ``t = temperature + gap · (top − second logit)``.

    ``gap`` = 0 is one temperature for all rows. With ``gap`` > 0 a row whose best logit
    stands far above the rest is tempered more, so no score gets near 1 on a wide gap alone:
    the top score is capped near ``1 / (1 + (n − 1)·e^(−1/gap))`` whatever the logits' scale.
    The order of the scores within a row never changes. ``logits`` may be overwritten.

    Example
    -------
    >>> x = np.array([[9.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    >>> scaled_softmax(x.copy(), 1.0).max(axis=1).round(3).tolist()
    [1.0, 0.576]
    >>> scaled_softmax(x.copy(), 1.0, gap=0.5).max(axis=1).round(3).tolist()
    [0.72, 0.493]
    """
    if gap and logits.shape[1] > 1:
        top2 = np.partition(logits, -2, axis=1)[:, -2:]
        scale = temperature + gap * (top2[:, 1:] - top2[:, :1])
        logits = (logits - top2[:, 1:]) / scale
    else:
        logits = logits / temperature
        logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits


def top_label_log_loss(probs: np.ndarray, truth: np.ndarray) -> float:
    """Log loss of the top score read as the probability that the top code is right.

    Example
    -------
    >>> round(top_label_log_loss(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1])), 3)
    0.511
    """
    top = probs.argmax(axis=1)
    confidence = np.clip(probs[np.arange(len(top)), top], 1e-7, 1 - 1e-7)
    return float(-np.mean(np.where(top == truth, np.log(confidence), np.log1p(-confidence))))


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
    facts = {
        "heldout_titles": len(truth),
        "heldout_top1": round(float(np.mean(probs.argmax(axis=1) == truth)), 4),
        "temperature": coder.params.temperature,
        "ece_before": round(before, 4),
        "ece": round(expected_calibration_error(probs, truth), 4),
    }
    if coder.params.linear:
        # The SVM's decision values break the single temperature (docs/methods.md, sixth
        # round): the temperature then grows with each row's top-two gap.
        temperature, gap = fit_gap_temperature(logits, truth, coder.params.temperature)
        coder.params.temperature, coder.params.temperature_gap = temperature, gap
        probs = scaled_softmax(logits.copy(), temperature, gap)
        facts.update(
            ece_one_temperature=facts["ece"],
            ece=round(expected_calibration_error(probs, truth), 4),
            temperature=temperature,
            temperature_gap=gap,
        )
    return facts


def fit_gap_temperature(
    logits: np.ndarray, truth: np.ndarray, start: float = 0.2
) -> tuple[float, float]:
    """``(temperature, gap)`` of :func:`scaled_softmax` with the least :func:`top_label_log_loss`.

    The order within each row, hence the top code, does not depend on them, so the loss is
    smooth in both: bounded L-BFGS (deterministic) from ``(start, 0)``, rounded to 5 digits.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> logits = rng.normal(size=(200, 5)) * 3
    >>> truth = np.where(rng.random(200) < 0.6, logits.argmax(axis=1), 0)
    >>> t, g = fit_gap_temperature(logits, truth)
    >>> t > 0 and g >= 0
    True
    """
    from scipy.optimize import minimize

    logits = np.asarray(logits, dtype=np.float64)
    top2 = np.partition(logits, -2, axis=1)[:, -2:]
    below = logits - top2[:, 1:]
    gap = top2[:, 1] - top2[:, 0]
    right = logits.argmax(axis=1) == truth

    def loss(x: np.ndarray) -> float:
        scale = x[0] + x[1] * gap
        confidence = np.clip(1 / np.exp(below / scale[:, None]).sum(axis=1), 1e-7, 1 - 1e-7)
        return float(-np.mean(np.where(right, np.log(confidence), np.log1p(-confidence))))

    bounds = [(0.005, 5.0), (0.0, 5.0)]
    best = minimize(loss, x0=np.array([start, 0.0]), method="L-BFGS-B", bounds=bounds).x
    return round(float(best[0]), 5), round(float(best[1]), 5)
