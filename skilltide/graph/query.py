"""Read stored networks back: summaries, neighbours, and export to GraphML/GEXF/Parquet.

Example
-------
>>> with Warehouse("w.duckdb") as wh:  # doctest: +SKIP
...     graph_metrics(wh)["summary"]["modularity"]["observed"]
0.2343
"""

from __future__ import annotations

import difflib
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import networkx as nx
import polars as pl

from skilltide.errors import UserError
from skilltide.outfile import make_folder, replacing
from skilltide.provenance import warehouse_source, write_provenance
from skilltide.store import Warehouse

__all__ = [
    "EXPORT_FORMATS",
    "export_format",
    "export_graph",
    "graph_metrics",
    "latest_graph",
    "neighbours",
]

EXPORT_FORMATS = ("graphml", "gexf", "parquet")


def latest_graph(wh: Warehouse, graph_id: str | None = None) -> dict[str, Any]:
    """The ``graphs`` row of ``graph_id`` (default: the newest build)."""
    if not wh.has_table("graphs"):
        raise UserError(f"{wh.path}: no graphs table (open it with this skilltide version)")
    if graph_id is None:
        rows = wh.query("SELECT * FROM graphs ORDER BY created DESC, graph_id DESC LIMIT 1")
        if rows.height == 0:
            raise UserError(f"{wh.path}: no graph built yet (run skilltide graph build)")
    else:
        rows = wh.query("SELECT * FROM graphs WHERE graph_id = ?", [graph_id])
        if rows.height == 0:
            raise UserError(f"{wh.path}: no graph {graph_id!r}")
    return rows.row(0, named=True)


def graph_metrics(wh: Warehouse, graph_id: str | None = None, top: int = 10) -> dict[str, Any]:
    """Summary figures (with null-model z-scores), communities and the top nodes per measure."""
    info = latest_graph(wh, graph_id)
    gid = info["graph_id"]
    summary = wh.query(
        "SELECT metric, observed, null_mean, null_sd, z_score, p_value, n_null FROM graph_summary"
        " WHERE graph_id = ? ORDER BY metric",
        [gid],
    )
    communities = wh.query(
        "SELECT community, count(*) FILTER (bipartite = 0) AS skills,"
        " count(*) FILTER (bipartite = 1) AS occupations FROM graph_nodes WHERE graph_id = ?"
        " GROUP BY 1 ORDER BY 1",
        [gid],
    )
    top_nodes = wh.query(
        "SELECT m.metric, m.node_id, n.name, n.bipartite, m.value FROM graph_metrics m"
        " JOIN graph_nodes n USING (graph_id, node_id) WHERE m.graph_id = ?"
        " AND m.metric IN ('degree', 'strength', 'eigenvector', 'betweenness', 'complexity')"
        " QUALIFY row_number() OVER (PARTITION BY m.metric, n.bipartite"
        " ORDER BY m.value DESC, m.node_id) <= ?"
        " ORDER BY m.metric, n.bipartite, m.value DESC, m.node_id",
        [gid, top],
    )
    return {
        "graph": {
            k: (str(v) if k == "created" else json.loads(v) if k == "params" and v else v)
            for k, v in info.items()
        },
        "summary": {
            row["metric"]: {k: v for k, v in row.items() if k != "metric"}
            for row in summary.iter_rows(named=True)
        },
        "communities": communities.to_dicts(),
        "top": top_nodes.to_dicts(),
    }


def neighbours(
    wh: Warehouse, node: str, graph_id: str | None = None, k: int = 10
) -> dict[str, Any]:
    """Most complementary skills of a skill, or closest occupations of an occupation.

    ``node`` is an id (``onet:2.A.1.b``, ``15-1252.00``) or a name, case-insensitive.
    ``stored`` in the answer is how many the graph keeps per node (at most ``k`` are given).
    """
    info = latest_graph(wh, graph_id)
    gid = info["graph_id"]
    found = wh.query(
        "SELECT node_id, name, bipartite FROM graph_nodes WHERE graph_id = ?"
        " AND (lower(node_id) = lower(?) OR lower(name) = lower(?)) ORDER BY node_id",
        [gid, node, node],
    )
    if found.height == 0:
        _refuse_known_outside(wh, node, info)
        names = wh.query("SELECT name FROM graph_nodes WHERE graph_id = ?", [gid])["name"]
        by_lower = {n.lower(): n for n in names.drop_nulls()}
        close = difflib.get_close_matches(node.lower(), list(by_lower), n=3, cutoff=0.7)
        hint = f"; did you mean {', '.join(repr(by_lower[c]) for c in close)}?" if close else ""
        raise UserError(
            f"{node!r}: no skill or occupation with that id or name in graph {gid}{hint}"
        )
    if found.height > 1:
        ids = ", ".join(found["node_id"].to_list()[:5])
        raise UserError(f"{node!r} is ambiguous in graph {gid}: {ids}; give the id")
    hit = found.row(0, named=True)
    layer = "skill_complementarity" if hit["bipartite"] == 0 else "occupation_similarity"
    rows = wh.query(
        "SELECT g.rank, g.neighbour AS node_id, n.name, g.weight FROM graph_neighbours g"
        " LEFT JOIN graph_nodes n ON n.graph_id = g.graph_id AND n.node_id = g.neighbour"
        " WHERE g.graph_id = ? AND g.layer = ? AND g.node_id = ? AND g.rank <= ?"
        " ORDER BY g.rank",
        [gid, layer, hit["node_id"], k],
    )
    stored = wh.con.execute(
        "SELECT coalesce(max(rank), 0) FROM graph_neighbours WHERE graph_id = ? AND layer = ?",
        [gid, layer],
    ).fetchone()[0]
    return {
        "graph_id": gid,
        "node": hit,
        "layer": layer,
        "stored": int(stored),
        "neighbours": rows.to_dicts(),
    }


def _refuse_known_outside(wh: Warehouse, node: str, info: dict[str, Any]) -> None:
    """Refuse a skill of the taxonomy or an O*NET occupation that the graph does not hold,
    saying so (rather than that no such skill or occupation exists)."""
    lookups = (
        ("skills", "skill_id", "name", "a skill in the taxonomy"),
        ("occupations", "onetsoc_code", "title", "an O*NET occupation"),
    )
    for table, id_col, name_col, what in lookups:
        if not wh.has_table(table):
            continue
        rows = wh.query(
            f"SELECT {id_col} AS id, {name_col} AS name FROM {table}"
            f" WHERE lower({id_col}) = lower(?) OR lower({name_col}) = lower(?)"
            f" ORDER BY {id_col} LIMIT 1",
            [node, node],
        )
        if rows.height:
            hit = rows.row(0, named=True)
            why = (
                f"the loaded O*NET {info['element']} ratings have none for it"
                if table == "occupations" and info["source"] == "onet"
                else "it is not among the graph's nodes"
            )
            raise UserError(
                f"{hit['name']!r} ({hit['id']}) is {what} but not in graph {info['graph_id']}"
                f" (built from {info['source']} {info['element']}: {why}); see `skilltide "
                "graph build --help` for --from and --element"
            )


def export_format(out: Path, fmt: str | None = None) -> str:
    """The export format: ``fmt``, else the suffix of ``out`` (``.graphml``/``.gexf``), else
    GraphML into the folder ``out``. A file suffix that contradicts it is refused.

    >>> export_format(Path("skills.gexf")), export_format(Path("graph"))
    ('gexf', 'graphml')
    """
    if fmt is not None and fmt not in EXPORT_FORMATS:
        raise UserError(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
    suffix = Path(out).suffix.lower().lstrip(".")
    if not suffix or Path(out).is_dir():  # a folder
        return fmt or "graphml"
    if suffix in ("graphml", "gexf"):
        if fmt in (None, suffix):
            return suffix
        raise UserError(f"{out}: --out's suffix .{suffix} does not match --format {fmt}")
    wanted = "a folder" if fmt == "parquet" else "a .graphml or .gexf file, or a folder"
    raise UserError(f"{out}: --out must be {wanted} (a folder's name has no suffix)")


def export_graph(
    wh: Warehouse, out: Path, fmt: str | None = None, graph_id: str | None = None
) -> list[Path]:
    """Write a stored graph: GraphML/GEXF (bipartite layer, node measures as attributes) or
    Parquet (nodes, edges of every layer, metrics) into ``out``; returns the files. The
    format follows ``out``'s suffix unless ``fmt`` is given (:func:`export_format`). Each
    file gets a ``<file>.provenance.json`` naming the warehouse, the graph and its run."""
    fmt = export_format(out, fmt)
    info = latest_graph(wh, graph_id)
    written = _write_graph(wh, Path(out), fmt, info["graph_id"])
    options = {"format": fmt, "graph_id": info["graph_id"]}
    options |= warehouse_source(wh.path, info["run_id"])
    for path in written:
        write_provenance(path, command="graph export", inputs=[], options=options)
    return written


def _write_graph(wh: Warehouse, out: Path, fmt: str, gid: str) -> list[Path]:
    """The files of :func:`export_graph`."""
    nodes = wh.query(
        "SELECT node_id, bipartite, name, soc_major, community FROM graph_nodes"
        " WHERE graph_id = ? ORDER BY node_id",
        [gid],
    )
    edges = wh.query(
        "SELECT layer, source, target, weight FROM graph_edges WHERE graph_id = ?"
        " ORDER BY layer, source, target",
        [gid],
    )
    metrics = wh.query(
        "SELECT node_id, metric, value FROM graph_metrics WHERE graph_id = ?"
        " ORDER BY node_id, metric",
        [gid],
    )
    if fmt == "parquet":
        make_folder(out)
        tables = {"nodes": nodes, "edges": edges, "metrics": metrics}
        # the three files are replaced together, after all three are written
        with ExitStack() as files:
            for name, table in tables.items():
                table.write_parquet(files.enter_context(replacing(out / f"{name}.parquet")))
        return [out / f"{name}.parquet" for name in tables]
    if out.suffix.lower() != f".{fmt}":
        out = make_folder(out) / f"graph-{gid}.{fmt}"
    else:
        make_folder(out.parent)
    graph = nx.Graph(graph_id=gid)
    wide = metrics.pivot(on="metric", index="node_id", values="value") if metrics.height else None
    attrs = nodes.join(wide, on="node_id", how="left") if wide is not None else nodes
    for row in attrs.iter_rows(named=True):
        node_id = row.pop("node_id")
        # "label" is what Gephi shows on a node (GEXF's label, GraphML's label key): the name
        row["label"] = row["name"] or node_id
        graph.add_node(node_id, **{k: v for k, v in row.items() if v is not None})
    graph.add_weighted_edges_from(
        edges.filter(pl.col("layer") == "bipartite").select("source", "target", "weight").rows()
    )
    with replacing(out) as tmp:  # whole or not at all
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, tmp)
    return [out]
