"""``skilltide onet …`` commands (``skilltide workbank …``: :mod:`skilltide.onet.workbank_cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import (
    command,
    counted,
    detail,
    echo,
    emit_json,
    existing_db,
    progress_for,
    result,
)

onet_app = typer.Typer(help="Load O*NET releases, build the skill taxonomy, code job titles.")
taxonomy_app = typer.Typer(help="The skill vocabulary ads are matched against.")

_JSON = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
# Titles shown when code-titles writes --out: the file holds them all.
PREVIEW = 10


@command(onet_app, "load")
def onet_load(
    settings: Settings,
    dirs: Annotated[list[Path], typer.Argument(help="O*NET release folders (.txt or .xlsx).")],
    release: Annotated[
        str | None, typer.Option(help="Release of the folders, e.g. 30.1 (default: Read Me.txt).")
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Load O*NET release folders (text or Excel format) into the warehouse.

    Example: skilltide onet load ../shared/data/onet/30.1 ../shared/data/onet/29.3
    """
    from skilltide.onet.coder_refresh import drop_stale_sentence_coders, refresh_coder
    from skilltide.onet.load import load_onet
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        summary = load_onet(wh, dirs, release=release, progress=progress_for(settings))
        summary["coder"] = refresh_coder(wh, summary)
        summary |= drop_stale_sentence_coders(wh, summary, summary["coder"])
    if as_json:
        emit_json(summary)
        return
    _print_load(settings, summary)


def _print_load(settings: Settings, summary: dict) -> None:
    """What `onet load` (and `onet download --load`) did, as lines for a person."""
    for notice in summary["notices"]:
        echo(settings, f"notice: {notice}")
    for f in summary["files"]:
        detail(
            settings,
            f"{f['release']} {f['file']} -> {f['table']}: {f['rows']:,} rows ({f['status']})",
        )
    for skipped in summary["skipped"]:
        echo(settings, f"skipped {skipped}")
    rows = sum(f["rows"] for f in summary["files"] if f["status"] == "loaded")
    echo(
        settings,
        f"O*NET {', '.join(summary['releases'])}: {summary['loaded']} files loaded "
        f"({rows:,} rows), {summary['unchanged']} unchanged, "
        f"in {summary['seconds']} s (run {summary['run_id']})",
    )
    if summary["taxonomy"]:
        tax = summary["taxonomy"]
        echo(settings, f"taxonomy: {tax['skills']:,} skills, {tax['aliases']:,} aliases")
    if summary["coder"] and not summary["coder"]["reused"]:
        echo(
            settings,
            "the stored coder's titles changed: " + built_message("lexical", summary["coder"]),
        )
    for model, name in (("embed", "embedding"), ("static", "static")):
        if summary.get(f"{model}_coder_removed"):
            echo(
                settings,
                f"the {name} coder was fitted on the old titles and is removed; "
                f"`skilltide onet code-titles --model {model}` builds it again",
            )


@command(onet_app, "download")
def onet_download(
    settings: Settings,
    release: Annotated[str, typer.Option(help="Release to fetch, e.g. 30.1.")],
    dest: Annotated[Path, typer.Option(help="Folder to extract into.")] = Path("onet"),
    base_url: Annotated[str | None, typer.Option(help="Where the release zips are.")] = None,
    load: Annotated[bool, typer.Option("--load", help="Load the release afterwards.")] = False,
    as_json: _JSON = False,
) -> None:
    """Download an official O*NET text release zip, check it and extract it safely.

    Example: skilltide onet download --release 30.1 --dest data/onet --load
    """
    from skilltide.onet.coder_refresh import drop_stale_sentence_coders, refresh_coder
    from skilltide.onet.download import DEFAULT_BASE_URL, download_release
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        summary = download_release(
            wh,
            release,
            dest,
            base_url=base_url or DEFAULT_BASE_URL,
            load=load,
            progress=not settings.quiet,
        )
        if summary.get("load"):
            load = summary["load"]
            load["coder"] = refresh_coder(wh, load)
            load |= drop_stale_sentence_coders(wh, load, load["coder"])
    if as_json:
        emit_json(summary)
        return
    echo(
        settings,
        f"downloaded {summary['url']} ({summary['bytes']:,} bytes, sha256 "
        f"{summary['sha256']}) into {summary['folder']}",
    )
    if summary.get("load"):
        _print_load(settings, summary["load"])


@command(taxonomy_app, "add")
def taxonomy_add(
    settings: Settings,
    file: Annotated[
        Path, typer.Argument(help="CSV: name, aliases (|-separated), kind, category, ambiguous.")
    ],
    as_json: _JSON = False,
) -> None:
    """Add your own skills (and aliases) to the taxonomy; they survive O*NET reloads.

    Example: skilltide onet taxonomy add my_skills.csv
    """
    from skilltide.onet.taxonomy_custom import add_taxonomy_csv, taxonomy_warnings
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        summary = add_taxonomy_csv(wh, file)
    for warning in taxonomy_warnings(summary, file):  # on stderr: --json stays one object
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        emit_json(summary)
        return
    echo(
        settings,
        f"added {counted(summary['custom_skills'], 'skill')} from {file}; taxonomy now "
        f"{counted(summary['skills'], 'skill')}, {counted(summary['aliases'], 'alias')}",
    )


# --- title → occupation coder ------------------------------------------------------------


CoderModel = Annotated[
    str,
    typer.Option(
        "--model",
        help="Coder: lexical (default), embed (adds sentence embeddings) or static (the "
        "same scores from static token vectors: about half the lexical speed, no torch); "
        "both need `pip install 'skilltide[embed]'` (coding with a built static coder needs "
        "only tokenizers).",
    ),
]


# How long a first use takes to build each coder (build-coder's defaults, O*NET 30.1, 2 cores).
BUILD_TIME = {"lexical": "about 20 s", "embed": "about 4 min", "static": "about 2 min"}


def say_if_building(settings: Settings, wh, model: str) -> None:
    """Say on stderr that the coder is built before anything is coded: a first use that
    builds for minutes in silence looks hung."""
    from skilltide.onet.coder import coder_run, source_release

    release = source_release(wh)
    if settings.quiet or release is None or coder_run(wh, model) is not None:
        return
    typer.echo(
        f"no {model} title coder stored for O*NET {release} yet: building it first "
        f"({BUILD_TIME[model]}; `skilltide onet build-coder --model {model}` builds it ahead)",
        err=True,
    )


@command(onet_app, "code-titles")
def code_titles_command(
    titles: Annotated[list[str] | None, typer.Argument(help="Job titles to code.")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="CSV/TSV file (or .txt, one title a line) with titles to code."
        ),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option("--column", help="Title column of --file (needed when it has several)."),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            min=1,
            help="Candidates per title (at most 30 from a coder built with --rerank).",
        ),
    ] = 5,
    model: CoderModel = "lexical",
    level: Annotated[
        str,
        typer.Option(
            "--level",
            help="onet (O*NET-SOC codes, default), soc (distinct 6-digit SOC codes, 15-1252) "
            "or major (major groups, 15-0000): each scored by the summed probability of the "
            "coder's 30 best O*NET-SOC codes under it.",
        ),
    ] = "onet",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the codes of every input row (.csv, .parquet or .json), with a "
            "<file>.provenance.json beside it.",
        ),
    ] = None,
    *,
    settings: Settings,
) -> None:
    """Code job titles to O*NET-SOC occupations with calibrated scores.

    Example: skilltide onet code-titles "Sr. Java Developer - Remote" "RN - ICU Nights" --top 3
    """
    from skilltide.errors import UserError
    from skilltide.onet.coder import check_coder_model
    from skilltide.onet.coder_io import check_codes_out, code_titles_to, read_titles
    from skilltide.onet.coder_levels import check_level
    from skilltide.store import Warehouse

    check_coder_model(model)  # option errors before the warehouse is looked for
    check_level(level)
    if out is not None:
        check_codes_out(out)
    inputs = list(titles or [])
    if file is not None:
        inputs += read_titles(file, column)
    elif column is not None:
        raise UserError("--column needs --file")
    if not inputs:
        raise UserError("give titles to code, or --file FILE --column COL")
    with Warehouse(existing_db(settings.db, "skilltide onet load DIR")) as wh:
        say_if_building(settings, wh, model)
        results = code_titles_to(
            wh,
            inputs,
            top=top,
            out=out,
            model=model,
            inputs=[file] if file is not None else [],
            options={"column": column},
            keep=None if as_json else PREVIEW,  # with --out, only a preview is shown
            level=level,
        )
    if as_json:
        emit_json(results)
        return
    # with --out the file is the result: the table is a short preview that --quiet hides
    show = result if out is None else lambda line: echo(settings, line)
    shown = results if out is None else results[:PREVIEW]
    for item in shown:
        best = item["candidates"][:1]
        text = f"{best[0]['code']}  {best[0]['score']:.2f}  {best[0]['title']}" if best else "-"
        # cut and padded by terminal cells, so wide (CJK) characters keep the columns aligned
        show(f"{title_cell(item['title'] or '')}  {text}")  # an empty row: no title
        for cand in item["candidates"][1:]:
            show(f"{'':40}  {cand['code']}  {cand['score']:.2f}  {cand['title']}")
    if len(shown) < len(inputs):
        echo(settings, f"... and {len(inputs) - len(shown):,} more titles in {out}")
    if out is not None:
        echo(settings, f"wrote {out}")


@command(onet_app, "build-coder")
def build_coder_command(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
    model: CoderModel = "lexical",
    rerank: Annotated[
        bool,
        typer.Option(
            "--rerank",
            help="Add the second-stage re-ranker, which weights every occupation alike: "
            "better for lists with a few titles per occupation (surveys such as O*NET's "
            "reported titles), worse for job ads. The coder then returns at most 30 "
            "candidates per title.",
        ),
    ] = False,
    linear: Annotated[
        bool,
        typer.Option(
            "--linear",
            help="Add a linear SVM score to the first stage: 2-3 points more top-1 accuracy on "
            "lists like O*NET's reported titles (a few titles per occupation), less on job ads "
            "and the Census index; a build of minutes instead of seconds.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    *,
    settings: Settings,
) -> None:
    """Build the title → occupation coder from the loaded O*NET release and store it.

    Example: skilltide onet build-coder --model embed
    """
    from skilltide.onet.coder import build_coder, check_coder_model
    from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams
    from skilltide.store import Warehouse

    params = CoderParams(rerank=rerank, linear=LINEAR_WEIGHT if linear else 0.0)
    check_coder_model(model)
    with Warehouse(existing_db(settings.db, "skilltide onet load DIR")) as wh:
        summary = build_coder(wh, params, force=force, model=model)
    if as_json:
        emit_json(summary)
    elif summary["reused"]:
        echo(settings, f"{model} title coder for O*NET {summary['release']} is up to date")
    else:
        echo(settings, built_message(model, summary))


def built_message(model: str, summary: dict) -> str:
    """One line on a freshly built coder: size and its held-out accuracy (re-ranked when the
    build fitted a re-ranker: cross-fitted on the held-out alternate titles)."""
    cal = summary["calibration"]
    accuracy = f"held-out top-1 {cal['heldout_top1']:.1%}, ECE {cal['ece']:.3f}"
    if "rerank_top1_crossfit" in cal:
        accuracy = (
            f"held-out top-1 {cal['rerank_top1_crossfit']:.1%} re-ranked "
            f"(first stage {cal['rerank_top1_first_stage']:.1%}), "
            f"ECE {cal['rerank_ece_crossfit']:.3f}"
        )
    return (
        f"built {model} title coder for O*NET {summary['release']}: "
        f"{summary['occupations']} occupations, {summary['titles']} titles, {accuracy}"
    )


# --- end title → occupation coder ---------------------------------------------------------


def register(app: typer.Typer) -> None:
    from skilltide.onet import crosswalk_cli  # noqa: F401  (adds `onet crosswalk`)
    from skilltide.onet.workbank_cli import workbank_app

    onet_app.add_typer(taxonomy_app, name="taxonomy")
    app.add_typer(onet_app, name="onet")
    app.add_typer(workbank_app, name="workbank")


def title_cell(title: str, width: int = 40) -> str:
    """``title`` in ``width`` terminal cells: padded, or cut with "…" when it is longer (wide
    CJK characters count two cells, so the columns after it stay aligned).

    >>> title_cell("Registered Nurse", 10), title_cell("Nurse", 10) + "|"
    ('Registere…', 'Nurse     |')
    """
    from rich.cells import cell_len, set_cell_size

    if cell_len(title) <= width:
        return set_cell_size(title, width)
    return set_cell_size(set_cell_size(title, width - 1).rstrip() + "…", width)
