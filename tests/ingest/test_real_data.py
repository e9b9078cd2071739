"""Real data: the ruanyf "who is hiring" ads (JSONL, nested, Chinese text with English names),
scored against their LLM-extracted ``tech_stack`` lists with an O*NET technology taxonomy."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.extract import _pattern
from skilltide.store import Warehouse
from tests.conftest import shared_path
from tests.ingest.helpers import add_vocab, onet_technology_vocab

pytestmark = pytest.mark.shared_data

MAPPING = {
    "id": "post_id",
    "posted_at": "created_at",
    "title": "positions.0.title",
    "company": "company",
    "region": "location.0",
    "text": "raw_content_redacted",
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    path = shared_path("jobads", "ruanyf_weekly_hiring", "ruanyf_weekly_hiring_posts.jsonl")
    tech = shared_path("onet", "30.1", "Technology Skills.txt")
    db = tmp_path_factory.mktemp("ruanyf") / "w.duckdb"
    with Warehouse(db) as wh:
        try:  # the onet stage's taxonomy (O*NET 30.1 technology skills + rules) when merged
            from skilltide.onet.load import load_onet

            load_onet(wh, [tech.parent])
        except ImportError:
            add_vocab(wh, *onet_technology_vocab(tech))
        summary = ingest_ads(
            wh, [path], mapping=MAPPING, source="ruanyf", now=dt.datetime(2026, 11, 23)
        )
        yield wh, summary, path


def test_ruanyf_ingest_and_undated_rows_quarantined(ingested):
    wh, summary, _ = ingested
    assert summary["rows_read"] == 1700
    assert summary["quarantined"] == 2
    q = wh.query("SELECT reason, field, raw FROM quarantine")
    assert q["reason"].to_list() == ["missing_date", "missing_date"]
    assert all(json.loads(r)["created_at"] is None for r in q["raw"])
    assert summary["ads_stored"] + summary["duplicates"] == 1698
    months = wh.query("SELECT count(DISTINCT month) AS n FROM ads")["n"][0]
    assert months == 81  # 2019-07 .. 2026-03 (SOURCE.md)


def test_ruanyf_extraction_against_tech_stack(ingested):
    wh, _, path = ingested
    keys = wh.query(
        "SELECT lower(alias) AS alias, skill_id FROM skill_aliases"
        " UNION SELECT lower(name), skill_id FROM skills"
    )
    keys = keys.with_columns(_pattern(pl.col("alias")).str.to_lowercase().alias("key")).unique(
        "key", keep="first"
    )
    posts = pl.read_ndjson(path).select("post_id", "tech_stack").explode("tech_stack")
    truth = (
        posts.drop_nulls("tech_stack")
        .with_columns(_pattern(pl.col("tech_stack")).str.to_lowercase().alias("key"))
        .join(keys.select("key", "skill_id"), on="key", how="inner")
        .select("post_id", "skill_id")
        .unique()
    )
    ads = wh.query("SELECT ad_id, external_id AS post_id FROM ads")
    truth = truth.join(ads, on="post_id", how="inner").select("ad_id", "skill_id")
    predicted = wh.query("SELECT ad_id, skill_id FROM ad_skills")
    tp = predicted.join(truth, on=["ad_id", "skill_id"], how="semi").height
    precision = tp / predicted.height
    recall = tp / truth.height
    known = truth["skill_id"].n_unique()
    print(
        f"\nruanyf vs tech_stack ({truth.height} known mentions of {known} taxonomy skills "
        f"in {ads.height} ads): precision {precision:.3f} recall {recall:.3f}"
    )
    # Measured 2026-11-23 (see docs/methods.md); a drop means extraction broke.
    assert precision > 0.68 and recall > 0.85


def test_ruanyf_location_list_is_read_as_its_first_city():
    """``location`` is a list of cities (or null): mapped whole, the region is its first city,
    never JSON text or several lines."""
    from skilltide.ingest.mapping import default_mapping
    from skilltide.ingest.readers import read_batches

    path = shared_path("jobads", "ruanyf_weekly_hiring", "ruanyf_weekly_hiring_posts.jsonl")
    mapping = {**default_mapping(), **MAPPING, "region": "location"}
    regions = pl.concat(b.select("region") for b in read_batches(path, mapping))["region"]
    with path.open(encoding="utf-8") as fh:
        firsts = [
            next((c for c in r["location"] or [] if c.strip()), None) for r in map(json.loads, fh)
        ]
    assert regions.to_list() == [c.strip() if c else None for c in firsts]
    assert regions.drop_nulls().len() > 1000
    assert not regions.drop_nulls().str.contains(r"[\n\[\]\"]").any()
