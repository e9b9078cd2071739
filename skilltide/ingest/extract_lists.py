"""The word lists behind guarded skill names in :mod:`skilltide.ingest.extract`.

``CONTEXTS``: the list contexts in which a guarded name (``R``, ``Go``) counts, ``{}`` standing
for the name; ``NON_SKILL_PHRASES``: phrases where a guarded name is not the skill;
``FUNCTION_WORDS``: a name of several words opening with one matches with its exact case
(:func:`opens_with_function_word`).

Example
-------
>>> CONTEXTS[0].format("Go"), "R&D" in NON_SKILL_PHRASES["R"]
(', Go', True)
>>> import polars as pl
>>> names = pl.Series(["After the Deadline", "after the deadline", "Excel"])
>>> pl.select(opens_with_function_word(pl.lit(names))).to_series().to_list()
[True, False, False]
"""

from __future__ import annotations

import polars as pl

# Closed-class words: a name of several words opening with one matches with its exact case.
FUNCTION_WORDS = (  # noqa: SIM905 (one line of words reads better than fifty)
    "a an the this that these those my your our his her its their what which who whom whose "
    "when where why how if and or but nor after before at in on of for to with by from into "
    "onto over under about above below between through during without within upon"
).split()

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


def opens_with_function_word(alias: pl.Expr) -> pl.Expr:
    """A name of several words whose first word is a :data:`FUNCTION_WORDS` word and that has
    a capital letter (so its case says it is the name)."""
    words = alias.str.strip_chars().str.split(" ")
    return (
        (words.list.len() > 1)
        & words.list.first().str.to_lowercase().is_in(FUNCTION_WORDS)
        & alias.str.contains(r"\p{Lu}")
    ).fill_null(False)
