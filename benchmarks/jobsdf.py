"""Job-SDF skill-demand benchmark (Chen et al., NeurIPS 2024 D&B): skilltide vs every baseline.

Protocol of the Job-SDF repository: horizon 3 from the four origins whose last observed month
is 2023-06 … 2023-09 (targets 2023-07 … 2023-12), metrics averaged over all series × 4 windows
× 3 steps, on all series and on the repository's ``structural_breaks_index`` and
``low_frequency_index`` subsets (row indices into the demand tables). At each origin the models
see all history up to it.

skilltide's entry is an ensemble of four registry models, each forecasting demand per working
day of the Chinese calendar (``workdays="CN"``: Job-SDF's ads come from a Chinese platform):
the last value, the 3-month mean, the global LightGBM and the top-down split of each skill's
national total. The one tuned quantity, the ensemble's weights (a grid in steps of 0.2), is
chosen on the origins 2022-12 … 2023-03, never on the test windows. ``auto`` (per-segment
choice by its own rolling backtest, without LightGBM to keep the run short) is printed too,
and so is the registry's ``ensemble`` with the same members and weights chosen by its own
backtest at each origin (the 4 origins before it, so at the first test origin exactly the
tuning origins; ``skilltide forecast panel … --model ensemble --workdays CN``).

Usage: ``python benchmarks/jobsdf.py [--levels r0,r1,region] [--json]``
"""

from __future__ import annotations

import argparse
import itertools
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
from skilltide.forecast.models.registry import make_model

HORIZON = 3
WORKDAYS = "CN"
TEST_ORIGINS = ["2023-06", "2023-07", "2023-08", "2023-09"]
# the ranking of even the simple baselines flips from month to month, so the weights are
# chosen over four origins (all before the test windows), not one
TUNE_ORIGINS = ["2022-12", "2023-01", "2023-02", "2023-03"]
REFERENCE_MAE = {
    "r1": {"naive": 18.58, "PatchTST (best published)": 17.65},
    "region": {"naive": 35.31, "PatchTST (best published)": 32.00},
}
LGBM = {
    "n_estimators": 150,
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "train_origins": 12,
}
# the baselines, on the raw counts, at the test origins only
BASELINES = {
    "naive": ("naive", {}),
    "seasonal_naive": ("seasonal_naive", {}),
    "window_average_3": ("window_average", {"window": 3}),
    "window_average_6": ("window_average", {"window": 6}),
    "drift_6": ("drift", {"window": 6}),
    "tsb": ("tsb", {}),
    "lgbm": ("lgbm", LGBM),
}
# the ensemble's members, per working day, at the tuning and the test origins
MEMBERS = {
    "naive@CN": ("naive", {"workdays": WORKDAYS}),
    "window_average_3@CN": ("window_average", {"window": 3, "workdays": WORKDAYS}),
    "lgbm@CN": ("lgbm", {**LGBM, "workdays": WORKDAYS}),
    "top_down@CN": ("top_down", {"workdays": WORKDAYS}),
}
AUTO = {
    "auto@CN": (
        "auto",
        {
            "candidates": ("naive", "seasonal_naive", "window_average", "blend", "top_down", "tsb"),
            "workdays": WORKDAYS,
        },
    )
}
# the same members and grid, the weights chosen by the model itself at every origin
SELF_TUNED = {
    "ensemble@CN (own backtest)": (
        "ensemble",
        {
            "members": ("naive", "window_average", "lgbm", "top_down"),
            "lgbm": LGBM,
            "workdays": WORKDAYS,
        },
    )
}
GRID = [np.array(w) / 5 for w in itertools.product(range(6), repeat=len(MEMBERS)) if sum(w) == 5]


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


def forecasts(wide: Wide, origin: str, models: dict):
    """Every model's ``series × 3`` forecast from ``origin``, the actuals, and each model's
    ``(wall, CPU)`` seconds (CPU: this process only, so a loaded machine shows in wall) and
    the weights of the models that choose their own (``ensemble``)."""
    t = [f"{d:%Y-%m}" for d in wide.months].index(origin)
    past = Wide(wide.ids, wide.months[: t + 1], wide.values[:, : t + 1])
    out, seconds = {}, {}
    for label, (name, params) in models.items():
        start, cpu = time.perf_counter(), time.process_time()
        model = make_model(name, **params)
        out[label] = model.fit_wide(past, HORIZON).predict_matrix()
        seconds[label] = (time.perf_counter() - start, time.process_time() - cpu)
        if label in SELF_TUNED:
            seconds[f"{label} weights"] = [round(float(w), 2) for w in model.weights_]
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


def _combine(preds: dict[str, np.ndarray], weights: np.ndarray) -> np.ndarray:
    return sum(w * preds[name] for w, name in zip(weights, MEMBERS, strict=True))


def _label(weights: np.ndarray) -> str:
    return " ".join(f"{n.split('@')[0]}={w:.1f}" for n, w in zip(MEMBERS, weights, strict=True))


def _stack(runs: list) -> tuple[dict[str, np.ndarray], np.ndarray]:
    preds = {name: np.stack([p[name] for p, _, _ in runs]) for name in runs[0][0]}
    return preds, np.stack([t for _, t, _ in runs])


def run_level(level: str) -> dict:
    wide, subsets = load(level)
    tune_preds, tune_true = _stack([forecasts(wide, o, MEMBERS) for o in TUNE_ORIGINS])
    tune_mae = {_label(w): metrics.mae(_combine(tune_preds, w), tune_true) for w in GRID}
    best = min(tune_mae, key=tune_mae.get)
    weights = GRID[list(tune_mae).index(best)]
    runs = [
        forecasts(wide, o, {**BASELINES, **MEMBERS, **AUTO, **SELF_TUNED}) for o in TEST_ORIGINS
    ]
    preds, true = _stack(runs)
    preds["skilltide ensemble@CN"] = _combine(preds, weights)
    rows = table(preds, true, subsets)
    timed = ("lgbm", "lgbm@CN", *SELF_TUNED)
    cpu = {name: [round(s[name][1], 1) for _, _, s in runs] for name in timed}
    wall = {name: [round(s[name][0], 1) for _, _, s in runs] for name in timed}
    own_weights = {name: [s[f"{name} weights"] for _, _, s in runs] for name in SELF_TUNED}
    return {
        "level": level,
        "series": len(wide.ids),
        "tune_mae_by_weights": tune_mae,
        "weights": best,
        "wall_seconds_per_origin": wall,
        "cpu_seconds_per_origin": cpu,
        "weights_chosen_at_each_test_origin": own_weights,
        "rows": rows,
    }


def show(result: dict) -> None:
    level = result["level"]
    print(
        f"\n== {level}: {result['series']} series; ensemble weights chosen on "
        f"{TUNE_ORIGINS}: {result['weights']} (tuning MAE "
        f"{round(result['tune_mae_by_weights'][result['weights']], 3)}); fit+predict "
        f"seconds per origin: wall {result['wall_seconds_per_origin']}, "
        f"CPU {result['cpu_seconds_per_origin']}; weights the self-tuned ensemble chose at "
        f"the test origins {TEST_ORIGINS}: {result['weights_chosen_at_each_test_origin']}"
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


def _nan_to_null(value):
    """NaN (a metric undefined on a subset, e.g. RRMSE when every prediction is 0) as JSON null:
    ``json.dumps`` would write ``NaN``, which is not JSON."""
    if isinstance(value, dict):
        return {k: _nan_to_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_null(v) for v in value]
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    return value


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
        print(json.dumps(_nan_to_null(results), indent=2, default=float, allow_nan=False))


if __name__ == "__main__":
    main()
