"""The warnings ``skilltide ingest ads`` prints for ads that got no occupation, with what to
do about them: mapped occupation values that are no code
(:func:`skilltide.ingest.occupation_codes.uncoded`), and titles left uncoded because no title
coder is stored (:func:`titles_warning`).

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


def titles_warning(con, run_id: str) -> str | None:
    """The warning for the ads ``run_id`` stored whose titles no coder coded because none is
    stored (no O*NET loaded, or ``onet build-coder`` not run yet); None when there are none.
    ``onet build-coder`` codes the stored ads too."""
    n = con.execute(
        "SELECT count(*) FROM ads WHERE run_id = ? AND occupation IS NULL"
        " AND occupation_source IS NULL AND nullif(trim(title), '') IS NOT NULL",
        [run_id],
    ).fetchone()[0]
    if not n:
        return None
    onet = con.execute("SELECT count(*) FROM occupations").fetchone()[0] > 0
    fix = (
        "`skilltide onet build-coder` builds it and codes the stored ads"
        if onet
        else "load O*NET (`skilltide onet load DIR`), then `skilltide onet build-coder` codes "
        "the stored ads"
    )
    return (
        f"the titles of {counted(n, 'ad')} were not coded to occupations: no title coder is "
        f"stored, so they count as unknown in the occupation panels; {fix}"
    )
