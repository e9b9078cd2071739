"""How far any title-only coder can get on the title-coding benchmark (issue 4's protocol).

Three measurements on the 7,955 reported titles, printed by ``python
benchmarks/title_coding.py --ceiling`` (and under ``"ceiling"`` with ``--json``):

- **ambiguity bound**: titles that share a normalised text can only get one answer from a
  coder that reads the title alone, so for each text the best possible top-k is the k most
  frequent true groups among its titles. Summed over texts, that is an upper bound on top-1 /
  top-5 accuracy at O*NET-SOC, 6-digit SOC and major group. Computed for the benchmark's key
  (lower case, whitespace collapsed: a bound for every coder) and for the coder's own
  normalisation (:func:`~skilltide.onet.coder_normalise.normalise_titles`, which also drops
  seniority words, expands abbreviations…: a tighter bound that holds for this coder only);
- **training overlap**: test titles whose normalised text is a training title (after the
  protocol's removal) of their own group only, of their own and another, or only of other
  groups. Under the benchmark's key every overlap is 0 by construction (the protocol removes
  those strings), so it is reported under the coder's normalisation;
- **major-group confusion** of a coder's top-1 code: the most frequent (true → predicted)
  major-group pairs, the errors by the number of words in the title (benchmark key) and
  those on texts that several major groups report.

Everything is deterministic (ties broken by code).

Example
-------
>>> codes = ["29-1141.00", "29-2061.00", "51-4121.06"]
>>> row = ambiguity_bound(["nurse", "nurse", "welder"], codes, 7)
>>> row["ambiguous_titles"], row["forced_errors_top1"], row["bound_top1"]
(2, 1, 66.67)
"""

from __future__ import annotations

from collections import Counter

import polars as pl

from benchmarks.title_coding import _key
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.onet.soc import MAJOR_GROUPS

LEVELS = {"onet_soc": 10, "soc6": 7, "major": 2}


def ambiguous_keys(keys: list[str], codes: list[str], width: int) -> set[str]:
    """Keys whose titles have more than one true group (codes cut to ``width`` characters)."""
    groups: dict[str, set[str]] = {}
    for key, code in zip(keys, codes, strict=True):
        groups.setdefault(key, set()).add(code[:width])
    return {key for key, found in groups.items() if len(found) > 1}


def ambiguity_bound(keys: list[str], codes: list[str], width: int) -> dict:
    """Titles whose key has more than one true group (codes cut to ``width`` characters) and
    the best top-1 / top-5 accuracy (%) of any coder that answers the same for the same key."""
    frame = pl.DataFrame({"key": keys, "group": [c[:width] for c in codes]})
    per_key = (
        frame.group_by("key", "group")
        .len()
        .group_by("key")
        .agg(
            n_groups=pl.len(),
            n=pl.col("len").sum(),
            best1=pl.col("len").max(),
            best5=pl.col("len").top_k(5).sum(),
        )
    )
    ambiguous = per_key.filter(pl.col("n_groups") > 1)
    n = len(keys)
    return {
        "titles": n,
        "ambiguous_keys": ambiguous.height,
        "ambiguous_titles": int(ambiguous["n"].sum()),
        "forced_errors_top1": n - int(per_key["best1"].sum()),
        "bound_top1": round(100 * int(per_key["best1"].sum()) / n, 2),
        "bound_top5": round(100 * int(per_key["best5"].sum()) / n, 2),
    }


def training_overlap(
    keys: list[str], codes: list[str], train_keys: list[str], train_codes: list[str], width: int
) -> dict:
    """Test titles whose key is a training key: of their own group only, of their own group
    and another, or of other groups only (codes cut to ``width`` characters)."""
    owners: dict[str, set[str]] = {}
    for key, code in zip(train_keys, train_codes, strict=True):
        owners.setdefault(key, set()).add(code[:width])
    out = {"own_only": 0, "own_and_other": 0, "other_only": 0, "not_in_training": 0}
    for key, code in zip(keys, codes, strict=True):
        groups = owners.get(key)
        if not groups:
            out["not_in_training"] += 1
        elif code[:width] not in groups:
            out["other_only"] += 1
        else:
            out["own_only" if len(groups) == 1 else "own_and_other"] += 1
    return out


def major_confusion(
    keys: list[str],
    codes: list[str],
    top1: list[str | None],
    pairs: int = 10,
    ambiguous: set[str] = frozenset(),
) -> dict:
    """The most frequent (true → predicted) major-group errors of ``top1``, the errors by
    title length in words (1, 2, 3+) and those on ``ambiguous`` keys."""
    errors = [
        (key, code[:2], (pred or "--")[:2])
        for key, code, pred in zip(keys, codes, top1, strict=True)
        if not pred or pred[:2] != code[:2]
    ]
    counts = Counter((true, pred) for _, true, pred in errors)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:pairs]
    by_words = Counter(min(len(key.split()), 3) for key, _, _ in errors)
    titles_by_words = Counter(min(len(key.split()), 3) for key in keys)
    return {
        "errors": len(errors),
        "top1_major": round(100 * (1 - len(errors) / len(keys)), 2),
        "pairs": [{"true": t, "predicted": p, "count": n} for (t, p), n in top],
        "errors_on_ambiguous_texts": sum(key in ambiguous for key, _, _ in errors),
        "errors_by_words": {_words(k): by_words[k] for k in (1, 2, 3)},
        "titles_by_words": {_words(k): titles_by_words[k] for k in (1, 2, 3)},
    }


def _words(n: int) -> str:
    return "3+" if n == 3 else str(n)


def ceiling_report(
    reported: pl.DataFrame, train: pl.DataFrame, top1: dict[str, list[str | None]]
) -> dict:
    """All three measurements: ``reported`` and ``train`` as from ``protocol_split``,
    ``top1`` maps a coder's name to its top-1 code per reported title."""
    raw = reported["reported_title"].to_list()
    codes = reported["onetsoc_code"].to_list()
    bench = reported.select(_key("reported_title"))["reported_title"].to_list()
    coder = normalise_titles(raw)
    train_codes = train["onetsoc_code"].to_list()
    train_keys = {
        "benchmark_key": train.select(_key("title"))["title"].to_list(),
        "coder_normalisation": normalise_titles(train["title"].to_list()),
    }
    result: dict = {"ambiguity": {}, "training_overlap": {}, "major_confusion": {}}
    for name, keys in (("benchmark_key", bench), ("coder_normalisation", coder)):
        result["ambiguity"][name] = {
            level: ambiguity_bound(keys, codes, width) for level, width in LEVELS.items()
        }
        result["training_overlap"][name] = {
            level: training_overlap(keys, codes, train_keys[name], train_codes, width)
            for level, width in (("soc6", 7), ("major", 2))
        }
    for name, predicted in top1.items():
        result["major_confusion"][name] = major_confusion(
            bench, codes, predicted, ambiguous=ambiguous_keys(bench, codes, 2)
        )
    return result


def print_ceiling(result: dict) -> None:
    """The report as text."""
    print("\nCeiling: titles sharing a normalised text with another occupation's titles")
    for name, levels in result["ambiguity"].items():
        for level, row in levels.items():
            print(
                f"  {name:20} {level:9} {row['ambiguous_titles']:5} titles in "
                f"{row['ambiguous_keys']:4} ambiguous texts; bound top-1 {row['bound_top1']}%, "
                f"top-5 {row['bound_top5']}%"
            )
    print(
        "Test titles found among the training titles (own group only / own and other / "
        "other only / not found)"
    )
    for name, levels in result["training_overlap"].items():
        for level, row in levels.items():
            print(f"  {name:20} {level:6} " + " / ".join(str(v) for v in row.values()))
    for name, row in result["major_confusion"].items():
        print(
            f"Major-group errors, {name}: {row['errors']} (top-1 major {row['top1_major']}%); "
            f"by title words (1/2/3+): {row['errors_by_words']} of {row['titles_by_words']}; "
            f"{row['errors_on_ambiguous_texts']} on texts of several major groups"
        )
        for pair in row["pairs"]:
            true, pred = pair["true"], pair["predicted"]
            print(f"  {pair['count']:4}  {true} {_major(true):34} -> {pred} {_major(pred)}")


def _major(prefix: str) -> str:
    return MAJOR_GROUPS.get(f"{prefix}-0000", "?").removesuffix(" Occupations")[:34]
