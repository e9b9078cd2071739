"""Break handling in forecasting, out of sample: does ``auto`` gain from detected breaks?

``auto`` forecasts horizon 6 from several cutoffs, each seeing only data up to itself, and is
scored on the months after it, which it never saw. Two panels:

1. the synthetic market (``skilltide.synthetic``, the demo's size), whose breaks are injected
   and known: 9 cutoffs, every 3 months over the last 2.5 years (those with a year of history
   before them in a shorter market, e.g. ``--size small``: 2);
2. Hacker News "Who is hiring?" term counts (261 terms, 2012-01 … 2024-05; market-wide
   breaks): 9 cutoffs, every 6 months from 2019-06 to 2023-06.

Variants, all in the same run:

- ``no breaks``: ``auto`` without breaks (the baseline);
- ``detect in every fit``: what ``forecast panel --breaks detect`` does: breaks detected in the
  data of every fit, at the cutoff and at each backtest origin inside it, with only the data
  up to it (:class:`skilltide.forecast.break_source.DetectedBreaks`);
- ``at cutoff, known_ds``: breaks detected once at the cutoff and used from ``known_ds``
  (``break_ds + min_size - 1``) on, as ``forecast run`` does with stored breaks: backtest
  origins do not use a break before it could be found, but do use the cutoff's placement;
- ``at cutoff, break_ds``: the same breaks used from ``break_ds`` (the behaviour before
  2026-12-06: backtest origins see breaks before they could have been found);
- ``true breaks`` (synthetic only): the injected breaks up to each cutoff, known at once (a
  ceiling no detector reaches).

Reported: MAE over all series and over the series with a break in the 12 months before the
cutoff (injected; on HN, detected at that cutoff), and for those series ``auto``'s own
backtest MAE (its estimate of its error) next to the realised MAE. Run:
``python benchmarks/break_handling.py [--json] [--size default] [--skip-real]``
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

from benchmarks._data import shared_data
from benchmarks.breaks import synthetic_panel
from skilltide.forecast.break_source import detect_known_breaks
from skilltide.forecast.breaks import detect_breaks
from skilltide.forecast.models.base import add_months
from skilltide.forecast.panel import fill_gaps
from skilltide.forecast.pipeline import forecast_panel

HORIZON = 6
MIN_SIZE = 6
MIN_HISTORY = 12  # months of history a synthetic cutoff needs


def breaks_at(panel: pl.DataFrame, cutoff: date, variant: str, truth: pl.DataFrame | None):
    """The breaks a variant gives ``auto`` at one cutoff (None: no breaks)."""
    if variant == "no breaks":
        return None
    if variant == "detect in every fit":
        return "detect"  # forecast_panel(breaks="detect"): also at each backtest origin
    if variant == "true breaks":
        return truth.filter(pl.col("ds") <= cutoff).select(
            pl.col("unique_id"), pl.col("ds").alias("break_ds")
        )
    found = detect_known_breaks(panel, cutoff, min_size=MIN_SIZE)  # as `breaks detect`
    return found if variant == "at cutoff, known_ds" else found.drop("known_ds")


def recent_break_series(breaks: pl.DataFrame, cutoff: date) -> list[str]:
    """Series with a break (``unique_id``, ``ds``) in the 12 months up to ``cutoff``."""
    window = breaks.filter(pl.col("ds") <= cutoff, pl.col("ds") > add_months(cutoff, -12))
    return window["unique_id"].unique().to_list()


def run(panel: pl.DataFrame, cutoffs: list[date], truth: pl.DataFrame | None = None) -> dict:
    """Every variant over ``cutoffs``; the break subset comes from ``truth`` (injected
    breaks) or, without it, from the breaks detected at each cutoff (the same for all)."""
    variants = ["no breaks", "detect in every fit", "at cutoff, known_ds", "at cutoff, break_ds"]
    if truth is not None:
        variants.append("true breaks")
    subset = {}
    for cutoff in cutoffs:
        source = truth
        if source is None:
            found = detect_breaks(panel.filter(pl.col("ds") <= cutoff), min_size=MIN_SIZE)
            source = found.select("unique_id", pl.col("break_ds").alias("ds"))
        subset[cutoff] = recent_break_series(source, cutoff)
    rows = []
    for variant in variants:
        start = time.perf_counter()
        scored, estimate = [], []
        for cutoff in cutoffs:
            breaks = breaks_at(panel, cutoff, variant, truth)
            out, backtest = forecast_panel(
                panel, horizon=HORIZON, model="auto", cutoffs=[cutoff], breaks=breaks
            )
            recent = subset[cutoff]
            scored.append(
                out.join(panel, on=["unique_id", "ds"]).with_columns(
                    recent=pl.col("unique_id").is_in(recent)
                )
            )
            estimate.append(backtest.filter(pl.col("unique_id").is_in(recent)))
        scored = pl.concat(scored)
        error = (pl.col("yhat") - pl.col("y")).abs().mean()
        recent_rows = scored.filter("recent")
        estimate = pl.concat(estimate)
        rows.append(
            {
                "variant": variant,
                "mae": scored.select(error).item(),
                "mae_recent_break": recent_rows.select(error).item(),
                "backtest_mae_recent_break": estimate.select(error).item(),
                "recent_break_forecasts": recent_rows.height,
                "forecasts": scored.height,
                "seconds": time.perf_counter() - start,
            }
        )
    return {"cutoffs": [f"{c:%Y-%m}" for c in cutoffs], "rows": rows}


def synthetic(size: str) -> dict:
    panel, truth = synthetic_panel(size)
    first, last = panel["ds"].min(), panel["ds"].max()
    cutoffs = [add_months(last, -k) for k in range(30, 5, -3)]
    # a smaller market (--size small: 24 months) keeps the cutoffs with a year of history
    cutoffs = [c for c in cutoffs if c >= add_months(first, MIN_HISTORY)]
    if not cutoffs:
        sys.exit(f"the {size} market is too short: no cutoff has {MIN_HISTORY} months before it")
    return run(panel, cutoffs, truth.select(pl.col("skill").alias("unique_id"), "ds"))


def hacker_news() -> dict:
    """HN "Who is hiring?" term counts from 2012 (after the source's 2011 gaps)."""
    raw = pl.read_csv(
        shared_data("jobads", "hn_whoishiring_terms", "hn_whoishiring_term_counts_monthly.csv")
    )
    panel = raw.select(
        pl.col("term").alias("unique_id"),
        pl.col("month").str.strptime(pl.Date, "%Y-%m").alias("ds"),
        pl.col("count").cast(pl.Float64).alias("y"),
    ).filter(pl.col("ds") >= date(2012, 1, 1))
    panel = fill_gaps(panel.sort("unique_id", "ds"))
    cutoffs = [add_months(date(2019, 6, 1), 6 * k) for k in range(9)]  # 2019-06 … 2023-06
    return run(panel, cutoffs)


def show(title: str, result: dict) -> None:
    base = result["rows"][0]
    print(f"\n== {title}, auto, horizon {HORIZON}, cutoffs {', '.join(result['cutoffs'])}")
    print(
        f"{'variant':22s} {'MAE all':>8s} {'vs none':>8s} {'MAE break':>10s} {'vs none':>8s}"
        f" {'backtest est.':>13s} {'seconds':>8s}"
    )
    for r in result["rows"]:
        print(
            f"{r['variant']:22s} {r['mae']:8.3f} {r['mae'] / base['mae'] - 1:+8.1%}"
            f" {r['mae_recent_break']:10.3f}"
            f" {r['mae_recent_break'] / base['mae_recent_break'] - 1:+8.1%}"
            f" {r['backtest_mae_recent_break']:13.3f} {r['seconds']:8.1f}"
        )
    print(f"break-subset forecasts per variant: {base['recent_break_forecasts']:,d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--size", default="default", help="Synthetic market size.")
    parser.add_argument("--skip-real", action="store_true", help="Only the synthetic market.")
    args = parser.parse_args()
    results = {"synthetic": synthetic(args.size)}
    if not args.skip_real:
        results["hacker_news"] = hacker_news()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    show(f"synthetic market ({args.size}), injected breaks", results["synthetic"])
    if "hacker_news" in results:
        show("Hacker News term counts, breaks detected at each cutoff", results["hacker_news"])


if __name__ == "__main__":
    main()
