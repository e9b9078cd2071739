"""Slash dates (05/02/2024) read in one order per file: given, or decided from the file's values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.date_order import BatchDates, FileDates
from skilltide.store import Warehouse
from tests.conftest import run_skilltide

NOW = dt.datetime(2025, 6, 1)
UK = ["05/02/2024", "25/02/2024", "12/01/2024", "13/01/2024"]


def write(path: Path, dates: list[str]) -> Path:
    """An ads file with one distinct ad per date, in this order (rows 1, 2, …)."""
    rows = [f"{i},{d},Analyst {i},Acme,Uses SQL in job {i}\n" for i, d in enumerate(dates, 1)]
    path.write_text("id,posted_at,title,company,text\n" + "".join(rows))
    return path


def months(wh: Warehouse) -> list[str]:
    """The month of each stored ad, by row."""
    rows = wh.query("SELECT strftime(month, '%Y-%m') AS m FROM ads ORDER BY row_number")
    return rows["m"].to_list()


def counts(wh: Warehouse) -> tuple[int, ...]:
    tables = ("ads", "ad_postings", "quarantine", "ad_files", "demand_totals")
    return tuple(wh.query(f"SELECT count(*) AS n FROM {t}")["n"][0] for t in tables)


def test_a_uk_file_is_read_day_first(wh, tmp_path):
    # were 2 May, February, 1 December and January: one file read in both orders
    summary = ingest_ads(wh, [write(tmp_path / "uk.csv", UK)], now=NOW)
    assert months(wh) == ["2024-02", "2024-02", "2024-01", "2024-01"]
    assert summary["file_details"][0]["date_order"] == "dmy"
    assert summary["date_orders"] == {str(tmp_path / "uk.csv"): "dmy"}


def test_a_us_file_is_read_month_first(wh, tmp_path):
    us = write(tmp_path / "us.csv", ["02/05/2024", "02/25/2024", "12/01/2024", "01/13/2024"])
    summary = ingest_ads(wh, [us], now=NOW)
    assert months(wh) == ["2024-02", "2024-02", "2024-12", "2024-01"]
    assert summary["file_details"][0]["date_order"] == "mdy"


def test_a_file_without_slash_dates_has_no_order(wh, tmp_path):
    summary = ingest_ads(wh, [write(tmp_path / "iso.csv", ["2024-02-05", "05.03.2024"])], now=NOW)
    assert months(wh) == ["2024-02", "2024-03"]  # dotted dates stay day-first
    assert summary["file_details"][0]["date_order"] is None


def test_a_file_with_both_orders_is_an_error_naming_a_row_of_each_and_stores_nothing(wh, tmp_path):
    ingest_ads(wh, [write(tmp_path / "a.csv", ["2024-01-05"])], now=NOW)
    before = counts(wh)
    good = write(tmp_path / "b.csv", ["2024-01-06"])  # read first, in the same run
    mixed = write(tmp_path / "c.csv", ["05/02/2024", "25/02/2024", "03/04/2024", "02/25/2024"])
    with pytest.raises(UserError) as err:
        ingest_ads(wh, [good, mixed], now=NOW)
    message = str(err.value)
    assert str(mixed) in message
    assert "row 2, field posted_at: '25/02/2024'" in message
    assert "row 4, field posted_at: '02/25/2024'" in message
    assert "--date-order dmy" in message
    assert counts(wh) == before


def test_day_first_evidence_after_ambiguous_rows_were_stored_is_an_error(wh, tmp_path):
    # Batches of 2 rows: rows 1-2 (ambiguous) are read month-first before row 3 shows the
    # file is day-first; the file is not read twice, so the run stops naming both rows.
    late = write(tmp_path / "late.csv", ["05/02/2024", "06/02/2024", "25/02/2024", "2024-03-01"])
    with pytest.raises(UserError) as err:
        ingest_ads(wh, [late], now=NOW, batch_rows=2)
    message = str(err.value)
    assert "row 3, field posted_at: '25/02/2024'" in message
    assert "row 1, field posted_at: '05/02/2024'" in message
    assert "--date-order dmy" in message
    assert counts(wh)[:4] == (0, 0, 0, 0)
    ingest_ads(wh, [late], now=NOW, batch_rows=2, date_order="dmy")
    assert months(wh) == ["2024-02", "2024-02", "2024-02", "2024-03"]


@pytest.mark.parametrize("workers", [0, 2])
def test_ambiguous_rows_after_day_first_evidence_are_read_day_first(wh, tmp_path, workers):
    # rows 3-6 alone would read month-first (May, June): the file's order is day-first
    dates = ["25/02/2024", "26/02/2024", "05/03/2024", "06/03/2024", "07/04/2024", "2024-05-01"]
    path = write(tmp_path / "uk.csv", dates)
    summary = ingest_ads(wh, [path], now=NOW, batch_rows=2, workers=workers)
    assert months(wh) == ["2024-02", "2024-02", "2024-03", "2024-03", "2024-04", "2024-05"]
    assert summary["file_details"][0]["date_order"] == "dmy"


def test_a_batch_prepared_month_first_before_the_order_was_known_is_prepared_again():
    dates = FileDates("uk.csv")
    assert dates.batch_order() == "auto"
    assert not dates.check(BatchDates("dmy", True, {"dmy": (1, "25/02/2024")}))
    assert dates.batch_order() == "dmy"
    assert dates.check(BatchDates("mdy", True, {"ambiguous": (3, "05/03/2024")}))
    assert not dates.check(BatchDates("mdy", True, {}))  # 05/05/2024 reads the same
    assert dates.used == "dmy"


def test_a_given_order_reads_ambiguous_dates_so_and_quarantines_impossible_ones(wh, tmp_path):
    path = write(tmp_path / "ads.csv", ["05/02/2024", "12/01/2024", "02/25/2024"])
    summary = ingest_ads(wh, [path], now=NOW, date_order="dmy")
    assert months(wh) == ["2024-02", "2024-01"]
    assert summary["date_orders"] == {str(path): "dmy"}
    bad = wh.query("SELECT row_number, reason, field, detail FROM quarantine").rows()
    assert bad == [(3, "bad_date", "posted_at", "02/25/2024")]
    # the same bytes read in another order are another version of the file: read again
    again = ingest_ads(wh, [path], now=NOW, date_order="mdy")
    assert again["file_details"][0]["status"] == "replaced"
    assert months(wh) == ["2024-05", "2024-12", "2024-02"]
    assert wh.query("SELECT count(*) AS n FROM quarantine")["n"][0] == 0
    mdy = write(tmp_path / "us.csv", ["25/02/2024"])
    ingest_ads(wh, [mdy], now=NOW, date_order="mdy")
    assert wh.query("SELECT reason FROM quarantine")["reason"].to_list() == ["bad_date"]


def test_an_unknown_order_is_refused(wh, tmp_path):
    with pytest.raises(UserError, match="date order must be one of auto, mdy, dmy, not 'ymd'"):
        ingest_ads(wh, [write(tmp_path / "a.csv", UK)], date_order="ymd")


def test_cli_option_config_key_and_json(cli, db, tmp_path):
    path = write(tmp_path / "ads.csv", ["05/02/2024", "12/01/2024"])  # ambiguous only
    config = tmp_path / "skilltide.toml"
    config.write_text('[ingest]\ndate_order = "dmy"\n')
    result = cli("ingest", "ads", path, "--json", "--db", db, "--config", config)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["date_orders"] == {str(path): "dmy"}
    with Warehouse(db) as wh:
        assert months(wh) == ["2024-02", "2024-01"]
    # the option wins over the config
    result = cli(
        "ingest", "ads", path, "--json", "--db", db, "--config", config, "--date-order", "mdy"
    )
    assert json.loads(result.stdout)["date_orders"] == {str(path): "mdy"}
    with Warehouse(db) as wh:
        assert months(wh) == ["2024-05", "2024-12"]
    bad = cli("ingest", "ads", path, "--db", db, "--date-order", "ymd")
    assert bad.exit_code == 2 and "'ymd' is not one of auto, mdy, dmy" in bad.output
    config.write_text('[ingest]\ndate_order = "ymd"\n')
    proc = run_skilltide("ingest", "ads", path, "--config", config, "--db", db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{config}: [ingest] date_order must be one of auto, mdy, dmy, not 'ymd'" in proc.stderr


def test_cli_mixed_file_error_and_text_output(cli, db, tmp_path):
    mixed = write(tmp_path / "mixed.csv", ["25/02/2024", "02/25/2024"])
    result = cli("ingest", "ads", mixed, "--db", db)
    assert result.exit_code == 1
    assert "row 1, field posted_at: '25/02/2024'" in result.output
    with Warehouse(db) as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0


def test_cli_text_output_says_which_order_each_file_was_read_in(cli, db, tmp_path):
    uk = write(tmp_path / "uk.csv", UK)
    us = write(tmp_path / "us.csv", ["02/25/2024"])
    iso = write(tmp_path / "iso.csv", ["2024-02-25"])
    result = cli("ingest", "ads", uk, us, iso, "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "slash dates read day-first (DD/MM/YYYY): uk.csv" in lines
    assert "slash dates read month-first (MM/DD/YYYY): us.csv" in lines
    assert not any("iso.csv" in line for line in lines)


def test_a_new_way_of_reading_slash_dates_reads_stored_files_again(wh, tmp_path, monkeypatch):
    """Files stored before the one-order-per-file reading (version 1) had day-first values
    read month-first where they could be: the first ingest after the upgrade reads them again."""
    from skilltide.ingest import date_order

    path = tmp_path / "uk.csv"
    path.write_text("id,posted_at,title,text\n1,05/02/2024,Analyst,Uses SQL\n")
    monkeypatch.setattr(date_order, "READING", 1)
    ingest_ads(wh, [path], now=NOW)
    assert ingest_ads(wh, [path], now=NOW)["file_details"][0]["status"] == "unchanged"
    monkeypatch.setattr(date_order, "READING", 2)
    assert ingest_ads(wh, [path], now=NOW)["file_details"][0]["status"] == "replaced"
