"""``skilltide ingest …`` commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, counted, echo, emit_json
from skilltide.errors import UserError
from skilltide.ingest.uncoded_warning import titles_warning, uncoded_warning

ingest_app = typer.Typer(help="Ingest job ads and aggregated demand panels into the warehouse.")

MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="FIELD=PATH: read FIELD from a column or a dotted JSON path "
        "(positions.0.title). Repeatable; also [ingest.map] in the config file.",
    ),
]


def _date_order(value: str | None) -> str | None:
    """``--date-order`` checked as typer checks a choice (a usage error, exit status 2)."""
    from skilltide.ingest.date_order import ORDERS

    if value is not None and value not in ORDERS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(ORDERS)}")
    return value


def _per_month(value: str | None) -> str | None:
    """``--per-month`` checked as a choice."""
    from skilltide.ingest.demand_periods import PER_MONTH

    if value is not None and value not in PER_MONTH:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(PER_MONTH)}")
    return value


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
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order",
            callback=_date_order,
            help="Order of slash dates (05/02/2024): auto (decided per file from its values; "
            "a file with both orders is an error), mdy or dmy. Also [ingest] date_order "
            "[default: auto].",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Text encoding of CSV/TSV/JSONL files: utf-8, cp1252, latin-1 or any Python "
            "codec (Parquet is always UTF-8). Also [ingest] encoding [default: utf-8].",
        ),
    ] = None,
) -> None:
    """Ingest job ads: validate, quarantine, dedup, extract skills, refresh demand panel 'ads'.

    Example: skilltide ingest ads ads.jsonl --map text=body --map posted_at=created_at --json
    """
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
        "date_order": (str, '"auto", "mdy" or "dmy"'),
        "encoding": (str, 'an encoding such as "cp1252"'),
        "coder": (str, 'a coder model such as "static"'),
    }
    for key, (kind, what) in expected.items():
        if key in config and not isinstance(config[key], kind):
            raise UserError(f"{settings.config_path}: [ingest] {key} must be {what}")
    from skilltide.ingest.date_order import check_order

    if "date_order" in config:
        check_order(config["date_order"], f"{settings.config_path}: [ingest] date_order")
    from skilltide.ingest.encoding import DEFAULT, HINT, check_encoding

    if encoding is not None:  # before the warehouse is opened
        encoding = check_encoding(encoding, "--encoding")
    elif "encoding" in config:
        encoding = check_encoding(config["encoding"], f"{settings.config_path}: [ingest] encoding")
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
        with progress_for(settings) as progress, _sources_map_hint(settings):
            summary = ingest_ads(
                wh,
                paths,
                mapping=mapping,
                source=source,
                progress=progress,
                batch_rows=batch_rows,
                coder_model=coder,
                memory_limit=config.get("memory_limit", MEMORY_LIMIT),
                date_order=date_order or config.get("date_order", "auto"),
                encoding=encoding or DEFAULT,
            )
        untitled = None if summary["coder"] else titles_warning(wh.con, summary["run_id"])
    # warnings on stderr, so that --json stays one JSON object
    for path in summary["empty_files"]:
        typer.echo(f"warning: {EMPTY_FILE.format(path=path)}", err=True)
    if not summary["taxonomy_aliases"]:
        typer.echo(f"warning: {NO_VOCABULARY}", err=True)
    if uncoded := summary["uncoded_occupations"]:
        typer.echo(f"warning: {uncoded_warning(uncoded, summary['coder'])}", err=True)
    if untitled:
        typer.echo(f"warning: {untitled}", err=True)
    reasons = _quarantine_reasons(settings, summary["run_id"]) if summary["quarantined"] else None
    if reasons is not None and summary["quarantined"] == summary["rows_read"]:
        top = reasons.row(0, named=True)  # a field mapped to the wrong column, often
        hint = "check the file and what --map reads that field from"
        if top["reason"] == "broken_encoding":  # a whole file in another encoding, often
            hint = HINT
        typer.echo(
            f"warning: every row was quarantined, most as {top['reason']} (field "
            f"{top['field']}): {hint}",
            err=True,
        )
    if as_json:
        emit_json({k: summary[k] for k in JSON_KEYS})
        return
    echo(
        settings,
        f"{counted(summary['files'], 'file')} ({summary['unchanged_files']} unchanged"
        + (
            f", {summary['rechecked_files']} re-read as future-dated rows came due"
            if summary["rechecked_files"]
            else ""
        )
        + "), "
        f"{counted(summary['rows_read'], 'row')} read: {counted(summary['ads_stored'], 'ad')} "
        f"stored, {counted(summary['duplicates'], 'duplicate')}, "
        f"{summary['quarantined']:,} quarantined, "
        f"{counted(summary['skills_found'], 'skill mention')}  (run {summary['run_id']})",
    )
    _echo_date_orders(settings, summary["date_orders"])
    if summary["recoded"]:
        recoded = summary["recoded"]
        echo(
            settings,
            f"stored ads coded again with the {summary['coder_model']} title coder: "
            f"{recoded['ads']:,} ads, {recoded['changed']:,} changed occupation",
        )
    if reasons is not None:
        echo(
            settings,
            "see quarantined rows: SELECT reason, count(*) FROM quarantine "
            f"WHERE run_id = '{summary['run_id']}' GROUP BY reason",
        )
        for r in reasons.iter_rows(named=True):
            value = f": {r['detail']!r}" if r["detail"] else ""
            where = f"{Path(r['file']).name} row {r['row']}, field {r['field']}{value}"
            echo(settings, f"  {r['reason']:<18} {r['n']:>9,}  (first: {where})")


def _quarantine_reasons(settings: Settings, run_id: str):
    """Each quarantine reason of the run, with its count and first file, row, field, value."""
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        return wh.query(
            "SELECT reason, count(*) AS n, first(field ORDER BY file, row_number) AS field,"
            " first(file ORDER BY file, row_number) AS file,"
            " first(row_number ORDER BY file, row_number) AS row,"
            " first(detail ORDER BY file, row_number) AS detail FROM quarantine"
            " WHERE run_id = ? GROUP BY reason ORDER BY n DESC, reason",
            [run_id],
        )


@contextmanager
def _sources_map_hint(settings: Settings) -> Iterator[None]:
    """A missing column, in a folder whose config maps it under ``[[sources]]`` (as
    ``skilltide init`` writes it): says that map is read by ``skilltide run`` only; one that
    the config's ``[ingest] map`` named: says so (the file is read unasked, from the folder)."""
    import re

    try:
        yield
    except UserError as exc:
        found = re.search(r"field (\w+): no column '([^']*)'.*; map it with --map", str(exc))
        ingest_map = settings.data.get("ingest", {}).get("map") or {}
        if found and ingest_map.get(found[1]) == found[2]:
            raise UserError(
                f"{exc} ({found[1]} = {found[2]!r} is {settings.config_path}'s [ingest] map;"
                f" --map {found[1]}=COLUMN overrides it)"
            ) from None
        sources = settings.data.get("sources")
        mapped = isinstance(sources, list) and any(
            isinstance(s, dict) and "map" in s for s in sources
        )
        if not (mapped and "map it with --map" in str(exc)):
            raise
        raise UserError(
            f"{exc} ({settings.config_path}'s [[sources]] map is read by `skilltide run`"
            " only; `ingest ads` reads --map and [ingest] map)"
        ) from None


def _echo_date_orders(settings: Settings, orders: dict[str, str | None]) -> None:
    """Which files' slash dates were read in which order (none: no line)."""
    from skilltide.ingest.date_order import SHOWN

    by_order: dict[str, list[str]] = {}
    for path, order in orders.items():
        if order:
            by_order.setdefault(order, []).append(Path(path).name)
    for order, names in sorted(by_order.items()):
        more = f", … ({len(names):,} files)" if len(names) > 3 else ""
        echo(settings, f"slash dates read {SHOWN[order]}: {', '.join(names[:3])}{more}")


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
    per_month: Annotated[
        str | None,
        typer.Option(
            "--per-month",
            callback=_per_month,
            help="Combine daily or weekly rows (ISO dates) into months: sum (counts; a "
            "partial first or last month is left out), mean (an index or level) or last.",
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="What the values measure when they are not counts of ads ('index points'; "
            "'units' by default with --per-month mean or last): the report words them so.",
        ),
    ] = None,
    missing_months: Annotated[
        str | None,
        typer.Option(
            "--missing-months",
            help="Months the source lacks though the file has rows for them, comma-separated "
            "(2011-12): left out and interpolated, not read as a month of almost no ads.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Import an already aggregated demand panel (long, or Job-SDF wide months).

    Example: skilltide ingest demand hn_whoishiring_term_counts_monthly.csv --panel hn --json
    """
    from skilltide.errors import UserError
    from skilltide.ingest.demand import DEMAND_FIELDS, import_demand
    from skilltide.ingest.demand_gaps import low_months_warning
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
        summary = import_demand(
            wh,
            path,
            mapping=mapping,
            panel=panel,
            per_month=per_month,
            unit=unit,
            missing_months=[m for m in (missing_months or "").split(",") if m.strip()],
        )
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
    if summary["partial_months"]:
        typer.echo(
            f"warning: left out {', '.join(summary['partial_months'])}: the dates cover "
            "only part of the month, so its sum would be too low",
            err=True,
        )
    if warning := low_months_warning(summary["low_months"]):
        typer.echo(warning, err=True)
    if summary["dates_per_month"]:
        fewest, most = summary["dates_per_month"]
        typer.echo(
            f"warning: the months hold {fewest} to {most} dates each, so their sums differ by "
            f"up to {100 * (most - fewest) / fewest:.0f}% from the calendar alone; "
            "--per-month mean gives the average per date",
            err=True,
        )
    if cleared := {k: n for k, n in summary["cleared"].items() if n}:
        what = ", ".join(f"{n:,} {table}" for table, n in cleared.items())
        grans = [g for g in summary["granularities"] if g != "market"]
        each = f" (with --granularity {' and '.join(grans)})" if grans else ""
        typer.echo(
            f"warning: cleared {what} of the rows replaced in panel {summary['panel']!r}; "
            f"run `skilltide breaks detect --panel {summary['panel']}` and `skilltide forecast "
            f"run --panel {summary['panel']}` again{each}",
            err=True,
        )
    if as_json:
        emit_json(summary)
        return
    combined = (
        f" from {summary['rows_read']:,} rows by month ({summary['per_month']})"
        if summary["per_month"]
        else ""
    )
    echo(
        settings,
        f"panel {summary['panel']!r} ({summary['layout']}): {summary['rows']:,} rows{combined}, "
        f"{summary['skills']:,} skills ({summary['matched_taxonomy']:,} in the "
        f"taxonomy), {summary['months']} months, granularities "
        f"{', '.join(summary['granularities'])}"
        + (f", in {summary['unit']}" if summary["unit"] else ""),
    )


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
