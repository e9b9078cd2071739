"""A seeded warehouse holding every table the report reads, built with the contract columns.

The stage migrations that create ``forecasts``, ``breaks``, ``graph_*``, ``workbank_*`` and
``occupations`` live on other branches, so the fixture creates them itself (``CREATE TABLE IF
NOT EXISTS`` with the columns of the contracts in the brief) and fills them with small,
realistic, seeded data. Data strings include hostile values: a skill named
``<img src=x onerror=alert(1)>`` and an occupation title and a company containing ``</script>``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from skilltide.store import Warehouse
from skilltide.store import append as _append


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


XSS_SKILL = "<img src=x onerror=alert(1)>"
SCRIPT_TITLE = "Software Developers </script><script>alert(2)</script>"
SCRIPT_COMPANY = "Acme </script><b>Corp</b>"

CONTRACT_DDL = """
CREATE TABLE IF NOT EXISTS forecasts (run_id VARCHAR, panel VARCHAR, granularity VARCHAR,
  unique_id VARCHAR, group_id VARCHAR, skill_id VARCHAR, cutoff DATE, ds DATE, model VARCHAR,
  yhat DOUBLE, lo_80 DOUBLE, hi_80 DOUBLE, lo_95 DOUBLE, hi_95 DOUBLE);
CREATE TABLE IF NOT EXISTS backtests (run_id VARCHAR, panel VARCHAR, granularity VARCHAR,
  model VARCHAR, horizon INTEGER, scenario VARCHAR, metric VARCHAR, value DOUBLE,
  n_series INTEGER);
CREATE TABLE IF NOT EXISTS breaks (run_id VARCHAR, panel VARCHAR, granularity VARCHAR,
  unique_id VARCHAR, group_id VARCHAR, skill_id VARCHAR, break_ds DATE, kind VARCHAR,
  size DOUBLE, statistic DOUBLE, p_value DOUBLE, scope VARCHAR, method VARCHAR);
CREATE TABLE IF NOT EXISTS graphs (graph_id VARCHAR, run_id VARCHAR, source VARCHAR,
  element VARCHAR, weight VARCHAR, threshold DOUBLE, params JSON);
CREATE TABLE IF NOT EXISTS graph_nodes (graph_id VARCHAR, node_id VARCHAR, bipartite INTEGER,
  name VARCHAR, soc_major VARCHAR, community INTEGER);
CREATE TABLE IF NOT EXISTS graph_edges (graph_id VARCHAR, layer VARCHAR, source VARCHAR,
  target VARCHAR, weight DOUBLE);
CREATE TABLE IF NOT EXISTS graph_metrics (graph_id VARCHAR, node_id VARCHAR, metric VARCHAR,
  value DOUBLE);
CREATE TABLE IF NOT EXISTS graph_summary (graph_id VARCHAR, metric VARCHAR, observed DOUBLE,
  null_mean DOUBLE, null_sd DOUBLE, z_score DOUBLE);
CREATE TABLE IF NOT EXISTS automation_exposure (graph_id VARCHAR, level VARCHAR,
  node_id VARCHAR, share_green_light DOUBLE, share_red_light DOUBLE, mean_desire DOUBLE,
  mean_capability DOUBLE, exposure DOUBLE);
CREATE TABLE IF NOT EXISTS workbank_occupations (onetsoc_code VARCHAR, occupation_title VARCHAR,
  n_tasks INTEGER, share_green_light DOUBLE, share_red_light DOUBLE,
  share_rnd_opportunity DOUBLE, share_low_priority DOUBLE, mean_desire DOUBLE,
  mean_capability DOUBLE, mean_worker_has DOUBLE, dominant_worker_has INTEGER);
"""

BASE_SKILLS = [
    "Python",
    "SQL",
    "Microsoft Excel",
    "JavaScript",
    "Project Management",
    "Customer Service",
    "Data Analysis",
    "Machine Learning",
    "Docker",
    "Kubernetes",
    "Accounting",
    "Nursing Care",
    "Patient Care",
    "Forklift Operation",
    "Welding",
    "Sales",
    "Negotiation",
    "Tableau",
    "Power BI",
    "Java",
    "R",
    "Go",
    "Communication",
    "Scheduling",
    "Bookkeeping",
    "Inventory Management",
    "Cloud Computing",
    "Cybersecurity",
    "Spanish",
    XSS_SKILL,
]
OCCUPATIONS = [
    ("15-1252.00", SCRIPT_TITLE),
    ("15-2051.00", "Data Scientists"),
    ("13-2011.00", "Accountants and Auditors"),
    ("29-1141.00", "Registered Nurses"),
    ("41-2031.00", "Retail Salespersons"),
    ("53-7051.00", "Industrial Truck and Tractor Operators"),
    ("51-4121.00", "Welders, Cutters, Solderers, and Brazers"),
    ("43-4051.00", "Customer Service Representatives"),
]
REGIONS = ["North", "South", "East", "West", "Central"]
COMPANIES = [SCRIPT_COMPANY, "Globex", "Initech", "Umbrella Health"]


def _skill_names(n_skills: int) -> list[str]:
    names = list(BASE_SKILLS)
    i = 1
    while len(names) < n_skills:
        names.append(f"Skill {i:03d}")
        i += 1
    return [*names[: n_skills - 1], XSS_SKILL] if n_skills < len(BASE_SKILLS) else names


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "x"


def build_warehouse(
    path: Path,
    *,
    n_skills: int = 30,
    n_months: int = 36,
    optional: bool = True,
    granularities: tuple[str, ...] = ("market", "region", "occupation", "company"),
    seed: int = 11,
) -> Path:
    """Write a warehouse at ``path`` with demand (and, if ``optional``, every stage output)."""
    rng = np.random.default_rng(seed)
    names = _skill_names(n_skills)
    skill_ids = [f"custom:{_slug(n)}-{i}" for i, n in enumerate(names)]
    months = [dt.date(2022 + (m // 12), m % 12 + 1, 1) for m in range(n_months)]
    t = np.arange(n_months)
    break_at = n_months * 2 // 3  # a market-wide level shift (a new job board)
    market_ads = 4000 + 40 * t + 300 * np.sin(2 * np.pi * t / 12)
    market_ads = market_ads * np.where(t >= break_at, 1.25, 1.0)
    base_share = rng.uniform(0.01, 0.25, n_skills)
    trend = rng.normal(0, 0.015, n_skills)
    trend[0], trend[1] = 0.03, -0.02  # one clearly rising, one clearly falling skill

    groups = {
        "market": ["all"],
        "region": REGIONS,
        "occupation": [code for code, _ in OCCUPATIONS],
        "company": COMPANIES,
    }
    with Warehouse(path) as wh:
        with wh.run("fixture demand") as run:
            append(
                run.con,
                "skills",
                pl.DataFrame(
                    {
                        "skill_id": skill_ids,
                        "name": names,
                        "kind": ["custom"] * n_skills,
                        "category": [None] * n_skills,
                        "source": ["fixture"] * n_skills,
                        "hot_technology": [False] * n_skills,
                        "in_demand": [False] * n_skills,
                        "ambiguous": [n in ("R", "Go") for n in names],
                        "run_id": [run.run_id] * n_skills,
                    }
                ),
            )
            demand_rows, total_rows = [], []
            for gran in granularities:
                gs = groups[gran]
                weights = rng.dirichlet(np.ones(len(gs)) * 3)
                for g, w in zip(gs, weights, strict=True):
                    ads = np.round(market_ads * w)
                    affinity = rng.uniform(0.3, 1.7, n_skills)
                    share = np.clip(
                        base_share[:, None] * affinity[:, None] * np.exp(trend[:, None] * t), 0, 0.9
                    )
                    counts = rng.binomial(ads.astype(int)[None, :], share)
                    for s in range(n_skills):
                        for m in range(n_months):
                            if counts[s, m] > 0:
                                demand_rows.append(
                                    (
                                        gran,
                                        g,
                                        skill_ids[s],
                                        months[m],
                                        float(counts[s, m]),
                                        float(ads[m]),
                                    )
                                )
                    total_rows += [(gran, g, months[m], float(ads[m])) for m in range(n_months)]
            demand = pl.DataFrame(
                demand_rows,
                orient="row",
                schema=["granularity", "group_id", "skill_id", "month", "count", "total"],
            )
            demand = demand.with_columns(
                panel=pl.lit("ads"),
                share=pl.col("count") / pl.col("total"),
                run_id=pl.lit(run.run_id),
            )
            run.count("demand", append(run.con, "demand", demand))
            totals = pl.DataFrame(
                total_rows, orient="row", schema=["granularity", "group_id", "month", "ads"]
            )
            append(
                run.con,
                "demand_totals",
                totals.with_columns(panel=pl.lit("ads"), run_id=pl.lit(run.run_id)),
            )
        if optional:
            wh.con.execute(CONTRACT_DDL)
            _forecast_outputs(wh, demand, months, granularities, rng, break_at)
            _graph_and_workbank(wh, names, skill_ids, rng)
    return path


def _forecast_outputs(wh, demand, months, granularities, rng, break_at) -> None:
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


def _graph_and_workbank(wh, names, skill_ids, rng) -> None:
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


@pytest.fixture(scope="session")
def full_warehouse(tmp_path_factory) -> Path:
    """A warehouse with demand and every optional stage output."""
    return build_warehouse(tmp_path_factory.mktemp("full") / "skilltide.duckdb")


@pytest.fixture(scope="session")
def bare_warehouse(tmp_path_factory) -> Path:
    """A warehouse with demand panels only: no forecasts, breaks, graph or WORKBank."""
    return build_warehouse(
        tmp_path_factory.mktemp("bare") / "skilltide.duckdb",
        optional=False,
        granularities=("market",),
    )
