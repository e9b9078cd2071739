"""Alias rules: the surface forms under which a skill name is written in job ads.

Each rule is a plain string transformation with a name, so every alias in ``skill_aliases``
says which rule made it (``skill_aliases.rule``):

``name``            the name itself (matching is case-insensitive unless ``case_sensitive``).
``strip_software``  a trailing " software" dropped from a proper name: "Google Cloud software".
``parenthesis``     "Adobe Experience Manager (AEM)" → "Adobe Experience Manager" and "AEM".
``acronym``         a trailing acronym that spells the initials of the words before it:
                    "Structured query language SQL" → "SQL", "Structured query language".
``strip_vendor``    a leading vendor name dropped: "Microsoft Excel" → "Excel"
                    (not when the rest is a generic word: "Microsoft Project" ↛ "Project").
``vendor_abbrev``   "Microsoft X" → "MS X".
``strip_version``   a trailing year, dotted version or edition word dropped:
                    "Adobe Acrobat Pro" → "Adobe Acrobat".
``js_variant``      "Node.js" ~ "NodeJS" ~ "Node JS" ~ "Node".
``punctuation``     hyphens as spaces or nothing ("Objective-C" → "Objective C",
                    "ObjectiveC"); two-word brand names written together ("Power BI" →
                    "PowerBI"), not vendor + product ("Microsoft Excel" ↛ "MicrosoftExcel").
``curated``         :data:`CURATED`, hand-written exceptions no rule can derive (JS, k8s, ...).

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

# Vendors whose name prefixes product names in O*NET Technology Skills examples.
VENDORS = (
    "Microsoft",
    "Adobe",
    "IBM",
    "Oracle",
    "Google",
    "Apple",
    "SAP",
    "Autodesk",
    "Amazon",
    "Apache",
    "Atlassian",
    "Salesforce",
    "Intuit",
    "Cisco",
    "VMware",
    "Corel",
    "Esri",
    "ESRI",
    "Red Hat",
    "Hewlett-Packard",
    "HP",
    "Siemens",
    "Dassault Systemes",
    "Bentley",
    "Meta",
    "Facebook",
    "Epic Systems",
    "Cerner",
    "Sage",
    "Infor",
    "Trimble",
    "Mathsoft",
    "MathWorks",
    "The MathWorks",
    "Wolfram Research",
    "SAS Institute",
    "Tableau Software",
    "Splunk",
    "Docker",
    "GitHub",
    "JetBrains",
    "Elastic",
    "MongoDB",
    "Amazon Web Services AWS",
    "Amazon Web Services",
)
# Vendor-less remainders too generic to be an alias on their own.
GENERIC = frozenset(
    [
        "access",
        "word",
        "project",
        "teams",
        "office",
        "publisher",
        "sheets",
        "docs",
        "drive",
        "slides",
        "sites",
        "meet",
        "calendar",
        "classroom",
        "scholar",
        "analytics",
        "cloud",
        "database",
        "designer",
        "director",
        "connect",
        "contribute",
        "bridge",
        "animate",
        "dimension",
        "server",
        "services",
        "suite",
        "manager",
        "studio",
        "reader",
        "writer",
        "works",
        "vision",
        "paint",
        "notes",
        "mail",
        "maps",
        "search",
        "forms",
        "chat",
        "dynamics",
        "money",
        "windows",
        "ads",
        "checkout",
        "photos",
        "earth",
        "software",
        "data",
        "system",
        "systems",
        "tools",
        "store",
        "media",
        "player",
        "explorer",
        "edge",
        "live",
        "one",
        "premiere",
        "web",
        "online",
        "business",
    ]
)
# Words that are also ordinary English (or single letters): exact case only, skill ambiguous.
AMBIGUOUS = frozenset(
    [
        "r",
        "c",
        "d",
        "go",
        "swift",
        "rust",
        "chef",
        "puppet",
        "spark",
        "salt",
        "hive",
        "pig",
        "dart",
        "elm",
        "julia",
        "ruby",
        "shell",
        "maven",
        "ant",
        "gin",
        "flask",
        "express",
        "ember",
        "backbone",
        "meteor",
        "mercury",
        "oracle",
        "access",
        "word",
        "project",
        "excel",
        "teams",
        "slack",
        "zoom",
        "box",
        "node",
        "sage",
        "spring",
        "rails",
    ]
)
# Edition words that a version rule may drop from the end of a name.
EDITIONS = (
    "Enterprise Edition",
    "Professional",
    "Enterprise",
    "Standard",
    "Express",
    "Premium",
    "Pro",
    "Lite",
    "Community Edition",
)

CURATED: dict[str, tuple[str, ...]] = {
    "JavaScript": ("JS", "ECMAScript"),
    "PostgreSQL": ("Postgres",),
    "Kubernetes": ("k8s",),
    "Go": ("Golang",),
    "Rust programming language": ("Rust",),
    "R": ("R programming", "R language", "RStudio"),
    "C": ("C language", "ANSI C"),
    "C++": ("cpp", "C plus plus"),
    "C#": ("C sharp", "csharp"),
    "Python": ("Python3", "Python 3"),
    "TypeScript": ("TS",),
    "Microsoft SQL Server": ("MSSQL", "MS SQL", "SQL Server"),
    "Microsoft Azure software": ("Azure",),
    "Amazon Web Services AWS software": ("AWS", "Amazon Web Services"),
    "Google Cloud software": ("GCP", "Google Cloud Platform"),
    "Microsoft PowerPoint": ("PPT",),
    "Microsoft Power BI": ("Power BI", "PowerBI"),
    "Microsoft Visual Studio": ("Visual Studio",),
    "Microsoft Office software": ("MS Office", "Microsoft Office"),
    "Microsoft Teams": ("MS Teams",),
    "Microsoft Project": ("MS Project",),
    "Microsoft Word": ("MS Word",),
    "Microsoft Access": ("MS Access",),
    "Apache Spark": ("Spark", "PySpark"),
    "Apache Kafka": ("Kafka",),
    "Apache Hadoop": ("Hadoop",),
    "Git": ("GitHub", "GitLab"),
    "MongoDB": ("Mongo",),
    "Elasticsearch": ("Elastic Search",),
    "Scikit-learn": ("sklearn", "scikit learn"),
    "TensorFlow": ("Tensor Flow",),
    "Structured query language SQL": ("SQL",),
    "Extensible markup language XML": ("XML",),
    "Hypertext markup language HTML": ("HTML", "HTML5"),
    "Cascading style sheets CSS": ("CSS", "CSS3"),
    "Linux": ("GNU/Linux",),
    "Objective C": ("Objective-C", "ObjC"),
    "Swift": ("Swift programming language",),
    "Chef": ("Chef Infra",),
    "Apple iOS": ("iOS",),
    "Ruby on Rails": ("Rails", "RoR"),
    "Spring Framework": ("Spring",),
    "Amazon Simple Storage Service S3": ("S3", "Amazon S3", "AWS S3"),
    "Amazon Elastic Compute Cloud EC2": ("EC2", "Amazon EC2", "AWS EC2"),
    "Oracle Database": ("Oracle", "Oracle DB"),
    "Google Angular": ("Angular", "AngularJS", "Angular.js"),
    "Jupyter Notebook": ("Jupyter",),
    "Jenkins CI": ("Jenkins",),
    "Microsoft .NET Framework": (".NET", "dotnet", ".NET Framework"),
    "React": ("React.js", "ReactJS"),
    "React Redux": ("Redux",),
    "Unreal Technology Unreal Engine": ("Unreal Engine",),
    "Google Looker Analytics": ("Looker",),
}

_YEAR_OR_VERSION = re.compile(r"\s+(?:(?:19|20)\d{2}|v?\d+(?:\.\d+)+|v\d+)$")
_PAREN = re.compile(r"^(?P<long>.+?)\s*\((?P<short>[^()]+)\)$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
_JS = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9]*?)(?:\.js|JS| JS)$")


def slug(name: str) -> str:
    """The id part of a skill name: lower case, '+'→'plus', '#'→'sharp', other runs → '-'.

    >>> slug("C++"), slug("C#"), slug("Node.js"), slug("Microsoft Excel")
    ('c-plus-plus', 'c-sharp', 'node-js', 'microsoft-excel')
    """
    text = name.lower().replace("+", " plus ").replace("#", " sharp ")
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-")


def is_case_sensitive(alias: str) -> bool:
    """Whether ``alias`` must match with its exact case (ordinary word or 1–2 letters)."""
    return alias.lower() in AMBIGUOUS or len(alias) <= 2


def candidate_aliases(name: str) -> list[tuple[str, str]]:
    """Every (alias, rule) the rules derive from a skill name, the name itself first."""
    out: dict[str, str] = {}

    def add(alias: str, rule: str) -> None:
        alias = " ".join(alias.split())
        if len(alias) >= 1 and alias not in out:
            out[alias] = rule

    add(name, "name")
    forms = [name]
    if name.endswith(" software"):
        rest = name[: -len(" software")].strip()
        if " " in rest or any(ch.isupper() for ch in rest[1:]):
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
        if version:
            add(version, "strip_version")
            forms.append(version)
    vendored = set()
    for form in list(forms):
        if "(" in form or form.endswith(" software"):
            continue
        for vendor in sorted(VENDORS, key=len, reverse=True):
            if form.startswith(vendor + " "):
                vendored.add(form)
                rest = form[len(vendor) + 1 :].strip()
                generic = all(word.lower() in GENERIC for word in rest.split())
                if len(rest) >= 2 and not generic and not rest[0].islower():
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
            if len(base) >= 3 and base.lower() not in GENERIC:
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
