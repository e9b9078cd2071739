"""The word lists behind guarded skill names in :mod:`skilltide.ingest.extract`.

``CONTEXTS``: the list contexts in which a guarded name (``R``, ``Go``) counts, ``{}`` standing
for the name; ``NON_SKILL_PHRASES``: phrases where a guarded name is not the skill.

Example
-------
>>> CONTEXTS[0].format("Go"), "R&D" in NON_SKILL_PHRASES["R"]
(', Go', True)
"""

from __future__ import annotations

CONTEXTS = [
    ", {}",
    "{} ,",
    "/ {}",
    "{} /",
    "and {}",
    "{} and",
    "or {}",
    "{} or",
    ": {}",
    "{} Developer",
    "{} Engineer",
    "{} Programmer",
    "{} developer",
    "{} engineer",
    "{} programmer",
    "{} programming",
]
# Phrases where a guarded short name is not the skill (matched case-sensitively, longest wins).
NON_SKILL_PHRASES = {
    "R": ["R&D", "R and D", "R D", "Q&A"],
    "C": [
        "B, C",  # Chinese ads: B端/C端 (business/consumer side)
        "B/C",
        "To C",
        "to C",
        "C-suite",
        "C-level",
        "C level",
        "Plan C",
        "Vitamin C",
        "Grade C",
        "Class C",
        "C Corp",
        "C-corp",
        "Type C",
        "USB C",
        "C1",
        "C2",
    ],
    "Go": ["Go-live", "Go live", "Go to", "Go ahead", "Go-to", "Go-getter"],
    "Swift": ["Swift response", "Swift action", "Swift service"],
    "Chef": [
        "Sous Chef",
        "Executive Chef",
        "Head Chef",
        "Pastry Chef",
        "Chef de Partie",
        "Private Chef",
        "Line Chef",
        "our Chef",
        "the Chef",
        "a Chef",
    ],
}

__all__ = ["CONTEXTS", "NON_SKILL_PHRASES"]
