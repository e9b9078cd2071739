"""Read the occupation part of a report: skill profiles of the busiest occupations, their
closest occupations in the skill network (similarity 0.1 or more), and WORKBank zones.

All of it is optional: each part is ``None`` when its inputs are not in the warehouse
(:data:`skilltide.reports.network_data.HOW_TO` says which command provides them).

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     occupations = load_occupations(wh)
>>> occupations.profile_source  # doctest: +SKIP
'demand'
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from skilltide.reports.names import occupation_titles
from skilltide.reports.network_data import choose_graph
from skilltide.store import Warehouse

ZONES = {
    "share_green_light": "Green light (wanted and feasible)",
    "share_red_light": "Red light (feasible, not wanted)",
    "share_rnd_opportunity": "R&D opportunity (wanted, not yet feasible)",
    "share_low_priority": "Low priority",
}


# Closest occupations are by cosine similarity of skill profiles (0 = no skill in common, 1 = the
# same profile). Below 0.1 two profiles are within 6 degrees of sharing nothing (in the demo: a
# nurse and an IT technician sharing one generic skill): listing them as "close", a move for
# workers, would mislead, so they are left out and an occupation may list fewer, or none.
MIN_SIMILARITY = 0.1
CLOSEST = 8  # at most this many closest occupations per occupation


@dataclass
class OccupationData:
    profile: pl.DataFrame | None  # occupation, skill, share (%), rank
    closest: pl.DataFrame | None  # occupation, neighbour, similarity, rank
    workbank: pl.DataFrame | None  # occupation, code, zone shares, mean_desire, ...
    profile_source: str = ""


def load_occupations(
    wh: Warehouse, panel: str = "ads", max_occupations: int = 40, top_skills: int = 12
) -> OccupationData:
    """Skill profiles of the busiest occupations, their closest occupations and WORKBank zones."""
    graph = choose_graph(wh)
    profile, source = _profile_from_demand(wh, panel, max_occupations, top_skills), "demand"
    if profile is None and graph is not None:
        profile, source = (
            _profile_from_graph(wh, graph["graph_id"], max_occupations, top_skills),
            "graph",
        )
    codes = profile["code"].unique().to_list() if profile is not None else []
    closest = _closest(wh, graph["graph_id"], codes) if graph is not None else None
    return OccupationData(profile, closest, _workbank(wh, codes), source)


def _profile_from_demand(wh, panel, max_occupations, top_skills) -> pl.DataFrame | None:
    rows = wh.query(
        """
        WITH last AS (SELECT max(month) AS m FROM demand_totals
                      WHERE panel = ? AND granularity = 'occupation'),
        recent AS (SELECT t.group_id, sum(t.ads) AS ads FROM demand_totals t, last
                   WHERE t.panel = ? AND t.granularity = 'occupation'
                     AND t.group_id <> 'unknown'  -- ads without an occupation
                     AND t.month > last.m - INTERVAL 12 MONTH GROUP BY ALL),
        busiest AS (SELECT * FROM recent ORDER BY ads DESC, group_id LIMIT ?),
        mentions AS (SELECT d.group_id, d.skill_id, sum(d.count) AS n FROM demand d, last
                   WHERE d.panel = ? AND d.granularity = 'occupation'
                     AND d.month > last.m - INTERVAL 12 MONTH GROUP BY ALL)
        SELECT b.group_id AS code, coalesce(s.name, CASE WHEN starts_with(k.skill_id, ?)
                 THEN substr(k.skill_id, length(?) + 1) ELSE k.skill_id END) AS skill,
               100 * k.n / b.ads AS value, b.ads AS occupation_ads,
               row_number() OVER (PARTITION BY b.group_id ORDER BY k.n DESC, k.skill_id) AS rank
        FROM busiest b JOIN mentions k USING (group_id) LEFT JOIN skills s USING (skill_id)
        QUALIFY rank <= ?
        """,
        [panel, panel, max_occupations, panel, f"{panel}:", f"{panel}:", top_skills],
    )
    if rows.height == 0:
        return None
    return _with_titles(wh, rows)


def _profile_from_graph(wh, graph_id, max_occupations, top_skills) -> pl.DataFrame | None:
    rows = wh.query(
        """
        WITH nodes AS (SELECT node_id, CAST(bipartite AS INTEGER) AS bipartite, name
                       FROM graph_nodes WHERE graph_id = ?),
        bip AS (SELECT CASE WHEN a.bipartite = 1 THEN e.source ELSE e.target END AS code,
                       CASE WHEN a.bipartite = 1 THEN b.name ELSE a.name END AS skill,
                       e.weight AS value
                FROM graph_edges e JOIN nodes a ON a.node_id = e.source
                JOIN nodes b ON b.node_id = e.target
                WHERE e.graph_id = ? AND a.bipartite <> b.bipartite),
        busiest AS (SELECT code, sum(value) AS strength FROM bip GROUP BY code
                    ORDER BY strength DESC, code LIMIT ?)
        SELECT code, skill, value, NULL::DOUBLE AS occupation_ads,
               row_number() OVER (PARTITION BY code ORDER BY value DESC, skill) AS rank
        FROM bip JOIN busiest USING (code) QUALIFY rank <= ?
        """,
        [graph_id, graph_id, max_occupations, top_skills],
    )
    return _with_titles(wh, rows) if rows.height else None


def _with_titles(wh, rows: pl.DataFrame) -> pl.DataFrame:
    titles = occupation_titles(wh, rows["code"].unique().to_list())
    return rows.with_columns(
        occupation=pl.col("code").replace_strict(titles, default=pl.col("code"))
        + " ("
        + pl.col("code")
        + ")"
    ).sort("occupation_ads", "code", "rank", descending=[True, False, False], nulls_last=True)


def _closest(wh, graph_id: str, codes: list[str], k: int = CLOSEST) -> pl.DataFrame | None:
    if not codes:
        return None
    rows = wh.query(
        """
        WITH nodes AS (SELECT node_id, name FROM graph_nodes
                       WHERE graph_id = ? AND CAST(bipartite AS INTEGER) = 1),
        pairs AS (SELECT e.source AS a, e.target AS b, e.weight FROM graph_edges e
                  JOIN nodes x ON x.node_id = e.source JOIN nodes y ON y.node_id = e.target
                  WHERE e.graph_id = ? AND e.source <> e.target),
        both_ways AS (SELECT a, b, weight FROM pairs UNION ALL SELECT b, a, weight FROM pairs)
        SELECT a AS code, b AS neighbour_code, max(weight) AS similarity,
               row_number() OVER (PARTITION BY a ORDER BY max(weight) DESC, b) AS rank
        FROM both_ways WHERE list_contains(?, a) GROUP BY a, b HAVING max(weight) >= ?
        QUALIFY rank <= ?
        """,
        [graph_id, graph_id, codes, MIN_SIMILARITY, k],
    )  # empty, not None, when no pair is similar enough: the network is there
    titles = occupation_titles(wh, list({*rows["code"], *rows["neighbour_code"]}))
    return rows.with_columns(
        occupation=pl.col("code").replace_strict(titles, default=pl.col("code"))
        + " ("
        + pl.col("code")
        + ")",
        neighbour=pl.col("neighbour_code").replace_strict(titles, default=pl.col("neighbour_code")),
    ).sort("code", "rank")


def _workbank(wh, codes: list[str]) -> pl.DataFrame | None:
    if not wh.has_table("workbank_occupations"):
        return None
    rows = wh.query("SELECT * FROM workbank_occupations ORDER BY onetsoc_code")
    if rows.height == 0:
        return None
    matched = rows.filter(pl.col("onetsoc_code").is_in(codes))
    rows = matched if matched.height >= 3 else rows  # else: show WORKBank's own occupations
    rows = rows.sort(
        "share_green_light", "occupation_title", descending=[True, False], nulls_last=True
    ).head(40)
    has = pl.col("dominant_worker_has").cast(pl.String).str.strip_chars()
    return rows.with_columns(
        occupation=pl.when(pl.col("onetsoc_code").is_not_null())
        .then(pl.col("occupation_title") + " (" + pl.col("onetsoc_code") + ")")
        .otherwise(pl.col("occupation_title")),
        in_report=pl.col("onetsoc_code").is_in(codes).fill_null(False),
        # stored as 1..5 or 'H1'..'H5': show the paper's H1..H5 either way
        dominant_worker_has=pl.when(has.str.starts_with("H")).then(has).otherwise("H" + has),
    )
