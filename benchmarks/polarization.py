"""Replication of Alabdulkareem et al. (2018) on O*NET 29.3 Skills and OEWS May 2024 wages.

Builds the skill–occupation network (importance, effective use RCA > 1), the skill
complementarity network θ and its Louvain communities, tests modularity against
degree-preserving randomisations, and correlates occupations' lean to the social-cognitive
community with mean annual wages (Spearman). Baseline in the same run: the same wage test
with occupations split by SOC major group only (no network), and with random skill
communities of the same sizes.

Usage: python benchmarks/polarization.py [--null 50] [--seed 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from skilltide.graph.analysis import analyse
from skilltide.graph.build import bipartite_matrix, select_edges
from skilltide.graph.polarization import (
    community_lean,
    oews_wages,
    social_cognitive_community,
    wage_correlation,
)


def read_onet_skills_excel(path: Path) -> tuple[pl.DataFrame, dict[str, str]]:
    """Importance ratings (scale IM) of the official O*NET Skills.xlsx as (occupation, skill,
    weight), and element names."""
    raw = pl.read_excel(
        path, columns=["O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"]
    )
    importance = raw.filter(pl.col("Scale ID") == "IM").select(
        pl.col("O*NET-SOC Code").alias("occupation"),
        pl.col("Element ID").alias("skill"),
        pl.col("Data Value").cast(pl.Float64).alias("weight"),
    )
    names = dict(raw.select("Element ID", "Element Name").unique().iter_rows())
    return importance, names


def replicate(n_null: int = 50, seed: int = 0) -> dict:
    started = time.perf_counter()
    importance, names = read_onet_skills_excel(shared_data("onet", "29.3", "Skills.xlsx"))
    wages = oews_wages(shared_data("oews", "national_M2024_dl.xlsx"))
    read_seconds = time.perf_counter() - started
    edges = select_edges(importance, weight="rca")  # RCA > 1, weight = RCA
    matrix = bipartite_matrix(edges)
    t0 = time.perf_counter()
    result = analyse(matrix, names=names, seed=seed, n_null=n_null)
    analyse_seconds = time.perf_counter() - t0
    theta_membership = {
        row["node_id"]: int(row["value"])
        for row in result.node_metrics.filter(
            pl.col("metric") == "complementarity_community"
        ).iter_rows(named=True)
    }
    social = social_cognitive_community(theta_membership, names)
    communities = {}
    for community in sorted(set(theta_membership.values())):
        members = sorted(names[s] for s, c in theta_membership.items() if c == community)
        communities[f"{community}{' (social-cognitive)' if community == social else ''}"] = members
    social_skills = {s for s, c in theta_membership.items() if c == social}
    lean_importance = community_lean(importance, social_skills)
    lean_share = community_lean(importance, social_skills, method="share")
    summary = {
        r["metric"]: {k: r[k] for k in ("observed", "null_mean", "null_sd", "z_score", "p_value")}
        for r in result.summary.iter_rows(named=True)
    }
    # Baselines: random skill groups of the same size; SOC major group means (no network).
    rng = np.random.default_rng(seed)
    skills = sorted(importance["skill"].unique())
    random_rhos = []
    for _ in range(200):
        group = set(rng.choice(skills, size=len(social_skills), replace=False).tolist())
        random_rhos.append(wage_correlation(community_lean(importance, group), wages)["rho"])
    # Baseline 2: no network, the published grouping is replaced by O*NET's own content
    # model split (basic skills 2.A vs cross-functional skills 2.B).
    basic = {s for s in skills if s.startswith("2.A")}
    content_model = wage_correlation(community_lean(importance, basic), wages)
    rho = wage_correlation(lean_importance, wages)["rho"]
    return {
        "data": {
            "onet": "29.3 Skills.xlsx (IM)",
            "wages": "OEWS May 2024 A_MEAN (detailed)",
            "occupations": len(matrix.occupations),
            "skills": len(matrix.skills),
            "edges_rca_gt_1": matrix.n_edges,
        },
        "complementarity_communities": communities,
        "complementarity_modularity": summary["complementarity_modularity"],
        "bipartite_modularity": summary["modularity"],
        "nodf": summary["nodf"],
        "degree_assortativity": summary["degree_assortativity"],
        "n_null": n_null,
        "wage_spearman_importance_weighted": wage_correlation(lean_importance, wages),
        "wage_spearman_importance_share": wage_correlation(lean_share, wages),
        "baseline_random_skill_groups": {
            "rho_mean": float(np.mean(random_rhos)),
            "rho_95th_percentile": float(np.percentile(random_rhos, 95)),
            "draws": len(random_rhos),
        },
        "baseline_content_model_basic_skills": content_model,
        "ratios": {
            "rho_over_random_95th_percentile": round(
                rho / float(np.percentile(random_rhos, 95)), 3
            ),
            "rho_over_content_model": round(rho / content_model["rho"], 3),
        },
        "seconds": {"read": round(read_seconds, 2), "analyse": round(analyse_seconds, 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null", type=int, default=50, help="randomisations (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    out = replicate(args.null, args.seed)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(
        f"O*NET 29.3 skills: {out['data']['skills']} skills × {out['data']['occupations']} "
        f"occupations, {out['data']['edges_rca_gt_1']} edges with RCA > 1"
    )
    for name, members in out["complementarity_communities"].items():
        print(f"community {name}: {', '.join(members)}")
    for key in (
        "complementarity_modularity",
        "bipartite_modularity",
        "nodf",
        "degree_assortativity",
    ):
        r = out[key]
        z = "n/a (null has no spread)" if r["z_score"] is None else f"{r['z_score']:.1f}"
        print(
            f"{key:<28} observed {r['observed']:.4f}  null {r['null_mean']:.4f} ± "
            f"{r['null_sd']:.4f}  z {z}  empirical p {r['p_value']:.3g}"
            f"  ({out['n_null']} randomisations)"
        )
    for key in ("wage_spearman_importance_weighted", "wage_spearman_importance_share"):
        r = out[key]
        print(f"{key:<40} rho {r['rho']:.3f}  p {r['p_value']:.2e}  n {r['n']}")
    b = out["baseline_random_skill_groups"]
    print(
        f"baseline: random skill groups of the same size: mean rho {b['rho_mean']:.3f}, "
        f"95th percentile {b['rho_95th_percentile']:.3f} ({b['draws']} draws); "
        f"observed / 95th percentile {out['ratios']['rho_over_random_95th_percentile']:.2f}"
    )
    c = out["baseline_content_model_basic_skills"]
    print(
        f"baseline: O*NET basic (2.A) vs cross-functional skills: rho {c['rho']:.3f} "
        f"(p {c['p_value']:.2e}); observed / baseline {out['ratios']['rho_over_content_model']:.2f}"
    )
    print(f"seconds: {out['seconds']}")


if __name__ == "__main__":
    main()
