"""Test helpers for the ingest stage: small taxonomies, an O*NET technology vocabulary, and
generated ads with known skills (used until the synthetic market generator is merged).

The O*NET vocabulary here is a stand-in for the onet stage's taxonomy loader: names from
``Technology Skills.txt`` plus simple aliases (vendor prefix stripped, trailing acronym,
``… software`` stripped, a few curated spellings). Tests and ``benchmarks/ingest.py`` use it.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import polars as pl

from skilltide.store import Warehouse, append

VENDORS = {
    "Apache",
    "Oracle",
    "Google",
    "Microsoft",
    "Apple",
    "Amazon",
    "IBM",
    "Adobe",
    "SAP",
    "Autodesk",
    "Atlassian",
    "Salesforce",
    "Facebook",
    "Meta",
    "JetBrains",
    "Mozilla",
    "Eclipse",
    "Elastic",
    "Pivotal",
    "VMware",
    "Cisco",
    "Intel",
    "Nvidia",
    "NVIDIA",
}
CURATED = {
    "Node.js": ["Node", "NodeJS"],
    "Go": ["Golang"],
    "Vue.js": ["Vue", "VueJS"],
    "JavaScript": ["JS"],
    "Google Angular": ["AngularJS"],
    "Apple iOS": ["iOS"],
    "Kubernetes": ["k8s"],
    "PostgreSQL": ["Postgres"],
    "Oracle Java": ["Java"],
    "Apple Swift": ["Swift"],
    "C#": ["CSharp"],
    "Amazon Web Services AWS software": ["Amazon Web Services"],
}
AMBIGUOUS = {"R", "C", "Go", "Swift"}
# Vendor-stripped remainders that are ordinary words, not names.
GENERIC = {
    "Word",
    "Access",
    "Project",
    "Cloud",
    "Teams",
    "Office",
    "Search",
    "Analytics",
    "Maps",
    "Drive",
    "Sheets",
    "Docs",
    "Forms",
    "Photos",
    "Mail",
    "Store",
    "Play",
}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9+#.]+", "-", name.lower()).strip("-")


def onet_technology_vocab(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(skills, skill_aliases)`` frames from O*NET ``Technology Skills.txt``."""
    tech = pl.read_csv(path, separator="\t", quote_char=None, infer_schema_length=0)
    skills = (
        tech.group_by("Example")
        .agg(pl.col("Commodity Title").first(), (pl.col("Hot Technology") == "Y").any())
        .sort("Example")
        .select(
            pl.col("Example")
            .map_elements(lambda n: "tech:" + slug(n), return_dtype=pl.String)
            .alias("skill_id"),
            pl.col("Example").alias("name"),
            pl.lit("technology").alias("kind"),
            pl.col("Commodity Title").alias("category"),
            pl.lit("onet 30.1").alias("source"),
            pl.col("Hot Technology").alias("hot_technology"),
            pl.col("Example").is_in(sorted(AMBIGUOUS)).alias("ambiguous"),
        )
        .unique("skill_id", keep="first", maintain_order=True)
    )
    rows = []
    for skill_id, name in skills.select("skill_id", "name").iter_rows():
        rows.append((name, skill_id, "name", name in AMBIGUOUS))
        words = name.split()
        if len(words) >= 2 and words[0] in VENDORS:
            rest = " ".join(words[1:])
            if rest not in GENERIC:  # one-word remainders need exact case ("Cloud" vs cloud)
                rows.append((rest, skill_id, "strip_vendor", len(words) == 2))
        acronym = words[-1]
        if (
            len(words) >= 3
            and re.fullmatch(r"[A-Z][A-Z0-9]{2,}", acronym)
            and acronym[0] == words[0][0].upper()
        ):  # "Cascading Style Sheets CSS"
            rows.append((acronym, skill_id, "acronym", True))
        if name.endswith(" programming language"):
            rows.append((name[: -len(" programming language")], skill_id, "strip_language", False))
        for alias in CURATED.get(name, []):
            rows.append((alias, skill_id, "curated", alias in AMBIGUOUS))
    aliases = pl.DataFrame(
        rows, schema=["alias", "skill_id", "rule", "case_sensitive"], orient="row"
    ).unique(["alias", "skill_id"], maintain_order=True)
    # An alias claimed by several skills is dropped (except a skill's own name).
    counts = aliases.group_by(pl.col("alias").str.to_lowercase().alias("k")).len()
    aliases = (
        aliases.with_columns(pl.col("alias").str.to_lowercase().alias("k"))
        .join(counts, on="k")
        .filter((pl.col("len") == 1) | (pl.col("rule") == "name"))
        .drop("k", "len")
    )
    return skills, aliases


def add_vocab(wh: Warehouse, skills: pl.DataFrame, aliases: pl.DataFrame) -> None:
    """Insert a taxonomy the way the onet stage would (inside one run)."""
    with wh.run("test taxonomy") as run:
        append(run.con, "skills", skills.with_columns(pl.lit(run.run_id).alias("run_id")))
        append(run.con, "skill_aliases", aliases.with_columns(pl.lit(run.run_id).alias("run_id")))


def small_vocab() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A hand-made taxonomy with the classic ambiguous names."""
    names = {
        "python": ("Python", []),
        "java": ("Java", []),
        "javascript": ("JavaScript", ["JS"]),
        "sql": ("SQL", []),
        "excel": ("Microsoft Excel", ["Excel", "MS Excel"]),
        "ml": ("Machine learning", []),
        "node": ("Node.js", ["Node", "NodeJS"]),
        "cpp": ("C++", []),
        "csharp": ("C#", []),
        "r": ("R", []),
        "c": ("C", []),
        "go": ("Go", ["Golang"]),
        "swift": ("Swift", []),
        "docker": ("Docker", []),
        "sklearn": ("scikit-learn", []),
        "dotnet": (".NET", []),
    }
    skills = pl.DataFrame(
        {
            "skill_id": [f"custom:{k}" for k in names],
            "name": [v[0] for v in names.values()],
            "kind": "custom",
            "source": "test",
            "ambiguous": [v[0] in AMBIGUOUS for v in names.values()],
        }
    )
    rows = []
    for key, (name, aliases) in names.items():
        rows.append((name, f"custom:{key}", "name", name in AMBIGUOUS))
        rows += [(a, f"custom:{key}", "curated", False) for a in aliases]
    aliases = pl.DataFrame(
        rows, schema=["alias", "skill_id", "rule", "case_sensitive"], orient="row"
    )
    return skills, aliases


FILLER_TEXT = (
    "we are looking for a motivated team member to join our growing group the role involves "
    "working closely with stakeholders across the business to deliver high quality results on "
    "time you will be responsible for planning reviewing and improving processes and supporting "
    "customers with clear communication strong attention to detail and the ability to manage "
    "several priorities experience in a similar position is an advantage we offer flexible "
    "hours training benefits and a friendly office in the city centre"
)
FILLER = FILLER_TEXT.split(" ")
# Sentences where an ambiguous name appears but is NOT the skill (truth: no mention).
DECOYS = [
    "Go to our careers page to apply.",
    "Our R&D team is growing.",
    "You will report to the C-suite.",
    "We need a swift response to customers.",
    "Vitamin C and fruit are free in the office.",
    "Go-live is planned for March.",
]


def generate_ads(
    n: int,
    names: list[str],
    seed: int = 0,
    min_bytes: int = 1000,
    max_bytes: int = 4000,
    ambiguous: list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ads with realistic length and known skill mentions -> ``(ads, truth(id, name))``.

    Columns match the synthetic generator's ``ads.csv``: id, posted_at, title, company, region,
    occupation, text. Ambiguous names appear in skill lists ("… using Go and Python") and as
    decoys in ordinary sentences; truth lists only real mentions.
    """
    rng = random.Random(seed)
    ambiguous = ambiguous or []
    regions = ["North", "South", "East", "West"]
    occupations = ["15-1252.00", "15-2051.00", "13-2011.00", "43-9061.00"]
    rows, truth = [], []
    for i in range(n):
        target = rng.randint(min_bytes, max_bytes)
        parts, size, mentioned = [], 0, set()
        while size < target:
            sentence = " ".join(rng.choices(FILLER, k=rng.randint(8, 20))).capitalize()
            r = rng.random()
            if r < 0.3:
                a, b = rng.choice(names), rng.choice(names)
                sentence += f", using {a} and {b}"
                mentioned.update([a, b])
            elif r < 0.36 and ambiguous:
                a, b = rng.choice(ambiguous), rng.choice(names)
                sentence += f", with {b}, {a}"
                mentioned.update([a, b])
            elif r < 0.40:
                sentence = rng.choice(DECOYS)[:-1]
            parts.append(sentence + ".")
            size += len(sentence) + 2
        month = rng.randint(1, 24)
        rows.append(
            {
                "id": f"ad{i}",
                "posted_at": f"{2023 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}-"
                f"{rng.randint(1, 28):02d}",
                "title": "Analyst",
                "company": f"Company {rng.randint(1, 50)}",
                "region": rng.choice(regions),
                "occupation": rng.choice(occupations),
                "text": " ".join(parts),
            }
        )
        truth += [(f"ad{i}", m) for m in sorted(mentioned)]
    return pl.DataFrame(rows), pl.DataFrame(truth, schema=["id", "name"], orient="row")
