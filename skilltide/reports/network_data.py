"""Read the skill network part of a report (occupation profiles and WORKBank zones are in
:mod:`skilltide.reports.occupation_data`).

All of it is optional. Each loader returns ``None`` (or an empty frame) when its inputs are not
in the warehouse, and :data:`HOW_TO` says which command provides them.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     net = load_network(wh)
>>> sorted(net.nodes.columns)[:3]  # doctest: +SKIP
['community', 'community_label', 'exposure']
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import polars as pl

from skilltide.store import Warehouse

HOW_TO = {  # {panel} is " --panel NAME" for a panel other than ads
    "forecasts": "run `skilltide forecast run{panel} --granularity {granularity}`",
    # the warehouse's backtests are written by `forecast run` (`forecast backtest` reads a file)
    "backtests": "run `skilltide forecast run{panel} --granularity {granularity}`",
    "breaks": "run `skilltide breaks detect{panel} --granularity {granularity}`",
    "graph": "run `skilltide graph build --from ads` (or `--from onet`)",
    "workbank": "load WORKBank with `skilltide workbank load DIR`",
    "exposure": "load WORKBank (`skilltide workbank load DIR`), then rebuild the graph "
    "(`skilltide graph build`)",
    "occupation_demand": "ingest ads with an occupation column or the title coder "
    "(`skilltide ingest ads FILE…`)",
}


def how_to(panel: str, granularity: str) -> dict[str, str]:
    """:data:`HOW_TO` for the report's panel and granularity.

    >>> how_to("hn", "market")["breaks"]
    'run `skilltide breaks detect --panel hn --granularity market`'
    """
    named = "" if panel == "ads" else f" --panel {panel}"
    return {k: v.format(panel=named, granularity=granularity) for k, v in HOW_TO.items()}


EXPOSURE_COLUMNS = (
    "exposure",
    "share_green_light",
    "green_light",
    "automation_exposure",
    "mean_capability",
)


NARROW_PX = 300  # the network's width on a phone: fewer names fit without colliding


@dataclass
class NetworkData:
    graph_id: str
    run_id: str
    source: str
    # node_id, name, x, y, strength, community_label, exposure, label_me, label_narrow
    nodes: pl.DataFrame
    edges: pl.DataFrame  # x, y, x2, y2, weight
    communities: pl.DataFrame  # community_label, skills, n_skills, top_skills, mean_exposure
    exposure_column: str | None
    summary: pl.DataFrame  # metric, observed, null_mean, null_sd, z_score
    n_skills_total: int
    element: str = "skills"  # the O*NET domain of an onet graph (technology: listed, not rated)


EXPOSURE_TITLES = {
    "exposure": "Automation exposure (0–1)",
    "share_green_light": "Share of green-light tasks",
    "green_light": "Share of green-light tasks",
    "automation_exposure": "Automation exposure",
    "mean_capability": "AI agent capability (1–5)",
}


def choose_graph(wh: Warehouse) -> dict | None:
    """The newest graph, preferring one built from ads (it matches the demand series)."""
    if not (wh.has_table("graphs") and wh.has_table("graph_nodes")):
        return None
    rows = wh.query(
        "SELECT graph_id, run_id, source, element FROM graphs"
        " ORDER BY (source = 'ads') DESC, run_id DESC, graph_id DESC LIMIT 1"
    )
    return rows.row(0, named=True) if rows.height else None


def load_network(wh: Warehouse, max_skills: int = 120, seed: int = 7) -> NetworkData | None:
    """The skill–skill network of the chosen graph, laid out for a picture of ``max_skills``."""
    graph = choose_graph(wh)
    if graph is None:
        return None
    gid = graph["graph_id"]
    nodes = wh.query(
        "SELECT node_id, any_value(name) AS name, CAST(any_value(community) AS VARCHAR) AS"
        " community FROM graph_nodes WHERE graph_id = ? AND CAST(bipartite AS INTEGER) = 0"
        " GROUP BY node_id",
        [gid],
    )
    edges = wh.query(
        """SELECT e.layer, e.source, e.target, e.weight FROM graph_edges e
           JOIN graph_nodes a ON a.graph_id = e.graph_id AND a.node_id = e.source
           JOIN graph_nodes b ON b.graph_id = e.graph_id AND b.node_id = e.target
           WHERE e.graph_id = ? AND CAST(a.bipartite AS INTEGER) = 0
             AND CAST(b.bipartite AS INTEGER) = 0
             AND e.source <> e.target AND e.weight > 0""",
        [gid],
    )
    if nodes.height == 0 or edges.height == 0:
        return None
    nodes = _complementarity_communities(wh, gid, nodes)
    layers = edges["layer"].unique().to_list()
    backbone = [layer for layer in layers if "backbone" in str(layer).lower()]
    if backbone:
        edges = edges.filter(pl.col("layer").is_in(backbone))
    strength = _strength(wh, gid, edges)
    nodes = (
        nodes.join(strength, on="node_id", how="left")
        .with_columns(pl.col("strength").fill_null(0.0))
        .sort("strength", "node_id", descending=[True, False])
    )
    n_total = nodes.height
    nodes = nodes.head(max_skills)
    keep = set(nodes["node_id"].to_list())
    edges = edges.filter(pl.col("source").is_in(keep) & pl.col("target").is_in(keep))
    edges = _sparsify(edges)
    positions = _layout(nodes["node_id"].to_list(), edges, seed)
    nodes = nodes.with_columns(
        x=pl.col("node_id").replace_strict({k: v[0] for k, v in positions.items()}),
        y=pl.col("node_id").replace_strict({k: v[1] for k, v in positions.items()}),
    )
    nodes, communities = _communities(nodes)
    nodes, exposure_column = _exposure(wh, gid, nodes)
    communities = communities.join(
        nodes.group_by("community_label").agg(
            mean_exposure=pl.col("exposure").mean(),
            skills_with_exposure=pl.col("exposure").is_not_null().sum(),
        ),
        on="community_label",
        how="left",
    )
    pos = nodes.select("node_id", "x", "y")
    drawn = (
        edges.join(pos, left_on="source", right_on="node_id")
        .join(pos.rename({"x": "x2", "y": "y2"}), left_on="target", right_on="node_id")
        .select("x", "y", "x2", "y2", "weight")
    )
    summary = (
        wh.query(
            "SELECT metric, observed, null_mean, null_sd, z_score, p_value, n_null"
            " FROM graph_summary"
            " WHERE graph_id = ? ORDER BY metric",
            [gid],
        )
        if wh.has_table("graph_summary")
        else pl.DataFrame()
    )
    return NetworkData(
        gid,
        graph["run_id"],
        graph["source"],
        nodes,
        drawn,
        communities,
        exposure_column,
        summary,
        n_total,
        graph["element"] or "skills",
    )


def _complementarity_communities(wh, gid, nodes: pl.DataFrame) -> pl.DataFrame:
    """The skills' communities in the complementarity network θ, which the chart draws (the
    ``graph_nodes`` community is of the bipartite skill–occupation graph); graphs without
    them keep the bipartite one."""
    if not wh.has_table("graph_metrics"):
        return nodes
    theta = wh.query(
        "SELECT node_id, CAST(CAST(value AS INTEGER) AS VARCHAR) AS theta FROM graph_metrics"
        " WHERE graph_id = ? AND metric = 'complementarity_community'",
        [gid],
    )
    if theta.height == 0:
        return nodes
    return (
        nodes.join(theta, on="node_id", how="left")
        .with_columns(community=pl.coalesce("theta", "community"))
        .drop("theta")
    )


def _strength(wh, gid, edges) -> pl.DataFrame:
    if wh.has_table("graph_metrics"):
        metrics = wh.query(
            "SELECT node_id, metric, value FROM graph_metrics WHERE graph_id = ?"
            " AND metric IN ('strength', 'degree')",
            [gid],
        )
        for metric in ("strength", "degree"):
            chosen = metrics.filter(pl.col("metric") == metric)
            if chosen.height:
                return chosen.select("node_id", strength=pl.col("value"))
    both = pl.concat(
        [edges.select(node_id="source", w="weight"), edges.select(node_id="target", w="weight")]
    )
    return both.group_by("node_id").agg(strength=pl.col("w").sum())


def _sparsify(edges: pl.DataFrame, per_node: int = 3) -> pl.DataFrame:
    """Each skill's strongest links plus a maximum spanning tree: readable, still connected."""
    g = nx.Graph()
    g.add_weighted_edges_from(edges.select("source", "target", "weight").iter_rows())
    keep = {tuple(sorted(e)) for e in nx.maximum_spanning_edges(g, data=False)}
    both = pl.concat(
        [
            edges.select("source", "target", "weight"),
            edges.select(source="target", target="source", weight="weight"),
        ]
    )
    top = (
        both.sort("weight", "target", descending=[True, False])
        .group_by("source", maintain_order=True)
        .head(per_node)
    )
    keep |= {tuple(sorted((a, b))) for a, b in top.select("source", "target").iter_rows()}
    return (
        edges.with_columns(
            key=pl.concat_list(
                pl.min_horizontal("source", "target"), pl.max_horizontal("source", "target")
            )
        )
        .filter(pl.col("key").is_in([list(k) for k in keep]))
        .unique(subset="key", keep="first", maintain_order=True)
        .drop("key")
    )


def _layout(node_ids: list[str], edges: pl.DataFrame, seed: int) -> dict[str, tuple]:
    g = nx.Graph()
    g.add_nodes_from(node_ids)
    g.add_weighted_edges_from(edges.select("source", "target", "weight").iter_rows())
    pos = nx.spring_layout(
        g, seed=seed, weight="weight", iterations=200, k=1.6 / max(len(node_ids), 1) ** 0.5
    )
    return {n: (round(float(x), 4), round(float(y), 4)) for n, (x, y) in pos.items()}


def _communities(nodes: pl.DataFrame, top: int = 8) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Name each community after its three strongest skills; communities past ``top`` → Other."""
    if nodes["community"].null_count() == nodes.height:
        nodes = nodes.with_columns(community=pl.lit("1"))
    nodes = nodes.with_columns(pl.col("community").fill_null("?"))
    ranked = (
        nodes.group_by("community")
        .agg(
            n=pl.len(),
            strength=pl.col("strength").sum(),
            top=pl.col("name").sort_by("strength", descending=True).head(3),
        )
        .sort("n", "strength", "community", descending=[True, True, False])
        .with_row_index("order", offset=1)
    )
    ranked = ranked.with_columns(
        community_label=pl.when(pl.col("order") <= top)
        .then(pl.format("{}. {}", pl.col("order"), pl.col("top").list.join(", ")))
        .otherwise(pl.lit("Other smaller communities"))
    )
    nodes = nodes.join(ranked.select("community", "community_label", "order"), on="community")
    candidates = nodes.filter(
        (pl.col("strength").rank("ordinal", descending=True).over("community") <= 3)
        & (pl.col("order") <= top)
    ).sort("strength", "node_id", descending=[True, False])
    extent = (nodes["x"].min(), nodes["x"].max(), nodes["y"].min(), nodes["y"].max())
    rows = candidates.select("node_id", "name", "x", "y").rows()
    labelled, on_phone = place_labels(rows, extent), place_labels(rows, extent, width=NARROW_PX)
    nodes = nodes.with_columns(
        label_me=pl.col("node_id").is_in(labelled), label_narrow=pl.col("node_id").is_in(on_phone)
    )
    table = (
        nodes.group_by("community_label")
        .agg(
            order=pl.col("order").min(),
            n_skills=pl.len(),
            skills=pl.col("name").sort_by("strength", descending=True).head(10).str.join("; "),
        )
        .sort("order")
        .drop("order")
    )
    return nodes.drop("order"), table


def place_labels(
    candidates: list[tuple[str, str, float, float]],
    extent: tuple[float, float, float, float] | None = None,
    width: float = 900,
    height: float = 496,
    char_px: float = 7.5,
    line_px: float = 22,
) -> list[str]:
    """Ids of the labels to draw, in priority order, skipping any that would overlap one kept.

    ``candidates`` are ``(node_id, name, x, y)`` in layout units, most important first;
    ``extent`` is the chart's (x min, x max, y min, y max) over every node, not just the
    candidates (default: the candidates'); sizes are the chart's approximate pixels.

    >>> place_labels([("a", "Python", 0.0, 0.0), ("b", "SQL", 0.01, 0.0), ("c", "Go", 1.0, 1.0)])
    ['a', 'c']
    """
    if not candidates:
        return []
    if extent is None:
        xs, ys = [c[2] for c in candidates], [c[3] for c in candidates]
        extent = (min(xs), max(xs), min(ys), max(ys))
    sx = width / ((extent[1] - extent[0]) or 1.0)
    sy = height / ((extent[3] - extent[2]) or 1.0)
    kept: list[tuple[float, float, float]] = []  # centre x, centre y, half width (pixels)
    chosen = []
    for node_id, name, x, y in candidates:
        px, py, half = x * sx, y * sy, len(name) * char_px / 2
        if all(abs(px - kx) >= half + kh or abs(py - ky) >= line_px for kx, ky, kh in kept):
            kept.append((px, py, half))
            chosen.append(node_id)
    return chosen


def _exposure(wh, gid, nodes):
    if not wh.has_table("automation_exposure"):
        return nodes.with_columns(exposure=pl.lit(None, pl.Float64)), None
    rows = wh.query(
        "SELECT * FROM automation_exposure WHERE graph_id = ? AND level = 'skill'", [gid]
    )
    numeric = [c for c, t in rows.schema.items() if t.is_numeric()]
    column = next((c for c in EXPOSURE_COLUMNS if c in numeric), numeric[0] if numeric else None)
    if rows.height == 0 or column is None:
        return nodes.with_columns(exposure=pl.lit(None, pl.Float64)), None
    values = rows.group_by("node_id").agg(
        exposure=pl.col(column).cast(pl.Float64).fill_nan(None).mean()
    )
    return nodes.join(values, on="node_id", how="left"), column
