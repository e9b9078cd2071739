"""Structured log lines for scheduled runs: human text or one JSON object per line.

Example
-------
>>> log = EventLog(as_json=True, stream=__import__("sys").stdout, clock=lambda: "T")
>>> log.event("stage.done", stage="ingest", seconds=1.5)
{"ts": "T", "level": "info", "event": "stage.done", "stage": "ingest", "seconds": 1.5}
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

RESERVED = ("ts", "level", "event")


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class EventLog:
    """Writes events to stderr; ``quiet`` keeps only warnings and errors."""

    def __init__(
        self,
        as_json: bool = False,
        quiet: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], str] = _utc_now,
    ) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.clock = clock

    def event(self, name: str, /, **fields: Any) -> None:
        self._emit("info", name, fields)

    def warning(self, name: str, /, **fields: Any) -> None:
        self._emit("warning", name, fields)

    def error(self, name: str, /, **fields: Any) -> None:
        self._emit("error", name, fields)

    def _emit(self, level: str, name: str, fields: dict[str, Any]) -> None:
        if self.quiet and level == "info":
            return
        # A field named like a record key (a stage summary may count 'level' shifts) keeps
        # its value under a suffixed name instead of overwriting the record's own key.
        fields = {f"{k}_" if k in RESERVED else k: v for k, v in fields.items()}
        if self.as_json:
            record = {"ts": self.clock(), "level": level, "event": name, **fields}
            line = json.dumps(record, default=str, ensure_ascii=False)
        else:
            details = "  ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            prefix = "" if level == "info" else f"{level}: "
            line = f"{prefix}{name}  {details}".rstrip()
        print(line, file=self.stream, flush=True)
