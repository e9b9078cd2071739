"""The coder's training data from the O*NET views: example titles and context texts.

:func:`training_examples` turns occupation titles, alternate, short and reported titles into
``(onetsoc_code, title, kind)`` rows (joined occupation titles also give their parts);
:func:`context_texts` gathers what O*NET says each occupation does (description, tasks).

Example
-------
>>> import polars as pl
>>> occ = pl.DataFrame({"onetsoc_code": ["29-1141.00"], "title": ["Registered Nurses"]})
>>> training_examples(occ)["title"].to_list()
['Registered Nurses']
"""

from __future__ import annotations

import polars as pl

from skilltide.onet.coder_parts import title_parts


def training_examples(
    occupations: pl.DataFrame,
    alternate_titles: pl.DataFrame | None = None,
    reported_titles: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Example titles per occupation from frames shaped like the O*NET views.

    ``occupations(onetsoc_code, title)``, ``alternate_titles(onetsoc_code, alternate_title,
    short_title)``, ``reported_titles(onetsoc_code, reported_title)`` →
    ``(onetsoc_code, title, kind)`` with kind occupation | alternate | short | reported.

    Example
    -------
    >>> occ = pl.DataFrame({"onetsoc_code": ["29-1141.00"], "title": ["Registered Nurses"]})
    >>> training_examples(occ)["kind"].to_list()
    ['occupation']
    """
    parts = [occupations.select("onetsoc_code", "title", kind=pl.lit("occupation"))]
    split = [
        (code, part)
        for code, title in occupations.select("onetsoc_code", "title").iter_rows()
        if title
        for part in title_parts(title)
    ]
    parts.append(
        pl.DataFrame(
            split, schema={"onetsoc_code": pl.String, "title": pl.String}, orient="row"
        ).with_columns(kind=pl.lit("part"))
    )
    if alternate_titles is not None:
        parts.append(
            alternate_titles.select(
                "onetsoc_code", pl.col("alternate_title").alias("title"), kind=pl.lit("alternate")
            )
        )
        parts.append(
            alternate_titles.filter(
                pl.col("short_title").is_not_null() & (pl.col("short_title") != "n/a")
            ).select("onetsoc_code", pl.col("short_title").alias("title"), kind=pl.lit("short"))
        )
    if reported_titles is not None:
        parts.append(
            reported_titles.select(
                "onetsoc_code", pl.col("reported_title").alias("title"), kind=pl.lit("reported")
            )
        )
    return (
        pl.concat(parts).filter(pl.col("title").is_not_null()).sort("onetsoc_code", "kind", "title")
    )


def context_texts(
    occupations: pl.DataFrame, task_statements: pl.DataFrame | None = None
) -> pl.DataFrame:
    """What O*NET says each occupation does, as ``(onetsoc_code, text)`` rows.

    ``occupations(onetsoc_code, description)`` and ``task_statements(onetsoc_code, task)``;
    either may lack its text column (then it adds nothing).

    Example
    -------
    >>> occ = pl.DataFrame({"onetsoc_code": ["11-9071.00"], "description": ["Run casinos."]})
    >>> context_texts(occ)["text"].to_list()
    ['Run casinos.']
    """
    parts = []
    if "description" in occupations.columns:
        parts.append(occupations.select("onetsoc_code", pl.col("description").alias("text")))
    if task_statements is not None and "task" in task_statements.columns:
        parts.append(task_statements.select("onetsoc_code", pl.col("task").alias("text")))
    if not parts:
        return pl.DataFrame(schema={"onetsoc_code": pl.String, "text": pl.String})
    return pl.concat(parts).filter(pl.col("text").is_not_null()).sort("onetsoc_code", "text")
