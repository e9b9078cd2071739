"""Assemble one self-contained HTML file: text, tables, charts and the Vega runtime inlined.

The page makes no network request of any kind: the Vega, Vega-Lite and vega-embed runtimes
come from ``vl_convert.javascript_bundle()`` and are inlined, chart specs and table CSVs are
embedded as JSON, styles are inline and fonts are the system's. Every string from the data is
escaped: :func:`html.escape` for markup, and JSON inside ``<script>`` has ``<``, ``>`` and
``&`` written as ``\\u003c``-style escapes so no data can close the script element.

Example
-------
>>> page = Page("Skills", "demo", [Section("intro", "Intro", [Caption("Hello <b>")])])
>>> "Hello &lt;b&gt;" in render_html(page, runtime="")
True
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from skilltide.reports.page_script import BOOT


@dataclass
class Caption:
    text: str


@dataclass
class Notice:
    """A section's inputs are missing: say what to run to get them."""

    text: str


@dataclass
class Findings:
    """The few sentences a reader needs first, as a boxed list at the top of a section."""

    items: list[str]
    title: str = "Key findings"


@dataclass
class Stats:
    items: list[tuple[str, str]]  # (label, value)


@dataclass
class Figure:
    chart_id: str
    spec: dict[str, Any]
    caption: str = ""
    alt: str = ""


@dataclass
class Table:
    table_id: str
    title: str
    frame: pl.DataFrame
    caption: str = ""
    max_rows: int = 25
    headers: dict[str, str] = field(default_factory=dict)  # column -> reader's header


@dataclass
class Prose:
    """Trusted paragraphs written by skilltide itself (still escaped), e.g. licence text."""

    paragraphs: list[str]


@dataclass
class Section:
    section_id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Page:
    title: str
    subtitle: str
    sections: list[Section]
    inputs: dict = field(default_factory=dict)  # the runs whose rows the page shows

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


@functools.cache
def vega_runtime() -> str:
    """The Vega + Vega-Lite + vega-embed bundle, as one script (cached: it takes seconds)."""
    import vl_convert

    bundle = vl_convert.javascript_bundle()
    if "</script" in bundle.lower():  # would end the inline script early
        raise RuntimeError("the vl-convert JavaScript bundle contains '</script'")
    return bundle


def script_json(obj: Any) -> str:
    """JSON safe to put inside a ``<script>`` element whatever strings it holds."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def to_csv(frame: pl.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.iter_rows())
    return buffer.getvalue()


def render_html(page: Page, runtime: str | None = None) -> str:
    """The whole report as one HTML string."""
    runtime = vega_runtime() if runtime is None else runtime
    esc = html.escape
    nav = "".join(f'<a href="#{esc(s.section_id)}">{esc(s.title)}</a>' for s in page.sections)
    body = "\n".join(_section(s) for s in page.sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="skilltide">
<title>{esc(page.title)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="top"><h1>{esc(page.title)}</h1><p class="subtitle">{esc(page.subtitle)}</p>
<nav aria-label="Sections">{nav}</nav></header>
<main>
{body}
</main>
<footer><p>Made with skilltide. Open this file in any modern browser; it works offline.</p></footer>
<script>{runtime}</script>
<script>{BOOT}</script>
</body>
</html>
"""


def _section(section: Section) -> str:
    esc = html.escape
    parts = [f'<section id="{esc(section.section_id)}"><h2>{esc(section.title)}</h2>']
    for block in section.blocks:
        parts.append(_block(block))
    parts.append("</section>")
    return "\n".join(parts)


def _block(block) -> str:
    esc = html.escape
    if isinstance(block, Caption):
        return f'<p class="caption">{esc(block.text)}</p>'
    if isinstance(block, Notice):
        return f'<p class="notice" role="note">{esc(block.text)}</p>'
    if isinstance(block, Prose):
        return "".join(f"<p>{esc(p)}</p>" for p in block.paragraphs)
    if isinstance(block, Findings):
        items = "".join(f"<li>{esc(i)}</li>" for i in block.items)
        return f'<div class="findings"><h3>{esc(block.title)}</h3><ul>{items}</ul></div>'
    if isinstance(block, Stats):
        cells = "".join(
            f'<div class="stat"><span class="value">{esc(v)}</span>'
            f'<span class="label">{esc(k)}</span></div>'
            for k, v in block.items
        )
        return f'<div class="stats">{cells}</div>'
    if isinstance(block, Figure):
        cid = esc(block.chart_id)
        caption = f"<figcaption>{esc(block.caption)}</figcaption>" if block.caption else ""
        return (
            f'<figure class="chart-figure"><div class="chart" id="{cid}" role="img" '
            f'aria-label="{esc(block.alt or block.caption)}" data-spec="spec-{cid}"></div>'
            f'{caption}<script type="application/json" id="spec-{cid}">'
            f"{script_json(block.spec)}</script></figure>"
        )
    if isinstance(block, Table):
        return _table(block)
    raise TypeError(f"unknown report block {type(block).__name__}")


def _table(table: Table) -> str:
    esc = html.escape
    tid = esc(table.table_id)
    frame = table.frame
    head = "".join(
        f'<th scope="col">{esc(table.headers.get(c) or _header(c))}</th>' for c in frame.columns
    )
    rows = []
    for row in frame.head(table.max_rows).iter_rows():
        cells = "".join(f"<td{_cell_class(v)}>{esc(_cell(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    more = (
        f'<p class="more">Showing {min(table.max_rows, frame.height)} of {frame.height:,} '
        "rows; the CSV has them all.</p>"
        if frame.height > table.max_rows
        else ""
    )
    caption = f'<p class="caption">{esc(table.caption)}</p>' if table.caption else ""
    return (
        f'<div class="table-block"><div class="table-head"><h3>{esc(table.title)}</h3>'
        f'<button type="button" class="csv" data-csv="csv-{tid}" '
        f'data-filename="{esc(table.table_id)}.csv">Download CSV</button></div>{caption}'
        f'<div class="table-wrap"><table id="{tid}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}"
        f'<script type="application/json" id="csv-{tid}">{script_json(to_csv(frame))}'
        "</script></div>"
    )


def _header(column: str) -> str:
    text = column.replace("_pct", " (%)").replace("_utc", " (UTC)").replace("_", " ")
    return text[:1].upper() + text[1:]


def _cell_class(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ' class="num"'
    if isinstance(value, str) and len(value) <= 16:
        return ' class="short"'
    return ""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, float):
        value += 0.0  # -0.0 reads as "-0": show 0
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


# The browser refuses any request to anywhere: scripts and styles are inline only, images only
# from data:/blob: (chart export), no fetch/XHR, fonts, frames or forms. Vega compiles its
# expressions with Function(), hence 'unsafe-eval'.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; font-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
:root { --ink: #1d1d1f; --muted: #555; --accent: #0072B2; --line: #ddd; --bg: #fff;
        --note: #fff6e0; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: var(--ink); background: var(--bg); }
header.top { padding: 1.5rem clamp(1rem, 4vw, 3rem) 0.5rem; border-bottom: 1px solid var(--line); }
h1 { font-size: clamp(1.5rem, 3vw, 2.1rem); margin: 0 0 .25rem; }
.subtitle { color: var(--muted); margin: 0 0 .75rem; }
nav { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; padding-bottom: .75rem; }
nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
nav a:hover, nav a:focus { text-decoration: underline; }
main { max-width: 1100px; margin: 0 auto; padding: 0 clamp(1rem, 4vw, 3rem); }
section { padding: 1.5rem 0 1rem; border-bottom: 1px solid var(--line); }
h2 { font-size: 1.5rem; margin: 0 0 .75rem; }
h3 { font-size: 1.1rem; margin: 0; }
.caption, figcaption { color: #333; max-width: 75ch; }
figcaption { font-size: .95rem; margin-top: .25rem; }
.notice { background: var(--note); border-left: 4px solid #E69F00; padding: .6rem .9rem;
          max-width: 75ch; }
figure { margin: 1rem 0 1.75rem; }
.chart { width: 100%; min-height: 120px; overflow-x: auto; }
.chart .chart-wrapper { display: flex; flex-direction: column; }
.chart .vega-bindings { order: -1; margin: .25rem 0 .75rem; font-size: 1rem; }
.chart .vega-bind-name { font-weight: 600; margin-right: .4rem; }
.chart .vega-bindings select { font-size: 1rem; padding: .2rem; max-width: 100%; }
.findings { border-left: 4px solid #0072B2; background: #f3f8fc; padding: .4rem 1rem;
  margin: 1rem 0; max-width: 80ch; }
.findings h3 { margin: .4rem 0; }
.findings li { margin: .35rem 0; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: .75rem;
         margin: 1rem 0; }
.stat { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.stat .value { display: block; font-size: 1.5rem; font-weight: 700; }
.stat .label { color: var(--muted); font-size: .9rem; }
.table-block { margin: 1rem 0 1.75rem; }
.table-head { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
.table-wrap { overflow-x: auto; max-height: 28rem; overflow-y: auto; border: 1px solid var(--line);
              margin-top: .5rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #eee; text-align: left;
         vertical-align: top; }
th { background: #f5f5f7; position: sticky; top: 0; }
td.short { white-space: nowrap; }
td.num { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; }
button.csv { font: inherit; font-size: .9rem; padding: .25rem .7rem;
             border: 1px solid var(--accent); color: var(--accent); background: #fff;
             border-radius: 4px; cursor: pointer; }
button.csv:hover, button.csv:focus { background: #eaf3fa; }
.more { color: var(--muted); font-size: .85rem; margin: .25rem 0 0; }
footer { max-width: 1100px; margin: 0 auto; padding: 1rem clamp(1rem, 4vw, 3rem) 2rem;
         color: var(--muted); font-size: .9rem; }
.chart-error { color: #b00020; }
@media (max-width: 760px) {  /* a half-screen window: tables fit without sideways scrolling */
  table { font-size: .85rem; }
  th, td { padding: .3rem .35rem; }
}
@media print {
  body { font-size: 11pt; }
  nav, button.csv, .vega-embed details, .vega-actions, .vega-bindings { display: none !important; }
  header.top { border: 0; padding: 0; }
  main { max-width: none; padding: 0; }
  section { break-before: page; border: 0; }
  section:first-of-type { break-before: auto; }
  figure, .stats, .table-block { break-inside: avoid; }
  .table-wrap { max-height: none; overflow: visible; border: 0; }
  .chart { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""
