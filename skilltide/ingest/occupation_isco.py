"""A mapped occupation value that is an ISCO-08 code, read through the stored crosswalk.

European job-ad data code occupations in ISCO-08 (``2512`` Software developers). With a
crosswalk stored (``skilltide onet crosswalk``, :mod:`skilltide.onet.crosswalk`), such a value
is read as the SOC 2018 occupations the code maps to, source ``mapped_isco``:

- one occupation: its code, ``NN-NNNN.00`` (as a mapped 6-digit SOC code is read);
- several (2512: 15-1252 Software Developers, 15-1253 Software Quality Assurance Analysts and
  Testers): the title coder chooses among them from the ad's title. Each is scored by the
  coder's probability of its O*NET-SOC codes, summed (as ``code-titles --level soc``), and
  the score is the chosen one's share of the code's occupations: the probability of the
  occupation given the title and the ISCO-08 code. No coder, no title, or no probability for
  any of them (a re-ranked coder scores only its 30 candidates): no occupation (``unknown``),
  until a coder is built (:mod:`skilltide.ingest.recode`).

A value is an ISCO-08 code when, stripped (and without the ``.0`` a spreadsheet adds to a
number, the ``.4.1`` of an ESCO occupation's code, or a name after it: ``2512 Software
developers``), it is a code of the crosswalk, or one with its leading zero lost (``110`` for
``0110``); ESCO's URI of an ISCO-08 group (``http://data.europa.eu/esco/isco/C2512``) is its
code too. Without a crosswalk nothing changes: such values stay ``mapped_title``, and ingest
warns of them.

Example
-------
>>> import polars as pl
>>> xwalk = {"2512": ["15-1252", "15-1253"], "2211": ["29-1215"]}
>>> isco_key(pl.Series(["2512", "2211.0", "2512.4.1", "2512 - Software developers", "Nurse",
...     "15-1252", None, "http://data.europa.eu/esco/isco/C2211"]), xwalk).to_list()
['2512', '2211', '2512', '2512', None, None, None, '2211']
>>> isco_occupations(pl.Series(["2211"]), pl.Series(["GP"]), xwalk, coder=None).rows()
[('29-1215.00', None)]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

SOURCE = "mapped_isco"
# A code, maybe with a spreadsheet's ".0" or an ESCO occupation's ".4.1" after it (ESCO codes
# an occupation under its ISCO-08 unit group), maybe followed by a separator and the name.
_CODE = r"^([0-9]{1,4})(?:\.[0-9]+)*(?:\s*[-\u2013\u2014:|,;/]?\s+[^0-9].*)?$"
# ESCO's URI of an ISCO-08 group (its concept scheme names unit groups C2512)
ESCO_GROUP = r"^\s*https?://data\.europa\.eu/esco/isco/[Cc]([0-9]{1,4})/?\s*$"
# a coder's choice of occupation for an ISCO-08 code and a title, with its share
_CHOSEN = {"isco": pl.String, "title": pl.String, "code": pl.String, "share": pl.Float64}
_CHUNK = 2048  # distinct titles scored at a time: 2048 × ~1,000 occupations of probabilities


def crosswalk(con) -> dict[str, list[str]]:
    """The stored crosswalk: ISCO-08 code → its SOC 2018 codes, sorted (empty: none stored)."""
    rows = con.execute(
        "SELECT isco, list(soc_code ORDER BY soc_code) FROM isco_soc GROUP BY isco"
    ).fetchall()
    return dict(rows)


def isco_key(values: pl.Series, xwalk: dict[str, list[str]]) -> pl.Series:
    """Each value's ISCO-08 code in ``xwalk`` (null: none, or no crosswalk)."""
    if not xwalk:
        return pl.Series(values.name, [None] * values.len(), dtype=pl.String)
    keys = pl.Series(list(xwalk), dtype=pl.String)
    text = values.cast(pl.String).str.replace(ESCO_GROUP, "${1}")
    digits = text.str.strip_chars().str.replace(_CODE, "${1}")
    padded = digits.str.zfill(4)
    return (
        pl.select(
            pl.when(digits.is_in(keys.implode()))
            .then(digits)
            .when(digits.str.len_chars().is_in([1, 2, 3]) & padded.is_in(keys.implode()))
            .then(padded)
        )
        .to_series()
        .alias(values.name)
    )


def isco_occupations(
    keys: pl.Series, titles: pl.Series, xwalk: dict[str, list[str]], coder: Any
) -> pl.DataFrame:
    """``occupation, occupation_score`` of each ad with ISCO-08 code ``keys`` (in ``xwalk``)
    and ``titles`` (see the module docstring); a null key gives nulls."""
    rows = pl.DataFrame({"isco": keys, "title": titles.str.strip_chars().replace("", None)})
    single = pl.DataFrame(
        {"isco": [k for k, v in xwalk.items() if len(v) == 1],
         "single": [v[0] + ".00" for v in xwalk.values() if len(v) == 1]},
        schema={"isco": pl.String, "single": pl.String},
    )  # fmt: skip
    out = rows.join(single, on="isco", how="left", maintain_order="left")
    several = (
        out.filter(
            pl.col("isco").is_not_null()
            & pl.col("single").is_null()
            & pl.col("title").is_not_null()
        )
        .select("isco", "title")
        .unique(maintain_order=True)
    )
    chosen = _chosen(several, xwalk, coder)
    out = out.join(chosen, on=["isco", "title"], how="left", maintain_order="left")
    return out.select(
        pl.coalesce("single", "code").alias("occupation"),
        pl.when(pl.col("single").is_null()).then(pl.col("share")).alias("occupation_score"),
    )


def _chosen(pairs: pl.DataFrame, xwalk: dict[str, list[str]], coder: Any) -> pl.DataFrame:
    """``isco, title, code, share``: the coder's choice among each pair's SOC occupations;
    a pair whose occupations a re-ranked coder leaves unscored (only its 30 candidates are)
    is chosen by its first stage, which scores every occupation."""
    if coder is None or pairs.is_empty():
        return pl.DataFrame(schema=_CHOSEN)
    found, missed = _choose(pairs, xwalk, coder, coder.predict_proba)
    if missed.height and getattr(coder, "reranker", None) is not None:
        first_stage = _choose(missed, xwalk, coder, lambda t: coder.predict_proba(t, False))[0]
        found = pl.concat([found, first_stage])
    return found.with_columns(pl.col("code") + ".00")


def soc_columns(coder: Any) -> tuple[np.ndarray, Any]:
    """Each 6-digit SOC code of ``coder`` once (sorted), and the 0/1 matrix (O*NET-SOC code ×
    SOC code) that sums its O*NET-SOC probabilities under each."""
    from scipy import sparse

    columns, where = np.unique([str(c)[:7] for c in coder.codes], return_inverse=True)
    one_hot = sparse.csr_matrix(
        (np.ones(len(where)), (np.arange(len(where)), where)), shape=(len(where), len(columns))
    )
    return columns, one_hot


def _choose(
    pairs: pl.DataFrame, xwalk: dict[str, list[str]], coder: Any, proba: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The pairs chosen by the probabilities ``proba(titles)`` gives (``isco, title, code,
    share``), and the pairs it gives none of their occupations any (``isco, title``)."""
    columns, one_hot = soc_columns(coder)
    allowed = {k: np.flatnonzero(np.isin(columns, v)) for k, v in xwalk.items()}
    titles = pairs["title"].unique(maintain_order=True)
    found: dict[str, list] = {"isco": [], "title": [], "code": [], "share": []}
    missed: dict[str, list] = {"isco": [], "title": []}
    for start in range(0, titles.len(), _CHUNK):  # each title scored once, for all its codes
        chunk = titles.slice(start, _CHUNK)
        probs = np.asarray(proba(chunk.to_list()), dtype=np.float64)
        by_soc = np.asarray(probs @ one_hot)  # summed over each SOC code's O*NET-SOC codes
        rows = pairs.join(chunk.to_frame().with_row_index("row"), on="title")
        for (isco,), group in rows.group_by("isco", maintain_order=True):
            if not allowed[isco].size:  # none of its occupations is one the coder knows
                continue
            mass = by_soc[np.ix_(group["row"].to_numpy(), allowed[isco])]
            total = mass.sum(axis=1)
            best = mass.argmax(axis=1)  # ties: the lower code, as the codes are sorted
            keep = np.flatnonzero(total > 0)
            found["isco"].append(np.full(len(keep), isco, dtype=object))
            found["title"].append(group["title"].to_numpy()[keep])
            found["code"].append(columns[allowed[isco][best[keep]]])
            found["share"].append(mass[keep, best[keep]] / total[keep])
            lost = np.flatnonzero(total <= 0)
            missed["isco"].append(np.full(len(lost), isco, dtype=object))
            missed["title"].append(group["title"].to_numpy()[lost])
    return (
        pl.DataFrame({k: np.concatenate(v) if v else [] for k, v in found.items()}, schema=_CHOSEN),
        pl.DataFrame(
            {k: np.concatenate(v) if v else [] for k, v in missed.items()},
            schema={"isco": pl.String, "title": pl.String},
        ),
    )
