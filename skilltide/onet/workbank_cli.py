"""``skilltide workbank …`` commands: load WORKBank and summarise its automation zones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo, emit_json, existing_db, result

workbank_app = typer.Typer(
    help="Load WORKBank (Shao et al. 2025) and summarise automation zones.",
    # the listing would stop at the first full stop: 'Load WORKBank (Shao et al.'
    short_help="Load WORKBank (Shao et al., 2025) and summarise automation zones.",
)

_JSON = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@command(workbank_app, "load")
def workbank_load(
    settings: Settings,
    folder: Annotated[Path, typer.Argument(help="Folder with the four WORKBank CSV files.")],
    as_json: _JSON = False,
) -> None:
    """Load WORKBank ratings and derive task zones and occupation profiles.

    Example: skilltide workbank load ../shared/data/workbank
    """
    from skilltide.onet.workbank import load_workbank
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        summary = load_workbank(wh, folder)
    if as_json:
        emit_json(summary)
        return
    loaded = "unchanged since run" if summary["unchanged"] else "run"
    echo(
        settings,
        f"WORKBank: {summary['tasks']} tasks, {summary['occupations']} occupations "
        f"({loaded} {summary['run_id']})",
    )
    if summary["onet_match"]:
        match = summary["onet_match"]
        echo(
            settings,
            f"found in the loaded O*NET release: {match['tasks']} tasks, "
            f"{match['occupations']} occupations",
        )


@command(workbank_app, "summary")
def workbank_summary_command(settings: Settings, as_json: _JSON = False) -> None:
    """Tasks, occupations, zones and Human Agency Scale levels of the loaded WORKBank.

    Example: skilltide workbank summary --json
    """
    from skilltide.onet.workbank import workbank_summary
    from skilltide.store import Warehouse

    with Warehouse(existing_db(settings.db, "skilltide workbank load DIR")) as wh:
        summary = workbank_summary(wh)
    if as_json:
        emit_json(summary)
        return
    result(f"{summary['tasks']} tasks, {summary['occupations']} occupations")
    for zone, n in summary["zones"].items():
        result(f"  {zone:<16} {n:>5}")
    if summary["tasks_without_zone"]:
        result(f"  {'no zone':<16} {summary['tasks_without_zone']:>5}  (no expert rating)")
    result(f"tasks with mean desire above 3: {summary['desire_above_3_share']:.1%}")
    has = summary["dominant_worker_has_by_occupation"]
    result(
        "dominant worker HAS per occupation: " + "  ".join(f"{k} {v}" for k, v in has.items()),
    )
