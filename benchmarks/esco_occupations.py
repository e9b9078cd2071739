"""Benchmark: ESCO occupations read as SOC occupations (docs/methods.md, "ESCO occupations").

An ESCO occupation reaches SOC 2018 through its ISCO-08 unit group, which maps to several SOC
occupations for 75 % of codes; the title coder chooses among them. No file here maps ESCO to
SOC, so the truth is taken from O*NET itself: an ESCO occupation whose label (preferred or
alternative, lower case, spaces collapsed) is an O*NET title of an occupation in its group
has that occupation as truth (several such titles: any of them). The coder is built from
O*NET 30.1 without any string that is an ESCO label, as ``title_coding.py`` leaves out the
reported titles. Reported, for the ESCO occupations whose group has several occupations:

- the ESCO reading (:func:`skilltide.ingest.occupation_esco.esco_occupations`): chosen from
  all the occupation's labels; and from its preferred label alone;
- two baselines without a coder: the group's lowest SOC code (the crosswalk's first row),
  and its SOC occupation with the most O*NET titles; and the preferred label coded as a
  title without ESCO stored (a column of labels: read through ESCO too when it is stored);
- on the JobBERT vacancy titles of those occupations (``--split validation``, the default,
  or ``test``): the ESCO reading against the ISCO-08 reading, which chooses by the ad's title
  (:func:`skilltide.ingest.occupation_isco.isco_occupations`);
- CPU-seconds to read all 2,942 ESCO occupations.

Run:

    python benchmarks/esco_occupations.py [--rerank] [--split validation|test] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

import polars as pl  # noqa: E402
from _data import shared_data  # noqa: E402
from title_coding import _key, read_onet  # noqa: E402

from skilltide.ingest.occupation_esco import esco_occupations  # noqa: E402
from skilltide.ingest.occupation_isco import isco_occupations  # noqa: E402
from skilltide.onet.coder import context_texts, fit_coder, training_examples  # noqa: E402
from skilltide.onet.coder_params import CoderParams  # noqa: E402
from skilltide.onet.crosswalk import _isco_pairs, _soc_2010_2018, _to_2018  # noqa: E402
from skilltide.onet.esco import read_esco  # noqa: E402


def crosswalk() -> dict[str, list[str]]:
    """BLS ISCO-08 → SOC 2018, as ``skilltide onet crosswalk`` stores it."""
    bls = shared_data("soc", "bls")
    pairs, _ = _isco_pairs(bls / "isco_soc_crosswalk.xls")
    chain = _soc_2010_2018(bls / "soc_2010_to_2018_crosswalk.xlsx")
    pairs, _ = _to_2018(pairs, chain, bls)
    grouped = pairs.group_by("isco").agg(pl.col("soc_code").unique().sort())
    return dict(grouped.iter_rows())


def judged(
    esco: pl.DataFrame, xwalk: dict, examples: pl.DataFrame, any_group: bool = False
) -> pl.DataFrame:
    """``esco_id, truth, socs``: ESCO occupations in a group of several whose labels O*NET
    lists as titles of the group's occupations; ``any_group``: every ESCO occupation whose
    labels O*NET lists as titles of any occupation, all of them the truth (the ESCO reading
    cannot reach those outside its group: 600 of 1,932)."""
    labels = esco.select("esco_id", label=pl.concat_list(pl.col("label"), "alt_labels"))
    keys = labels.explode("label").with_columns(k=_key("label"))
    onet = examples.select(k=_key("title"), soc=pl.col("onetsoc_code").str.slice(0, 7)).unique()
    socs = pl.DataFrame({"isco": list(xwalk), "socs": list(xwalk.values())})
    return (
        keys.join(onet, on="k")
        .group_by("esco_id")
        .agg(pl.col("soc").unique())
        .join(esco.select("esco_id", "isco"), on="esco_id")
        .join(socs, on="isco")
        .with_columns(
            truth=pl.col("soc") if any_group else pl.col("soc").list.set_intersection("socs")
        )
        .filter(pl.col("truth").list.len() > 0, any_group or pl.col("socs").list.len() > 1)
        .select("esco_id", "truth", "socs")
        .sort("esco_id")
    )


def share_right(chosen: pl.Series, truth: pl.Series) -> float:
    hits = pl.DataFrame({"c": chosen.str.slice(0, 7), "t": truth}).select(
        pl.col("t").list.contains(pl.col("c")).fill_null(False)
    )
    return round(100 * float(hits.to_series().mean()), 1)


def measure(rerank: bool, split: str) -> dict:
    xwalk = crosswalk()
    esco = read_esco(shared_data("soc", "esco", "occupations_en.csv"))
    occupations, alternates, reported, tasks = read_onet(shared_data("onet", "30.1"))
    examples = training_examples(occupations, alternates, reported)
    truth = judged(esco, xwalk, examples)
    label_keys = esco.select(pl.concat_list("label", "alt_labels").explode().alias("label"))
    held_out = label_keys.select(_key("label"))["label"].unique().implode()
    train = examples.filter(~_key("title").is_in(held_out))
    coder, _ = fit_coder(train, CoderParams(rerank=rerank), context_texts(occupations, tasks))

    rows = esco.select("esco_id", "isco", "label", "alt_labels").iter_rows()
    table = {key: (group, [label, *alt]) for key, group, label, alt in rows}  # as esco_table
    preferred = {k: (i, labels[:1]) for k, (i, labels) in table.items()}
    ids = truth["esco_id"]
    sizes = train.group_by(soc=pl.col("onetsoc_code").str.slice(0, 7)).len()
    most = dict(sizes.iter_rows())
    result = {
        "coder": "lexical, re-ranked" if rerank else "lexical",
        "training_strings": train.height,
        "held_out_esco_label_strings": examples.height - train.height,
        "esco_occupations_judged": truth.height,
        "esco_reading_labels": share_right(
            esco_occupations(ids, table, xwalk, coder)["occupation"], truth["truth"]
        ),
        "esco_reading_preferred_label_only": share_right(
            esco_occupations(ids, preferred, xwalk, coder)["occupation"], truth["truth"]
        ),
        "baseline_lowest_code": share_right(truth["socs"].list.first(), truth["truth"]),
        # a column of preferred labels without ESCO stored: coded as titles, unconstrained
        "baseline_preferred_label_as_a_title": share_right(
            coder.predict([table[k][1][0] for k in ids], top=1).sort("input_index")["onetsoc_code"],
            truth["truth"],
        ),
        # the same, the truth every O*NET occupation of the labels (the title coder's may lie
        # outside the group: 'judged' removes them from the truth)
        "baseline_preferred_label_as_a_title_any_truth": share_right(
            coder.predict([table[k][1][0] for k in ids], top=1).sort("input_index")["onetsoc_code"],
            judged(esco, xwalk, examples, any_group=True).join(truth, on="esco_id", how="semi")[
                "truth"
            ],
        ),
        "baseline_most_onet_titles": share_right(
            pl.Series([max(s, key=lambda c: (most.get(c, 0), c)) for s in truth["socs"]]),
            truth["truth"],
        ),
    }
    # every ESCO occupation whose labels O*NET lists, in its group or not
    anywhere = judged(esco, xwalk, examples, any_group=True)
    result |= {
        "esco_occupations_judged_any_group": anywhere.height,
        "esco_reading_labels_any_group": share_right(
            esco_occupations(anywhere["esco_id"], table, xwalk, coder)["occupation"],
            anywhere["truth"],
        ),
        "preferred_label_as_a_title_any_group": share_right(
            coder.predict([table[k][1][0] for k in anywhere["esco_id"]], top=1).sort("input_index")[
                "onetsoc_code"
            ],
            anywhere["truth"],
        ),
    }
    name = "titles.csv" if split == "validation" else "titles.test.csv"
    ads = pl.read_csv(shared_data("soc", "jobbert", name), infer_schema=False).select(
        title="vacancyTitle", esco_id=pl.col("conceptUri").str.extract(r"([0-9a-f-]{36})$")
    )
    ads = ads.join(truth, on="esco_id", maintain_order="left")
    isco = ads["esco_id"].replace_strict({k: v[0] for k, v in table.items()})
    result |= {
        f"jobbert_{split}_ads_judged": ads.height,
        "jobbert_esco_reading_labels": share_right(
            esco_occupations(ads["esco_id"], table, xwalk, coder)["occupation"], ads["truth"]
        ),
        "jobbert_isco_reading_ad_title": share_right(
            isco_occupations(isco, ads["title"], xwalk, coder)["occupation"], ads["truth"]
        ),
    }
    start = time.process_time()
    every = esco_occupations(esco["esco_id"], table, xwalk, coder)
    result["cpu_seconds_all_esco_occupations"] = round(time.process_time() - start, 2)
    result["esco_occupations_read"] = int(every["occupation"].is_not_null().sum())
    result["ratio_labels_to_most_titles_baseline"] = round(
        result["esco_reading_labels"] / result["baseline_most_onet_titles"], 2
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank", action="store_true", help="the re-ranked lexical coder")
    parser.add_argument("--split", choices=["validation", "test"], default="validation")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = measure(args.rerank, args.split)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:40} {value}")


if __name__ == "__main__":
    main()
