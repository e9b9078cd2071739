"""Structural-break detection: accuracy on the synthetic market, speed and findings on real data.

1. Synthetic market (``skilltide.synthetic.generate(SIZES[size])``): monthly ad counts per skill
   from the generated ads, against the injected breaks (``truth_breaks``). A detected break
   matches an injected break of the same skill within ±2 months (one-to-one). Precision and
   recall overall, recall by kind (with the right kind), and the market-wide break (labelled
   ``market``). Baselines in the same run: the single-break sup-F test and OLS-CUSUM.
2. Job-SDF r0 (2,335 series × 36 months): seconds per detector, breaks, market-wide breaks
   and the month where the largest share of series breaks (±1 month).
3. Growth and seasonality (flat, linear, exponential means, with and without multiplicative
   seasonality, with and without one break; Poisson counts): the share of series given a
   break at a wrong month, and of the true breaks found, per ``transform`` (``auto`` chooses
   the scale per series).
4. Hacker News "Who is hiring?" terms (261 × 149 months, 2012-01..2024-05; 2011 dropped for the
   missing 2011-07 and the 3-post 2011-12): share of series breaking around COVID-19
   (2020-02..2020-05) and in the 2023 AI wave, for counts and for shares of posts.

Run: ``python benchmarks/breaks.py [--size default] [--json] [--skip-real]``
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
from skilltide.forecast.breaks import detect_breaks_report

# auto = Bai–Perron DP (LWZ) + local sup-F + market events from the aggregate (the default);
# the others are an ablation and the baselines, run in the same process
METHODS = {
    "auto": {"method": "auto"},
    "auto-no-aggregate": {"method": "auto", "market_aggregate": False},
    "supf": {"method": "supf"},
    "cusum-alone": {"method": "cusum", "market_aggregate": False, "seasonal": False},
}
BASELINE = "cusum-alone"
TOLERANCE = 2


def month_number(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64)


def synthetic_panel(size: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    from skilltide.synthetic import SIZES, generate

    market = generate(SIZES[size])
    months = market.ads.select(
        "id", pl.col("posted_at").str.slice(0, 7).str.strptime(pl.Date, "%Y-%m").alias("ds")
    )
    counts = (
        market.truth_ad_skills.select("id", "skill")
        .unique()
        .join(months, on="id")
        .group_by(pl.col("skill").alias("unique_id"), "ds")
        .agg(pl.len().cast(pl.Float64).alias("y"))
    )
    grid = pl.DataFrame({"unique_id": market.skills["name"].unique()}).join(
        months.select("ds").unique(), how="cross"
    )
    panel = grid.join(counts, on=["unique_id", "ds"], how="left").with_columns(
        pl.col("y").fill_null(0.0)
    )
    truth = market.truth_breaks.with_columns(
        pl.col("month").str.strptime(pl.Date, "%Y-%m").alias("ds")
    )
    return panel.sort("unique_id", "ds"), truth


def match(found: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """Greedy one-to-one matching within ±TOLERANCE months, closest pairs first."""
    f = found.with_row_index("f").with_columns(month_number("break_ds").alias("fm"))
    t = truth.with_row_index("t").with_columns(month_number("ds").alias("tm"))
    pairs = (
        f.join(t, left_on="unique_id", right_on="skill")
        .with_columns((pl.col("fm") - pl.col("tm")).abs().alias("gap"))
        .filter(pl.col("gap") <= TOLERANCE)
        .sort("gap", "f", "t")
    )
    used_f, used_t, matched = set(), set(), []
    for row in pairs.iter_rows(named=True):
        if row["f"] in used_f or row["t"] in used_t:
            continue
        used_f.add(row["f"])
        used_t.add(row["t"])
        matched.append(row)
    m = pl.DataFrame(matched) if matched else None

    def share(num, den):
        return round(num / den, 3) if den else None

    out = {
        "detected": found.height,
        "injected": truth.height,
        "matched": len(matched),
        "precision": share(len(matched), found.height),
        "recall": share(len(matched), truth.height),
    }
    for kind in ("level", "trend"):
        inj = truth.filter((pl.col("kind") == kind) & (pl.col("scope") == "series")).height
        hit = (
            0
            if m is None
            else m.filter(
                (pl.col("kind_right") == kind)
                & (pl.col("scope_right") == "series")
                & (pl.col("kind") == kind)
            ).height
        )
        out[f"recall_series_{kind}_right_kind"] = share(hit, inj)
    inj = truth.filter(pl.col("scope") == "market").height
    hit = (
        0
        if m is None
        else m.filter((pl.col("scope_right") == "market") & (pl.col("scope") == "market")).height
    )
    out["recall_market_labelled_market"] = share(hit, inj)
    det_market = found.filter(pl.col("scope") == "market").height
    hit_market = 0 if m is None else m.filter(pl.col("scope") == "market").height
    out["precision_market_label"] = share(hit_market, det_market)
    return out


def peak_share(found: pl.DataFrame, tested: int) -> dict:
    """The month with the largest share of tested series breaking within ±1 month."""
    if found.height == 0 or tested == 0:
        return {"peak_month": None, "peak_share": 0.0}
    b = found.select("unique_id", month_number("break_ds").alias("m"))
    best = (None, 0)
    for m in range(int(b["m"].min()), int(b["m"].max()) + 1):
        n = b.filter((pl.col("m") - m).abs() <= 1)["unique_id"].n_unique()
        if n > best[1]:
            best = (m, n)
    m = best[0]
    label = f"{(m - 1) // 12:04d}-{(m - 1) % 12 + 1:02d}"
    return {"peak_month": label, "peak_share": round(best[1] / tested, 3)}


def run(panel: pl.DataFrame, method: str) -> tuple[object, float]:
    start = time.perf_counter()
    report = detect_breaks_report(panel, **METHODS[method])
    return report, time.perf_counter() - start


def synthetic_section(size: str) -> dict:
    panel, truth = synthetic_panel(size)
    result = {
        "series": panel["unique_id"].n_unique(),
        "months": panel["ds"].n_unique(),
        "methods": {},
    }
    for method in METHODS:
        report, seconds = run(panel, method)
        result["methods"][method] = {"seconds": round(seconds, 2), **match(report.breaks, truth)}
    base = result["methods"][BASELINE]["recall"]
    for r in result["methods"].values():
        r["recall_over_baseline"] = round(r["recall"] / base, 2) if base else None
    return result


def jobsdf_section() -> dict:
    wide = pl.read_parquet(shared_data("jobsdf", "demand", "r0.parquet"))
    months = [c for c in wide.columns if c[:2] == "20"]
    panel = wide.unpivot(
        index=["r0_id", "skill_id"], on=months, variable_name="m", value_name="y"
    ).select(
        pl.format("{}/{}", "r0_id", "skill_id").alias("unique_id"),
        pl.col("m").str.strptime(pl.Date, "%Y-%m").alias("ds"),
        "y",
    )
    index = json.loads(shared_data("jobsdf", "structural_breaks_index", "r0.json").read_text())
    ids = [f"{g}/{k}" for g, k in zip(wide["r0_id"], wide["skill_id"], strict=True)]
    in_index = {ids[i] for i in index}  # Job-SDF's own break series (rule not published)
    out = {
        "series": wide.height,
        "months": len(months),
        "index_series": len(in_index),
        "methods": {},
    }
    for method in METHODS:
        report, seconds = run(panel, method)
        s = report.summary()
        out["methods"][method] = {
            "seconds": round(seconds, 2),
            "tested": s["tested"],
            "breaks": s["breaks"],
            "series_with_breaks": s["series_with_breaks"],
            "level": s["level"],
            "trend": s["trend"],
            "market": s["market"],
            "market_events": s["market_events"],
            **peak_share(report.breaks, s["tested"]),
            "flagged_in_jobsdf_index": round(
                len(set(report.breaks["unique_id"]) & in_index) / len(in_index), 3
            ),
            "flagged_outside_index": round(
                len(set(report.breaks["unique_id"]) - in_index) / (len(ids) - len(in_index)), 3
            ),
        }
    for r in out["methods"].values():
        r["seconds_over_supf"] = round(r["seconds"] / out["methods"]["supf"]["seconds"], 2)
    return out


def hn_section() -> dict:
    raw = pl.read_csv(
        shared_data("jobads", "hn_whoishiring_terms", "hn_whoishiring_term_counts_monthly.csv")
    )
    raw = raw.with_columns(pl.col("month").str.strptime(pl.Date, "%Y-%m").alias("ds")).filter(
        pl.col("ds") >= pl.date(2012, 1, 1)
    )
    out = {}
    for value in ("count", "percentage"):
        panel = raw.select(
            pl.col("term").alias("unique_id"), "ds", pl.col(value).cast(pl.Float64).alias("y")
        )
        report, seconds = run(panel, "auto")
        b, s = report.breaks, report.summary()

        def share_between(lo, hi, b=b, s=s):
            hit = b.filter(pl.col("break_ds").is_between(lo, hi))["unique_id"].n_unique()
            return round(hit / s["tested"], 3)

        out[value] = {
            "seconds": round(seconds, 2),
            "tested": s["tested"],
            "breaks": s["breaks"],
            "market": s["market"],
            "market_events": s["market_events"],
            "share_breaking_2020_02_to_05": share_between(pl.date(2020, 2, 1), pl.date(2020, 5, 1)),
            "share_breaking_2022_11_to_2023_06": share_between(
                pl.date(2022, 11, 1), pl.date(2023, 6, 1)
            ),
            **peak_share(b, s["tested"]),
            "examples": {
                term: [
                    f"{r['break_ds']:%Y-%m} {r['kind']} {r['size']:+.2f}"
                    for r in b.filter(pl.col("unique_id") == term).iter_rows(named=True)
                ]
                for term in ("Remote", "AI", "ChatGPT", "OpenAI", "Kubernetes")
            },
        }
    return out


SEASON = lambda t: 1 + 0.5 * np.sin(2 * np.pi * t / 12)  # noqa: E731  (swings grow with level)
# (mean, months, break month or None): Poisson counts around the mean, one series per draw.
SHAPES = {
    "flat 50": (lambda t: 50 + 0 * t, 48, None),
    "linear 2+0.5t": (lambda t: 2 + 0.5 * t, 48, None),
    "linear 20+3t": (lambda t: 20 + 3 * t, 48, None),
    "linear 200+30t": (lambda t: 200 + 30 * t, 48, None),
    "exponential 20*1.04^t": (lambda t: 20 * 1.04**t, 48, None),
    "linear*season 48m": (lambda t: (20 + 3 * t) * SEASON(t), 48, None),
    "linear*season 72m": (lambda t: (20 + 3 * t) * SEASON(t), 72, None),
    "linear+season 72m": (lambda t: 20 + 3 * t + 25 * np.sin(2 * np.pi * t / 12), 72, None),
    "exponential*season 72m": (lambda t: 20 * 1.03**t * SEASON(t), 72, None),
    "slope 3->9 at 36, 72m": (lambda t: 20 + 3 * t + 6 * np.maximum(t - 36, 0), 72, 36),
    "slope 2->10 at 24, 48m": (lambda t: 50 + 2 * t + 8 * np.maximum(t - 24, 0), 48, 24),
    "level +40% at 36, *season": (
        lambda t: (20 + 3 * t) * SEASON(t) * np.where(t >= 36, 1.4, 1.0),
        72,
        36,
    ),
    "slope 3->9 at 36, *season": (
        lambda t: (20 + 3 * t + 6 * np.maximum(t - 36, 0)) * SEASON(t),
        72,
        36,
    ),
}


def growth_section(series: int = 200) -> dict:
    """Per shape and transform: the share of series given a break at the wrong month (any
    month for a no-break shape) and, with a break, the share found within ±2 months of it.
    Each series on its own (no market-wide route)."""
    rng = np.random.default_rng(0)
    out = {}
    for shape, (mean, months, brk) in SHAPES.items():
        t = np.arange(months)
        ds = pl.date_range(
            pl.date(2020, 1, 1), pl.date(2020 + months // 12 - 1, 12, 1), "1mo", eager=True
        )
        y = rng.poisson(mean(t), size=(series, months)).astype(float)
        panel = pl.DataFrame(
            {
                "unique_id": np.repeat([f"s{i:03d}" for i in range(series)], months),
                "ds": pl.concat([ds] * series),
                "y": y.ravel(),
            }
        )
        out[shape] = {}
        for transform in ("auto", "log1p", "none"):
            b = detect_breaks_report(panel, transform=transform, market_aggregate=False).breaks
            index = month_number("break_ds") - (2020 * 12 + 1)  # months since the first
            off = b.select((index - brk if brk is not None else index * 0 + months).abs())
            off = off.to_series()
            near = b.filter(off <= 2)["unique_id"].n_unique()
            wrong = b.filter(off > 2)["unique_id"].n_unique()
            out[shape][transform] = {"wrong": wrong / series}
            if brk is not None:
                out[shape][transform]["found"] = near / series
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="default", help="synthetic market size")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--skip-real", action="store_true", help="only the synthetic market")
    args = parser.parse_args()
    np.seterr(all="ignore")
    results = {"synthetic": synthetic_section(args.size), "growth": growth_section()}
    if not args.skip_real:
        results["jobsdf_r0"] = jobsdf_section()
        results["hn_terms"] = hn_section()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    syn = results["synthetic"]
    print(f"synthetic market ({args.size}): {syn['series']} skills x {syn['months']} months")
    for method, r in syn["methods"].items():
        ratio = (
            f"  recall x{r['recall_over_baseline']:.1f} vs {BASELINE}"
            if r["recall_over_baseline"] is not None and method != BASELINE
            else ""
        )
        print(
            f"  {method:<17} precision {r['precision']}  recall {r['recall']}  "
            f"(level {r['recall_series_level_right_kind']}, trend "
            f"{r['recall_series_trend_right_kind']}, market-labelled "
            f"{r['recall_market_labelled_market']}; market-label precision "
            f"{r['precision_market_label']})  {r['detected']} found / {r['injected']} "
            f"injected  {r['seconds']} s{ratio}"
        )
    print("growth and seasonality, 200 Poisson series per shape, per transform: share with a")
    print("break at a wrong month (wrong) and share with the true break found +-2 months (found)")
    for shape, r in results["growth"].items():
        cells = [f"{k} " + "/".join(f"{m} {v:.3f}" for m, v in c.items()) for k, c in r.items()]
        print(f"  {shape:<27} " + "  ".join(cells))
    if "jobsdf_r0" in results:
        j = results["jobsdf_r0"]
        print(f"Job-SDF r0: {j['series']} series x {j['months']} months")
        for method, r in j["methods"].items():
            print(
                f"  {method:<17} {r['seconds']} s (x{r['seconds_over_supf']:.1f} of supf)  "
                f"{r['breaks']} breaks in {r['series_with_breaks']} of {r['tested']} series "
                f"({r['level']} level, {r['trend']} trend), market-wide {r['market']} "
                f"(events {','.join(r['market_events']) or '-'}); "
                f"peak {r['peak_month']} share {r['peak_share']}; flags "
                f"{r['flagged_in_jobsdf_index']} of Job-SDF's {j['index_series']} break-index "
                f"series, {r['flagged_outside_index']} of the others"
            )
        for value, r in results["hn_terms"].items():
            print(
                f"HN terms ({value}): {r['breaks']} breaks in {r['tested']} series, "
                f"{r['seconds']} s; breaking 2020-02..05: {r['share_breaking_2020_02_to_05']}"
                f", 2022-11..2023-06: {r['share_breaking_2022_11_to_2023_06']}; market-wide "
                f"{r['market']} (events {','.join(r['market_events']) or '-'}); "
                f"peak {r['peak_month']} share {r['peak_share']}"
            )
            for term, items in r["examples"].items():
                print(f"    {term}: {', '.join(items) or '-'}")


if __name__ == "__main__":
    main()
