"""A tiny warehouse holding the contract inputs of the graph stage.

FIXTURE NOTE: the onet and ingest stages write ``onet_ratings``, ``technology_skills``,
``occupations``, ``workbank_occupations``, ``ads`` and ``ad_skills``. This fixture creates
small stand-ins with the contract columns (COMMON.md) so the graph stage is tested on its
own; where a migration already made one of them (a table or a view) it is replaced in the
test warehouse only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from skilltide.store import Warehouse, append

SOCIAL = {
    "2.A.1.b": "Active Listening",
    "2.A.2.a": "Critical Thinking",
    "2.A.1.c": "Writing",
    "2.B.1.b": "Persuasion",
}
PHYSICAL = {
    "2.B.5.d": "Equipment Maintenance",
    "2.B.5.f": "Repairing",
    "2.B.4.g": "Operation and Control",
    "2.B.3.e": "Installation",
}
OFFICE = [f"13-20{i:02d}.00" for i in range(1, 7)]
TRADES = [f"47-21{i:02d}.00" for i in range(1, 7)]

_CONTRACT = {
    "onet_ratings": "onetsoc_code VARCHAR, element_id VARCHAR, element_name VARCHAR,"
    " domain VARCHAR, scale_id VARCHAR, data_value DOUBLE, n DOUBLE, standard_error DOUBLE,"
    " recommend_suppress VARCHAR, not_relevant VARCHAR, release VARCHAR",
    "technology_skills": "onetsoc_code VARCHAR, example VARCHAR, commodity_code VARCHAR,"
    " commodity_title VARCHAR, hot_technology BOOLEAN, in_demand BOOLEAN, release VARCHAR",
    "occupations": "onetsoc_code VARCHAR, title VARCHAR, description VARCHAR, release VARCHAR",
    "workbank_occupations": "onetsoc_code VARCHAR, occupation_title VARCHAR, n_tasks INTEGER,"
    " share_green_light DOUBLE, share_red_light DOUBLE, share_rnd_opportunity DOUBLE,"
    " share_low_priority DOUBLE, mean_desire DOUBLE, mean_capability DOUBLE,"
    " mean_worker_has DOUBLE, dominant_worker_has DOUBLE, run_id VARCHAR",
    "ads": "ad_id VARCHAR, source VARCHAR, external_id VARCHAR, file_id VARCHAR,"
    " row_number BIGINT, posted_at DATE, month DATE, title VARCHAR, company VARCHAR,"
    " region VARCHAR, occupation VARCHAR, occupation_score DOUBLE, occupation_source VARCHAR,"
    " run_id VARCHAR",
    "ad_skills": "ad_id VARCHAR, skill_id VARCHAR, found_in VARCHAR",
}


def _replace(con, name: str, columns: str) -> None:
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    if kind:
        con.execute(f'DROP {"VIEW" if kind[0] == "VIEW" else "TABLE"} "{name}" CASCADE')
    con.execute(f'CREATE TABLE "{name}" ({columns})')


def ratings() -> pl.DataFrame:
    """Importance: each block of occupations rates its own block of skills high."""
    rng = np.random.default_rng(0)
    rows = []
    for occupation in OFFICE + TRADES:
        for element, name in {**SOCIAL, **PHYSICAL}.items():
            own = (occupation in OFFICE) == (element in SOCIAL)
            for scale in ("IM", "LV"):
                value = (4.0 if own else 1.6) + rng.uniform(-0.3, 0.3)
                rows.append((occupation, element, name, "skills", scale, round(value, 2)))
    return pl.DataFrame(
        rows,
        orient="row",
        schema=["onetsoc_code", "element_id", "element_name", "domain", "scale_id", "data_value"],
    ).with_columns(release=pl.lit("29.3"))


def fill(wh: Warehouse) -> None:
    con = wh.con
    for name, columns in _CONTRACT.items():
        _replace(con, name, columns)
    append(con, "onet_ratings", ratings())
    append(
        con,
        "occupations",
        pl.DataFrame(
            {
                "onetsoc_code": OFFICE + TRADES,
                "title": [f"Office job {i}" for i in range(6)]
                + [f"Trade job {i}" for i in range(6)],
                "release": ["30.1"] * 12,
            }
        ),
    )
    tech = (
        [(o, t) for o in OFFICE for t in ("Microsoft Excel", "SAP")]
        + [(o, t) for o in TRADES for t in ("AutoCAD", "Microsoft Excel")]
        + [(OFFICE[0], "Python")]
    )
    append(
        con,
        "technology_skills",
        pl.DataFrame(tech, orient="row", schema=["onetsoc_code", "example"]).with_columns(
            release=pl.lit("30.1")
        ),
    )
    append(
        con,
        "workbank_occupations",
        pl.DataFrame(
            {
                "onetsoc_code": [OFFICE[0], OFFICE[1], TRADES[0]],
                "share_green_light": [0.6, 0.4, 0.1],
                "share_red_light": [0.1, 0.2, 0.5],
                "share_rnd_opportunity": [0.2, 0.2, 0.2],
                "share_low_priority": [0.1, 0.2, 0.2],
                "mean_desire": [3.5, 3.0, 2.0],
                "mean_capability": [3.0, 3.2, 2.5],
                "mean_worker_has": [2.0, 2.5, 4.0],
                "run_id": ["workbank-run"] * 3,
            }
        ),
    )
    ads = []
    skills = []
    for i in range(60):
        occupation = (OFFICE + TRADES)[i % 12]
        pool = list(SOCIAL if occupation in OFFICE else PHYSICAL)
        ads.append((f"ad{i}", occupation))
        for element in pool[: 2 + i % 3]:
            skills.append((f"ad{i}", f"onet:{element}", "body"))
        skills.append((f"ad{i}", "custom:teamwork", "body"))
    ads_frame = pl.DataFrame(ads, orient="row", schema=["ad_id", "occupation"])
    append(con, "ads", ads_frame.with_columns(run_id=pl.lit("ingest-run")))
    append(
        con,
        "ad_skills",
        pl.DataFrame(skills, orient="row", schema=["ad_id", "skill_id", "found_in"]),
    )


@pytest.fixture
def filled_db(tmp_path: Path) -> Path:
    """Path of a warehouse holding the small contract inputs above."""
    path = tmp_path / "graph.duckdb"
    with Warehouse(path) as wh:
        fill(wh)
    return path
