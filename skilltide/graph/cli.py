"""``skilltide graph …`` commands: parse, call one module function, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skilltide.config import Settings
from skilltide.console import command, echo, emit_json, result

graph_app = typer.Typer(
    help="Build and analyse the bipartite skill–occupation network.\n\n"
    "Example: skilltide graph build --from onet --element skills --weight rca",
    no_args_is_help=True,
)

# Every pair kept (O*NET rates every occupation on every skill): nothing left to measure.
COMPLETE = (
    "every occupation is linked to every skill, so the network has no structure (modularity"
    " and nestedness are 0): keep the pairs that matter with --weight rca or the default"
    " threshold (RCA > 1), or a higher --threshold"
)


def register(app: typer.Typer) -> None:
    app.add_typer(graph_app, name="graph")


def _existing(settings: Settings):
    from skilltide.errors import UserError
    from skilltide.store import Warehouse

    if not settings.db.exists():
        raise UserError(f"{settings.db}: no warehouse here (run skilltide graph build first)")
    return Warehouse(settings.db)


@command(graph_app, "build")
def build(
    settings: Settings,
    source: Annotated[str, typer.Option("--from", help="onet | ads")] = "onet",
    element: Annotated[
        str, typer.Option(help="skills | knowledge | abilities | activities | technology")
    ] = "skills",
    weight: Annotated[
        str, typer.Option(help="importance | level | rca (technology: presence | rca; ads: count)")
    ] = "importance",
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Keep edges with weight above X >= 0 [default: effective use, RCA > 1;"
            " technology presence: every listed pair].",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of Louvain, sampling and the null model.")
    ] = 0,
    n_null: Annotated[
        int, typer.Option("--null", min=0, help="Degree-preserving randomisations for z-scores.")
    ] = 20,
    n_neighbours: Annotated[
        int,
        typer.Option(
            "--neighbours", min=1, help="Nearest skills/occupations kept per node (neighbours -k)."
        ),
    ] = 10,
    employment: Annotated[
        Path | None,
        typer.Option(help="OEWS national xlsx: weight the automation overlay by employment."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build the skill–occupation network, measure it and store it in the warehouse.

    Example: skilltide graph build --from onet --element skills --weight rca --db w.duckdb
    """
    from skilltide.graph.store import build_graph_warehouse
    from skilltide.store import Warehouse

    jobs = None
    if employment is not None:
        from skilltide.graph.polarization import oews_wages

        jobs = oews_wages(employment)
    with Warehouse(settings.db) as wh:
        result = build_graph_warehouse(
            wh,
            employment=jobs,
            source=source,
            element=element,
            weight=weight,
            threshold=threshold,
            seed=seed,
            n_null=n_null,
            neighbours=n_neighbours,
        )
    if as_json:
        emit_json(result)
        return
    echo(
        settings,
        f"graph {result['graph_id']}: {result['n_skills']:,} skills × "
        f"{result['n_occupations']:,} occupations, {result['n_edges']:,} edges",
    )
    for metric in ("modularity", "complementarity_modularity", "nodf", "degree_assortativity"):
        row = result["summary"].get(metric)
        if row:
            echo(settings, f"  {metric:<28} {row['observed']:.4f}{_versus_null(row)}")
    if result["exposure_rows"]:
        echo(settings, f"  automation overlay (WORKBank): {result['exposure_rows']:,} rows")
    elif employment is not None:  # the weights are for the overlay, which needs WORKBank
        typer.echo(
            f"warning: --employment {employment} is not used: WORKBank is not loaded, so there "
            "is no automation overlay to weight (skilltide workbank load DIR, then build again)",
            err=True,
        )
    if result["n_edges"] == result["n_skills"] * result["n_occupations"]:
        typer.echo(f"warning: {COMPLETE}", err=True)


@command(graph_app, "metrics")
def metrics(
    settings: Settings,
    graph_id: Annotated[str | None, typer.Option("--graph", help="Graph id [newest].")] = None,
    top: Annotated[int, typer.Option(min=1, help="Top nodes per measure.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Summary figures with null-model z-scores, communities and the most central nodes.

    Example: skilltide graph metrics --json --db w.duckdb
    """
    from skilltide.graph.query import graph_metrics

    with _existing(settings) as wh:
        report = graph_metrics(wh, graph_id, top=top)
    if as_json:
        emit_json(report)
        return
    info = report["graph"]
    result(
        f"graph {info['graph_id']}  ({info['source']} {info['element']}, weight {info['weight']})",
    )
    for metric, row in report["summary"].items():
        count = metric.startswith("n_") or metric.endswith("_n_communities")
        value = f"{row['observed']:>12,.0f}" if count else f"{row['observed']:>12.4f}"
        result(f"  {metric:<30} {value}{_versus_null(row, spread=True)}")
    result("communities (skills / occupations):")
    for row in report["communities"]:
        result(f"  {row['community']!s:>4}  {row['skills']:>6} / {row['occupations']}")


@command(graph_app, "neighbours")
def neighbours(
    settings: Settings,
    node: Annotated[str, typer.Argument(help="Skill or occupation: id or exact name.")],
    graph_id: Annotated[str | None, typer.Option("--graph", help="Graph id [newest].")] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="How many neighbours.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Most complementary skills of a skill, or closest occupations of an occupation.

    Example: skilltide graph neighbours "Critical Thinking" --db w.duckdb
    """
    from skilltide.graph.query import neighbours as find

    with _existing(settings) as wh:
        found = find(wh, node, graph_id, k=k)
    if as_json:
        emit_json(found)
        return
    what = "complementary skills" if found["node"]["bipartite"] == 0 else "closest occupations"
    result(f"{found['node']['name']} ({found['node']['node_id']}): {what}")
    for row in found["neighbours"]:
        result(f"  {row['rank']:>3}. {row['name'] or row['node_id']:<50} {row['weight']:.3f}")
    if k > found["stored"] == len(found["neighbours"]):
        typer.echo(
            f"warning: graph {found['graph_id']} keeps the {found['stored']} nearest of each node,"
            f" not {k}: build it again with --neighbours {k}",
            err=True,
        )


@command(graph_app, "export")
def export(
    settings: Settings,
    out: Annotated[Path, typer.Option(help="File (.graphml/.gexf) or folder.")] = Path("graph"),
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="graphml | gexf | parquet [from --out's suffix; graphml]"),
    ] = None,
    graph_id: Annotated[str | None, typer.Option("--graph", help="Graph id [newest].")] = None,
) -> None:
    """Export a stored network (GraphML/GEXF: bipartite graph with node measures; Parquet:
    nodes, every edge layer, metrics).

    Example: skilltide graph export --out skills.gexf --db w.duckdb
    """
    from skilltide.graph.query import export_format, export_graph

    export_format(out, fmt)  # a contradictory --out is refused before opening the warehouse
    with _existing(settings) as wh:
        written = export_graph(wh, out, fmt, graph_id)
    for path in written:
        echo(settings, f"wrote {path}")


def _versus_null(row: dict, spread: bool = False) -> str:
    """'  null 0.05 ± 0.004, z = 48.4, p = 0.02' for a tested metric, '' for a plain one."""
    if row.get("null_mean") is None or row.get("p_value") is None:
        return ""
    z = row.get("z_score")
    parts = [f"null {row['null_mean']:.4f} ± {row['null_sd']:.4f}"] if spread else []
    why = "one randomisation has no spread" if row.get("n_null", 0) < 2 else "null without spread"
    parts.append(f"z = {z:.1f}" if z is not None else f"z n/a ({why})")
    parts.append(f"p = {row['p_value']:.3g} ({row.get('n_null', 0)} randomisations)")
    return "   " + ", ".join(parts)
