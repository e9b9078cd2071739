"""Prediction-interval coverage on data the intervals never saw: synthetic market and Job-SDF.

The intervals are split-conformal, from each model's rolling backtest before the cutoff
(:mod:`skilltide.forecast.intervals`). Here every cutoff sees only data up to itself and the
interval is scored against the months after it, which the backtest did not use; nominal
80 % and 95 % should be met on average (they hold under exchangeability, which breaks and
seasons strain).

1. Synthetic market (``skilltide.synthetic``, the demo's default size): per-skill monthly ad
   counts, horizon 6, 9 cutoffs every 3 months from 30 to 6 months before the last month.
2. Job-SDF region demand (16,345 series), horizon 3, the benchmark's four test origins
   (2023-06 … 2023-09), models per working day of the Chinese calendar.

Baseline in the same run: the naive model's intervals. Run: ``python benchmarks/intervals.py
[--json] [--skip-real]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.breaks import synthetic_panel
from benchmarks.jobsdf import load
from skilltide.forecast.intervals import volume_band
from skilltide.forecast.models.base import add_months
from skilltide.forecast.pipeline import forecast_panel

# label: (registry name, parameters)
SYNTHETIC_MODELS = {
    "naive": ("naive", {}),
    "blend": ("blend", {}),
    "auto select": ("auto", {"strategy": "select"}),
    "auto": ("auto", {}),
}
JOBSDF_MODELS = {name: (name, {}) for name in ("naive", "blend", "top_down")}


def band_name(band: int) -> str:
    """``volume_band``'s label: its range of the 6-month mean."""
    return "mean <= 1" if band == 0 else f"{10 ** (band - 1):,}-{10**band:,}"


def coverage(forecasts: pl.DataFrame, panel: pl.DataFrame) -> dict:
    """Share of actuals inside the 80 % and 95 % intervals (overall and per volume band of
    the series at the cutoff: mean of its last 6 months, as the intervals' scale), the mean
    interval width relative to the mean actual, and the point forecasts' MAE."""
    recent = (
        forecasts.select("unique_id", "cutoff")
        .unique()
        .join(panel, on="unique_id")
        .filter(
            (pl.col("ds") <= pl.col("cutoff"))
            & (pl.col("ds") > pl.col("cutoff").dt.offset_by("-6mo"))
        )
        .group_by("unique_id", "cutoff")
        .agg(scale=pl.col("y").mean().clip(lower_bound=1.0))
    )
    scored = (
        forecasts.join(panel, on=["unique_id", "ds"], how="inner")
        .join(recent, on=["unique_id", "cutoff"], how="left")
        .with_columns(
            band=volume_band(pl.col("scale")),
            **{
                f"in_{lv}": (pl.col("y") >= pl.col(f"lo_{lv}"))
                & (pl.col("y") <= pl.col(f"hi_{lv}"))
                for lv in (80, 95)
            },
        )
    )
    mae = scored.select((pl.col("yhat") - pl.col("y")).abs().mean()).item()
    inside = {f"coverage_{lv}": scored[f"in_{lv}"].mean() for lv in (80, 95)}
    by_band = {
        band_name(band): {"n": n, "coverage_80": c80, "coverage_95": c95}
        for band, n, c80, c95 in scored.group_by("band")
        .agg(pl.len(), pl.col("in_80").mean(), pl.col("in_95").mean())
        .sort("band")
        .rows()
    }
    width = scored.select((pl.col("hi_80") - pl.col("lo_80")).mean() / pl.col("y").mean()).item()
    return {
        "n": scored.height,
        "mae": mae,
        **inside,
        "relative_width_80": width,
        "by_volume_band": by_band,
    }


def run(panel: pl.DataFrame, models, horizon: int, cutoffs: list[date], **kwargs) -> list[dict]:
    rows = []
    for label, (model, params) in models.items():
        start = time.perf_counter()
        out, _ = forecast_panel(
            panel, horizon=horizon, model=model, cutoffs=cutoffs, params=params, **kwargs
        )
        rows.append(
            {"model": label, **coverage(out, panel), "seconds": time.perf_counter() - start}
        )
    return rows


def synthetic() -> list[dict]:
    panel, _ = synthetic_panel("default")
    last = panel["ds"].max()
    cutoffs = [add_months(last, -k) for k in range(30, 5, -3)]  # each with 6 months after it
    return run(panel, SYNTHETIC_MODELS, 6, cutoffs)


def jobsdf() -> list[dict]:
    wide, _ = load("region")
    panel = pl.DataFrame(
        {
            "unique_id": [u for u in wide.ids for _ in wide.months],
            "ds": wide.months * len(wide.ids),
            "y": wide.values.ravel(),
        }
    )
    cutoffs = [date(2023, m, 1) for m in (6, 7, 8, 9)]
    return run(panel, JOBSDF_MODELS, 3, cutoffs, workdays="CN")


def show(title: str, rows: list[dict]) -> None:
    print(f"\n== {title}")
    print(
        f"{'model':12s} {'forecasts':>10s} {'MAE':>8s} {'cover 80':>9s} {'cover 95':>9s} "
        f"{'width80':>8s} {'width/naive':>11s}"
    )
    naive = next(r for r in rows if r["model"] == "naive")  # the baseline
    for r in rows:
        print(
            f"{r['model']:12s} {r['n']:10,d} {r['mae']:8.3f} {r['coverage_80']:9.3f} "
            f"{r['coverage_95']:9.3f} {r['relative_width_80']:8.2f} "
            f"{r['relative_width_80'] / naive['relative_width_80']:11.2f}"
        )
    print("coverage 80 % / 95 % by volume band (the series' mean over the 6 months to the cutoff):")
    for r in rows:
        bands = "; ".join(
            f"{name} ({b['n']:,}) {b['coverage_80']:.3f}/{b['coverage_95']:.3f}"
            for name, b in r["by_volume_band"].items()
        )
        print(f"  {r['model']:12s} {bands}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    results = {"synthetic": synthetic()}
    if not args.json:
        show("synthetic market, horizon 6, 9 cutoffs", results["synthetic"])
    if not args.skip_real:
        results["jobsdf_region"] = jobsdf()
        if not args.json:
            show(
                "Job-SDF region per CN working day, horizon 3, 4 test origins",
                results["jobsdf_region"],
            )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
