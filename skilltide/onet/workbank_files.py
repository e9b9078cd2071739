"""The four WORKBank CSV files (Shao et al. 2025): file → table, columns and types.

Kinds: ``int``, ``scale`` (a whole number from 1 to 5: the survey's ratings, requirements,
time and Human Agency Scale levels), ``float``, ``str``, ``bool`` (``True``/``False`` in any
case), ``ymd`` (dates written ``2025/2/25``) and ``month`` (``08/2018``).

Example
-------
>>> FILES["domain_worker_desires.csv"].table
'workbank_worker_ratings'
"""

from __future__ import annotations

from dataclasses import dataclass

from skilltide.onet.registry import column_name

SQL_TYPES = {
    "str": "VARCHAR",
    "float": "DOUBLE",
    "int": "BIGINT",
    "scale": "BIGINT",
    "bool": "BOOLEAN",
    "ymd": "DATE",
    "month": "DATE",
}


@dataclass(frozen=True)
class WorkbankFile:
    name: str
    table: str
    columns: tuple[tuple[str, str], ...]  # (official, kind)

    def names(self) -> list[str]:
        return [wb_column_name(official) for official, _ in self.columns]


def wb_column_name(official: str) -> str:
    """Warehouse name of a WORKBank column (the occupation title column is shortened)."""
    return "occupation_title" if official == OCC else column_name(official)


OCC = "Occupation (O*NET-SOC Title)"
_REQ = (
    "Physical Action Requirement",
    "Interpersonal Communication Requirement",
    "Involved Uncertainty",
    "Domain Expertise Requirement",
)
_LLM = (
    "Information Access",
    "Edit",
    "Idea Generation",
    "Communication",
    "Analysis",
    "Decision",
    "Coding",
    "System Design",
    "Data Processing",
)

_FILES = (
    WorkbankFile(
        "domain_worker_desires.csv",
        "workbank_worker_ratings",
        (
            ("Task ID", "int"),
            (OCC, "str"),
            ("Task", "str"),
            ("User ID", "str"),
            ("Date", "ymd"),
            ("Self-reported Expertise", "str"),
            ("Automation Desire Rating", "scale"),
            ("Time", "scale"),
            ("Core Skill Rating", "scale"),
            ("Job Security Rating", "scale"),
            ("Enjoyment Rating", "scale"),
            *(
                (f"Reasons for Automation Desire - {r}", "bool")
                for r in ("Free Time", "Repetitive", "Human Error", "Stress", "Difficulty", "Scale")
            ),
            *((r, "scale") for r in _REQ),
            ("Human Agency Scale Rating", "scale"),
            *(
                (f"Reasons for Human Agency - {r}", "bool")
                for r in (
                    "Physical",
                    "Control",
                    "Domain Knowledge",
                    "Empathy",
                    "Quality Oversight",
                    "Dynamic",
                    "Ethical",
                )
            ),
            ("Other Reason for Automation Desire", "str"),
            ("Other Reason for Human Agency", "str"),
        ),
    ),
    WorkbankFile(
        "expert_rated_technological_capability.csv",
        "workbank_expert_ratings",
        (
            ("Task ID", "int"),
            (OCC, "str"),
            ("Task", "str"),
            ("User ID", "str"),
            ("Date", "ymd"),
            ("Automation Capacity Rating", "scale"),
            ("Physical Action Requirement", "scale"),
            ("Involved Uncertainty", "scale"),
            ("Domain Expertise Requirement", "scale"),
            ("Interpersonal Communication Requirement", "scale"),
            ("Human Agency Scale Rating", "scale"),
        ),
    ),
    WorkbankFile(
        "task_statement_with_metadata.csv",
        "workbank_task_metadata",
        (
            ("O*NET-SOC Code", "str"),
            (OCC, "str"),
            ("Task ID", "int"),
            ("Task", "str"),
            ("Task Type", "str"),
            ("Date", "month"),
            ("Category", "str"),
            ("Frequency", "float"),
            ("Importance", "float"),
            ("Relevance", "float"),
            ("Occupation Mean Annual Wage", "float"),
            ("Occupation Employment", "float"),
            ("Skill (O*NET Work Activity)", "str"),
            ("Skill ID (O*NET Generalized Work Activity ID)", "str"),
        ),
    ),
    WorkbankFile(
        "domain_worker_metadata.csv",
        "workbank_workers",
        (
            ("User ID", "str"),
            (OCC, "str"),
            ("Gender", "str"),
            ("Race", "str"),
            ("Income", "str"),
            ("Age", "str"),
            ("Education", "str"),
            ("Experience", "str"),
            ("AI Tedious Work Attitude", "str"),
            ("AI Job Importance Attitude", "str"),
            ("AI Daily Interest Attitude", "str"),
            ("AI Suffering Attitude", "str"),
            ("Zip Code", "str"),
            ("Political Affiliation", "str"),
            ("LLM Familiarity", "str"),
            ("LLM Use in Work", "str"),
            *((f"LLM Usage by Type - {t}", "str") for t in _LLM),
            ("Recruitment Source", "str"),
        ),
    ),
)
FILES = {f.name: f for f in _FILES}


def create_table_sql(spec: WorkbankFile) -> str:
    cols = [f"    {wb_column_name(o)} {SQL_TYPES[k]}," for o, k in spec.columns]
    return "\n".join(
        [
            f"-- WORKBank {spec.name}",
            f"CREATE TABLE {spec.table} (",
            *cols,
            "    run_id VARCHAR NOT NULL",
            ");",
        ]
    )
