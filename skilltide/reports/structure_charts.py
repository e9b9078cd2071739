"""Chart builders for the structural sections: occupation profiles, WORKBank, the network.

Same conventions as :mod:`skilltide.reports.charts` (Okabe–Ito colours, titles and units on
every axis); pass the result to :func:`skilltide.reports.charts.finish`.

Example
-------
>>> import polars as pl
>>> wb = pl.DataFrame({"occupation": ["Nurses (29-1141.00)"], "dominant_worker_has": ["H3"],
...                    "mean_desire": [2.5], "mean_capability": [3.1]})
>>> agency_chart(wb).to_dict()["layer"][-1]["mark"]["type"]
'point'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from skilltide.reports.charts import OKABE_ITO, OTHER_GREY
from skilltide.reports.occupation_data import MIN_SIMILARITY


def profile_chart(
    profile: pl.DataFrame,
    closest: pl.DataFrame | None,
    value_title: str,
    labels: list[str],
    default: str,
    min_similarity: float = MIN_SIMILARITY,
) -> alt.VConcatChart:
    """Skill profile and closest occupations of the occupation chosen in a drop-down;
    ``closest`` holds only pairs with a similarity of ``min_similarity`` or more, and an
    occupation without any says so."""
    pick = alt.param(
        name="occ", value=default, bind=alt.binding_select(options=labels, name="Occupation: ")
    )
    frame = profile.select("occupation", "skill", value=pl.col("value").round(2))
    bars = (
        alt.Chart(frame)
        .transform_filter(alt.datum.occupation == pick)
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            x=alt.X("value:Q", title=value_title),
            y=alt.Y("skill:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("skill:N", title="Skill"),
                alt.Tooltip("value:Q", title=value_title, format=",.2f"),
            ],
        )
        .properties(
            height=alt.Step(20),
            width="container",
            title=alt.Title("Skills most asked for in this occupation"),
        )
    )
    parts = [bars]
    if closest is not None:
        # An occupation with no close one gets a blank, zero-length bar (so its plot keeps one
        # row of height) and a note saying why the list is empty.
        alone = sorted(set(profile["occupation"]) - set(closest["occupation"]))
        near = pl.concat(
            [
                closest.select(
                    "occupation",
                    "neighbour",
                    similarity=pl.col("similarity").round(3),
                    note=pl.lit(None, pl.String),
                ),
                pl.DataFrame(
                    {
                        "occupation": alone,
                        "neighbour": [" "] * len(alone),
                        "similarity": [0.0] * len(alone),
                        "note": [f"None with a similarity of {min_similarity:g} or more"]
                        * len(alone),
                    },
                    schema={
                        "occupation": pl.String,
                        "neighbour": pl.String,
                        "similarity": pl.Float64,
                        "note": pl.String,
                    },
                ),
            ]
        )
        base = alt.Chart(near).transform_filter(alt.datum.occupation == pick)
        parts.append(
            alt.layer(
                base.mark_bar(color=OKABE_ITO[2]).encode(
                    x=alt.X(
                        "similarity:Q",
                        title="Similarity of skill profiles (0 = nothing in common, 1 = the same)",
                        scale=alt.Scale(domain=[0, 1]),
                        axis=alt.Axis(format=".1f", tickCount=5),
                    ),
                    y=alt.Y("neighbour:N", sort="-x", title=None),
                    tooltip=[
                        alt.Tooltip("neighbour:N", title="Occupation"),
                        alt.Tooltip("similarity:Q", title="Similarity", format=".3f"),
                    ],
                ),
                base.transform_filter("isValid(datum.note)")
                .mark_text(align="left", dx=4, fontSize=13, color="#444444")
                .encode(x=alt.value(0), y=alt.value(10), text="note:N"),  # the blank row
            ).properties(
                height=alt.Step(20),
                width="container",
                title=alt.Title(
                    "Closest occupations by skills",
                    subtitle=f"Candidate moves for workers (similarity {min_similarity:g} or more)",
                ),
            )
        )
    return alt.vconcat(*parts, spacing=30).add_params(pick)


def zones_chart(workbank: pl.DataFrame, zones: dict[str, str]) -> alt.Chart:
    """WORKBank zone shares per occupation as stacked bars (percent of tasks)."""
    long = (
        workbank.select(
            "occupation", "share_green_light", *[c for c in zones if c != "share_green_light"]
        )
        .unpivot(index="occupation", variable_name="zone", value_name="share")
        .with_columns(
            zone=pl.col("zone").replace_strict(zones), share=(pl.col("share") * 100).round(1)
        )
    )
    order = list(zones.values())
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title="Share of the occupation's tasks (%)",
                stack="zero",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=list(range(0, 101, 10))),
            ),
            y=alt.Y("occupation:N", title=None, sort=workbank["occupation"].to_list()),
            color=alt.Color(
                "zone:N",
                title=None,
                sort=order,
                legend=alt.Legend(orient="top", columns=2),
                scale=alt.Scale(
                    domain=order, range=[OKABE_ITO[2], OKABE_ITO[3], OKABE_ITO[0], OTHER_GREY]
                ),
            ),
            order=alt.Order("zone_order:Q"),
            tooltip=[
                alt.Tooltip("occupation:N", title="Occupation"),
                alt.Tooltip("zone:N", title="Zone"),
                alt.Tooltip("share:Q", title="Share of tasks (%)", format=".1f"),
            ],
        )
        .transform_calculate(zone_order=f"indexof({order!r}, datum.zone)")
        .properties(
            height=alt.Step(20),
            title=alt.Title(
                "Automation zones of occupations' tasks (WORKBank)",
                subtitle="Worker desire for AI agents × expert-rated agent capability, per task",
            ),
        )
    )


def agency_chart(workbank: pl.DataFrame) -> alt.LayerChart:
    """Mean worker desire vs expert-rated capability per occupation, by human-agency level."""
    frame = workbank.select(
        "occupation",
        "dominant_worker_has",
        pl.col("mean_desire").round(2),
        pl.col("mean_capability").round(2),
    )
    levels = ["H1", "H2", "H3", "H4", "H5"]
    scale = alt.Scale(domain=[1, 5], nice=False, zero=False)
    axis = alt.Axis(values=[1, 2, 3, 4, 5])
    agency = "Human agency most workers prefer"
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=110, opacity=0.85)
        .encode(
            x=alt.X(
                "mean_capability:Q",
                title="Expert-rated AI agent capability (1–5)",
                scale=scale,
                axis=axis,
            ),
            y=alt.Y(
                "mean_desire:Q", title="Worker desire for automation (1–5)", scale=scale, axis=axis
            ),
            color=alt.Color(
                "dominant_worker_has:N",
                title=agency,
                sort=levels,
                scale=alt.Scale(domain=levels, range=OKABE_ITO[:5]),
                legend=alt.Legend(orient="top"),
            ),
            shape=alt.Shape(
                "dominant_worker_has:N", title=agency, sort=levels, scale=alt.Scale(domain=levels)
            ),
            tooltip=[
                alt.Tooltip("occupation:N", title="Occupation"),
                alt.Tooltip("mean_desire:Q", title="Worker desire"),
                alt.Tooltip("mean_capability:Q", title="Agent capability"),
                alt.Tooltip("dominant_worker_has:N", title="Preferred agency (H1–H5)"),
            ],
        )
    )
    cut = alt.Chart(pl.DataFrame({"v": [3.0]}))
    quad = pl.DataFrame(
        {
            "x": [4.9, 1.1, 4.9, 1.1],
            "y": [4.9, 4.9, 1.1, 1.1],
            "t": ["Green light", "R&D opportunity", "Red light", "Low priority"],
            "right": [True, False, True, False],
        }
    )
    labels = [
        alt.Chart(quad)
        .transform_filter(f"{'' if right else '!'}datum.right")
        .mark_text(
            fontSize=12, color="#555555", baseline="middle", align="right" if right else "left"
        )
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="t:N")
        for right in (True, False)
    ]
    return alt.layer(
        cut.mark_rule(color="#999999", strokeDash=[3, 3]).encode(x=alt.X("v:Q", scale=scale)),
        cut.mark_rule(color="#999999", strokeDash=[3, 3]).encode(y=alt.Y("v:Q", scale=scale)),
        *labels,
        points,
    ).properties(
        height=360,
        title=alt.Title(
            "Human-agency profile of occupations (WORKBank)",
            subtitle="H1 = agent works alone … H5 = human involvement essential",
        ),
    )


def network_chart(
    nodes: pl.DataFrame, edges: pl.DataFrame, colour: str, exposure_title: str | None = None
) -> alt.LayerChart:
    """The skill complementarity network: communities (``colour='community'``) or exposure."""
    hidden = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    x = alt.X("x:Q", axis=hidden, scale=alt.Scale(zero=False, nice=False, padding=12))
    y = alt.Y("y:Q", axis=hidden, scale=alt.Scale(zero=False, nice=False, padding=12))
    frame = nodes.select(
        "name",
        "x",
        "y",
        pl.col("strength").round(3),
        "community_label",
        pl.col("exposure").round(3),
        "label_me",
        "label_narrow",
    )
    communities = (
        frame.sort("community_label")["community_label"].unique(maintain_order=True).to_list()
    )
    named = [c for c in communities if not c.startswith("Other")]
    if colour == "community":
        domain = named + [c for c in communities if c.startswith("Other")]
        colour_enc = alt.Color(
            "community_label:N",
            title="Community (its strongest skills)",
            sort=domain,
            scale=alt.Scale(domain=domain, range=[*OKABE_ITO[: len(named)], OTHER_GREY]),
            legend=alt.Legend(orient="bottom", columns=1, symbolSize=120),
        )
        title = alt.Title(
            "Communities of complementary skills",
            subtitle="Skills close together are required by the same occupations; "
            "size = how connected a skill is",
        )
    else:
        colour_enc = alt.Color(
            "exposure:Q",
            title=exposure_title,
            scale=alt.Scale(scheme="viridis", reverse=True),
            legend=alt.Legend(orient="right", gradientLength=200),
        )
        title = alt.Title(
            "Automation exposure of skills",
            subtitle="Darker = skill used more in occupations where AI agents are wanted and "
            "capable; grey = no WORKBank data",
        )
    tooltip = [
        alt.Tooltip("name:N", title="Skill"),
        alt.Tooltip("community_label:N", title="Community"),
        alt.Tooltip("strength:Q", title="Connectedness (strength)", format=",.2f"),
        alt.Tooltip("exposure:Q", title=exposure_title or "Automation exposure", format=".2f"),
    ]
    size = alt.Size("strength:Q", legend=None, scale=alt.Scale(range=[40, 420]))
    layers = []
    if colour != "community":
        # Skills used only in occupations without WORKBank data have no exposure: light grey
        # (a null colour value would drop the circle altogether).
        layers.append(
            alt.Chart(frame)
            .transform_filter("!isValid(datum.exposure)")
            .mark_circle(stroke="#444444", strokeWidth=0.6, opacity=1, color="#e0e0e0")
            .encode(x=x, y=y, size=size, tooltip=tooltip)
        )
    return (
        alt.layer(
            alt.Chart(edges.with_columns(pl.col("weight").round(3)))
            .mark_rule(color="#9a9a9a")
            .encode(
                x=x,
                y=y,
                x2="x2:Q",
                y2="y2:Q",
                opacity=alt.Opacity("weight:Q", legend=None, scale=alt.Scale(range=[0.15, 0.7])),
                strokeWidth=alt.value(1),
            ),
            *layers,
            alt.Chart(frame)
            .mark_circle(stroke="#444444", strokeWidth=0.6, opacity=1)
            .encode(
                x=x,
                y=y,
                color=colour_enc,
                size=size,
                tooltip=tooltip,
            ),
            *_node_labels(frame, x, y),
        )
        .properties(height=520, title=title)
        .add_params(alt.param(name="narrow", value=False))
    )


def _node_labels(frame: pl.DataFrame, x: alt.X, y: alt.Y) -> list[alt.Chart]:
    """Bold names over the labelled nodes, on a white halo: ``label_me`` on a page,
    ``label_narrow`` (fewer) when the page sets the ``narrow`` param on a phone. A name centred
    on a node near the chart's left or right edge ran out of the chart on a phone: those start
    (or end) at it."""
    low, high = frame["x"].min(), frame["x"].max()
    edge = 0.15 * ((high - low) or 1.0)
    labels = frame.filter(pl.col("label_me") | pl.col("label_narrow")).with_columns(
        side=pl.when(pl.col("x") < low + edge)
        .then(pl.lit("left"))
        .when(pl.col("x") > high - edge)
        .then(pl.lit("right"))
        .otherwise(pl.lit("center"))
    )
    layers = []
    for side, dx in (("left", -6), ("center", 0), ("right", 6)):
        part = labels.filter(pl.col("side") == side)
        if part.height == 0:
            continue
        text = dict(fontSize=12, dy=-12, dx=dx, align=side, fontWeight="bold", color="#222222")
        shown = alt.Chart(part).transform_filter("narrow ? datum.label_narrow : datum.label_me")
        layers += [
            shown.mark_text(**text, stroke="white", strokeWidth=3, strokeOpacity=0.8).encode(
                x=x, y=y, text="name:N"
            ),
            shown.mark_text(**text).encode(x=x, y=y, text="name:N"),
        ]
    return layers
