"""Fields that are JSON or Parquet lists: text fields join their items, the others take the
first (a multi-city ad is counted in its first city)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.mapping import default_mapping, list_value
from skilltide.ingest.readers import read_batches

RECORDS = [
    {
        "posted_at": ["2024-01-05", "2024-02-01"],
        "title": ["Backend engineer", "Go developer"],
        "company": ["Acme", "Acme Labs"],
        "text": ["Uses SQL.", "Writes Python."],
        "location": ["上海", "南京"],
        "soc": ["15-1252.00", "15-1253.00"],
        "ids": [17, 18],
    },
    {
        "posted_at": "2024-03-01",
        "title": [],
        "company": [" ", None, "Beta"],
        "text": "Uses Python.",
        "location": None,
        "soc": [],
        "ids": [],
    },
]
MAPPING = {"region": "location", "occupation": "soc", "id": "ids"}
EXPECTED = [
    {
        "id": "17",
        "posted_at": "2024-01-05",
        "title": "Backend engineer, Go developer",
        "company": "Acme, Acme Labs",
        "text": "Uses SQL.\nWrites Python.",
        "region": "上海",
        "occupation": "15-1252.00",
    },
    {
        "id": None,
        "posted_at": "2024-03-01",
        "title": None,
        "company": "Beta",
        "text": "Uses Python.",
        "region": None,
        "occupation": None,
    },
]


def _fields(path) -> list[dict]:
    batch = next(read_batches(path, {**default_mapping(), **MAPPING}))
    return batch.select(*EXPECTED[0]).to_dicts()


def test_jsonl_list_fields(tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS))
    assert _fields(path) == EXPECTED


def test_parquet_list_fields(tmp_path):
    path = tmp_path / "ads.parquet"
    records = [{**r, "posted_at": EXPECTED[i]["posted_at"]} for i, r in enumerate(RECORDS)]
    records[1]["text"] = ["Uses Python."]
    pl.DataFrame(records).write_parquet(path)
    assert _fields(path) == EXPECTED


def test_nested_values_are_json_in_parquet_as_in_jsonl(tmp_path):
    """A list of objects or of lists, or an object, is its JSON in both formats (Parquet wrote
    a list of structs as {"Dev","后端"}, keys lost, and stopped on a list of lists)."""
    records = [
        {"posted_at": "2024-01-05", "text": "Uses SQL", "positions": [{"t": "Dev", "c": "后端"}],
         "tags": [["Go", "SQL"], ["Rust"]], "office": {"city": "上海", "floor": None}},
        {"posted_at": "2024-01-06", "text": "Uses Go", "positions": [], "tags": [],
         "office": None},
    ]  # fmt: skip
    mapping = {**default_mapping(), "title": "positions", "company": "tags", "region": "office"}
    expected = [
        {
            "title": '[{"t":"Dev","c":"后端"}]',
            "company": '[["Go","SQL"],["Rust"]]',
            "region": '{"city":"上海","floor":null}',
        },
        {"title": None, "company": None, "region": None},  # empty, as an empty list of text
    ]
    jsonl, parquet = tmp_path / "ads.jsonl", tmp_path / "ads.parquet"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    pl.DataFrame(records).write_parquet(parquet)
    for path in (jsonl, parquet):
        batch = next(read_batches(path, mapping)).select("title", "company", "region")
        compact = [{k: v and json.dumps(json.loads(v), ensure_ascii=False, separators=(",", ":"))
                    for k, v in row.items()} for row in batch.to_dicts()]  # fmt: skip
        assert compact == expected, path.suffix


def test_a_multi_city_ad_is_one_ad_in_its_first_city(wh, tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text(json.dumps({**RECORDS[0], "posted_at": "2024-01-05"}) + "\n")
    ingest_ads(
        wh, [path], mapping=[f"{k}={v}" for k, v in MAPPING.items()], now=dt.datetime(2025, 1, 1)
    )
    assert wh.query("SELECT region, title FROM ads").rows() == [
        ("上海", "Backend engineer, Go developer")
    ]
    regions = wh.query("SELECT DISTINCT group_id FROM demand_totals WHERE granularity = 'region'")[
        "group_id"
    ].to_list()
    assert regions == ["上海"]


@pytest.mark.parametrize(
    ("field", "items", "expected"),
    [("region", ["", "Paris", "Lyon"], "Paris"), ("text", ["a", "b"], "a\nb"), ("id", [], None)],
)
def test_list_value(field, items, expected):
    assert list_value(field, items) == expected
