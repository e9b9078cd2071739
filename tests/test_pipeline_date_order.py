"""``skilltide run``: each source's slash dates in its ``date_order`` ([ingest] date_order
the fallback); a file with both orders is rejected, and read again once its order is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from skilltide.errors import UserError
from skilltide.store import Warehouse
from tests.test_pipeline import _seed_vocabulary


def _run(tmp_path: Path) -> str:
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    return run_pipeline(load_settings(config=tmp_path / "skilltide.toml", quiet=True)).status


def _months(db: Path) -> dict[str, list[str]]:
    """Each source's months of its ads, by row."""
    with Warehouse(db) as wh:
        rows = wh.query(
            "SELECT source, strftime(month, '%Y-%m') AS m FROM ads ORDER BY source, row_number"
        ).rows()
    found: dict[str, list[str]] = {}
    for source, month in rows:
        found.setdefault(source, []).append(month)
    return found


def _sources(tmp_path: Path, ingest: str, uk: str = "", us: str = "") -> None:
    for name in ("uk", "us"):
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        (folder / "a.csv").write_text(  # ambiguous only: the order is the setting's
            f"posted_at,text\n05/02/2024,Uses SQL in {name}\n12/01/2024,Uses SQL at {name}\n"
        )
    (tmp_path / "skilltide.toml").write_text(
        f'[warehouse]\ndb = "w.duckdb"\n{ingest}'
        f'[[sources]]\nname = "uk"\npaths = ["uk"]\n{uk}'
        f'[[sources]]\nname = "us"\npaths = ["us"]\n{us}'
    )


def test_each_source_has_its_order_with_ingest_date_order_the_fallback(tmp_path):
    _seed_vocabulary(tmp_path / "w.duckdb")
    _sources(tmp_path, '[ingest]\ndate_order = "dmy"\n', us='date_order = "mdy"\n')
    assert _run(tmp_path) == "success"
    assert _months(tmp_path / "w.duckdb") == {
        "uk": ["2024-02", "2024-01"],
        "us": ["2024-05", "2024-12"],
    }
    # a source's order changed: its files are read again in it
    _sources(tmp_path, "", us='date_order = "dmy"\n')
    assert _run(tmp_path) == "success"
    assert _months(tmp_path / "w.duckdb") == {
        "uk": ["2024-05", "2024-12"],  # auto: ambiguous only reads month-first
        "us": ["2024-02", "2024-01"],
    }


@pytest.mark.parametrize(
    ("ingest", "uk", "words"),
    [
        ('[ingest]\ndate_order = "ymd"\n', "", "[ingest] date_order must be one of"),
        ("", 'date_order = "DMY"\n', "[[sources]] uk: date_order must be one of"),
        ("", "date_order = 1\n", "auto, mdy, dmy, not 1"),
    ],
)
def test_an_unknown_order_fails_the_run_at_the_start_naming_the_file_and_key(
    tmp_path, ingest, uk, words
):
    _sources(tmp_path, ingest, uk=uk)
    with pytest.raises(UserError) as err:
        _run(tmp_path)
    assert str(err.value).startswith(str(tmp_path / "skilltide.toml"))
    assert words in str(err.value)


def test_a_file_with_both_orders_is_rejected_and_read_again_once_its_order_is_set(tmp_path):
    db = tmp_path / "w.duckdb"
    _seed_vocabulary(db)
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(
        "posted_at,text\n25/02/2024,Uses SQL\n02/25/2024,Uses SQL daily\n"
    )
    config = '[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n'
    (tmp_path / "skilltide.toml").write_text(config)
    assert _run(tmp_path) == "partial"
    with Warehouse(db) as wh:
        reason = wh.query("SELECT reason FROM rejected_files")["reason"][0]
    assert "slash dates in both orders" in reason and "row 2" in reason
    assert _run(tmp_path) == "partial"  # still rejected: nothing changed
    (tmp_path / "skilltide.toml").write_text(config + 'date_order = "dmy"\n')
    assert _run(tmp_path) == "partial"  # read: row 2 is no day-first date
    assert _months(db) == {"jobs": ["2024-02"]}
    with Warehouse(db) as wh:
        assert wh.query("SELECT count(*) AS n FROM rejected_files")["n"][0] == 0
        assert wh.query("SELECT reason FROM quarantine")["reason"].to_list() == ["bad_date"]
