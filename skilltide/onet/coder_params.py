"""The title coder's parameters: the weights of its scoring rule and its build options.

Example
-------
>>> CoderParams(linear=LINEAR_WEIGHT).linear
2.0
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How much one example title of each kind counts in an occupation's profile.
KIND_WEIGHTS = {
    "occupation": 2.0,
    "part": 1.0,
    "alternate": 1.0,
    "short": 1.0,
    "reported": 1.5,
}


LINEAR_WEIGHT = 2.0  # the weight of the SVM score, chosen on development titles


@dataclass
class CoderParams:
    """Weights of the scoring rule; defaults were tuned on held-out alternate titles."""

    nearest: float = 1.0
    profile: float = 0.5
    prior: float = 0.03
    temperature: float = 0.05
    # Softmax temperature per title = temperature + temperature_gap × its top-two logit gap
    # (:func:`~skilltide.onet.coder_calibration.scaled_softmax`); fitted with ``linear``.
    temperature_gap: float = 0.0
    nearest_max_df: float = 0.003
    vote_temperature: float = 0.03
    profile_min_weight: float = 0.01
    evidence: float = 0.3
    evidence_alpha: float = 0.05
    context: float = 0.05
    context_alpha: float = 0.1
    block_weights: dict[str, float] = field(
        default_factory=lambda: {"w": 1.0, "b": 0.5, "h": 0.7, "c": 1.0}
    )
    char_range: tuple[int, int] = (3, 5)
    batch_size: int = 256
    # Second stage (:mod:`skilltide.onet.coder_rerank`), fitted by ``fit_coder`` when
    # ``rerank``. Off by default since 2026-12-06: fitted with every occupation weighted alike,
    # it helps on occupation-balanced title lists (O*NET's reported titles) but costs accuracy
    # on ads and title lists weighted by volume (JobBERT, the Census index; docs/methods.md).
    rerank: bool = False
    rerank_candidates: int = 30
    rerank_l2: float = 1e-3
    rerank_balance: float = 1.0
    # Discriminative score (:mod:`skilltide.onet.coder_linear`): ``linear`` × the decision
    # values of a one-vs-rest linear SVM with penalty ``linear_c``; 0 (the default) leaves it
    # out: it gains 2-3 points top-1 but makes the build ~30x slower; its scores need the
    # gap-scaled temperature (``build-coder --linear`` sets :data:`LINEAR_WEIGHT`).
    linear: float = 0.0
    linear_c: float = 1.0
    linear_min_weight: float = 0.01
