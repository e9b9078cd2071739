"""Altair chart builders for the report: one function per chart, data in, Vega-Lite spec out.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies)
and viridis for continuous values. Every chart has a title, axis titles with units and
tooltips. Dates are shown in UTC so a month never slips into the previous one. Charts that
should follow the page width use ``width="container"``; the page fixes concatenated charts.

Example
-------
>>> import datetime as dt, polars as pl
>>> market = pl.DataFrame({"month": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
...                        "ads": [100.0, 120.0]})
>>> spec = market_chart(market, None).to_dict()
>>> spec["layer"][0]["mark"]["type"]
'line'
"""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
OTHER_GREY = "#BBBBBB"
MONTH = "utcyearmonth"
NOTE_WIDTH = 90  # characters per line of the notes under a chart (13 px: ~600 px)
NARROW_NOTE_WIDTH = 38  # the same on a phone (~270 px); the page sets the `narrow` param
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def finish(chart: alt.TopLevelMixin, width: str | int = "container") -> dict:
    """The chart as a Vega-Lite dict with the report's shared look and its data embedded once.

    Each distinct data frame becomes one named dataset (rows as JSON objects) that every layer
    refers to, which keeps the page lean and skips Altair's copying of inline data.
    """
    datasets: dict[str, pl.DataFrame] = {}
    _detach(chart, datasets, {})
    if width == "container" and not isinstance(chart, alt.VConcatChart | alt.HConcatChart):
        chart = chart.properties(width="container")
    spec = (
        chart.configure(font=FONT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
        .configure_axis(
            labelFontSize=12,
            titleFontSize=13,
            labelLimit=340,
            titleFontWeight="normal",
            gridColor="#e6e6e6",
        )
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=420, titleLimit=420)
        .configure_title(
            fontSize=16, anchor="start", subtitleFontSize=13, subtitleColor="#444444", offset=10
        )
        .configure_view(stroke=None)
    ).to_dict()
    spec["datasets"] = {name: _json_safe(frame).to_dicts() for name, frame in datasets.items()}
    return spec


def _json_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """NaN and infinities become nulls: JSON has no such numbers, Vega skips nulls."""
    floats = pl.col(pl.Float32, pl.Float64)
    return frame.with_columns(pl.when(floats.is_finite()).then(floats).otherwise(None))


def _detach(chart, datasets: dict[str, pl.DataFrame], seen: dict[int, str]) -> None:
    """Replace every polars frame in the chart tree by a reference to a named dataset."""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pl.DataFrame):
        name = seen.get(id(data))
        if name is None:
            name = seen[id(data)] = f"data{len(datasets)}"
            datasets[name] = data
        chart.data = alt.NamedData(name=name)
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in getattr(chart, key, None) or []:
            _detach(child, datasets, seen)


def _dates(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).dt.strftime("%Y-%m-%d") for c in cols)


def market_chart(
    market: pl.DataFrame, market_breaks: pl.DataFrame | None, unit: str = "job ads"
) -> alt.LayerChart:
    """``unit`` (job ads, or skill mentions) per month in the whole market, with market-wide
    breaks marked."""
    axis = f"{unit[:1].upper()}{unit[1:]} per month"
    base = alt.Chart(_dates(market, "month"))
    layers = [
        base.mark_line(color=OKABE_ITO[0], strokeWidth=2.5).encode(
            x=alt.X("month:T", timeUnit=MONTH, title="Month"),
            y=alt.Y("ads:Q", title=axis, scale=alt.Scale(zero=True)),
            tooltip=[
                alt.Tooltip("month:T", timeUnit=MONTH, title="Month"),
                alt.Tooltip("ads:Q", title=axis, format=",.0f"),
            ],
        ),
    ]
    if market_breaks is not None and market_breaks.height:
        # One rule per month; only the month hitting most series gets a label, so labels of
        # neighbouring months never collide (the caption and tooltips name every break).
        per_month = (
            market_breaks.sort("kind")
            .group_by("break_ds")
            .agg(kind=pl.col("kind").str.join(" + "), share_series=pl.col("share_series").max())
            .sort("break_ds")
        )
        top = per_month["share_series"].arg_max()
        # a label right of a late break would run off the chart's right edge: put it left
        first, last = market["month"].min(), market["month"].max()
        late = per_month["break_ds"][top] > first + (last - first) / 2
        marks = _dates(per_month, "break_ds").with_columns(
            text=pl.when(pl.int_range(pl.len()) == top)
            .then(pl.format("{} break", pl.col("kind")))
            .otherwise(pl.lit(""))
        )
        rules = alt.Chart(marks)
        layers += [
            rules.mark_rule(color=OKABE_ITO[3], strokeDash=[6, 4], strokeWidth=2).encode(
                x=alt.X("break_ds:T", timeUnit=MONTH),
                tooltip=[
                    alt.Tooltip("break_ds:T", timeUnit=MONTH, title="Break month"),
                    alt.Tooltip("kind:N", title="Kind"),
                    alt.Tooltip("share_series:Q", title="Series affected", format=".0%"),
                ],
            ),
            rules.mark_text(
                align="right" if late else "left",
                dx=-4 if late else 4,
                dy=-6,
                color=OKABE_ITO[3],
                fontSize=12,
            ).encode(x=alt.X("break_ds:T", timeUnit=MONTH), y=alt.value(8), text="text:N"),
        ]
    marked = market_breaks is not None and market_breaks.height > 0
    return alt.layer(*layers).properties(
        height=260,
        title=alt.Title(
            f"{axis}, whole market",
            subtitle="Dashed lines: market-wide structural breaks" if marked else "",
        ),
    )


def growth_chart(
    growth: pl.DataFrame, end_label: str, per_side: int = 10, unit: str = ""
) -> alt.LayerChart:
    """Top rising and falling skills by forecast growth, with 80% intervals; ``unit`` (ads a
    month) is the base level's and the forecast's."""
    in_unit = f" ({unit})" if unit else ""
    basis = growth["basis"][0].split(" (")[0] if growth.height else "the base period"
    rising = growth.filter(pl.col("growth") > 0).head(per_side)
    falling = growth.filter(pl.col("growth") < 0).tail(per_side)
    frame = (
        pl.concat([rising, falling])
        .with_columns(
            direction=pl.when(pl.col("growth") > 0)
            .then(pl.lit("Rising"))
            .otherwise(pl.lit("Falling")),
            **{c: (pl.col(c) * 100).round(1) for c in ("growth", "lo", "hi")},
        )
        .select(
            "label",
            "growth",
            "lo",
            "hi",
            "direction",
            base=pl.col("base").round(2),
            end=pl.col("end").round(2),
        )
    )
    y = alt.Y("label:N", sort=alt.EncodingSortField("growth", order="descending"), title=None)
    base = alt.Chart(frame)
    colour = alt.Color(
        "direction:N",
        title=None,
        legend=alt.Legend(orient="top"),
        scale=alt.Scale(domain=["Rising", "Falling"], range=[OKABE_ITO[0], OKABE_ITO[3]]),
    )
    tooltip = [
        alt.Tooltip("label:N", title="Skill"),
        alt.Tooltip("growth:Q", title="Forecast change (%)", format="+.1f"),
        alt.Tooltip("lo:Q", title="80% interval from (%)", format="+.1f"),
        alt.Tooltip("hi:Q", title="80% interval to (%)", format="+.1f"),
        alt.Tooltip("base:Q", title=f"Base level{in_unit}", format=",.2f"),
        alt.Tooltip("end:Q", title=f"Forecast for {end_label}{in_unit}", format=",.2f"),
    ]
    return alt.layer(
        alt.Chart(pl.DataFrame({"zero": [0]})).mark_rule(color="#888888").encode(x="zero:Q"),
        base.mark_rule(strokeWidth=2, opacity=0.6).encode(
            x=alt.X("lo:Q", title=f"Forecast change by {end_label} vs {basis} (%)"),
            x2="hi:Q",
            y=y,
            color=colour,
            tooltip=tooltip,
        ),
        base.mark_point(filled=True, size=70).encode(
            x="growth:Q", y=y, color=colour, tooltip=tooltip
        ),
    ).properties(
        height=alt.Step(22),
        title=alt.Title(
            "Skills expected to rise and fall most",
            subtitle="Dot: central forecast; line: 80% prediction interval",
        ),
    )


def explorer_chart(
    history: pl.DataFrame,
    forecast: pl.DataFrame | None,
    breaks: pl.DataFrame | None,
    notes: pl.DataFrame | None,
    measure_title: str,
    labels: list[str],
    default: str,
) -> alt.VConcatChart | alt.LayerChart:
    """History, forecast bands and breaks of the skill chosen in a drop-down.

    ``notes`` (label, explanation) lists the lines printed under the chart for each series.
    """
    pick = alt.param(
        name="pick", value=default, bind=alt.binding_select(options=labels, name="Skill: ")
    )
    keep = alt.datum.label == pick
    x = alt.X("month:T", timeUnit=MONTH, title="Month")
    y_title = measure_title
    kinds = {"Observed": "#222222"}
    if forecast is not None and forecast.height:
        kinds |= {"Forecast": OKABE_ITO[0], "80% interval": "#7fb2d9", "95% interval": "#cfe3f2"}
    if breaks is not None and breaks.height:
        kinds["Break"] = OKABE_ITO[3]
    scale = alt.Scale(domain=list(kinds), range=list(kinds.values()))
    colour = alt.Color("kind:N", scale=scale, legend=alt.Legend(title=None, orient="top"))
    layers = []
    if forecast is not None and forecast.height:
        f = _dates(forecast, "ds").rename({"ds": "month"})
        fc = alt.Chart(f).transform_filter(keep)
        layers += [
            fc.transform_calculate(kind="'95% interval'")
            .mark_area()
            .encode(x=x, y=alt.Y("lo_95:Q", title=y_title), y2="hi_95:Q", color=colour),
            fc.transform_calculate(kind="'80% interval'")
            .mark_area()
            .encode(x=x, y="lo_80:Q", y2="hi_80:Q", color=colour),
            fc.transform_calculate(kind="'Forecast'")
            .mark_line(strokeDash=[6, 3], strokeWidth=2.5)
            .encode(
                x=x,
                y="yhat:Q",
                color=colour,
                tooltip=[
                    alt.Tooltip("month:T", timeUnit=MONTH, title="Month"),
                    alt.Tooltip("yhat:Q", title=f"Forecast: {y_title}", format=",.2f"),
                    alt.Tooltip("lo_80:Q", title="80% interval: low", format=",.2f"),
                    alt.Tooltip("hi_80:Q", title="80% interval: high", format=",.2f"),
                    alt.Tooltip("lo_95:Q", title="95% interval: low", format=",.2f"),
                    alt.Tooltip("hi_95:Q", title="95% interval: high", format=",.2f"),
                ],
            ),
        ]
    layers.append(
        alt.Chart(_dates(history, "month"))
        .transform_filter(keep)
        .transform_calculate(kind="'Observed'")
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=14))
        .encode(
            x=x,
            y=alt.Y("y:Q", title=y_title),
            color=colour,
            tooltip=[
                alt.Tooltip("month:T", timeUnit=MONTH, title="Month"),
                alt.Tooltip("y:Q", title=measure_title, format=",.2f"),
            ],
        )
    )
    if breaks is not None and breaks.height:
        b = _dates(breaks, "break_ds").rename({"break_ds": "month"})
        layers.append(
            alt.Chart(b)
            .transform_filter(keep)
            .transform_calculate(kind="'Break'")
            .mark_rule(strokeDash=[4, 3], strokeWidth=2)
            .encode(x=x, color=colour, tooltip=[alt.Tooltip("explanation:N", title="Break")])
        )
    title = alt.Title(
        "Demand history and forecast", subtitle="Choose a series in the list above the chart"
    )
    top = alt.layer(*layers).properties(height=300)
    if notes is None or notes.height == 0:
        return top.properties(title=title).add_params(pick)
    # the notes wrapped for a page and for a phone; the page picks by setting `narrow`
    narrow = alt.param(name="narrow", value=False)
    lines = pl.concat(
        [
            wrap_lines(notes, "explanation").with_columns(narrow=pl.lit(False)),
            wrap_lines(notes, "explanation", NARROW_NOTE_WIDTH).with_columns(narrow=pl.lit(True)),
        ]
    )
    notes = (
        alt.Chart(lines)
        .transform_filter(keep & (alt.datum.narrow == narrow))
        .transform_window(row="row_number()")
        .mark_text(align="left", baseline="top", fontSize=13, limit=900)
        .encode(
            x=alt.value(0),
            y=alt.Y("row:O", axis=None, title=None),
            text="explanation:N",
            color=alt.value(OKABE_ITO[3]),
        )
        .properties(
            height=alt.Step(20), title=alt.Title("Breaks detected in this series", fontSize=13)
        )
    )
    return alt.vconcat(
        top.properties(width="container"), notes.properties(width="container"), title=title
    ).add_params(pick, narrow)


def wrap_lines(frame: pl.DataFrame, column: str, width: int = NOTE_WIDTH) -> pl.DataFrame:
    """One row per line of ``column`` wrapped at ``width`` characters, in order: Vega draws
    a text mark on one line and cuts what overflows."""
    wrapped = frame.with_columns(
        pl.col(column).map_elements(
            lambda text: textwrap.wrap(text, width) or [""],
            return_dtype=pl.List(pl.Utf8),
        )
    )
    return wrapped.explode(column)


def backtest_chart(backtests: pl.DataFrame, metric_title: str) -> alt.Chart:
    """Backtest error by horizon for each model; baselines dashed."""
    frame = backtests.with_columns(
        kind=pl.when(pl.col("baseline")).then(pl.lit("Baseline")).otherwise(pl.lit("Model")),
        value=pl.col("value").round(4),
    )
    models = frame["model"].unique().sort().to_list()
    palette = (OKABE_ITO * (len(models) // len(OKABE_ITO) + 1))[: len(models)]
    subtitle = "Lower is better" + (
        "; dashed lines are the simple baselines every model must beat"
        if frame["baseline"].any()
        else ""  # no baseline was backtested: promise no dashed lines
    )
    return (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X(
                "horizon:O", title="Forecast horizon (months ahead)", axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("value:Q", title=metric_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "model:N", title="Model", scale=alt.Scale(domain=models, range=palette)
            ),
            strokeDash=alt.StrokeDash(
                "kind:N",
                title="Line",
                sort=["Model", "Baseline"],
                legend=None,  # the subtitle says the dashed lines are the baselines
                scale=alt.Scale(domain=["Model", "Baseline"], range=[[1, 0], [6, 4]]),
            ),
            tooltip=[
                alt.Tooltip("model:N", title="Model"),
                alt.Tooltip("horizon:O", title="Horizon"),
                alt.Tooltip("value:Q", title=metric_title, format=".3f"),
                alt.Tooltip("kind:N", title="Kind"),
            ],
        )
        .properties(
            height=300,
            title=alt.Title(
                "Backtest accuracy by forecast horizon",
                subtitle=subtitle,
            ),
        )
    )
