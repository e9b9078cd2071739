"""Offline HTML reports for policy analysts: Altair charts, Vega runtime inlined.

``render_report`` reads the warehouse and writes one self-contained ``report.html`` that
opens from ``file://`` with no network access, optionally with every chart exported as PNG or
SVG beside it.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     path = render_report(wh, "demo/report")
>>> path.name  # doctest: +SKIP
'report.html'
"""

from __future__ import annotations

from skilltide.reports.render import EXPORT_FORMATS, export_charts, render_report

__all__ = ["EXPORT_FORMATS", "export_charts", "render_report"]
