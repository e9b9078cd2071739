"""Normalise raw job-ad titles before they are coded to occupations.

Ads write the same job in many ways: "Sr. Software Engineer (Remote)", "RN - ICU Nights",
"CDL-A Truck Driver - $1,500 Sign-On Bonus". :func:`normalise_titles` lower-cases, folds
accents, drops what says nothing about the occupation (seniority, shift and schedule words,
work-place words, pay, requisition ids, trailing locations) and expands common abbreviations,
so that the coder compares the occupation words only. The same function is applied to the
O*NET training titles, so both sides are written alike. The coder reads English: a title
mostly written in another script normalises to "" (see :func:`latin_word_share`), so it gets
no code rather than one read from a stray Latin fragment (".Net软件工程师" is not "net").

Example
-------
>>> normalise_titles(["Sr. Java Developer - Remote", "RN - ICU Nights", "CDL-A Truck Driver"])
['java developer', 'registered nurse icu', 'truck driver']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

# Abbreviation -> expansion, applied to whole tokens after punctuation is split off.
ABBREVIATIONS: dict[str, str] = {
    "sr": "",
    "snr": "",
    "jr": "",
    "mgr": "manager",
    "mngr": "manager",
    "mgmt": "management",
    "asst": "assistant",
    "asst.": "assistant",
    "assoc": "associate",
    "dir": "director",
    "coord": "coordinator",
    "spec": "specialist",
    "supv": "supervisor",
    "supvr": "supervisor",
    "supt": "superintendent",
    "exec": "executive",
    "rep": "representative",
    "reps": "representative",
    "eng": "engineer",
    "engr": "engineer",
    "engg": "engineering",
    "dev": "developer",
    "devs": "developer",
    "swe": "software engineer",
    "sde": "software development engineer",
    "sw": "software",
    "sys": "systems",
    "sysadmin": "systems administrator",
    "dba": "database administrator",
    "rn": "registered nurse",
    "rns": "registered nurse",
    "bsn": "registered nurse",
    "lpn": "licensed practical nurse",
    "lvn": "licensed vocational nurse",
    "cna": "certified nursing assistant",
    "cnas": "certified nursing assistant",
    "np": "nurse practitioner",
    "aprn": "advanced practice registered nurse",
    "crna": "certified registered nurse anesthetist",
    "emt": "emergency medical technician",
    "cma": "certified medical assistant",
    "cpa": "certified public accountant",
    "hr": "human resources",
    "it": "information technology",
    "qa": "quality assurance",
    "qc": "quality control",
    "ui": "user interface",
    "ux": "user experience",
    "vp": "vice president",
    "svp": "vice president",
    "evp": "vice president",
    "avp": "vice president",
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "coo": "chief operating officer",
    "cto": "chief technology officer",
    "cio": "chief information officer",
    "gm": "general manager",
    "csr": "customer service representative",
    "cust": "customer",
    "svc": "service",
    "acct": "account",
    "acctg": "accounting",
    "mktg": "marketing",
    "ops": "operations",
    "mfg": "manufacturing",
    "maint": "maintenance",
    "whse": "warehouse",
    "mech": "mechanic",
    "elec": "electrical",
    "med": "medical",
    "pharm": "pharmacy",
    "lab": "laboratory",
    "instr": "instructor",
    "prof": "professor",
    "cdl": "truck",
    "ft": "",
    "pt": "",
    "prn": "",
}

# Words that depend on where they stand: at the end of a title they are the job itself.
_HEAD_ABBREVIATIONS: dict[str, tuple[str, str]] = {
    # token: (as the last word, elsewhere)
    "tech": ("technician", "technical"),
    "techs": ("technician", "technical"),
    "admin": ("administrator", "administrative"),
}

# Noise phrases removed before tokenising (case-insensitive, on the lower-cased title).
_NOISE = [
    r"\$\s?[\d,.]+\s*(?:k|/\s*(?:hr|hour|year|yr|wk|week))?(?:\s*(?:-|to)\s*\$?\s?[\d,.]+k?)?",
    r"\b(?:up to|starting at|earn|make)\b",
    r"\b(?:per|an|/)\s*(?:hour|hr|year|yr|week|wk)\b",
    r"\b(?:sign[- ]?on|retention|signing|relocation)\s+bonus(?:es)?\b",
    r"\bbonus(?:es)?\b",
    r"\b(?:work from home|wfh|fully remote|100% remote|remote|hybrid|on[- ]?site|in[- ]office)\b",
    r"\b(?:full|part)[- ]?time\b",
    r"\b(?:per[- ]?diem|temp(?:orary)?[- ]to[- ](?:hire|perm)|temporary|seasonal)\b",
    r"\b(?:1st|2nd|3rd|first|second|third|day|night|evening|swing|grave(?:yard)?|rotating|"
    r"overnight|weekend)\s+shifts?\b",
    r"\bshifts?\b",
    r"\b(?:nights|overnights?|evenings|weekends|days|nocs?)\b",
    r"\b\d+\s*x\s*\d+s?\b",  # 3x12s
    r"\b\d+\s*(?:hr|hour)s?\b",
    r"\b(?:immediate(?:ly)?|urgent(?:ly)?|now)\s+hiring\b",
    r"\b(?:hiring|urgent(?:ly)?|immediate(?:ly)?|asap|needed|wanted|opening|openings)\b",
    r"\b(?:new grad(?:uate)?s?|entry[- ]level|experienced)\b",
    r"\b(?:req(?:uisition)?|job|position)\s*(?:id|no|number|#)?\s*[:#]?\s*[a-z]*\d[\w-]*",
    r"#\s*\w*\d\w*",
    r"\b[a-z]{0,3}\d{3,}[\w-]*\b",  # R12345, 2024-001
    r"\b(?:senior|junior|level\s+(?:[1-5]|i{1,3}|iv|v)|grade\s+\d+)\b",
    r"\b(?:i{1,3}|iv)\b",
    r",?\s*\b(?:except|including|all other)\b.*$",  # O*NET's "Buyers, Except Farm Products"
    r"\bv\b$",
]
_NOISE_PATTERN = "|".join(f"(?:{p})" for p in _NOISE)
_SEGMENT_RE = re.compile(r"\s+[-–—|@]\s+|\s*\|\s*|\s+[-–—]+\s*|\s*[-–—]+\s+")
_STATES = (
    r"(?:al|ak|az|ar|ca|co|ct|de|dc|fl|ga|hi|id|il|in|ia|ks|ky|la|me|md|ma|mi|mn|ms|mo|"
    r"mt|ne|nv|nh|nj|nm|ny|nc|nd|oh|ok|or|pa|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy)"
)
_STATE_RE = re.compile(rf",\s*{_STATES}\s*\d{{0,5}}$")
_LOCATION_SEGMENT_RE = re.compile(rf"(?:.*,\s*)?{_STATES}\s*\d{{0,5}}")
_BRACKET_RE = re.compile(r"\(([^()]*)\)")
_TOKEN_RE = re.compile(r"[a-z0-9+#]+")
_CLASS_PATTERN = r"\b(?:cdl\s*-?\s*[abc]|class\s+[abc])\b"
# A first segment that is only a generic role gets the next segment as its specialty:
# "Manager - Accounting" -> "accounting manager".
_GENERIC_HEADS = frozenset(
    [
        "manager",
        "director",
        "supervisor",
        "specialist",
        "analyst",
        "engineer",
        "coordinator",
        "assistant",
        "technician",
        "associate",
        "consultant",
        "administrator",
        "officer",
        "representative",
        "clerk",
        "lead",
        "teacher",
        "nurse",
        "developer",
        "designer",
        "operator",
    ]
)


def normalise_title(title: str | None) -> str:
    """Normalise one title (see :func:`normalise_titles`).

    Example
    -------
    >>> normalise_title("Mgr, Accounting")
    'manager accounting'
    """
    return normalise_titles([title])[0]


def normalise_titles(titles: Iterable[str | None]) -> list[str]:
    """Normalise raw job titles for coding.

    Lower-case, fold accents, remove pay, schedule, shift, work-place, seniority and
    requisition-id words and trailing US-state locations, expand abbreviations
    ("Sr."→dropped, "Mgr"→"manager", "RN"→"registered nurse", "Tech" at the end→"technician").
    Parenthesised text is kept unless it is noise ("(Remote)"), because O*NET writes
    spelled-out forms there: "CEO (Chief Executive Officer)". The regular-expression
    passes run over the whole batch in polars; only distinct titles reach Python.

    Example
    -------
    >>> normalise_titles(["Pharmacy Tech II", "Admin Assistant (Part-Time)"])
    ['pharmacy technician', 'administrative assistant']
    """
    raw = pl.Series("title", list(titles), dtype=pl.String)
    if raw.len() == 0:
        return []
    unique = raw.unique(maintain_order=True)
    # A title the coder cannot read (mostly another script) is blanked like a noise-only one.
    readable = latin_word_share(unique).fill_null(1.0) >= MIN_LATIN_WORD_SHARE
    cleaned = (
        pl.select(pl.when(readable).then(unique))
        .to_series()
        .fill_null("")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(_CLASS_PATTERN, " cdl ")
        .str.replace_all(_NOISE_PATTERN, " ")
        .str.replace_all(r"[\[{]", "(")
        .str.replace_all(r"[\]}]", ")")
    )
    mapping = dict(zip(unique.to_list(), map(_finish, cleaned.to_list()), strict=True))
    return [mapping[t] for t in raw.to_list()]


# The title coder's floor: at least half of a title's words must be in the Latin script.
MIN_LATIN_WORD_SHARE = 0.5
# How titles are read when coded, for stored codes to be redone when it changes
# (skilltide.ingest.ads_coder): 2 since titles mostly in another script are left uncoded.
READING = 2
# Chinese and Japanese are written without spaces: each of their characters counts as a word.
_LATIN_WORD = r"\p{Latin}+"
_UNSPACED_CHAR = r"[\p{Han}\p{Hiragana}\p{Katakana}]"
_OTHER_WORD = r"[\p{L}--[\p{Latin}\p{Han}\p{Hiragana}\p{Katakana}]]+"


def latin_word_share(titles: pl.Series) -> pl.Series:
    """Share of each title's words written in the Latin script (null for a title without
    letters).

    A word is a run of Latin letters, a run of letters of another spaced script (Cyrillic,
    Greek, Arabic, Hangul, ...) or one Chinese or Japanese character (Han, Hiragana,
    Katakana), since those scripts do not separate words and one character carries about a
    word's meaning. A title below :data:`MIN_LATIN_WORD_SHARE` is not coded.

    Example
    -------
    >>> shares = latin_word_share(pl.Series([".Net软件工程师", "Data Scientist", "42"]))
    >>> [None if s is None else round(s, 2) for s in shares]
    [0.17, 1.0, None]
    """
    latin = titles.str.count_matches(_LATIN_WORD)
    words = latin + titles.str.count_matches(_UNSPACED_CHAR) + titles.str.count_matches(_OTHER_WORD)
    return pl.select(pl.when(words > 0).then(latin / words).alias(titles.name)).to_series()


def _finish(text: str) -> str:
    # Bracketed words go in front, so the title's own last word stays last (the head word):
    # "OT Aide (Occupational Therapist Aide)" and "HVAC Engineer (Heating ... Engineer)".
    inside = " ".join(_tokens(m) for m in _BRACKET_RE.findall(text))
    text = _BRACKET_RE.sub(" ", text).replace("(", " ").replace(")", " ")
    segments = [s.strip(" ,") for s in _SEGMENT_RE.split(text)]
    segments = [s for s in segments if s]
    if not segments:
        return ""
    kept = [_tokens(segments[0])]
    for segment in segments[1:]:
        if _LOCATION_SEGMENT_RE.fullmatch(segment):
            continue
        cleaned = _tokens(segment)
        if not cleaned:
            continue
        if len(kept) == 1 and kept[0] in _GENERIC_HEADS:
            kept.insert(0, cleaned)
        else:
            kept.append(cleaned)
    # "CEO (Chief Executive Officer)" and "Truck Driver, CDL" say each word once, the
    # main title's words in their place.
    main = " ".join(kept).split()
    extra = [t for t in inside.split() if t not in main]
    return " ".join(dict.fromkeys(extra + main))


def _tokens(segment: str) -> str:
    tokens = _TOKEN_RE.findall(_STATE_RE.sub(" ", segment))
    out: list[str] = []
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if token in _HEAD_ABBREVIATIONS:
            at_end, elsewhere = _HEAD_ABBREVIATIONS[token]
            out.append(at_end if i == last else elsewhere)
        else:
            expanded = ABBREVIATIONS.get(token, token)
            if expanded:
                out.append(expanded)
    return " ".join(map(singular, " ".join(out).split()))


def singular(word: str) -> str:
    """A light plural → singular rule, so "Registered Nurses" meets "registered nurse".

    Example
    -------
    >>> [singular(w) for w in ["nurses", "secretaries", "boss", "status", "sales"]]
    ['nurse', 'secretary', 'boss', 'status', 'sale']
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]
