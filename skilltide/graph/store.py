"""Build the network from warehouse inputs and write every output in one run.

:func:`build_graph_warehouse` is the pipeline entry point (``skilltide graph build``, the
demo, ``skilltide run``). Inputs by ``source``:

- ``onet``: the ``onet_ratings`` view (element skills | knowledge | abilities | activities;
  weight importance → scale IM, level → scale LV, rca → RCA of IM) or ``technology_skills``
  (element technology: presence, weight presence or rca);
- ``ads``: ``ads`` × ``ad_skills``, the number of ads per (occupation, skill) (weight count,
  also accepted as importance, or rca).

Outputs: ``graphs``, ``graph_nodes``, ``graph_edges``, ``graph_metrics``,
``graph_neighbours``, ``graph_summary`` and, when WORKBank is loaded,
``automation_exposure`` — all in one :meth:`~skilltide.store.Warehouse.run`, so a failure
leaves the warehouse as it was.

Example
-------
>>> with Warehouse("w.duckdb") as wh:  # doctest: +SKIP
...     build_graph_warehouse(wh, source="onet", element="skills", weight="rca")["n_edges"]
14081
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.graph.analysis import analyse
from skilltide.graph.build import bipartite_matrix, select_edges
from skilltide.graph.exposure import EXPOSURE_COLUMNS, automation_exposure, edge_intensity
from skilltide.graph.options import ELEMENTS, SOURCES, WEIGHTS, check_options
from skilltide.graph.polarization import employment_weights
from skilltide.store import Warehouse, append, frame, relations

__all__ = [
    "ELEMENTS",
    "SOURCES",
    "WEIGHTS",
    "build_graph_warehouse",
    "load_input",
    "require_input",
]


def _soc_major(code: pl.Expr) -> pl.Expr:
    return pl.when(code.str.contains(r"^\d{2}-\d{4}")).then(code.str.slice(0, 2) + "-0000")


def _require(wh_con, *tables: str, also: str = "") -> None:
    """Refuse ``tables`` missing or empty, saying what loads them (``also`` first: a config's
    own remedy, ``set [onet] dirs, or ``)."""
    from skilltide.store import relations

    present = relations(wh_con)
    # A table that exists but is empty (O*NET views before any load) counts as missing.
    missing = [
        t
        for t in tables
        if t not in present or not wh_con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchall()
    ]
    if not missing:
        return
    if missing == ["ad_skills"]:  # ads are stored, but none names a skill of the vocabulary
        hint = (
            "no stored ad mentions a skill of the vocabulary; load O*NET (skilltide onet load) "
            "or add your skills (skilltide onet taxonomy add), then ingest the ads again"
        )
    elif any(t in ("onet_ratings", "technology_skills") for t in missing):
        hint = f"{also}load O*NET first (skilltide onet load)"
    else:
        hint = f"{also}ingest ads first (skilltide ingest ads)"
    raise UserError(f"warehouse has no {', '.join(missing)}: {hint}")


def _hint(element: str) -> str:
    """Where an O*NET domain's ratings come from (30.1's text files have no Skills.txt)."""
    files = {"skills": "Skills", "knowledge": "Knowledge", "abilities": "Abilities"}
    name = files.get(element, "Work Activities")
    return (
        ""
        if element == "technology"
        else f": the O*NET releases loaded have no {name} file ({name}.txt or .xlsx); load one"
        " that has it (skilltide onet load DIR), or build from the technology each occupation"
        " uses (--element technology)"
    )


def require_input(con, source: str, element: str, also: str = "") -> None:
    """Refuse a warehouse without the tables a build from ``source`` and ``element`` reads
    (``skilltide run`` checks so before its first stage when none of its stages loads them,
    with its config's remedy in ``also``)."""
    if source == "ads":
        _require(con, "ads", "ad_skills", also=also)
    else:
        table = "technology_skills" if element == "technology" else "onet_ratings"
        _require(con, table, also=also)


def load_input(
    con, source: str, element: str, weight: str
) -> tuple[pl.DataFrame, str, dict[str, str], pl.DataFrame | None]:
    """Read the (occupation, skill, weight) frame for a build from the warehouse.

    Returns the frame, the edge-weight kind (``raw`` or ``rca``), node names, and the
    occupation weights for the automation overlay (ads per occupation for ``ads``).
    """
    check_options(source, element, weight)
    require_input(con, source, element)
    kind = "rca" if weight == "rca" else "raw"
    occupation_weights = None
    if source == "ads":
        data = frame(
            con,
            "SELECT a.occupation, s.skill_id AS skill, count(DISTINCT a.ad_id)::DOUBLE AS weight"
            " FROM ads a JOIN ad_skills s USING (ad_id) WHERE a.occupation IS NOT NULL"
            " GROUP BY ALL ORDER BY 1, 2",
        )
        if data.height == 0:  # skills were found, but no ad has an occupation to link them to
            onet = con.execute("SELECT count(*) FROM onet_occupation_data").fetchone()[0]
            raise UserError(
                "no ad with both an occupation and a skill to build the network from: map the"
                " ads' occupation column (--map occupation=COLUMN)"
                + (
                    "; the title coder found no occupation in their titles"
                    if onet
                    else ", or load O*NET first so that the title coder codes their titles"
                    " (skilltide onet load)"
                )
            )
        occupation_weights = frame(
            con,
            "SELECT occupation, count(*)::DOUBLE AS weight FROM ads"
            " WHERE occupation IS NOT NULL GROUP BY 1",
        )
    elif element == "technology":
        has_skills = "skills" in relations(con)
        join = (
            " LEFT JOIN (SELECT name, min(skill_id) AS skill_id FROM skills"
            " WHERE kind = 'technology' GROUP BY name) s ON s.name = t.example"
            if has_skills
            else ""
        )
        skill = (
            "coalesce(s.skill_id, 'tech:' || t.example)" if has_skills else ("'tech:' || t.example")
        )
        data = frame(
            con,
            f"SELECT DISTINCT t.onetsoc_code AS occupation, {skill} AS skill, 1.0 AS weight"
            f" FROM technology_skills t{join} ORDER BY 1, 2",
        )
    else:
        scale = "LV" if weight == "level" else "IM"
        data = frame(
            con,
            "SELECT onetsoc_code AS occupation, 'onet:' || element_id AS skill,"
            " max(element_name) AS name, avg(data_value)::DOUBLE AS weight"
            " FROM onet_ratings WHERE domain = ? AND scale_id = ? AND data_value IS NOT NULL"
            " GROUP BY 1, 2 ORDER BY 1, 2",
            [element, scale],
        )
    if data.height == 0:
        raise UserError(f"no {element} data for source {source} in the warehouse{_hint(element)}")
    names: dict[str, str] = {}
    if "name" in data.columns:
        names.update(dict(data.select("skill", "name").unique("skill").iter_rows()))
        data = data.drop("name")
    if "skills" in relations(con):
        names.update(
            {
                k: v
                for k, v in frame(con, "SELECT skill_id, name FROM skills").iter_rows()
                if k not in names
            }
        )
    if "occupations" in relations(con):
        names.update(dict(frame(con, "SELECT onetsoc_code, title FROM occupations").iter_rows()))
    return data, kind, names, occupation_weights


def _input_runs(con, source: str, element: str) -> dict[str, list]:
    """What a build read: the ads' ingest runs, or the O*NET releases of its ratings or
    technology skills; and the WORKBank load of the overlay."""
    if source == "ads":
        key, sql, params = "ads_runs", "SELECT DISTINCT run_id FROM ads", []
    elif element == "technology":
        key, sql, params = "onet_releases", "SELECT DISTINCT release FROM technology_skills", []
    else:
        key, sql = "onet_releases", "SELECT DISTINCT release FROM onet_ratings WHERE domain = ?"
        params = [element]
    found = {key: con.execute(sql, params).fetchall()}
    if "workbank_occupations" in relations(con):
        sql = "SELECT DISTINCT run_id FROM workbank_occupations"
        found["workbank_runs"] = con.execute(sql).fetchall()
    return {k: sorted(r[0] for r in rows) for k, rows in found.items()}


def build_graph_warehouse(
    wh: Warehouse,
    source: str = "ads",
    element: str = "skills",
    weight: str = "importance",
    threshold: float | None = None,
    seed: int = 0,
    *,
    n_null: int = 20,
    neighbours: int = 10,
    employment: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Build, measure and store one skill–occupation network; return a JSON-able summary.

    Parameters
    ----------
    wh : Warehouse
    source : {"onet", "ads"}
    element : {"skills", "knowledge", "abilities", "activities", "technology"}
        O*NET domain (``skills`` only for ``ads``, whose skills are the extracted ones).
    weight : {"importance", "level", "rca", "presence", "count"}
        For ``ads``, ``importance`` (the default) and ``presence`` mean ``count``; for O*NET
        ``technology``, ``importance`` means ``presence``.
    threshold : float, optional
        ``None``: edges where the occupation uses the skill effectively (RCA > 1); for
        technology presence every listed pair. A number: edges whose weight is above it.
    seed : int
        Seeds Louvain, sampled betweenness and the null model.
    n_null : int
        Degree-preserving randomisations behind the z-scores.
    employment : polars.DataFrame, optional
        ``soc, tot_emp`` (e.g. :func:`skilltide.graph.polarization.oews_wages`): weights the
        automation overlay by employment; a SOC code's employment is split equally among
        its O*NET-SOC occupations (:func:`employment_weights`). Default: ads per occupation
        for ``ads``, equal for O*NET.
    """
    if threshold is not None and not threshold >= 0:  # weights are never negative
        raise UserError(f"threshold must be a number >= 0 (0 keeps every pair), not {threshold}")
    check_options(source, element, weight)
    if source == "ads":  # store what an ads network is, not the O*NET defaults
        if weight in ("importance", "presence"):
            weight = "count"  # the raw weight of an ads network: ads asking for the skill
    elif element == "technology" and weight == "importance":
        weight = "presence"  # technology skills are listed, not rated
    args = {
        "source": source,
        "element": element,
        "weight": weight,
        "threshold": threshold,
        "seed": seed,
        "n_null": n_null,
        "neighbours": neighbours,
    }
    with wh.run("graph build", args) as run:
        con = run.con
        with run.stage("read"):
            data, kind, names, occupation_weights = load_input(con, source, element, weight)
            run.notes["inputs"] = _input_runs(con, source, element)  # provenance
        rule_threshold = threshold
        if threshold is None and source == "onet" and element == "technology" and kind == "raw":
            rule_threshold = 0.0  # presence: every listed pair is an edge
        with run.stage("build"):
            edges = select_edges(data, weight=kind, threshold=rule_threshold)
            if edges.height == 0:
                rule = "RCA > 1" if threshold is None else f"weight > {threshold}"
                raise UserError(f"no edges left after the threshold ({rule})")
            matrix = bipartite_matrix(edges)
        overlay_weights, weighting = occupation_weights, "demand"
        if employment is not None:
            overlay_weights, weighting = (
                employment_weights(matrix.occupations, employment),
                ("employment"),
            )
        elif occupation_weights is None:
            weighting = "equal"
        soc = dict(
            pl.DataFrame({"o": matrix.occupations})
            .with_columns(m=_soc_major(pl.col("o")))
            .iter_rows()
        )
        result = analyse(
            matrix,
            names=names,
            soc_major=soc,
            seed=seed,
            n_null=n_null,
            neighbours=neighbours,
            stage=run.stage,
        )
        graph_id = run.run_id
        params = {
            **args,
            "threshold_rule": "rca > 1" if rule_threshold is None else f"weight > {rule_threshold}",
            **result.notes,
        }
        with run.stage("write"):
            tag = {"graph_id": graph_id, "run_id": run.run_id}
            append(
                con,
                "graphs",
                pl.DataFrame(
                    [
                        {
                            **tag,
                            "source": source,
                            "element": "skills" if source == "ads" else element,
                            "weight": weight,
                            "threshold": threshold,
                            "params": json.dumps(params, sort_keys=True, default=str),
                            "n_skills": len(matrix.skills),
                            "n_occupations": len(matrix.occupations),
                            "n_edges": matrix.n_edges,
                            "created": datetime.now(UTC).replace(tzinfo=None),
                        }
                    ]
                ),
            )
            run.count("graphs", 1)
            nodes = pl.DataFrame(
                {
                    "node_id": matrix.skills + matrix.occupations,
                    "bipartite": [0] * len(matrix.skills) + [1] * len(matrix.occupations),
                },
                schema={"node_id": pl.String, "bipartite": pl.Int8},
            ).with_columns(
                name=pl.col("node_id").replace_strict(names, default=pl.col("node_id")),
                soc_major=pl.when(pl.col("bipartite") == 1).then(_soc_major(pl.col("node_id"))),
                community=pl.col("node_id").replace_strict(
                    {str(k): v for k, v in result.communities.items()},
                    default=None,
                    return_dtype=pl.Int32,
                ),
                **{k: pl.lit(v) for k, v in tag.items()},
            )
            run.count("graph_nodes", append(con, "graph_nodes", nodes))
            for table, frame_ in (
                ("graph_edges", result.edges),
                ("graph_metrics", result.node_metrics),
                ("graph_neighbours", result.neighbours.rename({"node": "node_id"})),
                ("graph_summary", result.summary),
            ):
                run.count(
                    table,
                    append(
                        con, table, frame_.with_columns(**{k: pl.lit(v) for k, v in tag.items()})
                    ),
                )
            exposure_rows = 0
            if "workbank_occupations" in relations(con):
                workbank = frame(con, "SELECT * FROM workbank_occupations")
                if workbank.height:
                    occupation_communities = nodes.filter(pl.col("bipartite") == 1).select(
                        pl.col("node_id").alias("occupation"), "community"
                    )
                    exposure = automation_exposure(  # ad counts: as shares of ads
                        edge_intensity(edges, occupation_weights if kind == "raw" else None),
                        workbank,
                        occupation_weights=overlay_weights,
                        communities=occupation_communities,
                    ).with_columns(
                        weighting=pl.lit(weighting),
                        **{k: pl.lit(v) for k, v in tag.items()},
                    )
                    exposure_rows = append(con, "automation_exposure", exposure)
                    run.count("automation_exposure", exposure_rows)
            if not exposure_rows:
                run.notes["automation_exposure"] = "WORKBank not loaded: no overlay"
        summary = {
            row["metric"]: {
                k: row[k]
                for k in ("observed", "null_mean", "null_sd", "z_score", "p_value", "n_null")
                if row[k] is not None and (k != "n_null" or row["p_value"] is not None)
            }
            for row in result.summary.iter_rows(named=True)
        }
    return {
        "graph_id": graph_id,
        "run_id": run.run_id,
        "source": source,
        "element": element,
        "weight": weight,
        "threshold": threshold,
        "n_skills": len(matrix.skills),
        "n_occupations": len(matrix.occupations),
        "n_edges": matrix.n_edges,
        "exposure_rows": exposure_rows,
        "summary": summary,
        "exposure_columns": EXPOSURE_COLUMNS if exposure_rows else [],
    }
