"""Alias rules: the surface forms under which a skill name is written in job ads.

Each rule is a plain string transformation with a name, so every alias in ``skill_aliases``
says which rule made it (``skill_aliases.rule``):

``name``            the name itself (matching is case-insensitive unless ``case_sensitive``).
``strip_software``  a trailing " software" dropped from a proper name: "Google Cloud software".
``parenthesis``     "Adobe Experience Manager (AEM)" → "Adobe Experience Manager" and "AEM".
``acronym``         a trailing acronym that spells the initials of the words before it:
                    "Structured query language SQL" → "SQL", "Structured query language".
``strip_vendor``    a leading vendor name dropped: "Microsoft Excel" → "Excel"
                    (not when the rest is a generic word: "Microsoft Project" ↛ "Project",
                    nor a job title: everyday words ending in a role noun of
                    ``alias_lists.ROLE_NOUNS``, "IBM Content Manager" ↛ "Content Manager").
``vendor_abbrev``   "Microsoft X" → "MS X".
``strip_version``   a trailing year, dotted version or edition word dropped:
                    "Adobe Acrobat Pro" → "Adobe Acrobat".
``js_variant``      "Node.js" ~ "NodeJS" ~ "Node JS" ~ "Node".
``punctuation``     hyphens as spaces or nothing ("Objective-C" → "Objective C",
                    "ObjectiveC"); two-word brand names written together ("Power BI" →
                    "PowerBI"), not vendor + product ("Microsoft Excel" ↛ "MicrosoftExcel").
``curated``         ``alias_lists.CURATED``, hand-written exceptions no rule can derive (JS, k8s).

Aliases that are ordinary English words or one or two letters ("R", "C", "Go", "Swift",
"Rust", "Chef", "Excel", "JS") match only with their exact case (``case_sensitive``). A skill
is flagged ``ambiguous`` when its own name, or a curated or user short form of it, is such a
word or a single letter ("Go", "R", "Rust programming language" via "Rust"): in running text
it needs case or context to be a skill. "Microsoft Excel" is not ambiguous; its derived alias
"Excel" is only case-sensitive.

Example
-------
>>> sorted(a for a, _ in candidate_aliases("Microsoft Excel"))
['Excel', 'MS Excel', 'Microsoft Excel']
>>> dict(candidate_aliases("Node.js"))["NodeJS"]
'js_variant'
"""

from __future__ import annotations

import re

import polars as pl

from skilltide.onet.alias_lists import AMBIGUOUS, EDITIONS, GENERIC, ROLE_NOUNS, VENDORS

_VENDORS_LONGEST_FIRST = sorted(VENDORS, key=len, reverse=True)
_YEAR_OR_VERSION = re.compile(r"\s+(?:(?:19|20)\d{2}|v?\d+(?:\.\d+)+|v\d+)$")
_PAREN = re.compile(r"^(?P<long>.+?)\s*\((?P<short>[^()]+)\)$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
# characters skill extraction reads as a space (skilltide.ingest.extract.normalise)
_UNMATCHED = r"[^\w+#. ]"
_JS = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9]*?)(?:\.js|JS| JS)$")


def slug(name: str) -> str:
    """The id part of a skill name: lower case, '+'→'plus', '#'→'sharp', other runs → '-'.

    >>> slug("C++"), slug("C#"), slug("Node.js"), slug("Microsoft Excel")
    ('c-plus-plus', 'c-sharp', 'node-js', 'microsoft-excel')
    """
    text = name.lower().replace("+", " plus ").replace("#", " sharp ")
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-")


def slug_expr(name: pl.Expr) -> pl.Expr:
    """:func:`slug` as a polars expression, for whole columns of names."""
    return (
        name.str.to_lowercase()
        .str.replace_all("+", " plus ", literal=True)
        .str.replace_all("#", " sharp ", literal=True)
        .str.replace_all(r"[^0-9a-z]+", "-")
        .str.strip_chars("-")
    )


def case_sensitive_expr(alias: pl.Expr, ordinary: frozenset[str] = frozenset()) -> pl.Expr:
    """:func:`is_case_sensitive` as a polars expression."""
    key = alias.str.to_lowercase().str.replace_all(_UNMATCHED, "")
    shape = (alias == alias.str.to_titlecase()) | (alias == alias.str.to_uppercase())
    word = key.is_in(sorted(ordinary)) & ~alias.str.contains(" ", literal=True) & shape
    return key.is_in(sorted(AMBIGUOUS)) | word | (alias.str.len_chars() <= 2)


def is_case_sensitive(alias: str, ordinary: frozenset[str] = frozenset()) -> bool:
    """Whether ``alias`` must match with its exact case: a word of :data:`AMBIGUOUS`, one or
    two letters, or a single Capitalised or UPPER-CASE word of ``ordinary`` (lower-case words
    of O*NET's own text: "Slack", "Zoom", "FAST"); camel case ("TypeScript") is distinctive.
    Words are compared as the matcher reads them, without the characters it drops: "Act!"
    is "act"."""
    key = re.sub(_UNMATCHED, "", alias.lower())
    shape = alias in (alias.title(), alias.upper())
    return key in AMBIGUOUS or len(alias) <= 2 or (" " not in alias and key in ordinary and shape)


def candidate_aliases(name: str, ordinary: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Every (alias, rule) the rules derive from a skill name, the name itself first.

    ``ordinary`` holds everyday words (in lower case): a rule never shortens a name to one of
    them ("Apple Logic Pro" ↛ "Logic"), unless it is in :data:`AMBIGUOUS`, whose words are
    kept but match only with their exact case ("Microsoft Excel" → "Excel").
    """
    out: dict[str, str] = {}

    def too_common(text: str) -> bool:
        words = text.split()
        if all(word.lower() in GENERIC for word in words):
            return True
        return len(words) == 1 and text.lower() in ordinary and text.lower() not in AMBIGUOUS

    def job_title(text: str) -> bool:
        words = [re.sub(_UNMATCHED, "", w.lower()) for w in text.split()]
        return (
            len(words) > 1
            and words[-1] in ROLE_NOUNS
            and all(w in ordinary or w in ROLE_NOUNS for w in words)
        )

    def add(alias: str, rule: str) -> None:
        alias = " ".join(alias.split())
        if len(alias) >= 1 and alias not in out:
            out[alias] = rule

    add(name, "name")
    forms = [name]
    if name.endswith(" software"):
        rest = name[: -len(" software")].strip()
        if (" " in rest or any(ch.isupper() for ch in rest[1:])) and not too_common(rest):
            add(rest, "strip_software")
            forms.append(rest)
    for form in list(forms):
        paren = _PAREN.match(form)
        if paren:
            add(paren["long"], "parenthesis")
            forms.append(paren["long"])
            if _ACRONYM.match(paren["short"]):
                add(paren["short"], "acronym")
        long_form = _acronym_split(form)
        if long_form:
            add(long_form[1], "acronym")
            add(long_form[0], "acronym")
            forms.append(long_form[0])
    for form in list(forms):
        version = _strip_version(form)
        if version and not too_common(version):
            add(version, "strip_version")
            forms.append(version)
    vendored = set()
    for form in list(forms):
        if "(" in form or form.endswith(" software"):
            continue
        for vendor in _VENDORS_LONGEST_FIRST:
            if form.startswith(vendor + " "):
                vendored.add(form)
                rest = form[len(vendor) + 1 :].strip()
                if (
                    len(rest) >= 2
                    and not too_common(rest)
                    and not rest[0].islower()
                    and not job_title(rest)
                ):
                    add(rest, "strip_vendor")
                    forms.append(rest)
                if vendor == "Microsoft":
                    add("MS " + rest, "vendor_abbrev")
                break
    for form in list(forms):
        js = _JS.match(form)
        if js:
            base = js["base"]
            for variant in (f"{base}.js", f"{base}JS", f"{base} JS"):
                add(variant, "js_variant")
            if len(base) >= 3 and not too_common(base):
                add(base, "js_variant")
        if "-" in form:
            add(form.replace("-", " "), "punctuation")
            add(form.replace("-", ""), "punctuation")
        tokens = form.split()
        if form not in vendored and len(tokens) == 2 and all(t[0].isupper() for t in tokens):
            joined = "".join(tokens)
            if len(joined) <= 16:
                add(joined, "punctuation")
    return list(out.items())


def _acronym_split(form: str) -> tuple[str, str] | None:
    """(long form, acronym) when the last word is an acronym of the words before it."""
    words = form.split()
    if len(words) < 3 or not _ACRONYM.match(words[-1]):
        return None
    letters = re.sub(r"[0-9]", "", words[-1]).lower()
    initials = "".join(w[0].lower() for w in words[:-1] if w[0].isalnum())
    # the acronym must spell at least half of the words before it: "... Automated Inspection
    # AI" after six other words is a product suffix, not the name's acronym
    if len(letters) >= max(2, len(initials) // 2) and initials.endswith(letters):
        return " ".join(words[:-1]), words[-1]
    return None


def _strip_version(form: str) -> str | None:
    stripped = _YEAR_OR_VERSION.sub("", form)
    if stripped == form:
        for edition in EDITIONS:
            if form.endswith(" " + edition):
                stripped = form[: -len(edition) - 1]
                break
    return stripped if stripped != form and len(stripped) >= 3 else None
