"""Split O*NET's joined occupation titles into the job titles they name.

O*NET titles often join several jobs: "General and Operations Managers", "Hoist and Winch
Operators", "Woodworking Machine Setters, Operators, and Tenders". An ad says "Operations
Manager" or "Winch Operator", which shares few features with the joined title. Following
the way the Census alphabetical index spells out such titles, :func:`title_parts` returns
each conjunct as a title of its own: a conjunct that is only a modifier ("General",
"Hoist") borrows the head word of the next conjunct, and a one-word conjunct after a longer
one ("Operators" after "Woodworking Machine Setters") borrows the first conjunct's modifiers.

Example
-------
>>> title_parts("General and Operations Managers")
['General Managers', 'Operations Managers']
>>> title_parts("Woodworking Machine Setters, Operators, and Tenders, Except Sawing")
['Woodworking Machine Setters', 'Woodworking Machine Operators', 'Woodworking Machine Tenders']
>>> title_parts("Dentists, General")
[]
"""

from __future__ import annotations

import re

# Titles whose structure the rules below would get wrong ("First-Line Supervisors of A, B,
# and C Workers", "Helpers--Carpenters", "Air/Weapons Specialists") are left whole.
_SKIP_RE = re.compile(r"\bof\b|--|/")
_QUALIFIER_RE = re.compile(r",?\s*\b(?:Except|Including|All Other)\b.*$")


def title_parts(title: str) -> list[str]:
    """The separate job titles joined in one O*NET occupation title (none if not joined).

    Example
    -------
    >>> title_parts("Hoist and Winch Operators")
    ['Hoist Operators', 'Winch Operators']
    """
    if _SKIP_RE.search(title):
        return []
    title = _QUALIFIER_RE.sub("", title).strip(" ,")
    segments = [s.strip() for s in title.split(",")]
    if len(segments) > 1 and segments[-1].startswith("and "):
        segments[-1] = segments[-1][4:]
    else:
        # "Sales Representatives, Wholesale and Manufacturing": the comma adds a qualifier.
        segments = segments[:1]
    conjuncts = [c.split() for s in segments for c in s.split(" and ") if c.strip()]
    if len(conjuncts) < 2:
        return []
    parts = []
    for i, words in enumerate(conjuncts):
        if not words[-1].endswith("s"):
            head = next((c[-1] for c in conjuncts[i + 1 :] if c[-1].endswith("s")), None)
            if head is None:
                return []
            words = [*words, head]
        elif i > 0 and len(words) == 1 and len(conjuncts[0]) > 1:
            words = [*conjuncts[0][:-1], *words]
        parts.append(" ".join(words))
    return list(dict.fromkeys(parts))
