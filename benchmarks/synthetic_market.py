"""Time and memory of generating and writing the synthetic labour market.

Measures ``write_market(SIZES[size], dir)`` (generation of every ad's text, CSV writing,
hashing) against a baseline in the same process: the vectorised count model alone (the same
Poisson, occupation and per-skill Bernoulli draws, no text, nothing written). The ratio is
what composing and writing the ad texts costs on top of the numbers.

Usage::

    python benchmarks/synthetic_market.py --size default [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skilltide.synthetic import SIZES, plan, write_market


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def counts_only(spec) -> int:
    """Baseline: the model's draws for every month, without texts or files."""
    p = plan(spec)
    mentions = 0
    for m in range(spec.months):
        rng = np.random.default_rng([spec.seed, 1, m])
        n = int(rng.poisson(p.T[m]))
        occ = rng.choice(len(p.occupations), n, p=p.W[m])
        mentions += int((rng.random((n, len(p.skill_names))) < p.P[m][occ]).sum())
    return mentions


def measure(fn) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "result": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    spec = SIZES[args.size]
    baseline = measure(lambda: counts_only(spec))  # first: ru_maxrss only grows
    with tempfile.TemporaryDirectory() as tmp:

        def full():
            out = write_market(spec, tmp)
            manifest = json.loads((out / "manifest.json").read_text())
            size = sum(f["bytes"] for f in manifest["files"].values())
            return {"rows": manifest["rows"], "bytes": size}

        generated = measure(full)
    ads = generated["result"]["rows"]["ads"]
    report = {
        "size": args.size,
        "ads": ads,
        "baseline_counts_only": baseline,
        "write_market": generated,
        "ads_per_cpu_second": round(ads / max(generated["cpu_s"], 1e-9)),
        "cpu_ratio_vs_baseline": round(generated["cpu_s"] / max(baseline["cpu_s"], 1e-9), 1),
    }
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"synthetic market '{args.size}': {ads:,} ads, "
        f"{generated['result']['bytes'] / 1e6:,.0f} MB written"
    )
    for name, r in (("baseline (counts only)", baseline), ("write_market", generated)):
        print(
            f"  {name:24s} wall {r['wall_s']:8.2f} s  cpu {r['cpu_s']:8.2f} s  "
            f"peak RSS {r['peak_rss_mb']:7.1f} MB"
        )
    print(
        f"  ratio write_market / baseline (cpu): {report['cpu_ratio_vs_baseline']}x; "
        f"{report['ads_per_cpu_second']:,} ads per CPU second"
    )


if __name__ == "__main__":
    main()
