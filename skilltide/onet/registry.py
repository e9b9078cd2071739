"""The O*NET files skilltide knows: official file name → warehouse table, columns and types.

Each :class:`OnetFile` names the official file (the same stem in the text ``.txt`` and
the Excel ``.xlsx`` formats), the table it loads into and its columns in official order.
A column's ``kind`` says how the text is typed: ``str`` (codes and labels stay strings),
``float`` (ratings), ``int``, ``bool`` (``Y``/``N``) or ``month`` (``MM/YYYY`` → the first
day of that month). ``n/a`` and empty cells are null. Optional columns are absent from some
releases (e.g. ``In Demand`` before 28.0, N/SE/CI in 30.x ``Work Styles``); ``IGNORED``
columns are the extra labels the Excel format repeats (``Title``, ``Scale Name``).

Example
-------
>>> spec = by_stem()["Technology Skills"]
>>> spec.table, [c.name for c in spec.columns][:3]
('onet_technology_skills', ['onetsoc_code', 'example', 'commodity_code'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SQL_TYPES = {
    "str": "VARCHAR",
    "float": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "month": "DATE",
}
IGNORED = frozenset({"Title", "Scale Name"})


@dataclass(frozen=True)
class Column:
    official: str
    kind: str = "str"
    optional: bool = False

    @property
    def name(self) -> str:
        return column_name(self.official)


@dataclass(frozen=True)
class OnetFile:
    stem: str  # official name without extension, e.g. 'Occupation Data'
    columns: tuple[Column, ...]

    @property
    def table(self) -> str:
        return "onet_" + column_name(self.stem)

    def column(self, official: str) -> Column | None:
        return next((c for c in self.columns if c.official == official), None)


def column_name(official: str) -> str:
    """Snake-case warehouse name of an official O*NET column or file name.

    >>> column_name("O*NET-SOC Code"), column_name("Source(s)")
    ('onetsoc_code', 'sources')
    """
    text = official.replace("O*NET-SOC", "onetsoc").replace("(s)", "s").replace("*", "")
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _c(spec: str) -> Column:
    """``'Data Value:float?'`` → Column('Data Value', 'float', optional=True)."""
    optional = spec.endswith("?")
    name, _, kind = spec.rstrip("?").partition(":")
    return Column(name, kind or "str", optional)


def _f(stem: str, *cols: str) -> OnetFile:
    return OnetFile(stem, tuple(_c(c) for c in cols))


SOC = "O*NET-SOC Code"
_STATS = (
    "N:int",
    "Standard Error:float",
    "Lower CI Bound:float",
    "Upper CI Bound:float",
    "Recommend Suppress:bool",
)
_RATING = (
    SOC,
    "Element ID",
    "Element Name",
    "Scale ID",
    "Data Value:float",
    *_STATS,
    "Not Relevant:bool",
    "Date:month",
    "Domain Source",
)
_OPTIONAL_STATS = tuple(s + "?" for s in _STATS)
_PAIR = ("{0} Element ID", "{0} Element Name", "{1} Element ID", "{1} Element Name")

FILES: tuple[OnetFile, ...] = (
    _f("Occupation Data", SOC, "Title", "Description"),
    _f("Skills", *_RATING),
    _f("Knowledge", *_RATING),
    _f("Abilities", *_RATING),
    _f("Work Activities", *_RATING),
    _f(
        "Work Context",
        SOC,
        "Element ID",
        "Element Name",
        "Scale ID",
        "Category:int",
        "Data Value:float",
        *_STATS,
        "Not Relevant:bool",
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Work Styles",
        SOC,
        "Element ID",
        "Element Name",
        "Scale ID",
        "Data Value:float",
        *_OPTIONAL_STATS,
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Work Values",
        SOC,
        "Element ID",
        "Element Name",
        "Scale ID",
        "Data Value:float",
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Interests",
        SOC,
        "Element ID",
        "Element Name",
        "Scale ID",
        "Data Value:float",
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Task Statements",
        SOC,
        "Task ID:int",
        "Task",
        "Task Type",
        "Incumbents Responding:int?",
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Task Ratings",
        SOC,
        "Task ID:int",
        "Task",
        "Scale ID",
        "Category:int",
        "Data Value:float",
        *_STATS,
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Emerging Tasks",
        SOC,
        "Task",
        "Category",
        "Original Task ID:int",
        "Original Task",
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Technology Skills",
        SOC,
        "Example",
        "Commodity Code",
        "Commodity Title",
        "Hot Technology:bool",
        "In Demand:bool?",
    ),
    _f("Tools Used", SOC, "Example", "Commodity Code", "Commodity Title"),
    _f("Alternate Titles", SOC, "Alternate Title", "Short Title", "Source(s)"),
    _f("Sample of Reported Titles", SOC, "Reported Job Title", "Shown in My Next Move:bool"),
    _f("Job Zones", SOC, "Job Zone:int", "Date:month", "Domain Source"),
    _f(
        "Job Zone Reference",
        "Job Zone:int",
        "Name",
        "Experience",
        "Education",
        "Job Training",
        "Examples",
        "SVP Range",
    ),
    _f(
        "Education, Training, and Experience",
        SOC,
        "Element ID",
        "Element Name",
        "Scale ID",
        "Category:int",
        "Data Value:float",
        *_STATS,
        "Date:month",
        "Domain Source",
    ),
    _f(
        "Education, Training, and Experience Categories",
        "Element ID",
        "Element Name",
        "Scale ID",
        "Category:int",
        "Category Description",
    ),
    _f("Content Model Reference", "Element ID", "Element Name", "Description"),
    _f("Scales Reference", "Scale ID", "Scale Name", "Minimum:float", "Maximum:float"),
    _f(
        "Level Scale Anchors",
        "Element ID",
        "Element Name",
        "Scale ID",
        "Anchor Value:float",
        "Anchor Description",
    ),
    _f("Survey Booklet Locations", "Element ID", "Element Name", "Survey Item Number", "Scale ID"),
    _f("Task Categories", "Scale ID", "Category:int", "Category Description"),
    _f(
        "Work Context Categories",
        "Element ID",
        "Element Name",
        "Scale ID",
        "Category:int",
        "Category Description",
    ),
    _f("DWA Reference", "Element ID", "IWA ID", "DWA ID", "DWA Title"),
    _f("IWA Reference", "Element ID", "IWA ID", "IWA Title"),
    _f("Tasks to DWAs", SOC, "Task ID:int", "DWA ID", "Date:month", "Domain Source"),
    _f("Related Occupations", SOC, "Related O*NET-SOC Code", "Relatedness Tier", "Index:int"),
    _f(
        "Occupation Level Metadata", SOC, "Item", "Response", "N:int", "Percent:float", "Date:month"
    ),
    _f(
        "Interests Illustrative Activities",
        "Element ID",
        "Element Name",
        "Interest Type",
        "Activity",
    ),
    _f("Interests Illustrative Occupations", "Element ID", "Element Name", "Interest Type", SOC),
    _f("RIASEC Keywords", "Element ID", "Element Name", "Keyword", "Keyword Type"),
    _f("Basic Interests to RIASEC", *[p.format("Basic Interests", "RIASEC") for p in _PAIR]),
    _f("Abilities to Work Activities", *[p.format("Abilities", "Work Activities") for p in _PAIR]),
    _f("Abilities to Work Context", *[p.format("Abilities", "Work Context") for p in _PAIR]),
    _f("Skills to Work Activities", *[p.format("Skills", "Work Activities") for p in _PAIR]),
    _f("Skills to Work Context", *[p.format("Skills", "Work Context") for p in _PAIR]),
    _f(
        "UNSPSC Reference",
        "Commodity Code",
        "Commodity Title",
        "Class Code",
        "Class Title",
        "Family Code",
        "Family Title",
        "Segment Code",
        "Segment Title",
    ),
)


def by_stem() -> dict[str, OnetFile]:
    """Official file stem → spec, e.g. ``'Skills'`` → the Skills spec."""
    return {f.stem: f for f in FILES}


def create_table_sql(spec: OnetFile) -> str:
    """The ``CREATE TABLE`` statement of one file's table (release + columns + run_id)."""
    cols = [f"    {c.name} {SQL_TYPES[c.kind]}," for c in spec.columns]
    return "\n".join(
        [
            f"-- {spec.stem}.txt / .xlsx, every loaded release",
            f"CREATE TABLE {spec.table} (",
            "    release VARCHAR NOT NULL,",
            *cols,
            "    run_id VARCHAR NOT NULL",
            ");",
        ]
    )
