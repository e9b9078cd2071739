"""Do coded titles from outside O*NET help the title coder? Issue 4's protocol, more titles.

Same split and scoring as ``title_coding.py`` (train on O*NET 30.1 titles without any Sample
of Reported Titles string, code the 7,955 reported titles), with extra training titles added
before that filter, so no reported-title string gets in through them either:

- **dmtf**: the BLS SOC 2018 Direct Match Title File (6,520 titles);
- **census**: the Census 2022 Alphabetical Index rows with a detailed SOC code.

A SOC 2018 code becomes the O*NET-SOC code ``XX-XXXX.00`` when O*NET has it, else the smallest
O*NET-SOC code under it; aggregate codes (``51-91XX``) are left out. The titles join as
alternate titles (the same weight in the occupation profiles). Rows: O*NET only, each list,
both; the default coder, and with ``--linear`` the coder built as ``build-coder --linear
--rerank`` too (minutes per row).

Usage: python benchmarks/title_coding_extra.py [--json] [--linear]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from benchmarks._soc_lists import read_census_index, read_direct_match
from benchmarks.title_coding import _key, protocol_split, run_coder
from skilltide.onet.coder import fit_coder
from skilltide.onet.coder_params import LINEAR_WEIGHT, CoderParams


def as_training_titles(titles: pl.DataFrame, onet_codes: pl.Series) -> pl.DataFrame:
    """``(onetsoc_code, title, kind)`` of SOC-coded titles: the ``.00`` O*NET-SOC code of each
    detailed SOC code (else the smallest under it); titles of other codes left out."""
    target = (
        pl.DataFrame({"onetsoc_code": onet_codes.unique().sort()})
        .with_columns(soc=pl.col("onetsoc_code").str.slice(0, 7))
        .group_by("soc", maintain_order=True)
        .first()
    )
    return (
        titles.filter(pl.col("soc_code").str.contains(r"^\d\d-\d{4}$"))
        .join(target, left_on="soc_code", right_on="soc")
        .select("onetsoc_code", "title", pl.lit("alternate").alias("kind"))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--linear", action="store_true", help="also the --linear --rerank coder")
    args = parser.parse_args()
    train, context, reported = protocol_split(shared_data("onet", "30.1"))
    soc = shared_data("soc")
    codes = train["onetsoc_code"]
    lists = {
        "dmtf": as_training_titles(
            read_direct_match(soc / "bls" / "soc_2018_direct_match_title_file.xlsx"), codes
        ),
        "census": as_training_titles(
            read_census_index(soc / "census" / "Census-2022-Occupation-Index_Final.xlsx"), codes
        ),
    }
    test_keys = reported.select(_key("reported_title").alias("k"))["k"].implode()
    titles, truth = reported["reported_title"].to_list(), reported["onetsoc_code"].to_list()
    coders = {"coder": CoderParams()}
    if args.linear:
        coders["coder_linear_reranked"] = CoderParams(rerank=True, linear=LINEAR_WEIGHT)
    rows = []
    for added in ([], ["dmtf"], ["census"], ["dmtf", "census"]):
        extra = pl.concat([train.clear(), *(lists[name] for name in added)])
        extra = extra.filter(~_key("title").is_in(test_keys)).unique(maintain_order=True)
        extended = pl.concat([train, extra])
        for name, params in coders.items():
            scores = run_coder(
                extended,
                context,
                titles,
                truth,
                fit=lambda examples, context, params=params: fit_coder(examples, params, context),
            )
            scores.pop("calibration_heldout")
            rows.append(
                {"coder": name, "extra": "+".join(added) or "none", "titles": extended.height}
                | scores
            )
    alone = {r["coder"]: r for r in rows if r["extra"] == "none"}  # the baseline: O*NET only
    for r in rows:
        r["top1_soc6_vs_onet_only"] = round(r["top1_soc6"] / alone[r["coder"]]["top1_soc6"], 3)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{'coder':22} {'extra titles':12} {'train':>7}  top-1 6d  top-5 6d  top-1 major"
        "  top-1 6d vs O*NET only"
    )
    for r in rows:
        print(
            f"{r['coder']:22} {r['extra']:12} {r['titles']:>7}  {r['top1_soc6']:>8}"
            f"  {r['top5_soc6']:>8}  {r['top1_major']:>11}  {r['top1_soc6_vs_onet_only']:>22}"
        )


if __name__ == "__main__":
    main()
