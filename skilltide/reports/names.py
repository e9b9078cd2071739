"""Display names for the codes a report shows (O*NET-SOC occupations).

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     occupation_titles(wh, ["15-1252.00"])
{'15-1252.00': 'Software Developers'}
"""

from __future__ import annotations

from skilltide.store import Warehouse


def occupation_titles(wh: Warehouse, codes: list[str]) -> dict[str, str]:
    """Display titles for O*NET-SOC codes.

    From the ``occupations`` view (O*NET), else the graph's occupation names, else the title
    most often written in the ads coded to it, else the code itself.
    """
    titles: dict[str, str] = {}
    if wh.has_table("ads"):
        rows = wh.query(
            "SELECT occupation, mode(title) AS title FROM ads WHERE list_contains(?, occupation)"
            " AND title IS NOT NULL GROUP BY occupation",
            [codes],
        )
        titles.update(dict(rows.iter_rows()))
    if wh.has_table("graph_nodes"):
        rows = wh.query(
            "SELECT node_id, any_value(name) AS name FROM graph_nodes"
            " WHERE CAST(bipartite AS INTEGER) = 1 AND name IS NOT NULL AND name <> node_id"
            " GROUP BY node_id"
        )
        titles.update(dict(rows.iter_rows()))
    if wh.has_table("occupations"):
        rows = wh.query(
            "SELECT onetsoc_code, arg_max(title, release) AS title FROM occupations"
            " GROUP BY onetsoc_code"
        )
        titles.update(dict(rows.iter_rows()))
    return {c: titles.get(c) or c for c in codes}
