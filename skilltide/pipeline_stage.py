"""What a ``skilltide run`` is made of and comes to: its stages, each stage's outcome, the
run's summary and exit code.

Example
-------
>>> RunSummary("r1", "partial", [StageOutcome("ingest:jobs", "partial")]).exit_code
3
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EXIT_SUCCESS, EXIT_FAILURE, EXIT_PARTIAL, EXIT_BUSY = 0, 1, 3, 75


@dataclass
class StageOutcome:
    stage: str
    status: str  # done | skipped | partial | failed
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunSummary:
    run_id: str
    status: str  # success | partial | failed
    stages: list[StageOutcome]
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return {"success": EXIT_SUCCESS, "partial": EXIT_PARTIAL}.get(self.status, EXIT_FAILURE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "error": self.error,
            "stages": [vars(s) for s in self.stages],
        }


@dataclass
class Stage:
    """One step of a run: skipped when its inputs' fingerprint is the one last built from and
    ``built()`` says its output is current (the report file is there, no ad file is due)."""

    name: str
    fingerprint: Callable[[], str]
    action: Callable[[], dict]
    built: Callable[[], bool] = lambda: True
