"""SIGTERM ends a run as Ctrl-C does: the stage under way rolls back and the run is logged.

systemd stops a service (``systemctl stop``, a ``TimeoutStartSec`` reached) and many job
schedulers cancel a job with SIGTERM, whose default action ends Python at once: no log line
said why the run stopped, and its ``runs`` row stayed ``running`` until the next command
opened the warehouse. Inside :func:`terminate_as_interrupt` SIGTERM raises
:class:`Terminated`, a :class:`KeyboardInterrupt`, which every run already handles.

A signal that arrives while DuckDB runs a query comes out of it as ``RuntimeError('Query
interrupted')`` (or ``duckdb.InterruptException``), which read as a bug with a traceback;
:func:`interrupt_of` tells it for the interrupt it is.

Example
-------
>>> import os, signal
>>> with terminate_as_interrupt():
...     try:
...         os.kill(os.getpid(), signal.SIGTERM)
...     except KeyboardInterrupt:
...         print("interrupted")
interrupted
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

_terminated = threading.Event()  # SIGTERM received in the block (DuckDB hides which signal)


class Terminated(KeyboardInterrupt):
    """SIGTERM received (exit status 143, as a process it would have ended)."""

    exit_code = 128 + signal.SIGTERM


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        _terminated.set()
        raise Terminated("SIGTERM")

    _terminated.clear()
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        _terminated.clear()


def interrupt_of(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt ``exc`` is (itself, or DuckDB's form of one), else None.

    >>> interrupt_of(RuntimeError("Query interrupted"))
    KeyboardInterrupt('Ctrl-C')
    >>> interrupt_of(RuntimeError("something else")) is None
    True
    """
    if isinstance(exc, KeyboardInterrupt):
        return exc
    if isinstance(exc, duckdb.InterruptException) or (
        type(exc) is RuntimeError and str(exc) == "Query interrupted"
    ):
        return Terminated("SIGTERM") if _terminated.is_set() else KeyboardInterrupt("Ctrl-C")
    return None
