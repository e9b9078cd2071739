"""The warning ``skilltide ingest ads`` prints for mapped occupation values that got no
occupation (:func:`skilltide.ingest.occupation_codes.uncoded`), with what to do about them.

Example
-------
>>> uncoded_warning({"ads": 2, "values": [["2512", 2]], "isco_crosswalk": False}, coder=True)[:60]
'the mapped occupation values of 2 ads are neither O*NET-SOC '
"""

from __future__ import annotations

import re

from skilltide.console import counted


def uncoded_warning(uncoded: dict, coder: bool) -> str:
    """The warning for mapped occupation values that are no code and got none."""
    values = ", ".join(f"{v!r} ({counted(n, 'ad')})" for v, n in uncoded["values"])
    what = (
        "neither O*NET-SOC codes nor titles the title coder could code"
        if coder
        else "no O*NET-SOC codes, and no title coder is stored to code them as titles"
    )
    named = any(re.search(r"[^\W\d_]", v) for v, _ in uncoded["values"])  # has a letter
    fix = (
        "load O*NET (skilltide onet load) and they are coded as titles"
        if named and not coder
        else "map a column of O*NET-SOC or SOC codes, or leave occupation unmapped to code the "
        "ads' titles"
    )
    isco = [
        v
        for v, _ in uncoded["values"]
        if re.fullmatch(r"\s*[0-9]{3,4}(\.0+)?\s*", v) or re.search(r"/esco/isco/[Cc][0-9]", v)
    ]
    if isco and not uncoded.get("isco_crosswalk"):
        fix += (
            f"; {isco[0]!r} looks like an ISCO-08 code: `skilltide onet crosswalk` stores the "
            "ISCO-08 → SOC crosswalk that reads such codes"
        )
    esco = [v for v, _ in uncoded["values"] if re.search(r"esco/occupation/", v)]
    if esco and not uncoded.get("esco_occupations"):
        fix += (
            f"; {esco[0]!r} is an ESCO occupation: `skilltide onet crosswalk … --esco "
            "occupations_en.csv` stores ESCO's occupations, which read such values"
        )
    unknown = ""
    if found := uncoded.get("esco_unknown"):  # ESCO stored, but not this version
        unknown = (
            f"; {found[0]!r} is no ESCO occupation of the {found[1]:,} stored: store the ESCO "
            "version the ads use (`skilltide onet crosswalk … --esco FILE`)"
        )
        fix = unknown[2:]
    if unchosen := uncoded.get("isco_unchosen"):
        return (
            f"the mapped occupation values of {counted(uncoded['ads'], 'ad')} count as unknown "
            f"(most: {values}): {counted(unchosen, 'ad')} with an ISCO-08 code or ESCO "
            "occupation whose SOC occupation the title coder could not choose (no title, no "
            "title coder, or none "
            "of the code's occupations in the loaded O*NET release)"
            + ("" if unchosen == uncoded["ads"] else f"; the others are {what}{unknown}")
        )
    return (
        f"the mapped occupation values of {counted(uncoded['ads'], 'ad')} are {what}, so "
        f"they count as unknown (most: {values}); {fix}"
    )
