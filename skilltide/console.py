"""What every CLI command shares: common options, error handling, output, progress bars.

Stage command groups (``skilltide/<stage>/cli.py``) register their commands with
:func:`command`, which adds ``--db``, ``--config``, ``--quiet`` and ``--verbose`` to
the command, builds the :class:`~skilltide.config.Settings` and passes them in as
``settings``, and turns a :class:`~skilltide.errors.UserError` into a one-line
message on stderr and exit status 1.

Example
-------
>>> import typer
>>> app = typer.Typer()
>>> @command(app)
... def hello(name: str, settings: Settings) -> None:
...     '''Say hello.  Example: skilltide hello Ada'''
...     echo(settings, f"hello {name}")
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from skilltide.config import Settings, load_settings
from skilltide.errors import UserError

T = TypeVar("T")

_COMMON = [
    inspect.Parameter(
        "db",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Path | None,
            typer.Option(
                "--db",
                help="Warehouse file [env SKILLTIDE_DB, config [warehouse] db, "
                "default ./skilltide.duckdb].",
                show_default=False,
            ),
        ],
    ),
    inspect.Parameter(
        "config",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="TOML config file [env SKILLTIDE_CONFIG, default ./skilltide.toml].",
                show_default=False,
            ),
        ],
    ),
    inspect.Parameter(
        "quiet",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[bool, typer.Option("--quiet", "-q", help="Print only results.")],
    ),
    inspect.Parameter(
        "verbose",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, typer.Option("--verbose", "-v", help="Print details and full tracebacks.")
        ],
    ),
]


def command(
    app: typer.Typer, name: str | None = None, warehouse: bool = True, **kwargs: Any
) -> Callable:
    """Register a function as a command with the common options; it receives ``settings``.

    ``warehouse=False`` is for commands that use neither the warehouse nor a config file
    (``demo``, ``init``): they take only ``--quiet``/``--verbose``, so ``--db`` is not
    silently ignored, and a broken ``./skilltide.toml`` cannot stop them.
    """

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "settings"]

        @functools.wraps(fn)
        def wrapper(*args: Any, db=None, config=None, quiet=False, verbose=False, **kw: Any):
            settings: Settings | None = None
            try:
                if warehouse:
                    settings = load_settings(config=config, db=db, quiet=quiet, verbose=verbose)
                else:
                    settings = Settings(verbosity=-1 if quiet else (1 if verbose else 0))
                from skilltide.interrupt import terminate_as_interrupt

                with terminate_as_interrupt():  # SIGTERM (a scheduler's stop) as Ctrl-C
                    return fn(*args, settings=settings, **kw)
            except KeyboardInterrupt as exc:
                if settings is not None and settings.verbose:
                    raise
                code = exit_code(exc)
                what = "Ctrl-C" if code == 130 else "SIGTERM"
                if getattr(exc, "rolled_back", None):  # set by Warehouse.run
                    fail(f"interrupted ({what}); the warehouse run under way rolled back", code)
                # between runs: one that had committed (the command's own, say) is kept
                fail(f"interrupted ({what}) outside a warehouse run: finished runs are kept", code)
            except UserError as exc:
                if settings is not None and settings.verbose:
                    raise
                if kw.get("log_json"):  # a JSON-lines log stays JSON lines (a bad config file)
                    from skilltide.logs import EventLog

                    EventLog(as_json=True).error("run.refused", error=" ".join(str(exc).split()))
                    raise typer.Exit(1) from None
                fail(str(exc))

        params = own + (_COMMON if warehouse else _COMMON[2:])
        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        del wrapper.__wrapped__  # typer must see the new signature, not the wrapped one
        return app.command(name, **kwargs)(wrapper)

    return decorate


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM: the status the signal would have ended Python with."""
    return getattr(interrupt, "exit_code", 130)


def fail(message: str, code: int = 1) -> None:
    """Print ``error: message`` on one line to stderr and exit with ``code``."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def existing_db(db: Path, first: str) -> Path:
    """``db`` if it exists: a command that cannot work on a new warehouse must not leave an
    empty one behind at a mistyped --db; ``first`` is the command to run first."""
    if not Path(db).exists():
        raise UserError(
            f"{db}: no warehouse here (give --db the warehouse's path, or run `{first}` first)"
        )
    return db


def echo(settings: Settings, message: str) -> None:
    """Print a human-readable line unless ``--quiet``."""
    if not settings.quiet:
        typer.echo(message)


def result(message: str) -> None:
    """Print a line of what a query command was asked for (``status``, ``graph neighbours``,
    ``onet code-titles``…), with ``--quiet`` too: it prints only results, not none."""
    typer.echo(message)


def detail(settings: Settings, message: str) -> None:
    """Print a line only with ``--verbose``."""
    if settings.verbose:
        typer.echo(message, err=True)


def counted(n: int, noun: str) -> str:
    """``n`` with thousands separators and ``noun``, plural unless ``n`` is 1.

    >>> counted(1, "file"), counted(2500, "row")
    ('1 file', '2,500 rows')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def emit_json(obj: Any, compact: bool = False) -> None:
    """Print one JSON document on stdout (the machine-readable form of a command); on one
    line with ``compact`` (for a JSON-lines log).

    NaN and infinite numbers (a metric undefined on all-zero series, say) are written as
    ``null``: JSON has no NaN, and strict parsers (``jq``, JavaScript) refuse it.
    """
    indent = None if compact else 2
    typer.echo(json.dumps(_finite(obj), indent=indent, default=str, ensure_ascii=False))


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def track(
    settings: Settings, items: Iterable[T], description: str, total: int | None = None
) -> Iterator[T]:
    """Iterate with a progress bar on stderr when it is a terminal and not ``--quiet``."""
    if not shows_progress(settings):
        yield from items
        return
    from rich.progress import track as rich_track

    yield from rich_track(items, description=description, total=total, transient=True)


def shows_progress(settings: Settings) -> bool:
    """Whether progress is shown: stderr is a terminal and ``--quiet`` is not given."""
    return not settings.quiet and sys.stderr.isatty()


def progress_for(settings: Settings) -> Callable[..., Iterator]:
    """A ``track(items, description, total=None)`` callable for module functions to use."""
    return functools.partial(track, settings)


def quiet_progress(items: Iterable[T], description: str = "", total: int | None = None):
    """The default progress callable for library use: no output."""
    return iter(items)
