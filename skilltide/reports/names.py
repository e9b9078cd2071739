"""Display names for the codes a report shows: forecasting models and O*NET-SOC occupations.

Every model name the warehouse stores (``auto``, ``auto:combination``, ``naive``, ``lgbm``, ...)
reaches the reader only through :func:`model_name` and :func:`model_explanation`, so a legend,
a table and a caption never disagree and never show an internal name bare.

Example
-------
>>> model_name("auto:combination"), model_name("naive")
('Automatic forecast', 'Last month repeated')
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     occupation_titles(wh, ["15-1252.00"])
{'15-1252.00': 'Software Developers'}
"""

from __future__ import annotations

from skilltide.store import Warehouse

AUTOMATIC = (
    "Automatic forecast",
    "skills grouped by their kind of demand: rare, small, large or recently changed; in each "
    "group an average of several methods, each weighted by how accurate it was on past months",
)
# registry name -> (display name, what it does in plain words)
MODELS = {
    "naive": ("Last month repeated", "the latest month's demand carried forward"),
    "seasonal_naive": ("Same month last year", "each month forecast as it was a year before"),
    "drift": ("Recent trend extended", "the last month plus the recent trend"),
    "window_average": ("Recent average", "the average of the last few months"),
    "tsb": (
        "Occasional-demand smoothing",
        "a smoothing method (TSB) for skills asked for only in some months",
    ),
    "lgbm": ("Machine-learning model", "LightGBM, trained on every skill's history at once"),
    "ets": ("Exponential smoothing", "an average that counts recent months most (ETS)"),
    "arima": ("Statistical time-series model", "a seasonal ARIMA model of each series' past"),
    "theta": ("Theta method", "a damped trend through each series' past"),
    "ensemble": (
        "Weighted mix of models",
        "several models averaged with the weights that forecast the past best",
    ),
    "blend": ("Last month and recent average", "the last month mixed with a 3-month average"),
    "top_down": ("Share of the skill's total", "the skill's forecast total split by shares"),
    "post_break": (
        "Average since the last break",
        "the average since the series' last structural break",
    ),
    "auto": AUTOMATIC,
    "combination": AUTOMATIC,  # auto:combination, auto's weighted forecast of one series
}


def model_name(model: str) -> str:
    """The reader's name for a stored model name (``auto:<name>`` is the model auto chose)."""
    return MODELS.get(_key(model), (model, ""))[0]


def model_explanation(model: str) -> str:
    """What the model does, in one plain phrase ("" for a model the report does not know)."""
    return MODELS.get(_key(model), ("", ""))[1]


def in_sentence(name: str) -> str:
    """A display name inside a sentence: 'Last month repeated' -> 'last month repeated'."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _key(model: str) -> str:
    name = model.removeprefix("auto:")
    return name if name in MODELS else name.lower()


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
