"""The event log: one line per event, human or JSON, record keys never overwritten."""

import io
import json

from skilltide.logs import EventLog


def _log(**kw) -> tuple[EventLog, io.StringIO]:
    stream = io.StringIO()
    return EventLog(stream=stream, clock=lambda: "T", **kw), stream


def test_json_lines_carry_level_and_fields():
    log, out = _log(as_json=True)
    log.event("stage.finish", stage="graph", seconds=1.5)
    log.warning("file.rejected", file="a.csv")
    first, second = map(json.loads, out.getvalue().splitlines())
    assert first == {
        "ts": "T",
        "level": "info",
        "event": "stage.finish",
        "stage": "graph",
        "seconds": 1.5,
    }
    assert second["level"] == "warning" and second["file"] == "a.csv"


def test_a_field_named_level_does_not_become_the_level():
    log, out = _log(as_json=True)
    log.event("stage.finish", level=84, event="x")
    record = json.loads(out.getvalue())
    assert record["level"] == "info" and record["event"] == "stage.finish"
    assert record["level_"] == 84 and record["event_"] == "x"

    text, out = _log()
    text.event("stage.finish", level=84)
    assert out.getvalue() == "stage.finish  level_=84\n"


def test_quiet_keeps_warnings_and_errors_only():
    log, out = _log(quiet=True)
    log.event("stage.start")
    log.error("stage.failed", error="boom")
    assert out.getvalue() == "error: stage.failed  error=boom\n"
