"""The SOC 2018 hierarchy behind an O*NET-SOC code: detailed, broad, minor and major group.

An O*NET-SOC code ``15-1252.00`` extends the SOC 2018 detailed occupation ``15-1252`` with a
two-digit suffix. SOC codes are positional: the broad group replaces the last digit with 0
(``15-1250``; the one exception is Physicians, ``29-1210``, which also holds ``29-122x``),
the minor group the last three (``11-3111`` → ``11-3000``) except for the three minor
groups that use two more digits (:data:`TWO_DIGIT_MINOR_GROUPS`: ``15-1200``, ``31-1100``,
``51-5100``), the major group the last four (``15-0000``). The 23 major-group titles are
those of the BLS SOC 2018 structure; they are also in the warehouse table
``soc_major_groups``.

Example
-------
>>> soc_levels("15-1252.00")["broad"]
'15-1250'
>>> MAJOR_GROUPS[soc_levels("15-1252.00")["major"]]
'Computer and Mathematical Occupations'
"""

from __future__ import annotations

import re

import polars as pl

from skilltide.errors import UserError

MAJOR_GROUPS: dict[str, str] = {
    "11-0000": "Management Occupations",
    "13-0000": "Business and Financial Operations Occupations",
    "15-0000": "Computer and Mathematical Occupations",
    "17-0000": "Architecture and Engineering Occupations",
    "19-0000": "Life, Physical, and Social Science Occupations",
    "21-0000": "Community and Social Service Occupations",
    "23-0000": "Legal Occupations",
    "25-0000": "Educational Instruction and Library Occupations",
    "27-0000": "Arts, Design, Entertainment, Sports, and Media Occupations",
    "29-0000": "Healthcare Practitioners and Technical Occupations",
    "31-0000": "Healthcare Support Occupations",
    "33-0000": "Protective Service Occupations",
    "35-0000": "Food Preparation and Serving Related Occupations",
    "37-0000": "Building and Grounds Cleaning and Maintenance Occupations",
    "39-0000": "Personal Care and Service Occupations",
    "41-0000": "Sales and Related Occupations",
    "43-0000": "Office and Administrative Support Occupations",
    "45-0000": "Farming, Fishing, and Forestry Occupations",
    "47-0000": "Construction and Extraction Occupations",
    "49-0000": "Installation, Maintenance, and Repair Occupations",
    "51-0000": "Production Occupations",
    "53-0000": "Transportation and Material Moving Occupations",
    "55-0000": "Military Specific Occupations",
}

# The only SOC 2018 minor groups not of the form NN-N000 (checked against the BLS structure).
TWO_DIGIT_MINOR_GROUPS = frozenset({"15-1200", "31-1100", "51-5100"})

# Detailed occupations whose broad group is not NN-NNN0: 29-1221..29-1229 are Physicians.
_BROAD_EXCEPTIONS = {"29-1220": "29-1210"}

_CODE = re.compile(r"^(\d{2})-(\d{4})(?:\.(\d{2}))?$")
_PATTERN = r"^\d{2}-\d{4}(\.\d{2})?$"


def soc_levels(code: str) -> dict[str, str]:
    """The SOC 2018 levels of an O*NET-SOC (``15-1252.00``) or SOC (``15-1252``) code.

    Returns ``{"onetsoc", "detailed", "broad", "minor", "major", "major_title"}``; raises
    :class:`~skilltide.errors.UserError` for a code that is not ``NN-NNNN[.NN]`` or whose
    major group is not one of the 23.

    >>> soc_levels("51-5111.00")["minor"], soc_levels("11-3111.00")["minor"]
    ('51-5100', '11-3000')
    """
    match = _CODE.match(code.strip()) if isinstance(code, str) else None
    if not match:
        raise UserError(f"{code!r} is not an O*NET-SOC or SOC code (expected e.g. 15-1252.00)")
    major = f"{match[1]}-0000"
    if major not in MAJOR_GROUPS:
        raise UserError(f"{code!r}: {major} is not a SOC 2018 major group")
    digits = match[2]
    return {
        "onetsoc": f"{match[1]}-{digits}.{match[3] or '00'}",
        "detailed": f"{match[1]}-{digits}",
        "broad": _BROAD_EXCEPTIONS.get(f"{match[1]}-{digits[:3]}0", f"{match[1]}-{digits[:3]}0"),
        "minor": _minor(f"{match[1]}-{digits}"),
        "major": major,
        "major_title": MAJOR_GROUPS[major],
    }


def with_soc_levels(frame: pl.DataFrame, column: str = "onetsoc_code") -> pl.DataFrame:
    """Add ``detailed``, ``broad``, ``minor``, ``major`` columns derived from ``column``.

    Vectorised; codes that are not ``NN-NNNN[.NN]`` get nulls.

    >>> with_soc_levels(pl.DataFrame({"onetsoc_code": ["15-1252.00"]}))["major"].item()
    '15-0000'
    """
    code = pl.col(column)
    ok = code.str.contains(_PATTERN)
    parts = {
        "detailed": code.str.slice(0, 7),
        "broad": (code.str.slice(0, 6) + "0").replace(_BROAD_EXCEPTIONS),
        "minor": pl.when((code.str.slice(0, 5) + "00").is_in(sorted(TWO_DIGIT_MINOR_GROUPS)))
        .then(code.str.slice(0, 5) + "00")
        .otherwise(code.str.slice(0, 4) + "000"),
        "major": code.str.slice(0, 2) + "-0000",
    }
    return frame.with_columns(pl.when(ok).then(e).alias(n) for n, e in parts.items())


def _minor(detailed: str) -> str:
    two = detailed[:5] + "00"
    return two if two in TWO_DIGIT_MINOR_GROUPS else detailed[:4] + "000"
