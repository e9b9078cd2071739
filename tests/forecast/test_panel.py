"""Long monthly panels: reading, refusing bad panels, explicit gap filling, warehouse panels."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.panel import fill_gaps, read_panel, validate_panel, warehouse_panel
from skilltide.store import Warehouse, append


def write(tmp_path, text, name="panel.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_csv_parses_months_and_sorts(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\nb,2024-02,5\na,2024-01-01,3\na,2024-02-01,4\n")
    panel = read_panel(path)
    assert panel.schema == pl.Schema({"unique_id": pl.Utf8, "ds": pl.Date, "y": pl.Float64})
    assert panel.rows() == [
        ("a", date(2024, 1, 1), 3.0),
        ("a", date(2024, 2, 1), 4.0),
        ("b", date(2024, 2, 1), 5.0),
    ]


def test_read_parquet_with_own_column_names(tmp_path):
    path = tmp_path / "p.parquet"
    pl.DataFrame(
        {"skill": ["x", "x"], "month": [date(2023, 5, 1), date(2023, 6, 1)], "ads": [1, 2]}
    ).write_parquet(path)
    panel = read_panel(path, id_col="skill", ds_col="month", y_col="ads")
    assert panel["y"].to_list() == [1.0, 2.0]


def test_duplicates_are_refused_naming_id_and_month(tmp_path):
    path = write(tmp_path, "unique_id,ds,y\na,2024-01,1\nb,2024-01,1\na,2024-01,2\n")
    with pytest.raises(UserError) as err:
        read_panel(path)
    message = str(err.value)
    assert "panel.csv" in message and "rows 1 and 3" in message
    assert "'a'" in message and "2024-01-01" in message


def test_dates_off_the_first_of_month_are_refused_with_file_row_field(tmp_path):
    path = write(tmp_path, "id,month,y\na,2024-01-01,1\na,2024-02-15,2\n")
    with pytest.raises(
        UserError,
        match=r"panel.csv, row 2, field month: 2024-02-15 is not the "
        r"first day of a month",
    ):
        read_panel(path, id_col="id", ds_col="month")


def test_quarterly_series_in_a_monthly_panel_is_refused(tmp_path):
    rows = "".join(f"q,2024-{m:02d}-01,1\n" for m in (1, 4, 7, 10))
    path = write(tmp_path, "unique_id,ds,y\na,2024-01,1\na,2024-02,1\n" + rows)
    with pytest.raises(UserError, match=r"row 4, field ds: series 'q' is observed every 3 months"):
        read_panel(path)


def test_bad_numbers_and_dates_and_columns_are_refused(tmp_path):
    with pytest.raises(UserError, match=r"row 2, field y: 'many' is not a number"):
        read_panel(write(tmp_path, "unique_id,ds,y\na,2024-01,1\na,2024-02,many\n"))
    with pytest.raises(UserError, match=r"row 2, field y: an empty value is not a number"):
        read_panel(write(tmp_path, "unique_id,ds,y\na,2024-01,1\na,2024-02,\n"))
    with pytest.raises(UserError, match=r"row 1, field ds: 'Jan 2024' is not a date"):
        read_panel(write(tmp_path, "unique_id,ds,y\na,Jan 2024,1\n"))
    with pytest.raises(UserError, match=r"missing column\(s\) y"):
        read_panel(write(tmp_path, "unique_id,ds,value\na,2024-01,1\n"))
    with pytest.raises(UserError, match="no such file"):
        read_panel(tmp_path / "absent.csv")
    with pytest.raises(UserError, match=r"empty\.csv: the panel has no rows"):
        read_panel(write(tmp_path, "unique_id,ds,y\n", name="empty.csv"))


def test_a_row_as_wide_as_the_header_or_not_is_named(tmp_path):
    # polars said 'found more fields than defined in Schema', without the row
    with pytest.raises(UserError, match=r"row 2: 4 fields where the header has 3"):
        read_panel(write(tmp_path, "unique_id,ds,y\na,2024-01,1\na,2024-02,1,9\na,2024-03,1\n"))


def test_a_wide_panel_is_refused_with_the_way_to_import_it(tmp_path):
    # Job-SDF's layout: group id, skill id, then one column per month
    wide = pl.DataFrame({"r0_id": [0], "skill_id": [7], "2021-01": [3.0], "2021-02": [4.0]})
    wide.write_parquet(tmp_path / "r0.parquet")
    with pytest.raises(UserError, match=r"a wide panel \(2 month columns.*ingest demand"):
        read_panel(tmp_path / "r0.parquet")


def test_validate_panel_accepts_a_frame_and_refuses_duplicates():
    frame = pl.DataFrame({"unique_id": ["a", "a"], "ds": [date(2024, 1, 1)] * 2, "y": [1, 2]})
    with pytest.raises(UserError, match="duplicate unique_id 'a', ds 2024-01-01"):
        validate_panel(frame)
    ok = validate_panel(frame.head(1))
    assert ok["y"].dtype == pl.Float64


def test_fill_gaps_fills_inside_each_series_only():
    frame = pl.DataFrame(
        {
            "unique_id": ["a", "a", "b"],
            "ds": [date(2024, 1, 1), date(2024, 4, 1), date(2024, 2, 1)],
            "y": [1.0, 4.0, 7.0],
        }
    )
    filled = fill_gaps(frame)
    assert filled.filter(pl.col("unique_id") == "a")["y"].to_list() == [1.0, 0.0, 0.0, 4.0]
    assert filled.filter(pl.col("unique_id") == "b").height == 1
    assert fill_gaps(frame, value=None)["y"].null_count() == 2


def test_warehouse_panel_fills_months_without_mentions(db):
    months = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    with Warehouse(db) as wh:
        with wh.run("test seed") as run:
            append(
                run.con,
                "demand_totals",
                pl.DataFrame(
                    {
                        "panel": "ads",
                        "granularity": "market",
                        "group_id": "all",
                        "month": months,
                        "ads": [10.0, 20.0, 40.0],
                        "run_id": run.run_id,
                    }
                ),
            )
            append(
                run.con,
                "demand",
                pl.DataFrame(
                    {
                        "panel": "ads",
                        "granularity": "market",
                        "group_id": "all",
                        "skill_id": ["tech:python", "tech:python", "tech:sql"],
                        "month": [months[0], months[2], months[1]],
                        "count": [5.0, 10.0, 2.0],
                        "total": [10.0, 40.0, 20.0],
                        "share": [0.5, 0.25, 0.1],
                        "run_id": run.run_id,
                    }
                ),
            )
        counts = warehouse_panel(wh)
        shares = warehouse_panel(wh, value="share")
        assert warehouse_panel(wh, granularity="region").height == 0
    py = counts.filter(pl.col("unique_id") == "all/tech:python")
    assert py["y"].to_list() == [5.0, 0.0, 10.0]
    assert py["skill_id"].unique().to_list() == ["tech:python"]
    assert py["group_id"].unique().to_list() == ["all"]
    sql = shares.filter(pl.col("skill_id") == "tech:sql")
    assert sql["y"].to_list() == [0.0, 0.1, 0.0]
    with pytest.raises(UserError, match="count' or 'share"):
        warehouse_panel(Warehouse(db), value="ratio")


def test_warehouse_panel_interpolates_a_month_the_source_lacks(db):
    """A month absent from the group's totals (no data, as Hacker News' 2011-07) is not zero
    demand: it is interpolated, so breaks and forecasts see no false collapse."""
    months = [date(2024, 1, 1), date(2024, 3, 1), date(2024, 4, 1)]  # February missing
    with Warehouse(db) as wh:
        with wh.run("test seed") as run:
            totals = {"panel": "hn", "granularity": "market", "group_id": "all"}
            append(
                run.con,
                "demand_totals",
                pl.DataFrame({**totals, "month": months, "ads": 100.0, "run_id": run.run_id}),
            )
            append(
                run.con,
                "demand",
                pl.DataFrame(
                    {
                        **totals,
                        "skill_id": "hn:python",
                        "month": months,
                        "count": [10.0, 30.0, 40.0],
                        "total": 100.0,
                        "share": [0.1, 0.3, 0.4],
                        "run_id": run.run_id,
                    }
                ),
            )
        counts = warehouse_panel(wh, panel="hn")
    assert counts["ds"].to_list() == [date(2024, m, 1) for m in (1, 2, 3, 4)]
    assert counts["y"].to_list() == [10.0, 20.0, 30.0, 40.0]
    assert counts["skill_id"].to_list() == ["hn:python"] * 4


def test_warehouse_panel_gives_zero_to_a_group_month_without_ads(db):
    """Below market level a month missing from one group's totals, while other groups have
    it, is a month that group had no ads: 0, not an interpolated value."""
    months = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    with Warehouse(db) as wh:
        with wh.run("test seed") as run:
            key = {"panel": "ads", "granularity": "company"}
            append(
                run.con,
                "demand_totals",
                pl.DataFrame(
                    {
                        **key,
                        "group_id": ["acme", "acme", "other"],
                        "month": [months[0], months[2], months[1]],
                        "ads": 1.0,
                        "run_id": run.run_id,
                    }
                ),
            )
            append(
                run.con,
                "demand",
                pl.DataFrame(
                    {
                        **key,
                        "group_id": ["acme", "acme", "other"],
                        "skill_id": "tech:python",
                        "month": [months[0], months[2], months[1]],
                        "count": 1.0,
                        "total": 1.0,
                        "share": 1.0,
                        "run_id": run.run_id,
                    }
                ),
            )
        counts = warehouse_panel(wh, granularity="company")
        shares = warehouse_panel(wh, granularity="company", value="share")
    acme = counts.filter(pl.col("group_id") == "acme")
    assert acme["ds"].to_list() == months and acme["y"].to_list() == [1.0, 0.0, 1.0]
    assert shares.filter(pl.col("group_id") == "acme")["y"].to_list() == [1.0, 0.0, 1.0]


def test_a_panel_without_totals_interpolates_a_month_the_source_lacks(db, tmp_path):
    """Without totals a month no series has (Hacker News' 2011-07 in a file without
    num_posts, a day the index was not published) was 0 in every series: a false collapse of
    the whole market. It is interpolated, as with totals; a month only some series lack is
    0 in a panel of counts (no mentions) and interpolated in a panel of levels (--unit)."""
    from skilltide.ingest.demand import import_demand

    path = tmp_path / "p.csv"
    path.write_text(  # February missing from every series; March from SQL only
        "skill,month,count\nPython,2024-01,10\nPython,2024-03,30\nPython,2024-04,40\n"
        "SQL,2024-01,6\nSQL,2024-04,9\n"
    )
    with Warehouse(db) as wh:
        import_demand(wh, path, panel="counts")
        import_demand(wh, path, panel="levels", unit="index points")
        counts = warehouse_panel(wh, panel="counts")
        levels = warehouse_panel(wh, panel="levels")
    for panel in (counts, levels):
        assert panel["ds"].unique().sort().to_list() == [date(2024, m, 1) for m in (1, 2, 3, 4)]
        assert panel.filter(skill_id=panel["skill_id"][0])["y"].to_list() == [10, 20, 30, 40]
    assert counts.filter(pl.col("skill_id").str.ends_with("SQL"))["y"].to_list() == [6, 3, 0, 9]
    assert levels.filter(pl.col("skill_id").str.ends_with("SQL"))["y"].to_list() == [6, 7, 8, 9]
