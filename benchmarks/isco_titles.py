"""Benchmark: ads that carry an ISCO-08 code, coded by their title alone or read through the
ISCO-08 crosswalk (docs/methods.md, "ISCO-08 codes").

JobBERT's test vacancy titles (a Malaysian job board) each carry an ESCO occupation; ESCO
gives its ISCO-08 unit group (``iscoGroup``), so every title is an ad with an ISCO-08 code.
The script builds a warehouse with O*NET 30.1, its lexical title coder (``--rerank``: the
re-ranked one) and the BLS crosswalk (``skilltide onet crosswalk``), then reports:

- the baseline, the title alone: the share of titles whose top code lies inside their own
  ISCO-08 code's SOC occupations, and inside one of their major groups;
- the ISCO-08 reading (:func:`skilltide.ingest.occupation_isco.isco_occupations`): the share
  coded (inside by construction), the share of codes with several occupations (where the
  title chooses), how often that choice equals the title-alone code, and CPU-seconds.

Whether the choice among a code's occupations is the right one is measured by
``esco_occupations.py`` (``jobbert_isco_reading_ad_title``), on a truth taken from O*NET. Run:

    python benchmarks/isco_titles.py [--rerank] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

import polars as pl  # noqa: E402
from _data import shared_data  # noqa: E402
from _soc_lists import read_esco_isco  # noqa: E402

from skilltide.ingest.occupation_isco import crosswalk, isco_key, isco_occupations  # noqa: E402
from skilltide.onet.coder import build_coder, load_coder  # noqa: E402
from skilltide.onet.coder_params import CoderParams  # noqa: E402
from skilltide.onet.crosswalk import load_crosswalk  # noqa: E402
from skilltide.onet.load import load_onet  # noqa: E402
from skilltide.store import Warehouse  # noqa: E402


def titles_with_isco() -> pl.DataFrame:
    """``title, isco`` of the JobBERT test titles (ISCO-08 through their ESCO occupation)."""
    titles = pl.read_csv(shared_data("soc", "jobbert", "titles.test.csv"), infer_schema=False)
    esco = read_esco_isco(shared_data("soc", "esco", "occupations_en.csv"))
    return titles.select(
        pl.col("vacancyTitle").alias("title"), pl.col("conceptUri").alias("esco_uri")
    ).join(esco, on="esco_uri", how="left", maintain_order="left")


def measure(rerank: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder, Warehouse(Path(folder) / "w.duckdb") as wh:
        load_onet(wh, [shared_data("onet", "30.1")])
        build_coder(wh, CoderParams(rerank=rerank))
        bls = shared_data("soc", "bls")
        load_crosswalk(wh, bls / "isco_soc_crosswalk.xls", bls / "soc_2010_to_2018_crosswalk.xlsx")
        xwalk, coder = crosswalk(wh.con), load_coder(wh)
    ads = titles_with_isco()
    keys = isco_key(ads["isco"], xwalk)
    ads = ads.with_columns(keys.alias("key")).filter(pl.col("key").is_not_null())
    sets = pl.DataFrame({"key": list(xwalk), "socs": list(xwalk.values())})
    ads = ads.join(sets, on="key", how="left", maintain_order="left").with_row_index("i")

    start = time.process_time()
    alone = coder.predict(ads["title"].to_list(), top=1).select(
        pl.col("input_index").cast(pl.UInt32).alias("i"),
        pl.col("onetsoc_code").str.slice(0, 7).alias("alone"),
    )
    alone_cpu = time.process_time() - start
    ads = ads.join(alone, on="i", how="left", maintain_order="left")
    start = time.process_time()
    read = isco_occupations(ads["key"], ads["title"], xwalk, coder)
    read_cpu = time.process_time() - start
    ads = ads.hstack(read)
    several = ads["socs"].list.len() > 1
    inside = ads.select(pl.col("socs").list.contains(pl.col("alone")).fill_null(False))
    major = ads.select(
        pl.col("socs")
        .list.eval(pl.element().str.slice(0, 2))
        .list.contains(pl.col("alone").str.slice(0, 2))
        .fill_null(False)
    )
    same = (ads["occupation"].str.slice(0, 7) == ads["alone"]).fill_null(False)
    return {
        "coder": "lexical, re-ranked" if rerank else "lexical",
        "titles": ads.height,
        "with_several_occupations": round(float(several.mean()) * 100, 1),
        "title_alone_inside_its_code": round(float(inside.to_series().mean()) * 100, 1),
        "title_alone_inside_a_major_group_of_its_code": round(
            float(major.to_series().mean()) * 100, 1
        ),
        "isco_reading_coded": round(float(read["occupation"].is_not_null().mean()) * 100, 1),
        "isco_choice_equals_title_alone_where_several": round(
            float(same.filter(several).mean()) * 100, 1
        ),
        "cpu_seconds_title_alone": round(alone_cpu, 2),
        "cpu_seconds_isco_reading": round(read_cpu, 2),
        # against the baseline: titles coded inside their own code, and CPU
        "inside_ratio_isco_reading_to_title_alone": round(
            float(read["occupation"].is_not_null().mean()) / float(inside.to_series().mean()), 2
        ),
        "cpu_ratio_isco_reading_to_title_alone": round(read_cpu / alone_cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank", action="store_true", help="the re-ranked lexical coder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = measure(args.rerank)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:48} {value}")


if __name__ == "__main__":
    main()
