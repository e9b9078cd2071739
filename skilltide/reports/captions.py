"""Short plain-language captions, generated from the numbers, that an analyst can paste.

Each function takes the data behind one chart and returns one or two sentences of plain text
(the page escapes it). Numbers are rounded the way a briefing would round them.

Example
-------
>>> signed_pct(0.1234)
'+12%'
>>> month_name(__import__("datetime").date(2025, 6, 1))
'Jun 2025'
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

MINUS = "\u2212"


def month_name(day: dt.date | None) -> str:
    return day.strftime("%b %Y") if day is not None else "?"


def signed_pct(x: float) -> str:
    """A fraction as a signed whole percent with a true minus sign: 0.12 → '+12%'; a change
    that rounds to nothing is '0%' (not '−0%')."""
    if not math.isfinite(x):
        return "n/a"
    if round(x * 100) == 0:
        return "0%"
    text = f"{x * 100:+.0f}%"
    return text.replace("-", MINUS)


def number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def overview(
    market: pl.DataFrame,
    months: tuple,
    n_skills: int,
    granularity: str,
    unit: str = "job ads",
    level: str | None = None,
    last_series: tuple[int, float | None] | None = None,
) -> str:
    """The first finding; ``level``: the unit of a panel of levels (an index), not counts;
    ``last_series``: its last month's series and their mean a year earlier."""
    last = market.sort("month").tail(13)
    if level is not None:
        text = (
            f"From {month_name(months[0])} to {month_name(months[1])} the panel holds "
            f"{n_skills:,} series in {level}, not counts of ads"
            f"{'' if granularity == 'market' else f', by {granularity}'}."
        )
        n_last, before = last_series or (n_skills, None)
        fewer = n_last < n_skills  # some series end before the last month
        if last.height == 13 and last["ads"][0] > 0:
            before = before if fewer else last["ads"][0]
            which = f" ({n_last:,} of the {n_skills:,} series; the others end earlier)"
            text += (
                f" In {month_name(last['month'][-1])} their mean was {number(last['ads'][-1])}"
                f"{which if fewer else ''}"
            )
            if before:  # a year earlier, the same series
                same = f" (the same {n_last:,} series)" if fewer else ""
                text += f", {signed_pct(last['ads'][-1] / before - 1)} on a year earlier{same}"
            text += "."
        return text
    total = market["ads"].sum()
    text = (
        f"From {month_name(months[0])} to {month_name(months[1])} the data hold "
        f"{total:,.0f} {unit}; {n_skills:,} skills are tracked"
        f"{'' if granularity == 'market' else f' by {granularity}'}."
    )
    if unit != "job ads":
        text += " This panel carries no ad totals, so the counts are skill mentions."
    if last.height == 13 and last["ads"][0] > 0:
        change = last["ads"][-1] / last["ads"][0] - 1
        text += (
            f" In {month_name(last['month'][-1])} there were {last['ads'][-1]:,.0f} "
            f"{'ads' if unit == 'job ads' else unit}, "
            f"{signed_pct(change)} on a year earlier."
        )
    return text


def left_out(months: pl.DataFrame, n_series: int) -> str:
    """Why the market line of a panel of levels ends (or starts) where it does: ``months``
    (month, n_series) hold fewer than its ``n_series`` series."""
    first, last = months["month"].min(), months["month"].max()
    lo, hi = months["n_series"].min(), months["n_series"].max()
    when = (
        month_name(first)
        if months.height == 1
        else (f"{months.height} months ({month_name(first)} to {month_name(last)})")
    )
    held = f"{lo:,}" if lo == hi else f"{lo:,} to {hi:,}"
    return (
        f"The market line is the mean of all {n_series:,} series over the months every one of "
        f"them has: {when} {'holds' if months.height == 1 else 'hold'} only {held} and "
        f"{'is' if months.height == 1 else 'are'} left out, as a mean of other series would move "
        "with no change in demand."
    )


GROWTH_GUIDE = (
    "Each dot is a skill's forecast change; its line spans the 80% prediction interval, which "
    "should hold the outcome 4 times in 5. Where a line crosses 0 the skill could as well "
    "fall as rise."
)


def growth(
    frame: pl.DataFrame, model: str, end: dt.date, explanation: str = "", data: str = "ads"
) -> str:
    """The extremes and the counts; ``model`` is the reader's name of the forecast's model and
    ``explanation`` what it does (this is where the report first names it); ``data`` what the
    series count (``data`` for a panel of levels)."""
    if frame.height == 0:
        return f"No skill has enough recent {data} for a meaningful growth figure."
    top, bottom = frame.row(0, named=True), frame.row(-1, named=True)
    # a forecast without a backtest (too short a history) has no interval
    intervals = frame["lo"].null_count() < frame.height
    method = f" Forecast method: {model}{f' ({explanation})' if explanation else ''}."
    # when every series falls, the top one falls least; alone, it just changes
    verb = "change" if frame.height == 1 else "rise most" if top["growth"] >= 0 else "fall least"
    text = (
        f"By {month_name(end)} the forecast expects {top['label']} to {verb}: "
        f"{signed_pct(top['growth'])} on {top['basis']}{_interval(top, ' (80% interval ')}."
    )
    if bottom["growth"] < 0 and frame.height > 1:
        text += (
            f" {bottom['label']} is expected to fall most: {signed_pct(bottom['growth'])}"
            f"{_interval(bottom, ' (')}."
        )
    if not intervals:
        return text + (
            " The history is too short to backtest the forecast, so it has no prediction interval."
            + method
        )
    up = frame.filter(pl.col("lo") > 0).height
    down = frame.filter(pl.col("hi") < 0).height
    text += (
        f" Of {frame.height} series with enough {data}, {up} {'is' if up == 1 else 'are'}"
        " expected to grow and "
        f"{down} to shrink with 80% confidence; the rest could go either way."
    )
    return text + method


def _interval(row: dict, opening: str) -> str:
    if row["lo"] is None or row["hi"] is None:
        return ""
    return f"{opening}{signed_pct(row['lo'])} to {signed_pct(row['hi'])})"


def market_breaks(frame: pl.DataFrame | None) -> str:
    """The market-wide breaks as events: neighbouring months (a series counts as market-wide
    within a month of the event) are one event, named by its busiest month."""
    if frame is None or frame.height == 0:
        return (
            "No market-wide break was detected: no month in which a quarter or more of the "
            "series changed at once."
        )
    months = frame.group_by("break_ds").agg(pl.col("n_series").sum()).sort("break_ds")
    index = months["break_ds"].dt.year() * 12 + months["break_ds"].dt.month()
    months = months.with_columns(event=(index.diff().fill_null(1) > 1).cum_sum())
    parts = []
    for (_,), event in months.group_by("event", maintain_order=True):
        peak = event.sort("n_series", "break_ds", descending=[True, False])["break_ds"][0]
        first, last = event["break_ds"].min(), event["break_ds"].max()
        span = (
            f" (its changes counted from {month_name(first)} to {month_name(last)})"
            if first != last
            else ""
        )
        kinds = (
            frame.filter(pl.col("break_ds").is_between(first, last))
            .group_by("kind")
            .agg(pl.col("share_series").sum())
            .sort("share_series", "kind", descending=[True, False])
        )
        what = " and ".join(
            f"{'level shift' if r['kind'] == 'level' else r['kind'] + ' change'} in "
            f"{_share(r['share_series'])} of series"
            for r in kinds.iter_rows(named=True)
        )
        parts.append(f"{month_name(peak)}{span}: {what}")
    many = len(parts) > 1
    return (
        f"Market-wide break{'s' if many else ''}: {'; '.join(parts)}. A structural break is "
        "a lasting jump or drop in a skill's demand (level shift) or a change in how fast it "
        "grows (trend change); when many skills break in the same month the cause is usually "
        "the data (a new job board, a taxonomy change), not demand itself."
    )


def _share(x: float) -> str:
    """A share as a whole percent; a share that rounds to nothing is '<1%', not '0%'."""
    return "<1%" if 0 < x < 0.005 else f"{min(x, 1.0):.0%}"


BREAK_TERMS = (
    "Kind: level = a sudden jump or drop in demand; trend = a change in how fast it grows. "
    "Size: in {unit} (per month for a trend). p value: how likely a change this large is by "
    "chance alone; only changes with p below 0.05 are reported."
)
BREAK_METHODS = (
    " Scope: market = within a month of a market-wide break (likely a data change); series = "
    "this series alone. Method: bai-perron searches each series for its own break months; "
    "chow tests a series at a month when the whole market broke."
)


def explain_break(
    kind: str,
    size: float | None,
    p_value: float | None,
    scope: str,
    month: dt.date,
    value: str = "count",
    unit: str = "ads a month",
) -> str:
    """One line explaining a detected break; ``value`` is what was tested (count or share),
    ``unit`` the count's."""
    what = "Level shift" if kind == "level" else "Trend change" if kind == "trend" else kind
    size_text = ""
    if size is not None:
        unit = unit if value == "count" else "percentage points"
        amount = f"{size * (100 if value == 'share' else 1):+,.2f}".replace("-", MINUS)
        size_text = f" of {amount} {unit}" + (" per month" if kind == "trend" else "")
    p_text = f", p = {p_value:.3g}" if p_value is not None else ""
    where = (
        "market-wide: a quarter or more of the series changed within a month of it (likely "
        "a data change)"
        if scope == "market"
        else "specific to this series"
    )
    return f"{month_name(month)}: {what}{size_text}{p_text}; {where}."


def explorer(
    model: str | None,
    start: dt.date | None,
    end: dt.date | None,
    has_breaks: bool,
    unit: str,
    n_shown: int,
    n_total: int,
    intervals: bool = True,
) -> str:
    text = f"Choose a series in the list. The black line is the observed demand ({unit})."
    if model:
        text += (
            f" The dashed blue line is the forecast ({model}) for {month_name(start)} to "
            f"{month_name(end)}; "
            + (
                "the darker band holds the outcome 80% of the time, the lighter one 95%."
                if intervals
                else "it has no prediction interval (the history is too short to backtest it)."
            )
        )
    if has_breaks:
        text += " Orange lines mark detected structural breaks, explained under the chart."
    if n_shown < n_total:
        text += f" The {n_shown:,} busiest of {n_total:,} series are included."
    return text


def profile(
    frame: pl.DataFrame,
    source: str,
    closest: pl.DataFrame | None = None,
    min_similarity: float = 0.1,
    most: int = 8,
) -> str:
    """The first occupation's top skill; with ``closest`` (pairs with a similarity of
    ``min_similarity`` or more, up to ``most`` each), how many close occupations it has."""
    first = frame.row(0, named=True)
    top = (  # a profile from the graph (no occupations in the panel) is not what ads ask for
        f"{first['occupation']} ads most often ask for {first['skill']} "
        f"({first['value']:.0f}% of its ads)"
        if source == "demand"
        else f"In the skill network, the strongest skill of {first['occupation']} is "
        f"{first['skill']} (weight {first['value']:.2f})"
    )
    text = (
        f"{top}. "
        "Choose an occupation to see its skill profile and the occupations with the "
        "most similar skills, where its workers could most easily move."
    )
    if closest is None:
        return text
    n = closest.filter(pl.col("occupation") == first["occupation"]).height
    found = (
        "has no close occupation"
        if n == 0
        else f"has {n} close occupation{'s' if n > 1 else ''}, fewer than the {most} the "
        "chart can list"
        if n < most
        else f"has {most} or more close occupations; the chart lists the closest {most}"
    )
    return text + (
        f" An occupation counts as close only with a skill-profile similarity of "
        f"{min_similarity:g} or more (0 = no skill in common, 1 = the same skills); below "
        f"that the two share almost nothing. {first['occupation']} {found}."
    )


def zones(frame: pl.DataFrame) -> str:
    top = frame.sort("share_green_light", descending=True).row(0, named=True)
    red = frame.sort("share_red_light", descending=True).row(0, named=True)
    return (
        f"Of {frame.height} occupations shown, {top['occupation_title']} has the largest "
        f"share of tasks in the green-light zone ({top['share_green_light']:.0%}): workers "
        f"want AI agents to take them on and experts judge agents capable. "
        f"{red['occupation_title']} has the most red-light tasks "
        f"({red['share_red_light']:.0%}): agents could do them but workers do not want it."
    )


def network(communities: pl.DataFrame, n_shown: int, n_total: int, summary: pl.DataFrame) -> str:
    first = communities.row(0, named=True)
    text = (
        f"The {n_shown:,} most connected of {n_total:,} skills form {communities.height} "
        f"group{'s' * (communities.height != 1)} of skills that are used together; the largest, "
        f"'{first['community_label'].split('. ', 1)[-1]}', has {first['n_skills']} skills."
    )
    # the groups drawn are those of the complementarity network θ: its modularity, if stored
    rows = {r["metric"]: r for r in summary.iter_rows(named=True)} if summary.height else {}
    row = rows.get("complementarity_modularity") or rows.get("modularity")
    if row is None or row["null_mean"] is None:  # not tested against the null model
        return text
    lead = (
        f" Modularity (how much more skills link within their group than across "
        f"groups) is {row['observed']:.2f} against {row['null_mean']:.2f} in randomised networks"
    )
    if row["z_score"] is not None:
        text += (
            lead
            + f" (z = {row['z_score']:.1f}: chance alone seldom passes 3), "
            + (
                "so the grouping is real."
                if row["z_score"] >= 3
                else "so the grouping may be no more than chance."
            )
        )
    elif row.get("p_value") is not None and row["observed"] > row["null_mean"]:
        # every randomised network gave the same value (one group): no z, but a p-value
        p, n = row["p_value"], row["n_null"]
        text += (
            lead
            + f" (all {n} alike, p = {p:.2g}), "
            + ("so the grouping is real." if p <= 0.05 else "too few to tell it from chance.")
        )
    return text


def communities(source: str, graph_id: str, run_id: str, element: str = "skills") -> str:
    """The communities table's caption: what the network was built from, in words, and its
    ids once (a graph built by its own run has the run's id)."""
    rated = {"knowledge": "knowledge", "abilities": "ability", "activities": "work activity"}
    built = {
        # θ: the share of occupations using one skill that also use the other (RCA > 1)
        "ads": "job ads, linking skills that the same occupations' ads ask for",
        "onet": "O*NET's lists of the technology each occupation uses"
        if element == "technology"
        else f"O*NET's {rated.get(element, 'skill')} ratings of occupations",
    }
    ids = f"graph and run {run_id}" if graph_id == run_id else f"graph {graph_id}, run {run_id}"
    return (
        f"The ten most connected skills of each community. The network was built from "
        f"{built.get(source, source)} ({ids})."
    )


def exposure(communities: pl.DataFrame, column: str) -> str:
    # A community's mean says little when most of its skills have no WORKBank data.
    ranked = communities.filter(
        pl.col("mean_exposure").is_not_null(),
        pl.col("skills_with_exposure") * 2 >= pl.col("n_skills"),
    ).sort("mean_exposure", descending=True)
    if ranked.height == 0:
        return (
            "Too few skills have WORKBank data to compare communities; grey skills are used "
            "only in occupations WORKBank does not cover."
        )
    top, low = ranked.row(0, named=True), ranked.row(-1, named=True)
    return (
        f"Skills in community '{top['community_label'].split('. ', 1)[-1]}' are the most "
        f"exposed to automation (mean {column.replace('_', ' ')} {top['mean_exposure']:.2f}); "
        f"'{low['community_label'].split('. ', 1)[-1]}' the least "
        f"({low['mean_exposure']:.2f})."
    )
