"""Title → O*NET-SOC coder on title lists from outside O*NET (Census, BLS, JobBERT ads).

The coder is built as the warehouse builds it for real use (:func:`training_examples` with
O*NET 30.1 occupation titles and their parts, alternate and short titles *and* the Sample of
Reported Titles; task statements and descriptions as context; :func:`fit_coder`). The
baseline, fitted in the same process on the same training strings, is the character 2–4-gram
TF-IDF 1-NN of ``title_coding.py`` (:mod:`benchmarks._char_baseline`). Three sets are coded:

- **census**: Census 2022 Alphabetical Index rows with a SOC code, one item per distinct
  title (lower-cased, whitespace-squeezed); a title on several rows (industry restrictions)
  keeps all its codes and a candidate is a hit if it matches any of them. Titles found
  verbatim among the training strings are dropped. Detailed codes are scored at 6-digit
  SOC; aggregates (``19-1020``, ``51-609X``, ``51-91XX``) at the prefix they fix (a
  candidate is a hit if its code starts with it); every title at major group.
- **dmtf**: BLS SOC 2018 Direct Match Title File, filtered the same way; 6-digit and major.
- **jobbert**: JobBERT test vacancy titles (Malaysian job board), ESCO → ISCO-08 → SOC 2010
  → SOC 2018; major-group accuracy on rows whose codes share one major group (raw titles,
  lower-cased titles, and the rows not found among the training strings); lenient 6-digit
  (hit if any mapped code) on rows mapping to at most three codes. ``--jobbert-file
  titles.csv`` scores the validation file instead (used to choose normalisation rules).

Top-5 counts a hit when any of the five O*NET-SOC candidates matches.

``--static`` adds the static coder (``build-coder --model static``, needs the ``embed`` extra;
about 2 min and 2.8 GB to build) fitted on the same examples and context; ``--static-rerank``
and ``--static-linear`` build it as ``build-coder --model static --rerank --linear`` would.
Without the extra its column is skipped with the reason printed. ``--no-baseline`` skips the
char 1-NN baseline (most of the run time).

Usage: python benchmarks/title_coding_external.py [--json] [--limit N] [--jobbert-file NAME]
       [--no-linear] [--no-baseline] [--static [--static-rerank] [--static-linear]]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._char_baseline import CharTfidf1NN
from benchmarks._data import shared_data
from benchmarks._soc_lists import (
    code_level,
    code_prefix,
    jobbert_soc2018,
    read_census_index,
    read_direct_match,
    read_esco_isco,
    read_isco_soc2010,
    read_jobbert,
    read_soc2010_2018,
    title_key,
)
from benchmarks.title_coding import ranked_codes, read_onet
from skilltide.onet.coder import context_texts, fit_coder, training_examples
from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams

# An item: (title, prefixes); a candidate code is a hit when it starts with any prefix.
Item = tuple[str, list[str]]


def hit_rates(ranked: list[list[str]], prefixes: list[list[str]]) -> dict[str, float]:
    """Top-1 and top-5 hit rates (%) of ranked O*NET-SOC candidates against code prefixes."""

    def hit(candidates: list[str], wanted: list[str]) -> bool:
        return any(c.startswith(p) for c in candidates for p in wanted)

    n = max(len(prefixes), 1)
    top1 = sum(hit(r[:1], p) for r, p in zip(ranked, prefixes, strict=True))
    top5 = sum(hit(r[:5], p) for r, p in zip(ranked, prefixes, strict=True))
    return {"n": len(prefixes), "top1": round(100 * top1 / n, 2), "top5": round(100 * top5 / n, 2)}


def code_with(coder, titles: list[str]) -> tuple[list[list[str]], dict]:
    """The coder's top-5 O*NET-SOC codes per title and its speed."""
    ranked, seconds, cpu = ranked_codes(coder, titles)
    return ranked, {
        "titles_per_second": round(len(titles) / seconds),
        "titles_per_cpu_second": round(len(titles) / max(cpu, 1e-9)),
    }


def census_set(folder: Path, known: pl.Series) -> tuple[pl.DataFrame, dict]:
    """Distinct Census index titles not among the training strings, with all their codes."""
    path = folder / "census" / "Census-2022-Occupation-Index_Final.xlsx"
    rows = read_census_index(path, coded_only=False)
    coded = rows.filter(pl.col("census_code").is_not_null() & pl.col("soc_code").is_not_null())
    titles = coded.group_by(title_key("title").alias("key"), maintain_order=True).agg(
        pl.col("title").first(), pl.col("soc_code").unique().sort().alias("codes")
    )
    kept = titles.filter(~pl.col("key").is_in(known.implode()))
    skipped = {
        "cross_reference_rows_without_codes": rows.filter(pl.col("census_code").is_null()).height,
        "rows_with_census_code_but_no_soc": rows.height
        - coded.height
        - rows.filter(pl.col("census_code").is_null()).height,
        "duplicate_title_rows_merged": coded.height - titles.height,
        "titles_found_in_training_strings": titles.height - kept.height,
    }
    facts = {
        "rows_read": rows.height,
        "coded_rows": coded.height,
        "distinct_titles": titles.height,
        "titles_with_several_codes": titles.filter(pl.col("codes").list.len() > 1).height,
        "kept_with_several_codes": kept.filter(pl.col("codes").list.len() > 1).height,
    }
    return kept, {"skipped": skipped, **facts}


def dmtf_set(folder: Path, known: pl.Series) -> tuple[pl.DataFrame, dict]:
    """Direct Match titles not among the training strings."""
    rows = read_direct_match(folder / "bls" / "soc_2018_direct_match_title_file.xlsx")
    titles = rows.group_by(title_key("title").alias("key"), maintain_order=True).agg(
        pl.col("title").first(), pl.col("soc_code").unique().sort().alias("codes")
    )
    kept = titles.filter(~pl.col("key").is_in(known.implode()))
    skipped = {
        "duplicate_title_rows_merged": rows.height - titles.height,
        "titles_found_in_training_strings": titles.height - kept.height,
    }
    return kept, {"rows_read": rows.height, "skipped": skipped}


def jobbert_set(folder: Path, name: str) -> pl.DataFrame:
    """JobBERT rows with their SOC 2018 codes (see :func:`jobbert_soc2018`)."""
    return jobbert_soc2018(
        read_jobbert(folder / "jobbert" / name),
        read_esco_isco(folder / "esco" / "occupations_en.csv"),
        read_isco_soc2010(folder / "bls" / "isco_soc_crosswalk.xls"),
        read_soc2010_2018(folder / "bls" / "soc_2010_to_2018_crosswalk.xlsx"),
    )


def score_census(ranked: list[list[str]], items: pl.DataFrame) -> dict:
    codes = items["codes"].to_list()
    levels = [{code_level(c) for c in cs} for cs in codes]
    out = {}
    for name, keep in [
        ("soc6", lambda lv: lv == {"detailed"}),
        ("broad", lambda lv: lv == {"broad"}),
        ("minor", lambda lv: lv == {"minor"}),
        ("finest", lambda lv: True),
    ]:
        rows = [i for i, lv in enumerate(levels) if keep(lv)]
        out[name] = hit_rates(
            [ranked[i] for i in rows], [[code_prefix(c) for c in codes[i]] for i in rows]
        )
    out["major"] = hit_rates(ranked, [[c[:2] for c in cs] for cs in codes])
    return out


def score_jobbert(rank: Callable, rows: pl.DataFrame, known: pl.Series, lower: bool) -> dict:
    """Major group on single-major rows (raw; lower-cased when ``lower``; outside the training
    strings) and lenient 6-digit (any mapped code) on rows mapping to 1–3 codes."""
    ranked, speed = rank(rows["title"].to_list())
    single = (rows["majors"].list.len() == 1).to_list()
    fresh = (~rows.select(title_key("title").is_in(known.implode()))["title"]).to_list()
    few = rows["soc2018"].list.len().is_between(1, 3).to_list()
    majors, codes = rows["majors"].to_list(), rows["soc2018"].to_list()

    def on(mask: list[bool], got: list[list[str]], wanted: list[list[str]]) -> dict:
        return hit_rates(
            [r for r, m in zip(got, mask, strict=True) if m],
            [w for w, m in zip(wanted, mask, strict=True) if m],
        )

    out = {"major": on(single, ranked, majors)}
    if lower:
        lowered, _ = rank(rows["title"].str.to_lowercase().to_list())
        out["major_lowercased"] = on(single, lowered, majors)
    both = [s and f for s, f in zip(single, fresh, strict=True)]
    out["major_not_in_training"] = on(both, ranked, majors)
    out["soc6_lenient_any_of_1to3"] = on(few, ranked, codes)
    return {**out, **speed}


# Coder variants built in the same process: the default (first stage only), the optional
# re-ranker (`build-coder --rerank`, every occupation weighted alike) and the re-ranker fitted
# with every held-out title weighted alike (``rerank_balance=0``), and the optional linear SVM
# score (``build-coder --linear``).
VARIANTS = {
    "coder": CoderParams(),
    "coder_reranked": CoderParams(rerank=True),
    "coder_reranked_balance0": CoderParams(rerank=True, rerank_balance=0.0),
    "coder_linear": CoderParams(linear=LINEAR_WEIGHT),  # build-coder --linear (~3 min to build)
}
LABELS = {
    "coder": "default",
    "coder_reranked": "reranked",
    "coder_reranked_balance0": "rr bal. 0",
    "coder_linear": "linear",
    "static": "static",
    "baseline": "char 1-NN",
}


def fit_static(examples: pl.DataFrame, context: pl.DataFrame, params: CoderParams):
    """The static coder as the warehouse builds it, or the reason it cannot be built."""
    from skilltide.errors import UserError
    from skilltide.onet.coder_embed import require_embed_extra
    from skilltide.onet.coder_static_fit import fit_static_coder

    try:
        require_embed_extra()
    except UserError as exc:
        return None, str(exc)
    return fit_static_coder(examples, params, context)[0], ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--limit", type=int, help="code at most N titles per set (seeded sample)")
    parser.add_argument("--jobbert-file", default="titles.test.csv", help="JobBERT file name")
    parser.add_argument(
        "--no-linear", action="store_true", help="skip the coder_linear variant (~3 min build)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the char 1-NN baseline")
    parser.add_argument("--static", action="store_true", help="add the static coder column")
    parser.add_argument("--static-rerank", action="store_true", help="re-rank the static coder")
    parser.add_argument("--static-linear", action="store_true", help="static coder with the SVM")
    args = parser.parse_args()
    variants = {k: v for k, v in VARIANTS.items() if not (args.no_linear and v.linear)}
    onet, soc = shared_data("onet", "30.1"), shared_data("soc")
    occupations, alternates, reported, tasks = read_onet(onet)
    examples = training_examples(occupations, alternates, reported)
    context = context_texts(occupations, tasks)
    known = examples.select(title_key("title"))["title"].unique()
    result: dict = {
        "release": "30.1",
        "training_strings": examples.height,
        "distinct_training_keys": known.len(),
        "limit": args.limit,
        "fit_seconds": {},
    }
    rankers: dict[str, Callable] = {}
    for name, params in variants.items():
        start = time.perf_counter()
        coder, _ = fit_coder(examples, params, context)
        result["fit_seconds"][name] = round(time.perf_counter() - start, 1)
        rankers[name] = partial(code_with, coder)
    if args.static:
        flags = {"rerank": args.static_rerank, "linear": LINEAR_WEIGHT * args.static_linear}
        start = time.perf_counter()
        coder, reason = fit_static(examples, context, CoderParams(**flags))
        if coder is None:
            result["static_skipped"] = reason
        else:
            result["static_params"] = flags
            result["fit_seconds"]["static"] = round(time.perf_counter() - start, 1)
            rankers["static"] = partial(code_with, coder)
    if not args.no_baseline:
        baseline = CharTfidf1NN(examples["title"].to_list(), examples["onetsoc_code"].to_list())
        result["fit_seconds"]["baseline"] = round(baseline.fit_seconds, 1)
        rankers["baseline"] = baseline.rank

    def sample(frame: pl.DataFrame) -> pl.DataFrame:
        if args.limit is None or frame.height <= args.limit:
            return frame
        return frame.with_row_index("_i").sample(args.limit, seed=0).sort("_i").drop("_i")

    census, census_facts = census_set(soc, known)
    dmtf, dmtf_facts = dmtf_set(soc, known)
    jobbert = sample(jobbert_set(soc, args.jobbert_file))
    for name, items, facts in [("census", census, census_facts), ("dmtf", dmtf, dmtf_facts)]:
        items = sample(items)
        entry = {**facts, "titles_coded": items.height}
        for model, rank in rankers.items():
            ranked, speed = rank(items["title"].to_list())
            if name == "census":
                entry[model] = {**score_census(ranked, items), **speed}
            else:
                entry[model] = {
                    "soc6": hit_rates(ranked, items["codes"].to_list()),
                    "major": hit_rates(ranked, [[c[:2] for c in cs] for cs in items["codes"]]),
                    **speed,
                }
        result[name] = entry
    result["jobbert"] = {
        "file": args.jobbert_file,
        "rows": jobbert.height,
        "rows_single_major": jobbert.filter(pl.col("majors").list.len() == 1).height,
        "rows_one_to_three_codes": jobbert.filter(
            pl.col("soc2018").list.len().is_between(1, 3)
        ).height,
        "skipped": {
            "rows_without_soc_2018_code": jobbert.filter(pl.col("soc2018").list.len() == 0).height,
            "major: codes in several major groups": jobbert.filter(
                pl.col("majors").list.len() > 1
            ).height,
            "lenient 6-digit: more than 3 codes": jobbert.filter(
                pl.col("soc2018").list.len() > 3
            ).height,
        },
        # The baseline lower-cases every title itself, so only the coder is run twice.
        **{
            model: score_jobbert(rank, jobbert, known, lower=model == "coder")
            for model, rank in rankers.items()
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print_table(result)


def print_table(result: dict) -> None:
    models = list(result["fit_seconds"])  # the variants built, static, then the baseline
    ratio = "baseline" in models
    labels = [LABELS[m] for m in models] + ["coder/1-NN"] * ratio
    print(
        f"O*NET {result['release']}: {result['training_strings']} training strings; "
        f"fit seconds {result['fit_seconds']}"
    )
    for k in (1, 5):
        print(f"top-{k} hit rate (%)")
        print(f"{'set / level':34} {'n':>6} " + " ".join(f"{m:>10}" for m in labels))
        for name in ("census", "dmtf", "jobbert"):
            entry = result[name]
            for level, figures in entry["coder"].items():
                if isinstance(figures, dict):
                    cells = [entry[m].get(level, {}).get(f"top{k}", "") for m in models]
                    coder, base = cells[0], cells[-1]
                    if ratio:
                        cells.append(round(coder / base, 2) if coder != "" and base else "")
                    print(
                        f"{name + ' ' + level:34} {figures['n']:>6} "
                        + " ".join(f"{c:>10}" for c in cells)
                    )
    for name in ("census", "dmtf", "jobbert"):
        speed = {m: result[name][m]["titles_per_second"] for m in models}
        cpu = {m: result[name][m]["titles_per_cpu_second"] for m in models}
        print(f"{name}: titles/s wall {speed}, per CPU-s {cpu}; {result[name].get('skipped', '')}")
    if "static_skipped" in result:
        print(f"static coder: skipped ({result['static_skipped']})")


if __name__ == "__main__":
    main()
