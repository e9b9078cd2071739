"""Write a report to disk: the HTML file and, optionally, every chart as PNG or SVG.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     render_report(wh, "out", export="svg")
PosixPath('out/report.html')
"""

from __future__ import annotations

import copy
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from skilltide.errors import UserError
from skilltide.outfile import check_writable, make_folder, replacing
from skilltide.provenance import file_record, warehouse_source, write_provenance
from skilltide.reports.html import Figure, render_html
from skilltide.reports.report import build_page
from skilltide.store import Warehouse

EXPORT_FORMATS = ("png", "svg")
# --out suffixes of files the report is not: 'q4.pdf' made a folder of that name
NOT_A_FOLDER = (".pdf", ".png", ".svg", ".jpg", ".jpeg", ".docx", ".txt", ".md", ".csv", ".json")
EXPORT_WIDTH = 900  # charts that follow the page width get this width in exported files


def render_report(
    wh: Warehouse,
    out_dir: str | os.PathLike,
    title: str | None = None,
    granularity: str = "market",
    export: str | None = None,
    panel: str = "ads",
    max_series: int = 200,
) -> Path:
    """Write ``out_dir/report.html`` (or ``out_dir`` itself when it ends in ``.html``) from the
    warehouse and return its path; exported charts go to ``charts/`` beside it. The page gets
    a ``<page>.provenance.json`` naming the warehouse, its newest run, the runs whose rows it
    shows (demand, forecasts, breaks, graph), the options and the exported charts' sha256."""
    if export is not None and export not in EXPORT_FORMATS:
        raise UserError(f"--export: '{export}' is not one of {', '.join(EXPORT_FORMATS)}")
    path = check_report_out(out_dir)
    page = build_page(wh, panel=panel, granularity=granularity, title=title, max_series=max_series)
    make_folder(path.parent)
    # Readers never see a half-written report: the page and its charts are written to
    # temporary files and replace the old ones together, once every one is written.
    charts: list[Path] = []
    with ExitStack() as files:
        files.enter_context(replacing(path)).write_text(render_html(page), encoding="utf-8")
        if export:
            charts = export_charts(page.figures(), path.parent / "charts", export, files)
    options = {"title": title, "granularity": granularity, "panel": panel, "export": export}
    options |= {"max_series": max_series, **warehouse_source(wh.path), "last_run": last_run(wh)}
    options["runs_read"] = page.inputs
    if charts:  # an exported chart is traced by its sha256 here
        options["charts"] = [file_record(chart) for chart in charts]
    write_provenance(path, command="report", inputs=[], options=options)
    return path


def check_report_out(out_dir: str | os.PathLike) -> Path:
    """The page :func:`render_report` writes for ``out_dir``, or the ``UserError`` it would
    fail with, found before any work: a PDF or image name, a file where the folder goes (or a
    folder where the page goes), a folder that cannot be created or written to."""
    out = Path(out_dir)
    if out.suffix.lower() in NOT_A_FOLDER and not out.is_dir():
        raise UserError(
            f"{out}: the report is an HTML page; give a folder or an .html file (a browser "
            "prints it to PDF; --export png|svg writes the charts as images)"
        )
    path = report_path(out)
    if path.parent.exists() and not path.parent.is_dir():
        raise UserError(f"{path.parent}: exists and is not a folder")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, where the report page goes")
    return check_writable(path)


def last_run(wh: Warehouse) -> str | None:
    """The newest run of the warehouse: the state a report was read from."""
    rows = wh.query("SELECT run_id FROM runs ORDER BY started DESC, run_id DESC LIMIT 1")
    return rows["run_id"][0] if rows.height else None


def report_path(out: str | os.PathLike) -> Path:
    """The page ``render_report`` writes for ``out``: ``out`` itself when it ends in
    ``.html`` (and is not a folder), else ``out/report.html``."""
    out = Path(out)
    as_file = out.suffix.lower() in (".html", ".htm") and not out.is_dir()
    return out if as_file else out / "report.html"


def export_charts(
    figures: list[Figure], folder: Path, fmt: str, files: ExitStack | None = None
) -> list[Path]:
    """Render each chart with vl-convert to ``folder/<chart id>.<fmt>``: all of them, or none
    (each is written to a temporary file, renamed when ``files``, or this call, ends)."""
    import vl_convert

    make_folder(folder)
    written = []
    with ExitStack() as own:
        stack = own if files is None else files
        for figure in figures:
            spec = static_spec(figure.spec, EXPORT_WIDTH)
            path = folder / f"{figure.chart_id}.{fmt}"
            tmp = stack.enter_context(replacing(path))
            if fmt == "png":
                tmp.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
            else:
                tmp.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
            written.append(path)
    return written


def static_spec(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """A copy of ``spec`` for a file: fixed ``width``, and drop-downs named in the subtitle."""
    spec = copy.deepcopy(spec)
    for param in spec.get("params", []):
        bind = param.pop("bind", None)
        if bind and "value" in param:
            chosen = f"{bind.get('name', '')}{param['value']}"
            title = spec.get("title")
            if isinstance(title, dict):
                title["subtitle"] = chosen
            else:
                spec["title"] = {"text": chosen, "anchor": "start"}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = width
            for key in ("vconcat", "hconcat", "concat", "layer"):
                for child in node.get(key, []):
                    walk(child)

    walk(spec)
    return spec
