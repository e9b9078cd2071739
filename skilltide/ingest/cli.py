"""``skilltide ingest …`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo, emit_json

ingest_app = typer.Typer(help="Ingest job ads and aggregated demand panels into the warehouse.")

MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="FIELD=PATH: read FIELD from a column or a dotted JSON path "
        "(positions.0.title). Repeatable; also [ingest.map] in the config file.",
    ),
]


@command(ingest_app, "ads")
def ads_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Ad files (CSV/TSV/JSONL, plain or .gz; Parquet) or folders."),
    ],
    settings: Settings,
    map_: MapOption = None,
    source: Annotated[str | None, typer.Option("--source", help="Name of the ad source.")] = None,
    batch_rows: Annotated[
        int, typer.Option(help="Rows per batch (bounds memory).", min=100)
    ] = 20_000,
    coder: Annotated[
        str | None,
        typer.Option(
            "--coder",
            help="Title coder for ads without an occupation column: lexical, static (better "
            "on ads, half the speed; building it needs `pip install 'skilltide[embed]'`) or "
            "embed. One codes all the warehouse's ads: another one codes the stored ads "
            "again, and is remembered. [default: the warehouse's, else lexical]",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ingest job ads: validate, quarantine, dedup, extract skills, refresh demand panel 'ads'.

    Example: skilltide ingest ads ads.jsonl --map text=body --map posted_at=created_at --json
    """
    from skilltide.errors import UserError
    from skilltide.ingest.ads import (
        EMPTY_FILE,
        JSON_KEYS,
        MEMORY_LIMIT,
        NO_VOCABULARY,
        ingest_ads,
    )
    from skilltide.ingest.mapping import parse_mapping
    from skilltide.ingest.progress import progress_for
    from skilltide.onet.coder import check_coder_model
    from skilltide.pipeline_config import check_names
    from skilltide.store import Warehouse

    if coder is not None:  # an unknown model is refused before the warehouse is opened
        check_coder_model(coder)
    config = settings.section("ingest")
    check_names(settings.config_path, {"ingest": config})  # a typo would be ignored
    expected = {
        "map": (dict, 'a table of FIELD = "column"'),
        "source": (str, "a string"),
        "memory_limit": (str, 'a string such as "2GB"'),
        "coder": (str, 'a coder model such as "static"'),
    }
    for key, (kind, what) in expected.items():
        if key in config and not isinstance(config[key], kind):
            raise UserError(f"{settings.config_path}: [ingest] {key} must be {what}")
    base = parse_mapping(config.get("map") or {})
    mapping = parse_mapping(map_ or [], base=base)
    source = source or config.get("source")
    if coder is None and "coder" in config:
        coder = config["coder"]
        try:
            check_coder_model(coder)
        except UserError as exc:
            raise UserError(f"{settings.config_path}: [ingest] coder: {exc}") from None
    with Warehouse(settings.db) as wh:
        from skilltide.ingest.ads_coder import ads_model
        from skilltide.onet.cli import say_if_building

        current = ads_model(wh.con)
        if (coder or current, current) != ("lexical", "lexical"):  # else never built here
            say_if_building(settings, wh, coder or current)  # minutes for static
        with progress_for(settings) as progress:
            summary = ingest_ads(
                wh,
                paths,
                mapping=mapping,
                source=source,
                progress=progress,
                batch_rows=batch_rows,
                coder_model=coder,
                memory_limit=config.get("memory_limit", MEMORY_LIMIT),
            )
    # warnings on stderr, so that --json stays one JSON object
    for path in summary["empty_files"]:
        typer.echo(f"warning: {EMPTY_FILE.format(path=path)}", err=True)
    if not summary["taxonomy_aliases"]:
        typer.echo(f"warning: {NO_VOCABULARY}", err=True)
    if as_json:
        emit_json({k: summary[k] for k in JSON_KEYS})
        return
    echo(
        settings,
        f"{summary['files']} files ({summary['unchanged_files']} unchanged"
        + (
            f", {summary['rechecked_files']} re-read as future-dated rows came due"
            if summary["rechecked_files"]
            else ""
        )
        + "), "
        f"{summary['rows_read']:,} rows read: {summary['ads_stored']:,} ads stored, "
        f"{summary['duplicates']:,} duplicates, {summary['quarantined']:,} quarantined, "
        f"{summary['skills_found']:,} skill mentions  (run {summary['run_id']})",
    )
    if summary["recoded"]:
        recoded = summary["recoded"]
        echo(
            settings,
            f"stored ads coded again with the {summary['coder_model']} title coder: "
            f"{recoded['ads']:,} ads, {recoded['changed']:,} changed occupation",
        )
    if summary["quarantined"]:
        echo(
            settings,
            "see quarantined rows: SELECT reason, count(*) FROM quarantine "
            f"WHERE run_id = '{summary['run_id']}' GROUP BY reason",
        )


@command(ingest_app, "demand")
def demand_command(
    path: Annotated[Path, typer.Argument(help="Aggregated panel: CSV/TSV/Parquet/JSONL.")],
    settings: Settings,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="FIELD=COLUMN for skill, month, count, group, total, granularity."
        ),
    ] = None,
    panel: Annotated[str | None, typer.Option(help="Panel name [default: file stem].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Import an already aggregated demand panel (long, or Job-SDF wide months).

    Example: skilltide ingest demand hn_whoishiring_term_counts_monthly.csv --panel hn --json
    """
    from skilltide.errors import UserError
    from skilltide.ingest.demand import DEMAND_FIELDS, import_demand
    from skilltide.store import Warehouse

    mapping = {}
    for item in map_ or []:
        field, _, column = item.partition("=")
        if field not in DEMAND_FIELDS or not column:
            raise UserError(
                f"--map {item}: write FIELD=COLUMN with FIELD one of {', '.join(DEMAND_FIELDS)}"
            )
        mapping[field] = column
    with Warehouse(settings.db) as wh:
        summary = import_demand(wh, path, mapping=mapping, panel=panel)
    if summary["merged_rows"]:  # on stderr, so that --json stays one JSON object
        merged = [f"{k}: {', '.join(v)}" for k, v in summary["merged_names"].items()]
        more = f"; and {len(merged) - 5:,} more skills" if len(merged) > 5 else ""
        names = "; ".join(merged[:5]) + more
        typer.echo(
            f"warning: {summary['merged_rows']:,} rows merged where names are one skill in the "
            f"taxonomy ({names}): kept the larger count per skill, group and month (a sum "
            "would count the ads naming both twice)",
            err=True,
        )
    if as_json:
        emit_json(summary)
        return
    echo(
        settings,
        f"panel {summary['panel']!r} ({summary['layout']}): {summary['rows']:,} rows, "
        f"{summary['skills']:,} skills ({summary['matched_taxonomy']:,} in the "
        f"taxonomy), {summary['months']} months, granularities "
        f"{', '.join(summary['granularities'])}",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
