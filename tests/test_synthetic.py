"""The synthetic labour market: determinism, and ground truth that agrees with the ads."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from skilltide.synthetic import SIZES, MarketSpec, generate, plan, write_market
from skilltide.synthetic_vocab import OCCUPATIONS
from tests.conftest import shared_path

TINY = MarketSpec(
    months=8, ads_per_month=40, n_skills=40, n_occupations=8, n_regions=5, n_companies=20, seed=7
)


@pytest.fixture(scope="module")
def market():
    return generate(SIZES["small"])


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files_in_every_format(tmp_path):
    args = {"formats": ("csv", "jsonl", "parquet"), "compress": True}
    a = digest(write_market(TINY, tmp_path / "a", **args))
    b = digest(write_market(TINY, tmp_path / "b", **args))
    assert a == b
    assert {
        "ads.csv.gz",
        "ads.jsonl.gz",
        "ads.parquet",
        "truth/ad_skills.csv.gz",
        "manifest.json",
        "skills.csv",
    } <= set(a)
    c = digest(write_market(dataclasses.replace(TINY, seed=8), tmp_path / "c", **args))
    assert a["ads.csv.gz"] != c["ads.csv.gz"]
    assert a["truth/demand.csv.gz"] != c["truth/demand.csv.gz"]


def test_small_market_written_from_spec_equals_generated_market(tmp_path, market):
    streamed = digest(write_market(SIZES["small"], tmp_path / "s"))
    in_memory = digest(write_market(market, tmp_path / "m"))
    assert streamed == in_memory
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["seed"] == SIZES["small"].seed
    assert manifest["rows"]["ads"] == market.ads.height
    for name, info in manifest["files"].items():
        assert streamed[name] == info["sha256"]
    ads = pl.read_csv(tmp_path / "s" / "ads.csv")
    assert ads.columns == ["id", "posted_at", "title", "company", "region", "occupation", "text"]
    assert ads.height == market.ads.height


def test_formats_hold_the_same_ads(tmp_path):
    out = write_market(TINY, tmp_path, formats=("csv", "jsonl", "parquet"))
    csv = pl.read_csv(out / "ads.csv", infer_schema=False)
    assert csv.equals(pl.read_ndjson(out / "ads.jsonl"))
    assert csv.equals(pl.read_parquet(out / "ads.parquet"))
    with pytest.raises(ValueError, match="formats"):
        write_market(TINY, tmp_path / "x", formats=("xml",))


def matcher(skills: pl.DataFrame):
    """Leftmost-longest matcher: non-ambiguous forms any case, ambiguous forms exact case."""
    forms = []
    for name, aliases, ambiguous in skills.select("name", "aliases", "ambiguous").iter_rows():
        for form in [name, *[a for a in (aliases or "").split("|") if a]]:
            forms.append((form, name, ambiguous))
    forms.sort(key=lambda f: -len(f[0]))
    alternatives = [re.escape(f) if amb else f"(?i:{re.escape(f)})" for f, _, amb in forms]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    exact = {f: s for f, s, amb in forms if amb}
    folded = {f.lower(): s for f, s, amb in forms if not amb}
    ambiguous = set(skills.filter("ambiguous")["name"])

    def find(text: str) -> list[tuple[str, str]]:
        return [(exact.get(m) or folded[m.lower()], m) for m in pattern.findall(text)]

    return find, ambiguous


def test_truth_lists_exactly_the_skill_mentions_in_titles_and_texts(market):
    find, ambiguous = matcher(market.skills)
    truth = defaultdict(dict)
    for ad_id, skill, alias, where in market.truth_ad_skills.iter_rows():
        assert skill not in truth[(ad_id, where)], "one truth row per ad, skill and place"
        truth[(ad_id, where)][skill] = alias
    distractors = Counter()
    for ad_id, title, text in market.ads.select("id", "title", "text").iter_rows():
        for where, body in (("title", title), ("text", text)):
            found = defaultdict(set)
            for skill, form in find(body):
                found[skill].add(form)
            expected = truth.get((ad_id, where), {})
            for skill, alias in expected.items():
                assert alias in found[skill], (ad_id, where, skill, alias)
            for skill in found.keys() - expected.keys():
                assert skill in ambiguous, f"{ad_id} {where}: unlisted mention of {skill}"
                distractors[skill] += 1
    for skill in ("R", "Go", "C", "Swift", "Chef"):
        assert distractors[skill] > 0, f"no non-skill use of {skill!r}"
        assert market.truth_ad_skills.filter(skill=skill).height > 0, skill


def test_aliases_and_casing_vary(market):
    written = market.truth_ad_skills.group_by("skill").agg(pl.col("alias").unique())
    forms = dict(written.iter_rows())
    assert {"JavaScript", "JS", "javascript"} <= set(forms["JavaScript"])
    assert {"Node.js", "NodeJS", "Node"} <= set(forms["Node.js"])
    assert {"Python", "python"} <= set(forms["Python"])
    assert set(forms["R"]) == {"R"}  # ambiguous names keep their case


def test_text_lengths_and_columns(market):
    sizes = market.ads["text"].str.len_bytes()
    assert sizes.min() >= 1000 and sizes.max() <= 4000
    assert market.ads["text"].n_unique() > 0.99 * market.ads.height - market.truth_duplicates.height
    stamps = market.ads["posted_at"].str.to_datetime("%Y-%m-%dT%H:%M:%S")
    assert stamps.null_count() == 0
    assert market.ads["id"].n_unique() == market.ads.height
    assert set(market.ads["occupation"]) <= set(market.occupations["onetsoc_code"])
    assert market.ads["company"].n_unique() > 30 and market.ads["region"].n_unique() == 10


def test_duplicates_repeat_their_originals(market):
    dups = market.truth_duplicates
    assert 0.015 < dups.height / market.ads.height < 0.05
    ads = market.ads
    pairs = dups.join(ads, on="id").join(ads, left_on="original_id", right_on="id", suffix="_orig")
    assert pairs.height == dups.height
    for col in ("company", "title", "text", "region", "occupation"):
        assert (pairs[col] == pairs[f"{col}_orig"]).all(), col
    fmt = "%Y-%m-%dT%H:%M:%S"
    lag = pairs["posted_at"].str.to_datetime(fmt) - pairs["posted_at_orig"].str.to_datetime(fmt)
    days = lag.dt.total_seconds() / 86400
    assert days.min() > 0.9 and days.max() < 60.1
    assert (pairs["posted_at"].str.slice(0, 7) != pairs["posted_at_orig"].str.slice(0, 7)).any()
    truth = market.truth_ad_skills
    for dup_id, orig_id in dups.head(50).iter_rows():
        a = truth.filter(id=dup_id).select("skill", "alias", "where").sort("skill", "where")
        b = truth.filter(id=orig_id).select("skill", "alias", "where").sort("skill", "where")
        assert a.equals(b)


def realised(market) -> pl.DataFrame:
    """Counts of original ads per skill and month, as the ingest stage would count them."""
    originals = market.ads.join(market.truth_duplicates, on="id", how="anti").select(
        "id", month=pl.col("posted_at").str.slice(0, 7)
    )
    return (
        market.truth_ad_skills.join(originals, on="id")
        .unique(["id", "skill"])
        .group_by("skill", "month")
        .len("count")
    )


def test_realised_counts_track_expected_demand(market):
    expected = market.truth_demand.filter(granularity="market")
    both = expected.join(realised(market), on=["skill", "month"], how="left").fill_null(0)
    # counts are the expectation plus sampling noise: standardised residuals have variance ~1
    live = both.filter(pl.col("expected_count") > 2)
    z = (live["count"] - live["expected_count"]) / live["expected_count"].sqrt()
    assert abs(z.mean()) < 0.1 and 0.8 < z.var() < 1.25
    per_skill = both.group_by("skill").agg(pl.col("expected_count", "count").sum())
    assert np.corrcoef(per_skill["expected_count"], per_skill["count"])[0, 1] > 0.99
    assert abs(both["count"].sum() / both["expected_count"].sum() - 1) < 0.03
    originals = market.ads.join(market.truth_duplicates, on="id", how="anti")
    totals = originals.group_by(month=pl.col("posted_at").str.slice(0, 7)).len().sort("month")
    brk = market.truth_breaks.filter(scope="market")
    month = brk["month"].unique().item()
    assert brk.height > 0.9 * market.skills.height  # hits (almost) every skill at once
    before = totals.filter(pl.col("month") < month)["len"].mean()
    after = totals.filter(pl.col("month") >= month)["len"].mean()
    assert after / before > 1.25
    # the truth is the exact expectation: market = sum of occupations = sum of regions
    d = market.truth_demand
    sums = d.group_by("granularity", "skill", "month").agg(pl.col("expected_count").sum())
    wide = sums.pivot("granularity", index=["skill", "month"], values="expected_count")
    assert np.allclose(wide["market"], wide["occupation"]) and np.allclose(
        wide["market"], wide["region"]
    )
    assert np.allclose(d["expected_share"], d["expected_count"] / d["expected_total"])


def test_emerging_skills_are_zero_before_they_start(market):
    roles = market.truth_skills
    emerging = roles.filter(role="emerging")
    assert emerging.height >= 3
    counts = realised(market)
    demand = market.truth_demand.filter(granularity="market")
    for skill, start in emerging.select("skill", "start_month").iter_rows():
        early = demand.filter(pl.col("skill") == skill, pl.col("month") < start)
        late = demand.filter(pl.col("skill") == skill, pl.col("month") >= start)
        assert early.height > 0 and (early["expected_count"] == 0).all()
        assert late["expected_count"].tail(1).item() > 0
        assert counts.filter(pl.col("skill") == skill, pl.col("month") < start).height == 0
    intermittent = roles.filter(role="intermittent")
    assert intermittent.height >= 3 and (intermittent["mean_expected_count"] < 1).all()


def test_series_breaks_change_expected_demand(market):
    d = market.truth_demand.filter(granularity="market")
    months = sorted(d["month"].unique())
    series = market.truth_breaks.filter(scope="series")
    assert set(series["kind"]) == {"level", "trend"}
    for skill, month, kind, _, size in series.iter_rows():
        y = d.filter(skill=skill).sort("month")["expected_count"].to_numpy()
        i = months.index(month)
        if kind == "level":
            ratio = np.log(y[i : i + 3].mean() / y[i - 3 : i].mean())
            assert np.sign(ratio) == np.sign(size) and abs(ratio) > 0.5 * abs(np.log1p(size))


def test_skills_csv_round_trips(tmp_path, market):
    out = write_market(TINY, tmp_path)
    skills = pl.read_csv(out / "skills.csv")
    assert skills.columns == ["name", "aliases", "kind", "category", "ambiguous"]
    assert skills["ambiguous"].dtype == pl.Boolean
    assert skills.with_columns(pl.col("aliases").fill_null("")).equals(plan(TINY).skills_frame())
    raw = (out / "skills.csv").read_text().splitlines()
    assert raw[0] == "name,aliases,kind,category,ambiguous"
    assert market.skills.filter(name="Node.js")["aliases"].item() == "NodeJS|Node"
    assert set(market.skills["kind"]) <= {
        "technology",
        "skill",
        "knowledge",
        "ability",
        "activity",
        "custom",
    }
    truth_files = sorted(p.name for p in (out / "truth").iterdir())
    assert truth_files == [
        "ad_skills.csv",
        "breaks.csv",
        "demand.csv",
        "duplicates.csv",
        "skills.csv",
    ]


def test_sizes_hit_their_targets():
    expected = {"small": 5_000, "default": 100_000, "large": 1_000_000}
    for name, target in expected.items():
        spec = SIZES[name]
        ads = plan(spec).T.sum() * (1 + spec.duplicate_rate)
        assert 0.9 * target < ads < 1.2 * target, (name, ads)
    assert SIZES["default"].months == SIZES["large"].months == 48
    assert plan(SIZES["default"]).skills_frame().height == 150


def test_bad_specs_are_refused():
    with pytest.raises(ValueError, match="YYYY-MM"):
        MarketSpec(start="2021/01")
    with pytest.raises(ValueError, match="n_occupations"):
        MarketSpec(n_occupations=500)
    with pytest.raises(ValueError, match="n_skills"):
        plan(MarketSpec(n_skills=10_000))
    with pytest.raises(ValueError, match="market_break_month"):
        plan(MarketSpec(market_break_month="1999-01"))


def test_market_break_month_and_size_are_configurable():
    spec = dataclasses.replace(TINY, market_break_month="2021-05", market_break_size=0.5)
    breaks = plan(spec).truth_breaks().filter(scope="market")
    assert set(breaks["month"]) == {"2021-05"} and set(breaks["size"]) == {0.5}
    none = plan(dataclasses.replace(TINY, market_break_size=0.0)).truth_breaks()
    assert none.filter(scope="market").height == 0


def test_occupations_are_real_onet_codes_and_titles(market):
    folder = shared_path("onet", "30.1")
    real = pl.read_csv(
        folder / "Occupation Data.txt",
        separator="\t",
        quote_char=None,
        columns=["O*NET-SOC Code", "Title"],
    )
    titles = dict(real.iter_rows())
    full = plan(MarketSpec(n_occupations=len(OCCUPATIONS)))
    for code, title in full.occupations_frame().iter_rows():
        assert titles[code] == title
