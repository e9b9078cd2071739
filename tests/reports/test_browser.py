"""The report in a real headless Chromium, opened from file:// with Playwright.

Checked: no console errors, no network request of any kind, every chart drawn with marks, the
XSS skill name shown as text and inert, drop-downs that change the charts, CSV downloads, a
narrow (phone) layout without sideways scrolling, and the print stylesheet. Each test saves a
screenshot under its tmp folder and under tests/artifacts/ (gitignored) for people to look at.

Needs Debian's chromium at /usr/bin/chromium (``apt-get install chromium fonts-dejavu-core``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from skilltide.reports import render_report
from skilltide.store import Warehouse
from tests.reports._fixture_data import SCRIPT_TITLE, XSS_SKILL

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ALLOWED_SCHEMES = ("file://", "data:", "blob:")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless browser tests need Debian's chromium at "
        "/usr/bin/chromium (apt-get install chromium fonts-dejavu-core)",
    ),
]

CHART_STATE = """
() => Array.from(document.querySelectorAll('.chart')).map(el => {
  const svg = el.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const drawn = svg ? Array.from(svg.querySelectorAll('g.role-mark > path'))
    .map(p => (p.getAttribute('d') || '').length).reduce((a, b) => a + b, 0) : 0;
  return {id: el.id, rendered: el.dataset.rendered || null, width: box.width,
          height: box.height, path_chars: drawn,
          marks: svg ? svg.querySelectorAll('g.role-mark > path, g.role-mark > line, '
                                            + 'g.role-mark > text, g.role-mark > rect').length
                     : 0};
})
"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def full_report(full_warehouse, tmp_path_factory) -> Path:
    with Warehouse(full_warehouse) as wh:
        return render_report(wh, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def bare_report(bare_warehouse, tmp_path_factory) -> Path:
    with Warehouse(bare_warehouse) as wh:
        return render_report(wh, tmp_path_factory.mktemp("bare-report"))


class Visit:
    """A page opened on a report, recording everything the browser did."""

    def __init__(self, browser, path: Path, width: int = 1280, height: int = 900):
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        self.n_charts = self.page.evaluate("window.skilltideReady")
        self.page.wait_for_timeout(200)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def charts(self) -> list[dict]:
        return self.page.evaluate(CHART_STATE)

    def screenshot(self, tmp_path: Path, name: str) -> Path:
        shot = tmp_path / f"{name}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / shot.name)
        return shot

    def assert_offline_and_clean(self) -> None:
        assert self.errors == []
        outside = [u for u in self.requests if not u.startswith(ALLOWED_SCHEMES)]
        assert outside == [], f"network requests attempted: {outside}"
        assert self.dialogs == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def open_(path: Path, **kw) -> Visit:
        opened.append(Visit(browser, path, **kw))
        return opened[-1]

    yield open_
    for v in opened:
        v.close()


def test_every_chart_renders_offline_without_errors(visit, full_report, tmp_path):
    v = visit(full_report)
    shot = v.screenshot(tmp_path, "report-full")
    v.assert_offline_and_clean()
    charts = v.charts()
    assert v.n_charts == len(charts) == 9
    for chart in charts:
        assert chart["rendered"] == "true", chart
        assert chart["width"] > 300 and chart["height"] > 150, chart
        # a chart with content: many marks, or a few long drawn paths (a line chart)
        assert chart["marks"] > 5 or (chart["marks"] >= 1 and chart["path_chars"] > 300), chart
    net = next(c for c in charts if c["id"] == "network-communities")
    assert net["marks"] >= 30  # one circle per skill at least
    assert shot.stat().st_size > 50_000


def test_xss_skill_name_is_shown_as_text_and_runs_nothing(visit, full_report, tmp_path):
    v = visit(full_report)
    page = v.page
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert XSS_SKILL in page.inner_text("#communities")
    assert SCRIPT_TITLE in page.inner_text("body")
    svg_text = (
        "Array.from(document.querySelectorAll('#occupation-profile svg text'))"
        ".map(t => t.textContent).join('|')"
    )
    assert "Software Developers </script>" in page.evaluate(svg_text)  # a closest occupation
    scripts_before = page.evaluate("document.scripts.length")
    # choosing the hostile names in the drop-downs draws them, still inert
    page.select_option("#explorer select", label=XSS_SKILL)
    occupation = f"{SCRIPT_TITLE} (15-1252.00)"
    page.select_option("#occupation-profile select", label=occupation)
    page.wait_for_timeout(300)
    assert page.eval_on_selector("#explorer select", "e => e.value") == XSS_SKILL
    assert page.eval_on_selector("#occupation-profile select", "e => e.value") == occupation
    assert "Software Developers </script>" not in page.evaluate(svg_text)  # not its own neighbour
    assert page.evaluate("document.scripts.length") == scripts_before
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    v.screenshot(tmp_path, "report-xss")
    v.assert_offline_and_clean()


def test_drop_down_changes_the_explorer(visit, full_report):
    v = visit(full_report)
    page = v.page
    line = "#explorer svg g.mark-line.role-mark path"

    def paths() -> list[str]:
        return page.eval_on_selector_all(line, "els => els.map(e => e.getAttribute('d'))")

    before = paths()
    options = page.eval_on_selector_all("#explorer select option", "els => els.map(e => e.label)")
    assert len(options) == 30
    current = page.eval_on_selector("#explorer select", "e => e.value")
    page.select_option("#explorer select", label=next(o for o in options if o != current))
    page.wait_for_timeout(300)
    assert paths() != before and all(paths())
    v.assert_offline_and_clean()


def test_tables_download_as_csv(visit, full_report, tmp_path):
    v = visit(full_report)
    with v.page.expect_download() as info:
        v.page.click("button[data-csv='csv-communities']")
    saved = tmp_path / "communities.csv"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    lines = text.strip().split("\n")
    assert lines[0] == "community_label,n_skills,skills,mean_exposure,skills_with_exposure"
    assert len(lines) == 5 and XSS_SKILL in text
    v.assert_offline_and_clean()


def test_missing_parts_render_with_notices(visit, bare_report, tmp_path):
    v = visit(bare_report)
    v.screenshot(tmp_path, "report-bare")
    v.assert_offline_and_clean()
    assert [c["id"] for c in v.charts()] == ["market", "skill-history"]
    assert all(c["rendered"] == "true" and c["path_chars"] > 300 for c in v.charts())
    notices = v.page.eval_on_selector_all(".notice", "els => els.map(e => e.innerText)")
    assert any("skilltide graph build" in n for n in notices)


def test_narrow_screen_has_no_sideways_scroll(visit, full_report, tmp_path):
    v = visit(full_report, width=390, height=844)
    v.screenshot(tmp_path, "report-phone")
    v.assert_offline_and_clean()
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(c["rendered"] == "true" and c["width"] <= 390 for c in v.charts())


OUTSIDE_ITS_CHART = """
() => Array.from(document.querySelectorAll('.chart svg')).flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text'))
    .filter(t => t.textContent.trim() && t.getAttribute('opacity') !== '0')  // 0: overlap hid it
    .filter(t => { const r = t.getBoundingClientRect();
                   return r.left < box.left - 4 || r.right > box.right + 4; })
    .map(t => svg.closest('.chart').id + ': ' + t.textContent.slice(0, 40));
})
"""


COLLIDING_NAMES = """
() => {
  const boxes = {};  // one box per name: each is drawn twice (halo, then text)
  document.querySelectorAll('div#network-communities g.role-mark text').forEach(t => {
    if (t.textContent.trim()) { boxes[t.textContent] = t.getBoundingClientRect(); }
  });
  const names = Object.keys(boxes), hits = [];
  names.forEach((a, i) => names.slice(i + 1).forEach(b => {
    const p = boxes[a], q = boxes[b];
    if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) {
      hits.push(a + ' / ' + b);
    }
  }));
  return hits;
}
"""


@pytest.mark.parametrize("width", [390, 700])
def test_no_chart_text_runs_outside_its_chart_on_a_narrow_screen(visit, full_report, width):
    """At 390 px long axis titles and chart titles pushed the chart's left edge out of view,
    network names collided, and at 700 px the break notes under the explorer ran off its right
    edge (report review 2)."""
    v = visit(full_report, width=width, height=844)
    with_breaks = v.page.eval_on_selector("#series-breaks tbody td", "e => e.textContent")
    v.page.select_option("div#skill-history select", label=with_breaks)
    v.page.wait_for_timeout(300)
    assert v.page.evaluate(OUTSIDE_ITS_CHART) == []
    notes = v.page.eval_on_selector_all(
        "div#skill-history svg text", "els => els.map(e => e.textContent)"
    )
    assert any(re.match(r"\w{3} \d{4}: (Level shift|Trend change)", n) for n in notes)
    assert v.page.evaluate(COLLIDING_NAMES) == []
    v.assert_offline_and_clean()


CROWDED_TICKS = """
() => Array.from(document.querySelectorAll('.chart svg')).flatMap(svg => {
  const shown = Array.from(svg.querySelectorAll('g.role-axis-label text'))
    .filter(t => t.textContent.trim() && t.getAttribute('opacity') !== '0')
    .map(t => [t.textContent, t.getBoundingClientRect()]);
  const hits = [];
  shown.forEach(([a, p], i) => shown.slice(i + 1).forEach(([b, q]) => {
    const row = p.top < q.bottom && q.top < p.bottom;
    if (row && Math.max(q.left - p.right, p.left - q.right) < 4) { hits.push(a + ' / ' + b); }
  }));
  return hits;
})
"""


def test_tables_fit_a_700_px_window_without_sideways_scrolling(visit, full_report):
    """At 700 px the forecast, breaks and backtest tables were 5 to 45 px too wide, so their
    last column was cut until the reader scrolled the table (report review 2)."""
    v = visit(full_report, width=700, height=900)
    wide = v.page.evaluate(
        "() => Array.from(document.querySelectorAll('.table-wrap'))"
        ".filter(w => w.scrollWidth > w.clientWidth).map(w => w.querySelector('table').id)"
    )
    assert wide == []


def test_tick_labels_never_touch_on_a_700_px_window(visit, tmp_path):
    """Changes from −80% to +140% crowded the growth chart's ticks at 700 px ('−80−60',
    1.6 px apart, in the demo report; report review 2)."""
    import datetime as dt

    import polars as pl

    from skilltide.reports.charts import finish, growth_chart
    from skilltide.reports.html import Figure, Page, Section, render_html

    # the demo report's 20 skills: their names set the plot's width, their intervals the ticks
    labels = [
        "PALS", "Rust", "Visual Merchandising", "Jenkins", "Pallet Jack", "ITIL", "Go",
        "Microsoft Copilot", "Prompt Engineering", "Microservices", "TCP/IP", "MySQL",
        "QuickBooks", "ServSafe", "A/B Testing", "Knife Skills", "MongoDB",
        "National Electrical Code", "Differentiated Instruction", "Classroom Management",
    ]  # fmt: skip
    mid = [.63, .55, .55, .53, .53, .43, .38, .37, .37, .31,
           -.2, -.21, -.22, -.23, -.23, -.26, -.28, -.3, -.33, -.41]  # fmt: skip
    lo = [.05, -.05, .01, -.01, 0, -.1, -.1, -.1, -.09, -.16,
          -.5, -.5, -.48, -.5, -.5, -.5, -.57, -.5, -.62, -.63]  # fmt: skip
    hi = [1.22, 1.16, 1.09, 1.06, 1.05, .96, .87, .84, .83, .77,
          .1, .07, .03, .04, .04, -.01, 0, -.1, -.06, -.19]  # fmt: skip
    growth = pl.DataFrame(
        {"label": labels, "growth": mid, "lo": lo, "hi": hi, "base": 10.0, "end": 12.0}
    ).with_columns(
        ds=pl.lit(dt.date(2025, 6, 1)),
        basis=pl.lit("the same season a year earlier (May–Jul 2024)"),
    )
    figure = Figure("growth", finish(growth_chart(growth, "Jun 2025", unit="ads a month")))
    page = tmp_path / "growth.html"
    page.write_text(render_html(Page("T", "S", [Section("s", "S", [figure])])), "utf-8")
    v = visit(page, width=700, height=900)
    assert v.page.evaluate(CROWDED_TICKS) == []
    v.assert_offline_and_clean()


def test_print_stylesheet_hides_controls(visit, full_report):
    v = visit(full_report)
    v.page.emulate_media(media="print")
    hidden = v.page.evaluate(
        "['nav', 'button.csv', '.vega-bindings'].map(s => getComputedStyle("
        "document.querySelector(s)).display)"
    )
    assert hidden == ["none", "none", "none"]
    assert (
        v.page.evaluate(
            "getComputedStyle(document.querySelector('#explorer').closest('section')).breakBefore"
        )
        == "page"
    )
