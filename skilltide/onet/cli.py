"""``skilltide onet …`` and ``skilltide workbank …`` commands."""

from __future__ import annotations

import typer

onet_app = typer.Typer(help="Load O*NET releases, build the skill taxonomy, code job titles.")
workbank_app = typer.Typer(help="Load WORKBank (Shao et al. 2025) and summarise automation zones.")


# --- title → occupation coder (issue 4) -------------------------------------------------
from pathlib import Path  # noqa: E402
from typing import Annotated  # noqa: E402

from skilltide.console import Settings, command, echo, emit_json  # noqa: E402


@command(onet_app, "code-titles")
def code_titles_command(
    titles: Annotated[list[str] | None, typer.Argument(help="Job titles to code.")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="CSV/TSV file (or .txt, one title a line) with titles to code.")] = None,
    column: Annotated[str | None, typer.Option(
        "--column", help="Title column of --file (needed when it has several).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Candidates per title.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the codes of every input row (.csv, .parquet or .json).")] = None,
    *,
    settings: Settings,
) -> None:
    """Code job titles to O*NET-SOC occupations with calibrated scores.

    Example: skilltide onet code-titles "Sr. Java Developer - Remote" "RN - ICU Nights" --top 3
    """
    from skilltide.errors import UserError
    from skilltide.onet.coder_io import code_titles_to, read_titles
    from skilltide.store import Warehouse

    inputs = list(titles or [])
    if file is not None:
        inputs += read_titles(file, column)
    elif column is not None:
        raise UserError("--column needs --file")
    if not inputs:
        raise UserError("give titles to code, or --file FILE --column COL")
    with Warehouse(settings.db) as wh:
        results = code_titles_to(wh, inputs, top=top, out=out)
    if as_json:
        emit_json(results)
        return
    for item in results:
        best = item["candidates"][:1]
        text = f"{best[0]['code']}  {best[0]['score']:.2f}  {best[0]['title']}" if best else "-"
        echo(settings, f"{item['title']!s:40.40}  {text}")
        for cand in item["candidates"][1:]:
            echo(settings, f"{'':40}  {cand['code']}  {cand['score']:.2f}  {cand['title']}")
    if out is not None:
        echo(settings, f"wrote {out}")


@command(onet_app, "build-coder")
def build_coder_command(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    *,
    settings: Settings,
) -> None:
    """Build the title → occupation coder from the loaded O*NET release and store it.

    Example: skilltide onet build-coder
    """
    from skilltide.onet.coder import build_coder
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        summary = build_coder(wh, force=force)
    if as_json:
        emit_json(summary)
    elif summary["reused"]:
        echo(settings, f"title coder for O*NET {summary['release']} is up to date")
    else:
        cal = summary["calibration"]
        echo(settings, f"built title coder for O*NET {summary['release']}: "
                       f"{summary['occupations']} occupations, {summary['titles']} titles, "
                       f"held-out top-1 {cal['heldout_top1']:.1%}, ECE {cal['ece']:.3f}")
# --- end title → occupation coder ---------------------------------------------------------



def register(app: typer.Typer) -> None:
    app.add_typer(onet_app, name="onet")
    app.add_typer(workbank_app, name="workbank")
