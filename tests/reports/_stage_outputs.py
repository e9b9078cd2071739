"""The stage outputs of the report tests' warehouse: forecasts, backtests, breaks, the graph
tables and WORKBank, seeded, for :func:`tests.reports.conftest.build_warehouse`."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from skilltide.store import append as _append
from tests.reports._fixture_data import OCCUPATIONS


def append(con, table: str, frame: pl.DataFrame) -> int:
    """Insert fixture rows, giving required columns the fixture does not model a neutral value.

    The report reads only the contract columns; stage tables carry more NOT NULL columns
    (counts, parameters) that the report never shows.
    """
    required = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = ? AND is_nullable = 'NO'",
        [table],
    ).fetchall()
    neutral = {
        "VARCHAR": "",
        "JSON": "{}",
        "BOOLEAN": False,
        "DATE": dt.date(2000, 1, 1),
        "TIMESTAMP": dt.datetime(2000, 1, 1),
    }
    extra = {
        name: pl.lit(neutral.get(typ, 0)) for name, typ in required if name not in frame.columns
    }
    return _append(con, table, frame.with_columns(**extra) if extra else frame)


def forecast_outputs(wh, demand, months, granularities, rng, break_at) -> None:
    horizon = 6
    cutoff = months[-1]
    future = [
        dt.date(cutoff.year + (cutoff.month - 1 + h) // 12, (cutoff.month - 1 + h) % 12 + 1, 1)
        for h in range(1, horizon + 1)
    ]
    with wh.run("forecast run") as run:
        rows = []
        for gran in granularities:
            last = (
                demand.filter(pl.col("granularity") == gran, pl.col("month") >= months[-3])
                .group_by("group_id", "skill_id")
                .agg(level=pl.col("count").mean(), slope=pl.lit(0.0))
                .sort("group_id", "skill_id")
            )
            for group_id, skill_id, level, _ in last.iter_rows():
                drift = rng.normal(0, 0.04)
                for h, ds in enumerate(future, start=1):
                    # region: one model per series, as `--model auto` writes them
                    models = ("lgbm", "naive")
                    if gran == "region":
                        models = ("lgbm",) if len(skill_id) % 2 else ("naive",)
                    for model in models:
                        yhat = max(level * (1 + drift * h) if model == "lgbm" else level, 0.0)
                        width = 0.08 * level * np.sqrt(h) + 0.5
                        rows.append(
                            (
                                gran,
                                f"{group_id}/{skill_id}",
                                group_id,
                                skill_id,
                                cutoff,
                                ds,
                                model,
                                yhat,
                                max(yhat - width, 0),
                                yhat + width,
                                max(yhat - 1.6 * width, 0),
                                yhat + 1.6 * width,
                            )
                        )
        frame = pl.DataFrame(
            rows,
            orient="row",
            schema=[
                "granularity",
                "unique_id",
                "group_id",
                "skill_id",
                "cutoff",
                "ds",
                "model",
                "yhat",
                "lo_80",
                "hi_80",
                "lo_95",
                "hi_95",
            ],
        )
        append(
            run.con, "forecasts", frame.with_columns(panel=pl.lit("ads"), run_id=pl.lit(run.run_id))
        )
        bt = []
        for gran in granularities:
            for model, level in [
                ("lgbm", 0.7),
                ("naive", 1.0),
                ("seasonal_naive", 1.1),
                ("ets", 0.85),
            ]:
                for h in range(0, horizon + 1):  # 0: all steps pooled
                    for metric, scale in [("mase", 1.0), ("mae", 12.0)]:
                        bt.append(
                            (gran, model, h, "all", metric, scale * level * (1 + 0.05 * h), 200)
                        )
                bt += [
                    (gran, model, 0, "all", "coverage_80", 0.78, 200),
                    (gran, model, 0, "all", "coverage_95", 0.93, 200),
                ]
        append(
            run.con,
            "backtests",
            pl.DataFrame(
                bt,
                orient="row",
                schema=[
                    "granularity",
                    "model",
                    "horizon",
                    "scenario",
                    "metric",
                    "value",
                    "n_series",
                ],
            ).with_columns(panel=pl.lit("ads"), run_id=pl.lit(run.run_id)),
        )
    with wh.run("breaks detect") as run:
        rows = []
        for gran in granularities:
            series = (
                demand.filter(pl.col("granularity") == gran)
                .select("group_id", "skill_id")
                .unique()
                .sort("group_id", "skill_id")
            )
            for i, (group_id, skill_id) in enumerate(series.iter_rows()):
                if i % 3 == 0:
                    rows.append(
                        (
                            gran,
                            f"{group_id}/{skill_id}",
                            group_id,
                            skill_id,
                            months[break_at],
                            "level",
                            25.0,
                            40.0,
                            0.001,
                            "market",
                            "supf",
                        )
                    )
                if i % 7 == 1:
                    rows.append(
                        (
                            gran,
                            f"{group_id}/{skill_id}",
                            group_id,
                            skill_id,
                            months[break_at // 2],
                            "trend",
                            -1.5,
                            18.0,
                            0.02,
                            "series",
                            "bai_perron",
                        )
                    )
        append(
            run.con,
            "breaks",
            pl.DataFrame(
                rows,
                orient="row",
                schema=[
                    "granularity",
                    "unique_id",
                    "group_id",
                    "skill_id",
                    "break_ds",
                    "kind",
                    "size",
                    "statistic",
                    "p_value",
                    "scope",
                    "method",
                ],
            ).with_columns(panel=pl.lit("ads"), run_id=pl.lit(run.run_id)),
        )


def graph_and_workbank(wh, names, skill_ids, rng) -> None:
    n = len(names)
    with wh.run("onet load") as run:
        # ``occupations`` is a view over the loaded O*NET release (migration 0003).
        append(
            run.con,
            "onet_occupation_data",
            pl.DataFrame(
                {
                    "onetsoc_code": [c for c, _ in OCCUPATIONS],
                    "title": [t for _, t in OCCUPATIONS],
                    "description": ["…"] * len(OCCUPATIONS),
                    "release": ["30.1"] * len(OCCUPATIONS),
                    "run_id": [run.run_id] * len(OCCUPATIONS),
                }
            ),
        )
        run.con.execute(
            "INSERT INTO onet_files VALUES ('30.1', 30, 1, 'Occupation Data',"
            " 'onet_occupation_data', 'text', 'fixture', ?, 'fixture', ?)",
            [len(OCCUPATIONS), run.run_id],
        )
    with wh.run("workbank load") as run:
        shares = rng.dirichlet(np.ones(4), len(OCCUPATIONS) - 2)
        has = rng.dirichlet(np.ones(5), len(OCCUPATIONS) - 2)
        append(
            run.con,
            "workbank_occupations",
            pl.DataFrame(
                {
                    "onetsoc_code": [c for c, _ in OCCUPATIONS[:-2]],
                    "occupation_title": [t for _, t in OCCUPATIONS[:-2]],
                    "n_tasks": [12] * len(shares),
                    "share_green_light": shares[:, 0],
                    "share_red_light": shares[:, 1],
                    "share_rnd_opportunity": shares[:, 2],
                    "share_low_priority": shares[:, 3],
                    "mean_desire": rng.uniform(1.8, 4.0, len(shares)),
                    "mean_capability": rng.uniform(1.8, 4.0, len(shares)),
                    "mean_worker_has": rng.uniform(1.5, 4.0, len(shares)),
                    "dominant_worker_has": rng.integers(
                        1, 6, len(shares)
                    ).tolist(),  # 1..5 as stored
                    **{f"share_worker_h{level}": has[:, level - 1] for level in range(1, 6)},
                    "run_id": [run.run_id] * len(shares),
                }
            ),
        )
    with wh.run("graph build") as run:
        gid = "g-" + run.run_id
        append(
            run.con,
            "graphs",
            pl.DataFrame(
                {
                    "graph_id": [gid],
                    "run_id": [run.run_id],
                    "source": ["ads"],
                    "element": ["skills"],
                    "weight": ["rca"],
                    "threshold": [1.0],
                    "params": ['{"seed": 7}'],
                }
            ),
        )
        community = [i % 4 for i in range(n)]
        occ_ids = [c for c, _ in OCCUPATIONS]
        append(
            run.con,
            "graph_nodes",
            pl.DataFrame(
                {
                    "graph_id": [gid] * (n + len(occ_ids)),
                    "node_id": skill_ids + occ_ids,
                    "bipartite": [0] * n + [1] * len(occ_ids),
                    "name": names + [t for _, t in OCCUPATIONS],
                    "soc_major": [None] * n + [c[:2] + "-0000" for c in occ_ids],
                    "community": community + [i % 4 for i in range(len(occ_ids))],
                }
            ),
        )
        edges = []
        for i in range(n):
            for j in range(i + 1, n):
                same = community[i] == community[j]
                if rng.random() < (0.5 if same else 0.06):
                    edges.append(
                        (
                            "skill",
                            skill_ids[i],
                            skill_ids[j],
                            float(rng.uniform(0.3, 0.9) if same else rng.uniform(0.05, 0.3)),
                        )
                    )
        for i, occ in enumerate(occ_ids):
            for s in rng.choice(n, size=min(10, n), replace=False):
                edges.append(("bipartite", skill_ids[s], occ, float(rng.uniform(0.5, 3))))
            for j in range(i + 1, len(occ_ids)):
                edges.append(("occupation", occ, occ_ids[j], float(rng.uniform(0.05, 0.95))))
        append(
            run.con,
            "graph_edges",
            pl.DataFrame(
                edges, orient="row", schema=["layer", "source", "target", "weight"]
            ).with_columns(graph_id=pl.lit(gid)),
        )
        append(
            run.con,
            "graph_metrics",
            pl.DataFrame(
                {
                    "graph_id": [gid] * n,
                    "node_id": skill_ids,
                    "metric": ["strength"] * n,
                    "value": rng.uniform(0.5, 10, n),
                }
            ),
        )
        append(
            run.con,
            "graph_summary",
            pl.DataFrame(
                {
                    "graph_id": [gid],
                    "metric": ["modularity"],
                    "observed": [0.41],
                    "null_mean": [0.12],
                    "null_sd": [0.02],
                    "z_score": [14.5],
                }
            ),
        )
        append(
            run.con,
            "automation_exposure",
            pl.DataFrame(
                {
                    "graph_id": [gid] * n,
                    "level": ["skill"] * n,
                    "node_id": skill_ids,
                    "share_green_light": rng.uniform(0, 0.8, n),
                    "share_red_light": rng.uniform(0, 0.5, n),
                    "mean_desire": rng.uniform(2, 4, n),
                    "mean_capability": rng.uniform(2, 4, n),
                    "share_rnd_opportunity": rng.uniform(0, 0.3, n),
                }
            ),
        )
