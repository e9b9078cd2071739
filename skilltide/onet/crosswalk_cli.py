"""``skilltide onet crosswalk``: store the ISCO-08 → SOC 2018 crosswalk that ingest reads
ISCO-08 occupation codes through (:mod:`skilltide.onet.crosswalk`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo, emit_json
from skilltide.onet.cli import onet_app


@command(onet_app, "crosswalk")
def crosswalk_command(
    settings: Settings,
    isco_file: Annotated[
        Path,
        typer.Argument(help="ISCO-08 → SOC crosswalk (.xls/.xlsx/.csv; BLS ISCO_SOC_Crosswalk)."),
    ],
    soc_file: Annotated[
        Path | None,
        typer.Argument(help="2010 → 2018 SOC crosswalk, when the first file's SOC is 2010 SOC."),
    ] = None,
    esco: Annotated[
        Path | None,
        typer.Option(
            "--esco",
            help="ESCO's occupations CSV (occupations_en.csv): ESCO occupation URIs are then "
            "read through their ISCO-08 group, the coder choosing from their ESCO labels.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Store the ISCO-08 → SOC crosswalk: a mapped occupation column of ISCO-08 codes (2512)
    is then read as SOC occupations, the title coder choosing among several; with --esco, a
    column of ESCO occupation URIs too. Loading replaces what was stored.

    Example: skilltide onet crosswalk isco_soc_crosswalk.xls soc_2010_to_2018_crosswalk.xlsx
    --esco occupations_en.csv
    """
    from skilltide.onet.crosswalk import load_crosswalk
    from skilltide.store import Warehouse

    with Warehouse(settings.db) as wh:
        summary = load_crosswalk(wh, isco_file, soc_file, esco)
    if as_json:
        emit_json(summary)
        return
    state = "unchanged since run" if summary["unchanged"] else "run"
    echo(
        settings,
        f"ISCO-08 crosswalk: {summary['isco_codes']:,} ISCO-08 codes → "
        f"{summary['soc_codes']:,} SOC 2018 occupations, {summary['single']:,} codes with one "
        f"({state} {summary['run_id']})",
    )
    if summary.get("unmapped_soc_2010"):
        codes = summary["unmapped_soc_2010"]
        echo(settings, f"2010 SOC codes not in the 2010 → 2018 file: {', '.join(codes[:5])}")
    if summary["esco_occupations"]:
        echo(
            settings,
            f"ESCO occupations: {summary['esco_occupations']:,}, "
            f"{summary['esco_in_crosswalk']:,} of them in an ISCO-08 group of the crosswalk",
        )
    if summary["soc_codes_in_onet"] is not None:
        echo(settings, f"in the loaded O*NET release: {summary['soc_codes_in_onet']:,} of them")
    read = summary.get("ads_read_again")
    if read:
        echo(settings, f"stored ads read again through it: {read:,} changed")
