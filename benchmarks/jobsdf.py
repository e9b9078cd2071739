"""Job-SDF skill-demand benchmark (Chen et al., NeurIPS 2024 D&B): skilltide vs every baseline.

Protocol of the Job-SDF repository: horizon 3 from the four origins whose last observed month
is 2023-06 … 2023-09 (targets 2023-07 … 2023-12), metrics averaged over all series × 4 windows
× 3 steps, on all series and on the repository's ``structural_breaks_index`` and
``low_frequency_index`` subsets (row indices into the demand tables). At each origin the models
see all history up to it. The one tuned quantity (the weights of a blend of LightGBM with the last
value and the 3-month mean) is chosen on the origins 2022-12 … 2023-03, never on the test
windows.

Usage: ``python benchmarks/jobsdf.py [--levels r0,r1,region] [--json]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from skilltide.forecast import metrics
from skilltide.forecast.models.base import Wide
from skilltide.forecast.models.baselines import (
    TSB,
    Drift,
    Naive,
    SeasonalNaive,
    WindowAverage,
)
from skilltide.forecast.models.lgbm import GlobalLGBM

HORIZON = 3
TEST_ORIGINS = ["2023-06", "2023-07", "2023-08", "2023-09"]
# the ranking of even the simple baselines flips from month to month, so the blend is chosen
# over four origins (all before the test windows), not one
TUNE_ORIGINS = ["2022-12", "2023-01", "2023-02", "2023-03"]
# (weight of the last value, weight of the 3-month mean); LightGBM gets the rest
BLENDS = tuple((a / 5, b / 5) for a in range(6) for b in range(6) if a + b <= 5)
REFERENCE_MAE = {
    "r1": {"naive": 18.58, "PatchTST (best published)": 17.65},
    "region": {"naive": 35.31, "PatchTST (best published)": 32.00},
}
BASELINES = {
    "naive": Naive,
    "seasonal_naive": SeasonalNaive,
    "window_average_3": lambda: WindowAverage(3),
    "window_average_6": lambda: WindowAverage(6),
    "drift_6": lambda: Drift(6),
    "tsb": TSB,
}


def load(level: str) -> tuple[Wide, dict[str, np.ndarray]]:
    """The demand table as a Wide panel in the file's row order, and the subset row indices."""
    data = pl.read_parquet(shared_data("jobsdf", "demand", f"{level}.parquet"))
    key = data.columns[0]
    month_cols = data.columns[2:]
    ids = [f"{g}/{s}" for g, s in zip(data[key], data["skill_id"], strict=True)]
    months = [date(int(c[:4]), int(c[5:7]), 1) for c in month_cols]
    wide = Wide(ids, months, data.select(month_cols).to_numpy().astype(float))
    subsets = {"all": np.arange(len(ids))}
    for name in ("structural_breaks_index", "low_frequency_index"):
        path = shared_data("jobsdf").joinpath(name, f"{level}.json")
        if path.exists():
            subsets[name.removesuffix("_index")] = np.array(json.loads(path.read_text()))
    return wide, subsets


def lgbm() -> GlobalLGBM:
    return GlobalLGBM(
        n_estimators=150, learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, train_origins=12
    )


def forecasts(wide: Wide, origin: str) -> tuple[dict[str, np.ndarray], np.ndarray, tuple]:
    """Every model's ``series × 3`` forecast from ``origin``, the actuals, and LightGBM's
    ``(wall, CPU)`` seconds (CPU: this process only, so a loaded machine shows in wall)."""
    t = [f"{d:%Y-%m}" for d in wide.months].index(origin)
    past = Wide(wide.ids, wide.months[: t + 1], wide.values[:, : t + 1])
    out = {}
    for name, factory in BASELINES.items():
        out[name] = factory().fit_wide(past, HORIZON).predict_matrix()
    start, cpu = time.perf_counter(), time.process_time()
    out["lgbm"] = lgbm().fit_wide(past, HORIZON).predict_matrix()
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    return out, wide.values[:, t + 1 : t + 1 + HORIZON], seconds


def table(preds: dict[str, np.ndarray], true: np.ndarray, subsets: dict) -> list[dict]:
    rows = []
    for subset, idx in subsets.items():
        for model, p in preds.items():
            rows.append(
                {
                    "subset": subset,
                    "model": model,
                    "n_series": len(idx),
                    **metrics.score(p[:, idx], true[:, idx]),
                }
            )
    return rows


def _blend(preds: dict[str, np.ndarray], a: float, b: float) -> np.ndarray:
    """``a`` × last value + ``b`` × 3-month mean + the rest × LightGBM."""
    return a * preds["naive"] + b * preds["window_average_3"] + (1 - a - b) * preds["lgbm"]


def run_level(level: str) -> dict:
    wide, subsets = load(level)
    tune = [forecasts(wide, o) for o in TUNE_ORIGINS]
    true_tune = np.stack([t for _, t, _ in tune])
    tune_mae = {}
    for a, b in BLENDS:
        blend = np.stack([_blend(p, a, b) for p, _, _ in tune])
        tune_mae[f"{a:.1f},{b:.1f}"] = metrics.mae(blend, true_tune)
    best = min(tune_mae, key=tune_mae.get)
    a, b = (float(w) for w in best.split(","))
    test = [forecasts(wide, o) for o in TEST_ORIGINS]
    preds = {name: np.stack([p[name] for p, _, _ in test]) for name in test[0][0]}
    preds[f"blend naive={a:.1f} wavg3={b:.1f} lgbm={1 - a - b:.1f}"] = _blend(preds, a, b)
    true = np.stack([t for _, t, _ in test])
    rows = table(preds, true, subsets)
    return {
        "level": level,
        "series": len(wide.ids),
        "tune_mae_by_blend": tune_mae,
        "blend": best,
        "lgbm_wall_seconds_per_origin": [round(s[0], 1) for _, _, s in test],
        "lgbm_cpu_seconds_per_origin": [round(s[1], 1) for _, _, s in test],
        "rows": rows,
    }


def show(result: dict) -> None:
    level = result["level"]
    print(
        f"\n== {level}: {result['series']} series; blend chosen on {TUNE_ORIGINS}: "
        f"naive,wavg3 = {result['blend']} (tuning MAE "
        f"{round(result['tune_mae_by_blend'][result['blend']], 3)}); LightGBM fit+predict "
        f"seconds per origin: wall {result['lgbm_wall_seconds_per_origin']}, "
        f"CPU {result['lgbm_cpu_seconds_per_origin']}"
    )
    by = {(r["subset"], r["model"]): r for r in result["rows"]}
    for subset in dict.fromkeys(r["subset"] for r in result["rows"]):
        naive = by[(subset, "naive")]
        print(f"-- subset {subset} ({naive['n_series']} series)")
        print(
            f"{'model':38s} {'MAE':>8s} {'RMSE':>8s} {'sMAPE':>7s} {'RRMSE':>7s} {'MAE/naive':>9s}"
        )
        for (s, model), r in by.items():
            if s != subset:
                continue
            print(
                f"{model:38s} {r['mae']:8.3f} {r['rmse']:8.2f} {r['smape_jobsdf']:7.2f} "
                f"{r['rrmse_jobsdf']:7.2f} {r['mae'] / naive['mae']:9.3f}"
            )
    for name, value in REFERENCE_MAE.get(level, {}).items():
        print(f"reference MAE (Job-SDF logs) {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="r0,r1,region")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for level in args.levels.split(","):
        result = run_level(level)
        results.append(result)
        if not args.json:
            show(result)
            sys.stdout.flush()
    if args.json:
        print(json.dumps(results, indent=2, default=float))


if __name__ == "__main__":
    main()
