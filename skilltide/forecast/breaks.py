"""Structural breaks in monthly demand series: when, what kind, how big, and how wide.

:func:`detect_breaks` takes a long panel (``unique_id``, ``ds``, ``y``; see
:mod:`skilltide.forecast.panel`) and returns one row per break with the month it starts
(``break_ds``), its ``kind`` (``level`` shift or ``trend`` change), ``size`` (the jump in
``y`` for a level shift, the change of slope in ``y`` per month for a trend change; in the
panel's own units), the test ``statistic`` and ``p_value``, the ``scope`` and the
``method``. Detectors, by name (:data:`DETECTORS`):

- ``supf``: at most one break per series, the sup-F (Quandt–Andrews) test
  (:mod:`~skilltide.forecast.breaks_supf`).
- ``bai-perron`` (``auto``): several breaks, placed by dynamic programming with the LWZ
  criterion (``criterion='bic'`` for BIC; :mod:`~skilltide.forecast.breaks_dp`), each
  confirmed by a sup-F test on the stretch between its neighbouring breaks.
- ``cusum``: the OLS-CUSUM test (statsmodels), one level break per series: a baseline.

Each series of counts is tested on the scale its no-break line fits best, ``y`` or
``log1p(y)`` (``transform='auto'`` when every ``y ≥ 0``;
:mod:`~skilltide.forecast.breaks_scale`), so neither steady growth by a fixed number nor by a
fixed percentage a month reads as breaks; a series a line fits exactly has no noise to test
against and is not tested. Series of at least 48 months (four years) are tested with
month-of-year effects (``seasonal='auto'``): dummies in the test regressions and a classical
moving-average decomposition before the Bai–Perron search. Series shorter than
``max(min_length, 2·min_size)`` months and constant series (e.g. all zero) are not tested
and have no breaks. Series must have no missing months: fill gaps explicitly first
(:func:`~skilltide.forecast.panel.fill_gaps`).

Scope (:mod:`~skilltide.forecast.breaks_market`): a break is ``market``-wide when

1. the panel's aggregate (sum of ``y`` over the tested series) breaks at month ``c``, and at
   least ``market_share`` (default 25%) and ``market_min_series`` (5) of the series that
   could break at ``c`` reject a Chow test at the known month ``c``: those series get a
   ``market`` break at ``c`` (method ``chow``), and any break within ``±market_window``
   (default 1) months of ``c`` is ``market`` too (``market_aggregate=True``, the default);
2. or at least ``market_share`` of the series that could break in some month ``c`` (with
   ``min_size`` months on each side), and ``market_min_series``, break within
   ``±market_window`` months of ``c``, and the break lies in that window.

Every other break is ``series``-specific. Under the null, breaks spread over all months at a
rate of ``alpha``, so a quarter of the series breaking together is far beyond chance: it
marks a new source, a taxonomy change or a shock such as COVID-19.

Example
-------
>>> import numpy as np, polars as pl
>>> from datetime import date
>>> y = np.r_[np.full(24, 10.0), np.full(24, 30.0)] + np.random.default_rng(3).normal(size=48)
>>> panel = pl.DataFrame({"unique_id": "python", "y": y,
...     "ds": pl.date_range(date(2020, 1, 1), date(2023, 12, 1), "1mo", eager=True)})
>>> found = detect_breaks(panel)
>>> found.select("unique_id", "break_ds", "kind", "scope").rows()
[('python', datetime.date(2022, 1, 1), 'level', 'series')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.breaks_detectors import (
    DEFAULT_METHOD,
    DETECTORS,
    base_for,
    check_break_options,
    deseasonalise,
)
from skilltide.forecast.breaks_market import (
    DETECTED_SCHEMA,
    SeriesBlock,
    label_scope,
    market_event_breaks,
)
from skilltide.forecast.breaks_scale import LOG, RATIO, choose_scale, exact_rows, scaled
from skilltide.forecast.breaks_supf import KINDS, base_columns

__all__ = [
    "BREAK_SCHEMA",
    "DETECTORS",
    "BreakReport",
    "detect_breaks",
    "detect_breaks_report",
    "label_scope",
]

BREAK_SCHEMA = {
    "unique_id": pl.Utf8,
    "break_ds": pl.Date,
    "kind": pl.Utf8,
    "size": pl.Float64,
    "statistic": pl.Float64,
    "p_value": pl.Float64,
    "scope": pl.Utf8,
    "method": pl.Utf8,
}


@dataclass
class BreakReport:
    """Breaks found and what was tested (for run notes and summaries)."""

    breaks: pl.DataFrame
    series: int = 0
    tested: int = 0
    too_short: int = 0
    constant: int = 0
    transform: str = "none"
    log_scale: int = 0  # series tested on log1p(y)
    ratio_scale: int = 0  # series tested on y over multiplicative month-of-year factors
    exact_line: int = 0  # series a no-break line fits exactly: not tested
    method: str = DEFAULT_METHOD
    market_events: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        b = self.breaks
        return {
            "method": self.method,
            "transform": self.transform,
            "series": self.series,
            "tested": self.tested,
            "too_short": self.too_short,
            "constant": self.constant,
            "exact_line": self.exact_line,
            "log_scale": self.log_scale,
            "ratio_scale": self.ratio_scale,
            "breaks": b.height,
            "series_with_breaks": b["unique_id"].n_unique() if b.height else 0,
            "level": int((b["kind"] == "level").sum()) if b.height else 0,
            "trend": int((b["kind"] == "trend").sum()) if b.height else 0,
            "market": int((b["scope"] == "market").sum()) if b.height else 0,
            "market_events": self.market_events,
            "market_months": sorted(
                {d.strftime("%Y-%m") for d in b.filter(pl.col("scope") == "market")["break_ds"]}
            )
            if b.height
            else [],
            **self.params,
        }


def detect_breaks(
    panel: pl.DataFrame,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    min_size: int = 6,
    **options: Any,
) -> pl.DataFrame:
    """Find structural breaks in every series of a long monthly panel.

    Parameters
    ----------
    panel : polars.DataFrame
        ``unique_id``, ``ds`` (first of month), ``y``; no missing months within a series.
    method : {'auto', 'bai-perron', 'supf', 'cusum'}
        Detector (see the module docstring); ``auto`` is ``bai-perron``.
    alpha : float
        Significance level of each break's test.
    min_size : int
        Fewest months on each side of a break (and in any segment between two breaks).
    **options
        ``max_breaks`` (default ``min(5, T // min_size - 1)``), ``transform``
        (``auto``/``log1p``/``none``), ``min_length`` (12), ``market_share`` (0.25),
        ``market_window`` (1), ``market_min_series`` (5), ``market_aggregate`` (True),
        ``seasonal`` (``auto``: month-of-year effects for series of 48+ months).

    Returns
    -------
    polars.DataFrame
        Columns ``unique_id, break_ds, kind, size, statistic, p_value, scope, method``.
    """
    return detect_breaks_report(
        panel, method=method, alpha=alpha, min_size=min_size, **options
    ).breaks


def detect_breaks_report(
    panel: pl.DataFrame,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    min_size: int = 6,
    max_breaks: int | None = None,
    criterion: str = "lwz",
    transform: str = "auto",
    min_length: int = 12,
    market_share: float = 0.25,
    market_window: int = 1,
    market_min_series: int = 5,
    market_aggregate: bool = True,
    seasonal: bool | str = "auto",
) -> BreakReport:
    """:func:`detect_breaks` with counts of what was tested (a :class:`BreakReport`)."""
    name = check_break_options(method, alpha, min_size)
    missing = [c for c in ("unique_id", "ds", "y") if c not in panel.columns]
    if missing:
        raise UserError(f"panel: missing column(s) {', '.join(missing)}")
    params = {
        "alpha": alpha,
        "min_size": min_size,
        "max_breaks": max_breaks,
        "criterion": criterion,
        "market_share": market_share,
        "market_window": market_window,
        "market_min_series": market_min_series,
        "market_aggregate": market_aggregate,
        "seasonal": seasonal,
        "min_length": min_length,
    }
    empty = pl.DataFrame(schema=BREAK_SCHEMA)
    if panel.height == 0:
        return BreakReport(empty, method=name, params=params)

    frame = (
        panel.select(
            pl.col("unique_id").cast(pl.Utf8),
            pl.col("ds").cast(pl.Date),
            pl.col("y").cast(pl.Float64),
        )
        .sort("unique_id", "ds")
        .with_columns(
            (pl.col("ds").dt.year() * 12 + pl.col("ds").dt.month() - 1).cast(pl.Int64).alias("_m")
        )
    )
    if frame["y"].null_count() or frame["y"].is_nan().any():
        bad = frame.filter(pl.col("y").is_null() | pl.col("y").is_nan()).row(0, named=True)
        raise UserError(
            f"panel: series {bad['unique_id']!r} has no value for {bad['ds']}; "
            "fill gaps explicitly (fill_gaps, or --fill 0 for counts)"
        )
    info = frame.group_by("unique_id", maintain_order=True).agg(
        pl.col("_m").min().alias("first"),
        pl.col("_m").max().alias("last"),
        pl.len().alias("n"),
        (pl.col("y").max() - pl.col("y").min()).alias("range"),
    )
    gaps = info.filter(pl.col("last") - pl.col("first") + 1 != pl.col("n"))
    if gaps.height:
        row = gaps.row(0, named=True)
        raise UserError(
            f"panel: series {row['unique_id']!r} has missing months between "
            f"{_month_label(row['first'])} and {_month_label(row['last'])} ({gaps.height} series "
            "with gaps); fill gaps explicitly (fill_gaps, or --fill 0 for counts)"
        )

    if transform not in ("auto", "log1p", "none"):
        raise UserError(f"transform must be auto, log1p or none, not {transform!r}")
    if transform == "log1p" and frame["y"].min() < 0:
        raise UserError("panel: transform log1p needs y >= 0")
    # auto: each non-negative series on the scale its no-break line fits best
    scale = "none" if transform == "auto" and frame["y"].min() < 0 else transform

    if seasonal not in ("auto", True, False):
        raise UserError(f"seasonal must be auto, true or false, not {seasonal!r}")
    use_season = seasonal in ("auto", True)
    need = max(min_length, 2 * min_size)
    report = BreakReport(
        empty,
        series=info.height,
        method=name,
        transform=scale,
        params=params,
    )
    report.too_short = int((info["n"] < need).sum())
    report.constant = int(((info["n"] >= need) & (info["range"] <= 0)).sum())
    tested = info.filter((pl.col("n") >= need) & (pl.col("range") > 0))
    report.tested = tested.height
    if tested.height == 0:
        return report

    values = frame.filter(pl.col("unique_id").is_in(tested["unique_id"].implode()))
    blocks: list[SeriesBlock] = []
    rows: list[dict[str, Any]] = []
    for (length,), group in tested.group_by("n", maintain_order=True):
        ids = group["unique_id"]
        block = values.filter(pl.col("unique_id").is_in(ids.implode()))
        raw = block["y"].to_numpy().reshape(len(ids), int(length))  # sorted by id, ds
        order = block["unique_id"].gather(np.arange(0, block.height, int(length)))
        firsts = dict(zip(group["unique_id"], group["first"], strict=True))
        base = base_for(int(length), use_season)
        scales = choose_scale(raw, base, scale, min_size)
        Z = scaled(raw, scales)
        exact = exact_rows(raw, base)
        report.log_scale += int((scales[~exact] == LOG).sum())
        report.ratio_scale += int((scales[~exact] == RATIO).sum())
        if exact.any():  # a noise-free line: no noise to test a break against
            report.exact_line += int(exact.sum())
            report.tested -= int(exact.sum())
            keep = ~exact
            order, raw, Z = order.filter(keep), raw[keep], Z[keep]
            if not keep.any():
                continue
        flat = deseasonalise(Z) if base != "trend" else Z
        sb = SeriesBlock(order.to_list(), np.array([firsts[u] for u in order]), raw, Z, flat)
        blocks.append(sb)
        for row, start, end, tau, kind, stat, p in DETECTORS[name](
            sb.Z,
            alpha=alpha,
            min_size=min_size,
            max_breaks=max_breaks,
            criterion=criterion,
            seasonal=use_season,
        ):
            rows.append(
                {
                    "unique_id": sb.ids[row],
                    "_m": int(sb.first[row]) + tau,
                    "kind": KINDS[kind],
                    "size": _size(raw[row, start:end], tau - start, kind, use_season),
                    "statistic": stat,
                    "p_value": p,
                    "method": name,
                }
            )
    found = pl.DataFrame(rows, schema=DETECTED_SCHEMA)
    coverage = tested.select(
        "unique_id",
        (pl.col("first") + min_size).alias("from"),
        (pl.col("last") - min_size + 1).alias("to"),
    )
    if found.height:
        found = label_scope(
            found,
            coverage,
            share=market_share,
            window=market_window,
            min_series=market_min_series,
        )
    else:
        found = found.with_columns(pl.lit("series").alias("scope"))
    if market_aggregate and tested.height >= market_min_series:
        events, common = market_event_breaks(
            blocks,
            values,
            alpha=alpha,
            min_size=min_size,
            need=need,
            scale=scale,
            max_breaks=max_breaks,
            criterion=criterion,
            seasonal=use_season,
            share=market_share,
            min_series=market_min_series,
            size=lambda y, tau, kind: _size(y, tau, kind, use_season),
            detect=DETECTORS[DEFAULT_METHOD],
        )
        report.market_events = [_month_label(m) for m in events]
        if common.height:
            # a series' own break within +-window of an event it shares is that event
            near = found.join(
                common.select("unique_id", pl.col("_m").alias("_e")), on="unique_id", how="left"
            )
            near = near.filter((pl.col("_m") - pl.col("_e")).abs() <= market_window)
            found = pl.concat(
                [
                    found.join(near.select("unique_id", "_m"), on=["unique_id", "_m"], how="anti"),
                    common.select(found.columns),
                ]
            )
        if events:  # any break within +-window of an aggregate event is that event
            at_event = pl.any_horizontal(
                [(pl.col("_m") - e).abs() <= market_window for e in events]
            )
            found = found.with_columns(
                pl.when(at_event).then(pl.lit("market")).otherwise(pl.col("scope")).alias("scope")
            )
    if found.height == 0:
        return report
    found = found.with_columns(
        pl.date(pl.col("_m") // 12, pl.col("_m") % 12 + 1, 1).alias("break_ds")
    )
    report.breaks = found.select(list(BREAK_SCHEMA)).sort("unique_id", "break_ds")
    return report


def _size(y: np.ndarray, tau: int, kind: int, seasonal: bool = False) -> float:
    """The break's coefficient on the raw scale: jump (level) or change of monthly slope."""
    t = np.arange(y.size, dtype=float)
    extra = (t >= tau).astype(float) if kind == 0 else np.maximum(t - tau + 1, 0.0)
    season = base_columns(y.size, base_for(y.size, seasonal))[2:]
    X = np.column_stack([np.ones(y.size), t, extra, *season])
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    return float(coef[2])


def _month_label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"
