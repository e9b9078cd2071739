"""Safety of the HTML assembly: escaping, embedded JSON, no external resources."""

from __future__ import annotations

import json
import re

import polars as pl

from skilltide.reports.html import (
    Caption,
    Figure,
    Notice,
    Page,
    Section,
    Table,
    render_html,
    script_json,
    vega_runtime,
)

HOSTILE = "</script><img src=x onerror=alert(1)><!-- & \u2028"


def test_script_json_cannot_close_the_script_element():
    text = script_json({"name": HOSTILE})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": HOSTILE}


def test_every_data_string_is_escaped():
    page = Page(
        HOSTILE,
        HOSTILE,
        [
            Section(
                "s",
                HOSTILE,
                [
                    Caption(HOSTILE),
                    Notice(HOSTILE),
                    Table("t", HOSTILE, pl.DataFrame({"skill": [HOSTILE], "n": [1]})),
                    Figure(
                        "f",
                        {"data": {"values": [{"a": HOSTILE}]}, "mark": "point"},
                        HOSTILE,
                        HOSTILE,
                    ),
                ],
            )
        ],
    )
    html = render_html(page, runtime="/*runtime*/")
    assert "<img" not in html
    assert html.count("</script>") == 4  # spec, CSV, runtime and boot scripts only
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_page_loads_nothing_from_outside():
    page = Page("t", "s", [Section("s", "S", [Caption("x")])])
    html = render_html(page)
    markup = re.sub(r"<script>.*?</script>", "<script></script>", html, flags=re.S)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", markup, re.I)
    assert "Content-Security-Policy" in html and "connect-src 'none'" in html
    assert vega_runtime() in html


def test_nan_and_infinity_become_nulls_in_charts_and_blanks_in_tables():
    import altair as alt

    from skilltide.reports.charts import finish

    frame = pl.DataFrame({"a": ["x", "y", "z"], "v": [1.0, float("nan"), float("inf")]})
    spec = finish(alt.Chart(frame).mark_bar().encode(x="v:Q", y="a:N"))
    assert [r["v"] for r in next(iter(spec["datasets"].values()))] == [1.0, None, None]
    page = Page("t", "s", [Section("s", "S", [Table("t", "T", frame), Figure("f", spec)])])
    html = render_html(page, runtime="")
    assert ">nan<" not in html and ">inf<" not in html


def test_tables_show_readers_headers_but_keep_csv_names_and_no_negative_zero():
    frame = pl.DataFrame({"lo80_pct": [-0.0, -1.5], "started_utc": ["a", "b"]})
    table = Table("t", "T", frame, headers={"lo80_pct": "80% interval, low (%)"})
    html = render_html(Page("t", "s", [Section("s", "S", [table])]), runtime="")
    assert '<th scope="col">80% interval, low (%)</th>' in html
    assert '<th scope="col">Started (UTC)</th>' in html
    assert ">-0<" not in html and ">0<" in html and ">-1.5<" in html
    assert "lo80_pct,started_utc" in html  # the CSV keeps the machine names
