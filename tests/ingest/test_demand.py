"""Demand panels: the 'ads' panel adds up across granularities; imported panels."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.demand import import_demand
from skilltide.store import Warehouse
from tests.conftest import shared_path
from tests.ingest.helpers import add_vocab, generate_ads, small_vocab


def test_ads_panel_adds_up_across_granularities(wh, tmp_path):
    ads, _ = generate_ads(
        400,
        ["Python", "SQL", "Docker", "Java", "Microsoft Excel"],
        seed=5,
        min_bytes=200,
        max_bytes=600,
    )
    # Some ads without region/occupation/company land in group 'unknown', still adding up.
    ads = ads.with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(None)
        .otherwise(pl.col("region"))
        .alias("region"),
        pl.when(pl.int_range(pl.len()) % 5 == 0)
        .then(None)
        .otherwise(pl.col("occupation"))
        .alias("occupation"),
    )
    path = tmp_path / "ads.csv"
    ads.write_csv(path)
    ingest_ads(wh, [path], now=dt.datetime(2026, 1, 1))
    d = wh.query(
        "SELECT granularity, skill_id, month, sum(count) AS c, count(*) AS groups"
        " FROM demand WHERE panel = 'ads' GROUP BY ALL"
    )
    market = d.filter(pl.col("granularity") == "market").select(
        "skill_id", "month", pl.col("c").alias("m")
    )
    for gran in ("region", "major_group", "occupation", "company"):
        g = d.filter(pl.col("granularity") == gran).join(
            market, on=["skill_id", "month"], how="full", coalesce=True
        )
        assert g.height == market.height
        assert (g["c"] == g["m"]).all(), gran
    t = wh.query(
        "SELECT granularity, month, sum(ads) AS ads FROM demand_totals"
        " WHERE panel = 'ads' GROUP BY ALL"
    )
    for month, group in t.group_by("month"):
        assert group["ads"].n_unique() == 1, month  # every granularity sums to the market
    assert t.filter(pl.col("granularity") == "market")["ads"].sum() == 400
    # count, total and share agree with the ads table
    check = wh.query(
        "SELECT d.count, d.total, d.share, (SELECT count(DISTINCT s.ad_id) FROM ad_skills s"
        "  JOIN ads a USING (ad_id) WHERE s.skill_id = d.skill_id AND a.month = d.month) AS n,"
        " (SELECT count(*) FROM ads a WHERE a.month = d.month) AS total_ads"
        " FROM demand d WHERE panel = 'ads' AND granularity = 'market'"
    )
    assert (check["count"] == check["n"]).all() and (check["total"] == check["total_ads"]).all()
    assert ((check["share"] - check["count"] / check["total"]).abs() < 1e-12).all()
    majors = wh.query(
        "SELECT DISTINCT group_id FROM demand_totals WHERE granularity = 'major_group' ORDER BY 1"
    )["group_id"].to_list()
    assert majors == ["13-0000", "15-0000", "43-0000", "unknown"]


def test_ads_panel_keys_are_unique_across_rebuilds(wh, tmp_path):
    # demand/demand_totals declare no PRIMARY KEY (speed): the writers must keep keys unique.
    ads, _ = generate_ads(300, ["Python", "SQL", "Docker"], seed=9, min_bytes=200, max_bytes=400)
    ads.head(200).write_csv(tmp_path / "a.csv")
    ads.tail(150).write_csv(tmp_path / "b.csv")  # overlaps a.csv: dedup + a second rebuild
    ingest_ads(wh, [tmp_path / "a.csv"], now=dt.datetime(2026, 1, 1))
    ingest_ads(wh, [tmp_path / "a.csv", tmp_path / "b.csv"], now=dt.datetime(2026, 1, 1))
    keys = {
        "demand": "panel, granularity, group_id, skill_id, month",
        "demand_totals": "panel, granularity, group_id, month",
    }
    for table, key in keys.items():
        n, distinct = wh.query(
            f"SELECT count(*) AS n, count(DISTINCT ({key})) AS d FROM {table}"
        ).row(0)
        assert n > 0 and n == distinct, table
    assert (
        wh.query("SELECT sum(ads) AS n FROM demand_totals WHERE granularity = 'market'")["n"][0]
        == wh.query("SELECT count(*) AS n FROM ads")["n"][0]
    )


def test_import_long_panel_with_groups_and_taxonomy_names(wh, tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text(
        "skill,month,count,group,total\npython,2024-01,3,north,10\n"
        "Unknown Tool,2024-01,1,north,10\nPython,2024-02,4,south,8\n"
    )
    s = import_demand(wh, path, panel="mine")
    assert s["rows"] == 3 and s["matched_taxonomy"] == 1 and s["layout"] == "long"
    rows = wh.query(
        "SELECT skill_id, group_id, month, count, total, share FROM demand"
        " WHERE panel = 'mine' ORDER BY 1, 3"
    ).rows()
    assert rows[0] == ("custom:python", "north", dt.date(2024, 1, 1), 3.0, 10.0, 0.3)
    assert rows[2][0] == "mine:Unknown Tool"
    notes = wh.query("SELECT notes FROM runs WHERE run_id = ?", [s["run_id"]])["notes"][0]
    assert json.loads(notes)["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # Re-importing replaces, never duplicates.
    import_demand(wh, path, panel="mine")
    assert wh.query("SELECT count(*) AS n FROM demand WHERE panel = 'mine'")["n"][0] == 3


def test_a_spreadsheets_semicolon_csv_is_read_as_ingest_ads_reads_one(wh, tmp_path):
    """A .csv saved where the decimal mark is a comma has semicolons: it was refused with
    "field skill: no column for it (columns: skill;month;count)"."""
    import gzip

    text = "skill;month;count;group\npython;2024-01;3;north\npython;2024-02;4;north\n"
    (tmp_path / "semi.csv").write_text(text)
    (tmp_path / "semi.csv.gz").write_bytes(gzip.compress(text.encode()))
    for name in ("semi.csv", "semi.csv.gz"):
        s = import_demand(wh, tmp_path / name, panel="semi")
        assert s["rows"] == 2 and s["layout"] == "long"
        counts = wh.query("SELECT count FROM demand WHERE panel = 'semi' ORDER BY month")
        assert counts["count"].to_list() == [3.0, 4.0]
    truncated = tmp_path / "cut.csv.gz"
    truncated.write_bytes(gzip.compress(text.encode())[:20])
    with pytest.raises(UserError, match=r"cut\.csv\.gz"):  # named, no UnboundLocalError
        import_demand(wh, truncated, panel="cut")


def test_import_rejects_bad_months_and_missing_columns(wh, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("skill,month,count\npython,January,3\n")
    with pytest.raises(UserError, match="field month"):
        import_demand(wh, bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("name,month\npython,2024-01\n")
    with pytest.raises(UserError, match="field skill"):
        import_demand(wh, missing)
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0


def test_a_folder_is_named_as_one_and_its_panel_files_are_listed(wh, tmp_path):
    # it said "unknown panel file type (use .csv, …)" for the data set's folder
    (tmp_path / "terms_monthly.csv").write_text("skill,month,count\npython,2024-01,3\n")
    (tmp_path / "SOURCE.md").write_text("notes\n")
    with pytest.raises(UserError, match=r"is a folder.*one panel file.*terms_monthly\.csv"):
        import_demand(wh, tmp_path)


def test_one_column_per_skill_is_named_as_such_not_as_a_missing_skill_column(wh, tmp_path):
    # hn_whoishiring_term_counts_wide.csv: "use --map skill=COLUMN", yet no column holds skills
    wide = tmp_path / "wide.csv"
    wide.write_text("month,Python,SQL,Rust\n2024-01,3,4,0\n2024-02,5,1,1\n")
    with pytest.raises(UserError, match=r"one column per skill.*long form"):
        import_demand(wh, wide)


def test_a_long_panel_of_numbered_skills_is_not_taken_for_one_column_per_skill(wh, tmp_path):
    # every column a number (skill ids, as Job-SDF's): it was refused as a wide file
    long = tmp_path / "ids.csv"
    long.write_text("skill_id,month,count,total\n101,2024-01,5,10\n102,2024-01,3,10\n")
    import_demand(wh, long, panel="ids")
    assert wh.query("SELECT count(*) AS n FROM demand WHERE panel = 'ids'")["n"][0] == 2


def test_a_refused_panel_is_a_failed_run(wh, tmp_path):
    # the checks ran before the run began: a refused file left no trace in `runs`
    bad = tmp_path / "bad.csv"
    bad.write_text("skill,month,count\npython,January,3\n")
    with pytest.raises(UserError):
        import_demand(wh, bad)
    runs = wh.query("SELECT command, status, error FROM runs WHERE command LIKE 'ingest%'").rows()
    assert runs == [
        (
            "ingest demand",
            "failed",
            f"{bad}, row 1, field month: 'January' is not a month (YYYY-MM)",
        )
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # daily dates would be summed into one month (count 7, total the max 12)
        ("Python,2024-01-01,3,10\nPython,2024-01-02,4,12", "rows 1, 2: skill 'Python'.*2024-01"),
        ("Python,2024-01,3,10\nSQL,2024-01,1,10\nPython,2024-01,4,10", "rows 1, 3"),
        ("Python,2024-01,NaN,10", "row 1, field count"),
        ("Python,2024-01,inf,10", "row 1, field count"),
        ("Python,2024-01,3,10\nSQL,2024-01,3,-10", "row 2, field total"),
        ("Python,2024-01,3,10\n,2024-01,3,10", "row 2, field skill"),
        ("Python,2024-01,3,10\nSQL,2024-02,30,10", "row 2, field total: 1 row with a total below"),
        # the value as written, and the plural right
        (
            "Python,2024-01,3,10\nPython,2024-02,n/a,10\nSQL,2024-02,,10",
            r"row 2, field count: 2 rows with no count >= 0 \(first: skill 'Python', month "
            r"'2024-02', count 'n/a'\)",
        ),
        ("SQL,2024-02,,10", r"1 row with no count >= 0 \(.*month '2024-02', count empty\)"),
        ("", "the panel has no rows"),  # a header alone
        # one group and month with two totals: the larger was kept without a word
        (
            "Python,2024-01,3,10\nPython,2024-02,3,10\nSQL,2024-02,1,12",
            r"rows 2, 3, field total: group 'all' has totals 10 and 12 in month 2024-02",
        ),
        # a day that is no date in a month column was read as its month
        ("Python,2024-01-99,3,10", r"row 1, field month: '2024-01-99' is not a month"),
    ],
)
def test_import_refuses_repeated_keys_and_unusable_values(wh, tmp_path, rows, message):
    path = tmp_path / "panel.csv"
    path.write_text("skill,month,count,total\n" + rows + "\n")
    with pytest.raises(UserError, match=message):
        import_demand(wh, path, panel="p")
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0


def test_blank_lines_are_not_records_and_later_rows_keep_their_numbers(wh, tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("skill,month,count\nPython,2024-01,3\n\nSQL,2024-01,2\n\n")
    assert import_demand(wh, path, panel="p")["rows"] == 2
    path.write_text("skill,month,count\nPython,2024-01,3\n\nSQL,2024-13,2\n")
    with pytest.raises(UserError, match="row 3, field month: '2024-13'"):
        import_demand(wh, path, panel="p")
    path.write_text("name,month\npython,2024-01\n")
    with pytest.raises(UserError, match=r"\(columns: name, month\)"):
        import_demand(wh, path, panel="p")


def test_a_bad_row_far_into_the_file_is_named(wh, tmp_path):
    # Found by the atomicity QA pass: a row with a field too many, and a count that is not a
    # number after the first 10,000 rows (polars' type inference), were refused without
    # their row ('found more fields than defined in Schema'; 'could not parse `12x`').
    rows = [f"s{i // 100},{2000 + i % 100 // 12}-{i % 12 + 1:02d},{i % 7}" for i in range(12_000)]
    path = tmp_path / "panel.csv"
    for row, bad, message in (
        (5_000, "s50,2001-01,3,extra", r"row 5000: 4 fields where the header has 3"),
        (11_000, "s110,2001-01,12x", r"row 11000, field count"),
    ):
        path.write_text("skill,month,count\n" + "\n".join([*rows[: row - 1], bad, *rows[row:]]))
        with pytest.raises(UserError, match=message):
            import_demand(wh, path, panel="p")
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0


def test_import_refuses_a_missing_group_and_a_wide_count_that_is_not_a_number(wh, tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("skill,month,count,group\nPython,2024-01,3,north\nPython,2024-01,2,\n")
    with pytest.raises(UserError, match="row 2, field group"):
        import_demand(wh, path)
    wide = tmp_path / "wide.parquet"
    pl.DataFrame(
        {"skill_id": ["a", "b"], "2024-01": ["1", "x"], "2024-02": ["2", "3"]}
    ).write_parquet(wide)
    with pytest.raises(UserError, match="row 2, field count"):
        import_demand(wh, wide)


def test_a_field_that_is_not_utf8_is_named_by_row_and_field(wh, tmp_path):
    # an Excel (cp1252) export was refused as "cannot read it as a panel: invalid utf-8
    # sequence", naming neither the row nor the field
    path = tmp_path / "excel.csv"
    path.write_bytes(b"skill,month,count\nPython,2024-01,3\nCaf\xe9 Ops,2024-01,3\n")
    with pytest.raises(UserError, match=r"excel\.csv, row 2, field skill: 'Caf.* Ops' is not"):
        import_demand(wh, path)


def test_an_empty_panel_name_is_refused_not_taken_for_the_file_stem(wh, tmp_path):
    # --panel "" (an unset shell variable) imported as panel 'p', the file's stem
    path = tmp_path / "p.csv"
    path.write_text("skill,month,count\nPython,2024-01,3\n")
    for name in ("", "  "):
        with pytest.raises(UserError, match="--panel: give the panel a name"):
            import_demand(wh, path, panel=name)
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0


def test_a_wide_panel_refuses_a_map_it_would_not_read(wh, tmp_path):
    # Job-SDF's r0.parquet with --map skill=nothere --map total=nope imported as if no --map
    # had been given: no totals, and no word that the mapping was not read
    wide = tmp_path / "r0.parquet"
    pl.DataFrame({"skill_id": [1, 2], "2024-01": [1, 2], "2024-02": [2, 3]}).write_parquet(wide)
    with pytest.raises(UserError, match=r"r0\.parquet: --map total=ads is not read in a wide"):
        import_demand(wh, wide, mapping={"total": "ads"})
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0
    assert import_demand(wh, wide)["rows"] == 4


@pytest.mark.shared_data
def test_import_hn_whoishiring_terms(wh):
    path = shared_path("jobads", "hn_whoishiring_terms", "hn_whoishiring_term_counts_monthly.csv")
    s = import_demand(wh, path, panel="hn")
    assert s["months"] == 157 and s["skills"] == 261 and s["rows"] == 40_977
    row = wh.query(
        "SELECT count, total, share FROM demand WHERE panel = 'hn'"
        " AND skill_id = 'custom:dotnet' AND month = DATE '2011-04-01'"
    ).row(0)
    assert row == (11.0, 219.0, 11 / 219)
    assert wh.query("SELECT count(*) AS n FROM demand_totals WHERE panel = 'hn'")["n"][0] == 157


@pytest.mark.shared_data
def test_import_jobsdf_wide_months(wh):
    r0 = shared_path("jobsdf", "demand", "r0.parquet")
    r1 = shared_path("jobsdf", "demand", "r1.parquet")
    s0 = import_demand(wh, r0, panel="jobsdf")
    s1 = import_demand(wh, r1, panel="jobsdf")
    assert s0["layout"] == "wide-months" and s0["granularities"] == ["market"]
    assert s0["rows"] == 2335 * 36 and s1["rows"] == 32_690 * 36
    sums = wh.query(
        "SELECT granularity, sum(count) AS c FROM demand WHERE panel = 'jobsdf'"
        " GROUP BY 1 ORDER BY 1"
    ).rows()
    assert sums[0][1] == sums[1][1]  # r1 sums exactly to r0 (SOURCE.md)


MERGED = (
    "skill,month,count,group,total\n"
    "JS,2024-01,3,north,10\n"
    "JavaScript,2024-01,5,north,10\n"  # the same skill, group and month as JS: merged
    "javascript,2024-02,4,north,12\n"
    "js,2024-02,6,north,12\n"
    "JS,2024-01,2,south,9\n"  # another group: kept apart
    "Python,2024-01,2,north,10\n"
)


def test_names_of_one_skill_keep_the_larger_count_not_the_sum(wh, tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text(MERGED)
    s = import_demand(wh, path, panel="mine")
    assert (s["rows"], s["merged_rows"]) == (4, 2)
    assert s["merged_names"] == {"custom:javascript": ["JS", "JavaScript", "javascript", "js"]}
    rows = wh.query(
        "SELECT skill_id, group_id, month, count, share FROM demand WHERE panel = 'mine'"
        " ORDER BY ALL"
    ).rows()
    assert rows == [
        ("custom:javascript", "north", dt.date(2024, 1, 1), 5.0, 0.5),  # a sum would be 8
        ("custom:javascript", "north", dt.date(2024, 2, 1), 6.0, 0.5),
        ("custom:javascript", "south", dt.date(2024, 1, 1), 2.0, 2 / 9),
        ("custom:python", "north", dt.date(2024, 1, 1), 2.0, 0.2),
    ]


def test_the_cli_warns_which_names_were_merged(cli, db, tmp_path):
    with Warehouse(db) as w:
        add_vocab(w, *small_vocab())
    path = tmp_path / "panel.csv"
    path.write_text(MERGED)
    result = cli("ingest", "demand", path, "--panel", "mine", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["merged_rows"] == 2
    assert result.stderr.startswith(
        "warning: 2 rows merged where names are one skill in the taxonomy (custom:javascript: "
        "JS, JavaScript, javascript, js): kept the larger count per skill, group and month"
    )
    plain = tmp_path / "plain.csv"
    plain.write_text("skill,month,count\nPython,2024-01,2\n")
    assert cli("ingest", "demand", plain, "--db", db).stderr == ""


def test_a_failed_panel_statement_keeps_its_own_message(wh, monkeypatch):
    # The setting was restored inside the aborted transaction: every failure of the panel
    # (out of memory, Ctrl-C) was reported as "Current transaction is aborted".
    import duckdb

    import skilltide.ingest.demand as demand

    def failing(con, run_id, full):
        con.execute("SELECT error('boom')")

    monkeypatch.setattr(demand, "_refresh_ads_panel", failing)
    with pytest.raises(duckdb.Error, match="boom"), wh.run("test") as run:
        demand.refresh_ads_panel(run.con, run.run_id)
