"""Coding speed of a built static ``--linear --rerank`` coder, and its outputs, per level.

Builds (once; kept in ``--cache DIR`` with the teacher and SVM of
``benchmarks/title_coding_static.py``) the static coder as ``build-coder --model static
--linear --rerank`` would, on the training side of the development split, then times
``code-titles --level onet|soc|major`` (:func:`~skilltide.onet.coder_levels.predict_at`,
top 5) on the development split's 4,668 held-out alternate titles (3,998 distinct once
normalised, as the test set's titles are mostly distinct; ``--noisy`` adds two noisy variants
of each, "Sr. … - Remote" and "… (Night Shift) #2", which normalise to the same texts: 14,004
titles, a batch of ads repeating their titles): titles/s wall and per CPU-second, the least
time of ``--repeat`` runs in each of ``--rounds`` processes, with the 1-minute load average.
Development titles only, never the test set.

``--baseline DIR`` times another checkout (e.g. the lead's, before a speed change) on the
same stored coder in subprocesses alternated with this one's, round by round (same load
window), prints the ratio, and checks that both give the same candidates (codes and order)
and scores at every level.
Usage: python benchmarks/title_coding_speed.py --cache DIR [--rounds N] [--repeat N] [--noisy]
       [--baseline DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LEVELS = ("onet", "soc", "major")
NOISE = ("Sr. {} - Remote", "{} (Night Shift) #2")


def built_coder(cache: Path) -> Path:
    """The stored coder blob in ``cache`` (built first when absent)."""
    from benchmarks._data import shared_data
    from benchmarks.title_coding import protocol_split
    from benchmarks.title_coding_static import cached_teacher, dev_split, memoise_linear_fit
    from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams
    from skilltide.onet.coder_static_fit import fit_static_coder

    train, context, _ = protocol_split(shared_data("onet", "30.1"))
    fit_side, held = dev_split(train, 1)
    key = hashlib.sha1("\n".join(sorted(fit_side["title"].to_list())).encode()).hexdigest()
    path = cache / f"static-linear-rerank-{key[:16]}.npz"
    titles_path = cache / "dev-titles.json"
    if not titles_path.exists():
        titles_path.write_text(json.dumps(held["title"].to_list()))
    if path.exists():
        return path
    memoise_linear_fit(cache)
    teacher = cached_teacher(fit_side, cache)
    params = CoderParams(rerank=True, linear=LINEAR_WEIGHT)
    start = time.perf_counter()
    coder, _ = fit_static_coder(fit_side, params, context, teacher=teacher)
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    path.write_bytes(coder.to_bytes())
    return path


def query_titles(cache: Path, noisy: bool = False) -> list[str]:
    """The development titles (and two noisy variants of each)."""
    held = json.loads((cache / "dev-titles.json").read_text())
    return held + [form.format(t) for form in NOISE for t in held] if noisy else held


def time_levels(blob: Path, titles: list[str], out: Path | None, repeat: int = 3) -> dict:
    """Load the coder, time each level (the least wall and CPU seconds of ``repeat`` runs,
    after a warm-up); save the outputs to ``out``."""
    from skilltide.onet.coder_levels import predict_at
    from skilltide.onet.coder_static import StaticTitleCoder

    coder = StaticTitleCoder.from_bytes(blob.read_bytes())
    predict_at(coder, titles[:256], 5, "onet")  # warm-up (lazy imports, allocator)
    figures, frames = {}, {}
    for level in LEVELS:
        walls, cpus = [], []
        for _ in range(repeat):
            start, cpu = time.perf_counter(), time.process_time()
            frames[level] = predict_at(coder, titles, 5, level)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        figures[level] = {"wall": min(walls), "cpu": min(cpus)}
    if out is not None:
        arrays = {}
        for level, frame in frames.items():
            for column in frame.columns:
                values = frame[column].to_numpy()
                arrays[f"{level}.{column}"] = (
                    values.astype(str) if values.dtype == object else values
                )
        np.savez(out, **arrays)
    return figures


def run_child(tree: Path, blob: Path, cache: Path, out: Path, noisy: bool, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # skilltide is imported from ``tree`` first: this module puts its own checkout first.
    code = (
        "import json, sys; from pathlib import Path; "
        f"sys.path.insert(0, {str(tree)!r}); import skilltide; "
        f"assert Path(skilltide.__file__).parent.parent == Path({str(tree)!r}); "
        f"sys.path.append({str(REPO)!r}); "
        "from benchmarks.title_coding_speed import time_levels, query_titles; "
        f"titles = query_titles(Path({str(cache)!r}), {noisy}); "
        f"print(json.dumps(time_levels(Path({str(blob)!r}), titles, Path({str(out)!r}), {repeat})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def same_outputs(a: Path, b: Path) -> dict[str, str]:
    """Per level: 'identical', 'equal to 1e-6' or what differs."""
    out = {}
    with np.load(a) as x, np.load(b) as y:
        for level in LEVELS:
            keys = [k for k in x.files if k.startswith(level + ".")]
            if sorted(keys) != sorted(k for k in y.files if k.startswith(level + ".")):
                out[level] = "different columns"
                continue
            differ = [k for k in keys if not np.array_equal(x[k], y[k])]
            if not differ:
                out[level] = "identical"
            elif differ == [f"{level}.score"] and np.allclose(x[differ[0]], y[differ[0]], 0, 1e-6):
                out[level] = "equal to 1e-6"
            else:
                out[level] = f"differ in {differ}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="teacher, SVM, coder blob")
    parser.add_argument("--rounds", type=int, default=3, help="processes per checkout")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per process")
    parser.add_argument("--noisy", action="store_true", help="add two noisy variants")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    blob = built_coder(args.cache)
    n = len(query_titles(args.cache, args.noisy))
    trees = {"this": REPO} | ({"baseline": args.baseline} if args.baseline else {})
    best: dict = {name: {} for name in trees}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for name, tree in trees.items():
                out = Path(tmp) / f"{name}.npz"
                figures = run_child(tree, blob, args.cache, out, args.noisy, args.repeat)
                for level, f in figures.items():
                    old = best[name].get(level, f)
                    best[name][level] = {key: min(f[key], old[key]) for key in f}
                print(r, name, json.dumps(figures), flush=True)
        result: dict = {"titles": n, "rounds": args.rounds, "load_1min": loads}
        for name in trees:
            result[name] = {
                level: {
                    "titles_per_second": round(n / f["wall"]),
                    "titles_per_cpu_second": round(n / f["cpu"]),
                }
                for level, f in best[name].items()
            }
        if args.baseline:
            result["speedup_wall"] = {
                level: round(best["baseline"][level]["wall"] / best["this"][level]["wall"], 2)
                for level in LEVELS
            }
            result["outputs"] = same_outputs(Path(tmp) / "this.npz", Path(tmp) / "baseline.npz")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
