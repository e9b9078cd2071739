"""Speed and memory of building and measuring the skill–occupation network.

Two real graphs: O*NET 30.1 technology skills × occupations (bipartite, presence) and the
Job-SDF national skill co-occurrence graph (unipartite, no weights). Each step is timed and
its peak resident memory above the step's start is sampled from /proc every 5 ms. Baselines
in the same run: networkx's generic functions for the same measures (eigenvector centrality,
bipartite clustering, betweenness on a subgraph or sampled with the same k), with the ratio,
and the accuracy of sampled betweenness against exact.

Usage: python benchmarks/graph.py [--null 5] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
from networkx.algorithms import bipartite as nxb
from scipy import sparse, stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from skilltide.graph import communities as comm
from skilltide.graph.analysis import analyse
from skilltide.graph.build import bipartite_matrix, select_edges
from skilltide.graph.measures import (
    betweenness,
    bipartite_clustering,
    bipartite_eigenvector,
    degree_assortativity,
    eigenvector_centrality,
    local_clustering,
    strength,
)
from skilltide.graph.projection import spanning_backbone

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * _PAGE


class Probe:
    """Times steps and samples their peak RSS increase; collects rows."""

    def __init__(self, graph: str) -> None:
        self.graph = graph
        self.rows: list[dict] = []

    @contextlib.contextmanager
    def __call__(self, step: str):
        start_rss = _rss()
        peak = [start_rss]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.005):
                peak[0] = max(peak[0], _rss())

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield {}
        finally:
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0
            done.set()
            thread.join()
            peak[0] = max(peak[0], _rss())
            self.rows.append(
                {
                    "graph": self.graph,
                    "step": step,
                    "seconds": round(seconds, 3),
                    "cpu_seconds": round(cpu, 3),
                    "peak_mb": round((peak[0] - start_rss) / 2**20, 1),
                }
            )


def technology(n_null: int) -> tuple[list[dict], dict]:
    probe = Probe("onet_technology")
    with probe("read"):
        raw = pl.read_csv(
            shared_data("onet", "30.1", "Technology Skills.txt"), separator="\t", quote_char=None
        )
        frame = (
            raw.select(
                pl.col("O*NET-SOC Code").alias("occupation"), pl.col("Example").alias("skill")
            )
            .unique()
            .with_columns(weight=pl.lit(1.0))
        )
    with probe("build"):
        matrix = bipartite_matrix(select_edges(frame, weight="raw", threshold=0))
    result = analyse(matrix, n_null=n_null, seed=0, stage=probe)
    total = sum(r["seconds"] for r in probe.rows)
    probe.rows.append(
        {
            "graph": "onet_technology",
            "step": "TOTAL",
            "seconds": round(total, 2),
            "cpu_seconds": round(sum(r["cpu_seconds"] for r in probe.rows), 2),
            "peak_mb": max(r["peak_mb"] for r in probe.rows),
        }
    )
    # Baselines: networkx generic functions on the same graph.
    graph = result.graph
    base = {}
    # networkx refuses eigenvector centrality on a disconnected graph: compare on the
    # largest connected component.
    giant = graph.subgraph(max(nx.connected_components(graph), key=len)).copy()
    occ = [n for n in giant if giant.nodes[n]["bipartite"] == 1]
    tools = [n for n in giant if giant.nodes[n]["bipartite"] == 0]
    w_giant = nxb.biadjacency_matrix(giant, occ, tools, weight="weight", format="csr")
    t0 = time.perf_counter()
    bipartite_eigenvector(w_giant)
    mine = time.perf_counter() - t0
    t0 = time.perf_counter()
    nx.eigenvector_centrality_numpy(giant, weight="weight")
    base["eigenvector_giant_component"] = {"ours_s": mine, "networkx_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    bipartite_clustering(matrix.binary)
    bipartite_clustering(matrix.binary.T)
    mine = time.perf_counter() - t0
    t0 = time.perf_counter()
    nxb.clustering(graph, mode="dot")
    base["bipartite_clustering"] = {"ours_s": mine, "networkx_s": time.perf_counter() - t0}
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=list(graph), weight=None)
    t0 = time.perf_counter()
    betweenness(adjacency, k=64, exact_limit=0, seed=0)
    mine = time.perf_counter() - t0
    t0 = time.perf_counter()
    nx.betweenness_centrality(graph, k=64, seed=0)
    base["betweenness_sampled_k64"] = {"ours_s": mine, "networkx_s": time.perf_counter() - t0}
    info = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "betweenness": result.notes.get("betweenness"),
        "projections": result.notes.get("projections"),
        "null_model": result.notes.get("null_model", f"{n_null} randomisations"),
    }
    for row in base.values():
        row["speedup"] = round(row["networkx_s"] / row["ours_s"], 1)
        row["ours_s"], row["networkx_s"] = round(row["ours_s"], 3), round(row["networkx_s"], 3)
    return probe.rows, {"info": info, "baselines": base}


def jobsdf(seed: int = 0) -> tuple[list[dict], dict]:
    probe = Probe("jobsdf_r0")
    with probe("read_build"):
        edges = pl.read_parquet(
            shared_data("jobsdf", "graph", "r0.parquet"), columns=["row_id", "col_id"]
        )
        n = 2335  # skill ids 0..2334 (SOURCE.md); isolated skills stay as nodes
        a = sparse.csr_array(
            (np.ones(edges.height), (edges["row_id"].to_numpy(), edges["col_id"].to_numpy())),
            shape=(n, n),
        )
        a = sparse.csr_array(a.maximum(a.T))
        a.setdiag(0)
        a.eliminate_zeros()
        a.data[:] = 1.0
        graph = nx.from_scipy_sparse_array(a)
    with probe("degree_eigenvector"):
        degree = strength(a, weighted=False)
        eig = eigenvector_centrality(a)
    with probe("betweenness_sampled_k256"):
        sampled, _ = betweenness(a, k=256, exact_limit=0, seed=seed)
    with probe("clustering_assortativity"):
        clustering = local_clustering(a)
        assortativity = degree_assortativity(a)
    with probe("louvain_modularity"):
        parts = comm.louvain(graph, weight=None, seed=seed)
        q = comm.modularity(graph, parts, weight=None)
    with probe("backbone_mst"):
        weighted = pl.DataFrame(
            {
                "source": [str(u) for u, v in graph.edges()],
                "target": [str(v) for u, v in graph.edges()],
                "weight": [float(min(degree[u], degree[v])) for u, v in graph.edges()],
            }
        )
        backbone = spanning_backbone(weighted, strongest=1)
    total = sum(r["seconds"] for r in probe.rows)
    probe.rows.append(
        {
            "graph": "jobsdf_r0",
            "step": "TOTAL",
            "seconds": round(total, 2),
            "cpu_seconds": round(sum(r["cpu_seconds"] for r in probe.rows), 2),
            "peak_mb": max(r["peak_mb"] for r in probe.rows),
        }
    )
    base = {}
    t0 = time.perf_counter()
    exact, _ = betweenness(a, exact_limit=10_000)
    ours_exact = time.perf_counter() - t0
    sub_nodes = np.argsort(-degree)[:600]
    sub = graph.subgraph(sub_nodes.tolist()).copy()
    sub_a = nx.to_scipy_sparse_array(sub, nodelist=list(sub), weight=None)
    t0 = time.perf_counter()
    betweenness(sub_a, exact_limit=10_000)
    mine = time.perf_counter() - t0
    t0 = time.perf_counter()
    nx.betweenness_centrality(sub)
    base["betweenness_exact_600_node_subgraph"] = {
        "ours_s": round(mine, 3),
        "networkx_s": round(time.perf_counter() - t0, 3),
    }
    giant = graph.subgraph(max(nx.connected_components(graph), key=len)).copy()
    giant_a = nx.to_scipy_sparse_array(giant, nodelist=list(giant), weight=None)
    t0 = time.perf_counter()
    nx.eigenvector_centrality_numpy(giant)
    nx_eig = time.perf_counter() - t0
    t0 = time.perf_counter()
    eigenvector_centrality(giant_a)
    base["eigenvector_giant_component"] = {
        "ours_s": round(time.perf_counter() - t0, 3),
        "networkx_s": round(nx_eig, 3),
    }
    t0 = time.perf_counter()
    nx.clustering(graph)
    nx_cc = time.perf_counter() - t0
    t0 = time.perf_counter()
    local_clustering(a)
    base["clustering"] = {
        "ours_s": round(time.perf_counter() - t0, 3),
        "networkx_s": round(nx_cc, 3),
    }
    for row in base.values():
        row["speedup"] = round(row["networkx_s"] / max(row["ours_s"], 1e-6), 1)
    top_exact = set(np.argsort(-exact)[:50].tolist())
    accuracy = {
        "exact_all_sources_s": round(ours_exact, 2),
        "spearman_sampled_vs_exact": round(float(stats.spearmanr(sampled, exact).statistic), 4),
        "pearson_sampled_vs_exact": round(float(np.corrcoef(sampled, exact)[0, 1]), 4),
        "top50_overlap": len(top_exact & set(np.argsort(-sampled)[:50].tolist())),
    }
    info = {
        "nodes": n,
        "edges": int(a.nnz // 2),
        "communities": len(parts),
        "modularity": round(q, 4),
        "assortativity": round(assortativity, 4),
        "mean_clustering": round(float(clustering.mean()), 4),
        "eigenvector_max": round(float(eig.max()), 4),
        "backbone_edges": backbone.height,
    }
    return probe.rows, {"info": info, "baselines": base, "betweenness_accuracy": accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null", type=int, default=5, help="randomisations for the O*NET graph")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tech_rows, tech = technology(args.null)
    job_rows, job = jobsdf()
    out = {
        "load_average_1min": os.getloadavg()[0],
        "steps": tech_rows + job_rows,
        "onet_technology": tech,
        "jobsdf_r0": job,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{'graph':<16} {'step':<28} {'seconds':>9} {'cpu s':>9} {'peak MB':>9}")
    for row in out["steps"]:
        print(
            f"{row['graph']:<16} {row['step']:<28} {row['seconds']:>9.2f} "
            f"{row['cpu_seconds']:>9.2f} {row['peak_mb']:>9.1f}"
        )
    for name in ("onet_technology", "jobsdf_r0"):
        print(f"\n{name}: {out[name]['info']}")
        for step, row in out[name]["baselines"].items():
            print(
                f"  baseline {step:<36} ours {row['ours_s']:.3f} s  networkx "
                f"{row['networkx_s']:.3f} s  speed-up ×{row['speedup']}"
            )
    print(
        "\nsampled betweenness (k=256) vs exact, Job-SDF:",
        out["jobsdf_r0"]["betweenness_accuracy"],
    )


if __name__ == "__main__":
    main()
