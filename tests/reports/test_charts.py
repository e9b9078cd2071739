"""Chart builders: what each draws for edge cases a reader would trip over."""

from __future__ import annotations

import polars as pl

from skilltide.reports.charts import finish, market_chart
from skilltide.reports.structure_charts import network_chart, profile_chart


def _nodes(exposure):
    return pl.DataFrame(
        {
            "name": ["a", "b"],
            "x": [0.0, 1.0],
            "y": [0.0, 1.0],
            "strength": [1.0, 2.0],
            "community_label": ["1. a", "1. a"],
            "exposure": exposure,
            "label_me": [True, False],
            "label_narrow": [True, False],
        }
    )


def test_skills_without_exposure_are_drawn_grey_not_dropped():
    edges = pl.DataFrame({"x": [0.0], "y": [0.0], "x2": [1.0], "y2": [1.0], "weight": [1.0]})
    spec = finish(network_chart(_nodes([0.5, None]), edges, "exposure", "Exposure"))
    grey = [layer for layer in spec["layer"] if layer.get("mark", {}).get("color") == "#e0e0e0"]
    assert len(grey) == 1 and grey[0]["transform"] == [{"filter": "!isValid(datum.exposure)"}]
    community = finish(network_chart(_nodes([0.5, None]), edges, "community"))
    assert not [
        layer for layer in community["layer"] if layer.get("mark", {}).get("color") == "#e0e0e0"
    ]


def test_market_breaks_in_neighbouring_months_get_one_label():
    import datetime as dt

    market = pl.DataFrame(
        {"month": [dt.date(2023, m, 1) for m in range(1, 13)], "ads": [100.0] * 12}
    )
    breaks = pl.DataFrame(
        {
            "break_ds": [dt.date(2023, 6, 1), dt.date(2023, 6, 1), dt.date(2023, 7, 1)],
            "kind": ["level", "trend", "trend"],
            "share_series": [0.57, 0.03, 0.01],
        }
    )
    spec = finish(market_chart(market, breaks))
    rows = [r for rows in spec["datasets"].values() for r in rows if "text" in r]
    assert [r["text"] for r in rows] == ["level + trend break", ""]


def test_the_label_of_a_late_market_break_reads_leftwards_inside_the_chart():
    """A label right of a break late in the series ran off the chart on a phone (review 2)."""
    import datetime as dt

    market = pl.DataFrame(
        {"month": [dt.date(2023, m, 1) for m in range(1, 13)], "ads": [100.0] * 12}
    )
    for month, align in ((3, "left"), (10, "right")):
        breaks = pl.DataFrame(
            {"break_ds": [dt.date(2023, month, 1)], "kind": ["level"], "share_series": [0.5]}
        )
        text = finish(market_chart(market, breaks))["layer"][-1]["mark"]
        assert text["type"] == "text" and text["align"] == align
        assert (text["dx"] > 0) == (align == "left")


def test_backtest_chart_promises_dashed_baselines_only_when_there_are_some():
    from skilltide.reports.charts import backtest_chart

    frame = pl.DataFrame(
        {"model": ["auto", "naive"], "horizon": [1, 1], "value": [1.0, 2.0]}
        | {"baseline": [False, True]}
    )
    with_baseline = finish(backtest_chart(frame, "MAE"))["title"]["subtitle"]
    assert "dashed lines are the simple baselines" in with_baseline
    alone = finish(backtest_chart(frame.head(1), "MAE"))["title"]["subtitle"]
    assert alone == "Lower is better"  # forecast run --model auto backtests auto alone


def test_long_break_notes_wrap_onto_lines_instead_of_being_cut():
    import datetime as dt

    from skilltide.reports.captions import explain_break
    from skilltide.reports.charts import explorer_chart

    note = explain_break("trend", -1.94, 0.0005, "market", dt.date(2018, 6, 1))
    assert len(note) > 100  # longer than a text mark can show in a narrow column
    history = pl.DataFrame({"label": ["a"], "month": [dt.date(2018, 1, 1)], "y": [1.0]})
    notes = pl.DataFrame({"label": ["a", "a"], "explanation": [note, "Short."]})
    spec = finish(explorer_chart(history, None, None, notes, "Ads", ["a"], "a"))
    rows = [r for rows in spec["datasets"].values() for r in rows if "explanation" in r]
    lines = [r["explanation"] for r in rows if not r["narrow"]]
    assert " ".join(lines[:-1]) == note and lines[-1] == "Short."
    assert len(lines) > 2 and max(len(line) for line in lines) <= 90
    # and wrapped for a phone, which the page picks by setting the `narrow` param
    phone = [r["explanation"] for r in rows if r["narrow"]]
    assert len(phone) > len(lines) and max(len(line) for line in phone) <= 38
    assert {p["name"]: p["value"] for p in spec["params"]}["narrow"] is False


def test_market_chart_promises_dashed_lines_only_with_market_breaks():
    import datetime as dt

    market = pl.DataFrame({"month": [dt.date(2023, m, 1) for m in range(1, 4)], "ads": [1.0] * 3})
    assert finish(market_chart(market, None))["title"]["subtitle"] == ""
    breaks = pl.DataFrame(
        {"break_ds": [dt.date(2023, 2, 1)], "kind": ["level"], "share_series": [0.5]}
    )
    assert "Dashed lines" in finish(market_chart(market, breaks))["title"]["subtitle"]


def test_occupation_similarity_reads_on_a_fixed_zero_to_one_scale():
    profile = pl.DataFrame({"occupation": ["A"], "skill": ["Python"], "value": [50.0]})
    closest = pl.DataFrame({"occupation": ["A"], "neighbour": ["B"], "similarity": [0.12]})
    spec = finish(profile_chart(profile, closest, "Share (%)", ["A"], "A"))
    x = spec["vconcat"][1]["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 1]  # a weak neighbour looks weak
    assert x["title"].startswith("Similarity of skill profiles (0 = nothing in common")
    assert "(similarity 0.1 or more)" in spec["vconcat"][1]["title"]["subtitle"]


def test_an_occupation_without_close_ones_says_so_instead_of_an_empty_plot():
    """The closest-occupations list of an occupation whose every neighbour fell below the
    similarity threshold was an empty plot (report review 2)."""
    profile = pl.DataFrame(
        {"occupation": ["A", "C"], "skill": ["Python", "Knife Skills"], "value": [50.0, 40.0]}
    )
    closest = pl.DataFrame({"occupation": ["A"], "neighbour": ["B"], "similarity": [0.6]})
    spec = finish(profile_chart(profile, closest, "Share (%)", ["A", "C"], "A"))
    rows = [r for rows in spec["datasets"].values() for r in rows if "neighbour" in r]
    notes = {r["occupation"]: r["note"] for r in rows if r.get("note")}
    assert notes == {"C": "None with a similarity of 0.1 or more"}
    marks = [layer["mark"]["type"] for layer in spec["vconcat"][1]["layer"]]
    assert marks == ["bar", "text"]


def test_the_network_shows_the_phone_label_set_when_the_page_says_narrow():
    nodes = _nodes([0.1, 0.2]).with_columns(label_narrow=pl.Series([False, True]))
    edges = pl.DataFrame({"x": [0.0], "y": [0.0], "x2": [1.0], "y2": [1.0], "weight": [1.0]})
    spec = finish(network_chart(nodes, edges, "community"))
    assert {p["name"]: p["value"] for p in spec["params"]} == {"narrow": False}
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts and all(
        t["transform"] == [{"filter": "narrow ? datum.label_narrow : datum.label_me"}]
        for t in texts
    )


def test_the_explorer_tooltips_name_the_forecast_unit_and_the_intervals_in_words():
    """The forecast tooltip read 'Forecast', '80% from', '95% to' (report review 2)."""
    import datetime as dt

    from skilltide.reports.charts import explorer_chart

    history = pl.DataFrame({"label": ["a"], "month": [dt.date(2024, 12, 1)], "y": [5.0]})
    forecast = pl.DataFrame(
        {"label": ["a"], "ds": [dt.date(2025, 1, 1)]}
        | {c: [5.0] for c in ("yhat", "lo_80", "hi_80", "lo_95", "hi_95")}
    )
    spec = finish(explorer_chart(history, forecast, None, None, "Ads a month", ["a"], "a"))
    tips = [t["title"] for layer in spec["layer"] for t in layer["encoding"].get("tooltip", [])]
    assert "Forecast: Ads a month" in tips
    assert {"80% interval: low", "95% interval: high"} <= set(tips)
