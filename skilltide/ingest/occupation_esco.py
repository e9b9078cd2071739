"""A mapped occupation value that is an ESCO occupation, read through its ISCO-08 unit group.

European job-ad data often code occupations as ESCO occupation URIs
(``http://data.europa.eu/esco/occupation/f2b15a0e-…``, *software developer*). With ESCO's
occupations stored beside the ISCO-08 crosswalk (``skilltide onet crosswalk … --esco FILE``,
:mod:`skilltide.onet.esco`), such a value (the URI, its UUID alone, or the occupation's
preferred label, unique in ESCO: ``Software Developer``) is read as the SOC 2018 occupations of
its ISCO-08 unit group, source ``mapped_esco``:

- one occupation: its code, ``NN-NNNN.00``;
- several (ISCO-08 2512: 15-1252 Software Developers, 15-1253 Software Quality Assurance
  Analysts and Testers): the title coder chooses among them from the ESCO occupation's own
  labels, preferred and alternative (*software developer*, *application developer*, …), each
  occupation scored by the coder's probabilities summed over its O*NET-SOC codes and over the
  labels; the score is the chosen one's share. The ad's title is not used: on the ESCO
  occupations whose labels O*NET itself lists, the labels chose right for 91 % and the ads'
  titles for 81 % (docs/methods.md, "ESCO occupations"), and every ad of one ESCO
  occupation gets the same SOC occupation.

No coder: no occupation (``unknown``) where the group has several, until a coder is built.

Example
-------
>>> import polars as pl
>>> esco = {"f2b15a0e-e65a-438a-affb-29b9d50b77d1": ("2512", ["software developer"]),
...         "0b2ee6f1-8cba-4a14-9b52-2ee3ba6e2c4a": ("2211", ["general practitioner"])}
>>> xwalk = {"2512": ["15-1252", "15-1253"], "2211": ["29-1215"]}
>>> keys = esco_key(pl.Series(["http://data.europa.eu/esco/occupation/"
...     "0b2ee6f1-8cba-4a14-9b52-2ee3ba6e2c4a", "F2B15A0E-E65A-438A-AFFB-29B9D50B77D1",
...     "Nurse", None]), esco)
>>> keys.to_list()[1:]
['f2b15a0e-e65a-438a-affb-29b9d50b77d1', None, None]
>>> esco_occupations(keys, esco, xwalk, coder=None).rows()
[('29-1215.00', None), (None, None), (None, None), (None, None)]
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import polars as pl

from skilltide.ingest.occupation_isco import soc_columns
from skilltide.onet.esco import URI

SOURCE = "mapped_esco"
_CHUNK = 256  # occupations whose labels (about 11 each) are scored at a time
# each coder's choices (key: the occupation, its labels and its group's SOC codes), while it lives
_CHOICES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def esco_table(con) -> dict[str, tuple[str, list[str]]]:
    """The stored ESCO occupations: UUID → (ISCO-08 unit group, labels, preferred first);
    empty when none are stored."""
    rows = con.execute("SELECT esco_id, isco, label, alt_labels FROM esco_occupations").fetchall()
    return {key: (isco, [label, *alt]) for key, isco, label, alt in rows}


def esco_key(values: pl.Series, esco: dict[str, tuple[str, list[str]]]) -> pl.Series:
    """Each value's ESCO occupation in ``esco`` (its UUID, lower case; null: none): a URI,
    a UUID, or an occupation's preferred label (one no other occupation has), in any case and
    spacing."""
    if not esco:
        return pl.Series(values.name, [None] * values.len(), dtype=pl.String)
    text = values.cast(pl.String)
    ids = text.str.extract(URI, 1).str.to_lowercase()
    known = pl.Series(list(esco), dtype=pl.String).implode()
    labels: dict[str, str | None] = {}
    for key, (_, names) in esco.items():  # a label two occupations share: neither
        label = label_key(names[0])
        labels[label] = None if label in labels else key
    named = pl.select(label_key(pl.lit(text))).to_series()
    return (
        pl.select(
            pl.when(ids.is_in(known))
            .then(ids)
            .otherwise(named.replace_strict(labels, default=None, return_dtype=pl.String))
        )
        .to_series()
        .alias(values.name)
    )


def label_key(label: Any) -> Any:
    """A label (text, or a polars expression of text) as it is matched: lower case, spaces
    collapsed."""
    if isinstance(label, str):
        return " ".join(label.lower().split())
    return label.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def esco_occupations(
    keys: pl.Series, esco: dict[str, tuple[str, list[str]]], xwalk: dict[str, list[str]],
    coder: Any,
) -> pl.DataFrame:  # fmt: skip
    """``occupation, occupation_score`` of each ad with ESCO occupation ``keys`` (see the
    module docstring); a null key, or a group the crosswalk lacks, gives nulls."""
    ids = keys.drop_nulls().unique().sort().to_list()
    chosen: dict[str, tuple[str, float | None]] = {}
    several = []
    memo = _memo(coder)
    for key in ids:
        socs = xwalk.get(esco[key][0], [])
        if len(socs) == 1:
            chosen[key] = (socs[0] + ".00", None)
        elif socs and coder is not None:
            if (choice := memo.get((key, *esco[key][1], "|", *socs))) is not None:
                chosen[key] = choice
            else:
                several.append(key)
    if several:
        found = _by_labels(several, esco, xwalk, coder, coder.predict_proba)
        missed = [key for key in several if key not in found]
        if missed and getattr(coder, "reranker", None) is not None:  # only 30 candidates
            first_stage = lambda titles: coder.predict_proba(titles, False)  # noqa: E731
            found |= _by_labels(missed, esco, xwalk, coder, first_stage)
        chosen |= found
        for key, choice in found.items():
            memo[(key, *esco[key][1], "|", *xwalk[esco[key][0]])] = choice
    table = pl.DataFrame(
        [(key, code, score) for key, (code, score) in chosen.items()],
        schema={"key": pl.String, "occupation": pl.String, "occupation_score": pl.Float64},
        orient="row",
    )
    return (
        keys.to_frame("key")
        .join(table, on="key", how="left", maintain_order="left")
        .select("occupation", "occupation_score")
    )


def _memo(coder: Any) -> dict:
    """The choices ``coder`` made before, in this process: an ingest reads its batches' ESCO
    occupations (up to ~3,000, 2.8 CPU-s in all) once, not once per batch of 20,000 ads."""
    if coder is None:
        return {}
    try:
        return _CHOICES.setdefault(coder, {})
    except TypeError:  # a coder that cannot be weakly referenced: no memo
        return {}


def _by_labels(
    ids: list[str], esco: dict[str, tuple[str, list[str]]], xwalk: dict[str, list[str]],
    coder: Any, proba: Any,
) -> dict[str, tuple[str, float]]:  # fmt: skip
    """Each ESCO occupation's choice among its group's SOC occupations by the probabilities
    ``proba(labels)`` gives, summed over its labels, with the choice's share; an occupation
    none of whose SOC occupations gets any is left out."""
    columns, one_hot = soc_columns(coder)
    out = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        labels = [esco[key][1] for key in chunk]
        probs = np.asarray(proba([t for texts in labels for t in texts]), dtype=np.float64)
        by_soc = np.asarray(probs @ one_hot)  # summed over each SOC code's O*NET-SOC codes
        ends = np.cumsum([len(texts) for texts in labels])
        for key, end, texts in zip(chunk, ends, labels, strict=True):
            allowed = np.flatnonzero(np.isin(columns, xwalk[esco[key][0]]))
            mass = by_soc[end - len(texts) : end, allowed].sum(axis=0)
            if allowed.size and mass.sum() > 0:
                best = int(mass.argmax())  # ties: the lower code, as the codes are sorted
                out[key] = (str(columns[allowed[best]]) + ".00", float(mass[best] / mass.sum()))
    return out
