"""A seeded warehouse holding every table the report reads.

The warehouse's own migrations create the tables; :func:`build_warehouse` fills the demand
panels, and :mod:`tests.reports._stage_outputs` the forecasts, breaks, graph and WORKBank
tables, with small, realistic, seeded data. Data strings include hostile values: a skill named
``<img src=x onerror=alert(1)>`` and an occupation title and a company containing ``</script>``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from skilltide.store import Warehouse
from tests.reports._fixture_data import (
    BASE_SKILLS,
    COMPANIES,
    OCCUPATIONS,
    REGIONS,
    XSS_SKILL,
)
from tests.reports._stage_outputs import append, forecast_outputs, graph_and_workbank


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
            forecast_outputs(wh, demand, months, granularities, rng, break_at)
            graph_and_workbank(wh, names, skill_ids, rng)
    return path


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
