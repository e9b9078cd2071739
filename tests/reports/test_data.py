"""What the report reads from the warehouse, and how it copes with missing parts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.reports.methods_data import load_methods
from skilltide.reports.network_data import load_network
from skilltide.reports.occupation_data import load_occupations
from skilltide.reports.series_data import COUNT, load_series
from skilltide.store import Warehouse
from tests.reports._fixture_data import SCRIPT_TITLE, XSS_SKILL


def test_series_history_forecast_and_growth(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        s = load_series(wh, granularity="market")
    assert s.measure == COUNT  # the fixture forecasts counts
    assert s.history.columns == ["label", "month", "y"]
    assert s.history.group_by("label").len()["len"].unique().to_list() == [36]
    assert XSS_SKILL in s.history["label"].to_list()
    assert s.forecast_info["model"] == "lgbm"  # best by backtest MASE of the two forecast
    assert s.forecast_info["horizon"] == 6
    growth = s.growth
    assert growth["growth"].is_sorted(descending=True)
    assert (growth["lo"] <= growth["growth"]).all() and (growth["growth"] <= growth["hi"]).all()
    # growth: the forecast at the horizon end against the same season a year earlier
    row = growth.row(0, named=True)
    end = row["ds"]
    season = [dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=31 * k) for k in (-1, 0, 1)]
    season = [d.replace(day=1) for d in season]
    base = s.history.filter(pl.col("label") == row["label"], pl.col("month").is_in(season))
    assert base.height == 3
    assert row["base"] == pytest.approx(base["y"].mean())
    assert row["growth"] == pytest.approx(row["end"] / row["base"] - 1)
    assert row["basis"].startswith("the same season a year earlier (")


def test_growth_falls_back_to_recent_months_on_a_short_history():
    from skilltide.reports.series_data import _growth

    months = [dt.date(2024, m, 1) for m in range(1, 9)]
    history = pl.DataFrame({"label": "a", "month": months, "y": [1.0] * 5 + [4.0, 5.0, 6.0]})
    forecast = pl.DataFrame(
        {"label": "a", "ds": [dt.date(2024, 9, 1)], "yhat": [10.0], "lo_80": [8.0], "hi_80": [12.0]}
    )
    series = pl.DataFrame({"label": "a", "skill": "a", "group": "all", "recent_count": 5.0})
    row = _growth(history, forecast, series, min_recent_count=1).row(0, named=True)
    assert row["basis"] == "the last three months"
    assert row["base"] == pytest.approx(5.0) and row["growth"] == pytest.approx(1.0)


def test_market_breaks_are_grouped_by_month(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        s = load_series(wh, granularity="market")
    assert s.market_breaks.height == 1
    only = s.market_breaks.row(0, named=True)
    assert only["kind"] == "level" and only["n_series"] == 10
    assert set(s.breaks["scope"]) == {"market", "series"}


def test_other_granularities_label_series_with_their_group(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        s = load_series(wh, granularity="occupation", max_series=25)
    assert s.series.height == 25 and s.n_series_total > 25
    assert s.series["label"].is_unique().all()
    # occupation codes are shown with their titles from the occupations view
    assert any(SCRIPT_TITLE in label for label in s.series["label"])


def test_refuses_missing_demand_and_unknown_granularity(db, full_warehouse):
    with Warehouse(db) as wh, pytest.raises(UserError, match="ingest ads"):
        load_series(wh)
    with Warehouse(full_warehouse) as wh, pytest.raises(UserError, match="available: company"):
        load_series(wh, granularity="planet")


def test_optional_parts_absent(bare_warehouse):
    with Warehouse(bare_warehouse) as wh:
        s = load_series(wh)
        assert s.forecast is None and s.growth is None and s.breaks is None
        assert load_network(wh) is None
        occ = load_occupations(wh)
        assert occ.profile is None and occ.closest is None and occ.workbank is None
        methods = load_methods(wh)
        assert methods.backtests is None and methods.onet_releases == []


def test_network_layout_and_communities(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        net = load_network(wh)
        again = load_network(wh)
    assert net.nodes.height == 30
    assert net.nodes.equals(again.nodes)  # seeded layout: the same picture every time
    assert net.nodes["x"].is_not_null().all()
    assert net.exposure_column == "share_green_light"  # the graph stage's overlay column
    assert net.communities["n_skills"].sum() == 30
    assert net.communities["community_label"][0].startswith("1. ")
    # the drawn edges keep every node connected to at least one other
    assert net.edges.height >= net.nodes.height - 1


def test_the_network_names_fewer_skills_on_a_phone_so_that_no_two_names_collide(
    full_warehouse,
):
    """Names placed for a 900 px chart collided on a phone's 300 px (report review 2)."""
    from skilltide.reports.network_data import NARROW_PX

    with Warehouse(full_warehouse) as wh:
        nodes = load_network(wh).nodes
    phone = nodes.filter("label_narrow")
    assert 0 < phone.height <= nodes["label_me"].sum()
    # at the phone's scale no two names (7.5 px a character, 22 px a line) overlap
    sx = NARROW_PX / (nodes["x"].max() - nodes["x"].min())
    sy = 496 / (nodes["y"].max() - nodes["y"].min())
    boxes = [
        (x * sx, y * sy, len(n) * 7.5 / 2) for n, x, y in phone.select("name", "x", "y").rows()
    ]
    for i, (x1, y1, h1) in enumerate(boxes):
        for x2, y2, h2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= h1 + h2 or abs(y1 - y2) >= 22


def test_occupation_profiles_closest_and_workbank(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        occ = load_occupations(wh)
    assert occ.profile_source == "demand"
    assert occ.profile.group_by("code").len()["len"].max() <= 12
    assert set(occ.closest["rank"].unique()) <= set(range(1, 9))
    assert occ.workbank.height == 6
    assert occ.workbank["share_green_light"].is_sorted(descending=True)


def test_ads_without_an_occupation_are_not_profiled_as_an_occupation(tmp_path):
    """Ads with no occupation are the demand panel's 'unknown' group; on ruanyf's ads (most
    titles Chinese, not coded) the report led its occupations with 'unknown (unknown) ads
    most often ask for React'."""
    from skilltide.ingest.demand import import_demand

    src = tmp_path / "panel.csv"
    rows = [
        f"{skill},2024-{m:02d},{n},{group},occupation,{total}"
        for m in range(1, 13)
        for skill, n, group, total in (
            ("React", 40, "unknown", 100),
            ("Python", 5, "15-1252.00", 10),
        )
    ]
    src.write_text("skill,month,count,group,granularity,total\n" + "\n".join(rows) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_demand(wh, src, panel="p")
        occ = load_occupations(wh, panel="p")
    assert occ.profile["code"].unique().to_list() == ["15-1252.00"]


def test_occupations_with_almost_nothing_in_common_are_not_listed_as_close(
    full_warehouse, tmp_path
):
    """The closest-occupations lists showed neighbours with a similarity near 0 (a nurse
    'close' to an IT technician) as candidate moves (report review 2)."""
    import shutil

    from skilltide.reports.occupation_data import MIN_SIMILARITY

    db = shutil.copy(full_warehouse, tmp_path / "weak.duckdb")
    with Warehouse(db) as wh:
        first = load_occupations(wh).closest["code"][0]
        wh.con.execute(  # every similarity of `first` almost nothing, the rest kept
            "UPDATE graph_edges SET weight = 0.05 WHERE layer = 'occupation'"
            " AND (source = ? OR target = ?)",
            [first, first],
        )
        closest = load_occupations(wh).closest
    assert closest["similarity"].min() >= MIN_SIMILARITY
    assert first not in closest["code"] and first not in closest["neighbour_code"]
    assert closest.height > 0  # the other occupations keep their close ones


def test_backtests_pick_mase_and_flag_baselines(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        m = load_methods(wh)
    assert m.metric == "mase" and m.scenario == "all"
    flags = dict(m.backtests.select("model", "baseline").unique().iter_rows())
    assert flags == {"lgbm": False, "ets": False, "naive": True, "seasonal_naive": True}
    assert m.onet_releases == ["30.1"] and m.workbank_loaded


def test_the_run_writing_the_report_is_shown_in_progress_not_running(tmp_path, full_warehouse):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(full_warehouse.read_bytes())
    with Warehouse(db) as wh, wh.run("run", transaction=False) as run:
        status = dict(load_methods(wh).runs.select("run_id", "status").iter_rows())
    assert status[run.run_id] == "in progress (writing this report)"
    assert set(status.values()) == {"success", "in progress (writing this report)"}


def test_network_labels_never_overlap():
    from skilltide.reports.network_data import place_labels

    crowded = [
        ("a", "Python", 0.0, 0.0),
        ("b", "SQL", 0.01, 0.0),
        ("c", "Go", 1.0, 1.0),
        ("d", "JavaScript", 0.0, 0.02),
        ("e", "R", 0.0, 0.5),
    ]
    assert place_labels(crowded) == ["a", "c", "e"]
    assert place_labels([]) == []
    # labels a pixel apart among the candidates alone collide once the whole chart is drawn
    apart = [("a", "Python", 0.0, 0.0), ("b", "AWS", 0.1, 0.0)]
    assert place_labels(apart) == ["a", "b"]
    assert place_labels(apart, extent=(-5.0, 5.0, -1.0, 1.0)) == ["a"]


def test_occupation_titles_fall_back_to_the_code(bare_warehouse):
    from skilltide.reports.names import occupation_titles

    with Warehouse(bare_warehouse) as wh:
        assert occupation_titles(wh, ["11-1011.00"]) == {"11-1011.00": "11-1011.00"}


def test_auto_forecasts_keep_every_series_whatever_model_was_chosen(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        s = load_series(wh, granularity="region", max_series=500)
    assert s.forecast_info["description"] == "automatic forecast"
    assert "last month repeated for" in s.forecast_info["explanation"]  # naive, in words
    assert set(s.forecast_info["models"]) == {"lgbm", "naive"}
    assert s.forecast["label"].n_unique() == s.series.height  # no series lost to a model filter


def test_backtests_drop_the_pooled_horizon_and_report_coverage(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        m = load_methods(wh)
    assert sorted(m.backtests["horizon"].unique()) == [1, 2, 3, 4, 5, 6]
    assert m.coverage.columns == ["model", "coverage_80", "coverage_95"]
    assert m.coverage["coverage_80"].to_list() == [0.78] * 4


def test_workbank_agency_levels_are_named_h1_to_h5(full_warehouse):
    with Warehouse(full_warehouse) as wh:
        occ = load_occupations(wh)
    assert set(occ.workbank["dominant_worker_has"]) <= {"H1", "H2", "H3", "H4", "H5"}


def test_skills_imported_outside_the_taxonomy_are_shown_by_their_name(tmp_path):
    """An imported term that matches no skill is stored as '<panel>:<term>'; the report
    shows the term, not the storage id."""
    from skilltide.ingest.demand import import_demand

    src = tmp_path / "terms.csv"
    rows = [f"Blockchain,2023-{m:02d},{m}" for m in range(1, 13)]
    src.write_text("skill,month,count\n" + "\n".join(rows) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_demand(wh, src, panel="hn")
        s = load_series(wh, panel="hn")
    assert s.series["skill_id"].to_list() == ["hn:Blockchain"]
    assert s.series["label"].to_list() == ["Blockchain"]


def test_the_onet_attribution_names_every_release_the_data_come_from(cli, db):
    """Skills ratings from 29.3's Excel files beside 30.1's text files: the report's data
    (a graph on those ratings) come from both releases, and the attribution says so."""
    from tests.conftest import shared_path

    folders = [shared_path("onet", "30.1"), shared_path("onet", "29.3")]
    assert cli("onet", "load", *folders, "--db", db).exit_code == 0
    with Warehouse(db) as wh:
        assert load_methods(wh).onet_releases == ["29.3", "30.1"]


def test_numbered_skills_and_groups_say_what_they_number(tmp_path):
    """Job-SDF withholds names: its skill '1584' in region group '9' reads 'skill 1584 —
    region 9', not '1584 — 9'; named skills and groups are shown as they are."""
    from skilltide.ingest.demand import import_demand

    src = tmp_path / "panel.csv"
    rows = [f"1584,2023-{m:02d},{m},9,region" for m in range(1, 13)]
    rows += [f"Python,2023-{m:02d},{m},North,region" for m in range(1, 13)]
    src.write_text("skill,month,count,group,granularity\n" + "\n".join(rows) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_demand(wh, src, panel="sdf")
        labels = sorted(load_series(wh, panel="sdf", granularity="region").series["label"])
    assert labels == ["Python — North", "skill 1584 — region 9"]


def test_auto_choices_name_its_weighted_mix_as_such_not_as_automatic_forecast_again(tmp_path):
    # "automatic forecast (... the method that forecast best: last month repeated for 50%,
    # automatic forecast for 50% of series)" explained auto by itself.
    from skilltide.reports.series_data import _forecasts

    series = pl.DataFrame({"group_id": ["all", "all"], "skill_id": ["a", "b"], "label": ["A", "B"]})
    with Warehouse(tmp_path / "w.duckdb") as wh:
        for skill, model in (("a", "auto:naive"), ("b", "auto:combination")):
            wh.con.execute(
                "INSERT INTO forecasts VALUES ('r1', 'ads', 'market', ?, 'all', ?, ?, ?, ?,"
                " 1.0, NULL, NULL, NULL, NULL)",
                [f"all/{skill}", skill, dt.date(2024, 12, 1), dt.date(2025, 1, 1), model],
            )
        _, info = _forecasts(wh, "ads", "market", series)
    assert info["description"] == "automatic forecast"
    assert "a weighted mix of methods for 50%" in info["explanation"]
    assert "last month repeated for 50%" in info["explanation"]
    assert "automatic forecast" not in info["explanation"]


def test_count_forecasts_of_sparse_series_are_shown_as_counts_not_as_shares(tmp_path):
    """The forecast stage models counts. On a sparse panel (a skill in 1 of 20 ads every
    third month) a smoothed count forecast (0.33) sits nearer the last share (0.05) than the
    last count (1): the report read it as a share and showed '33% of ads' with growth in the
    thousands of percent (ruanyf's ads: Linux at 486% of ads, +2,271%)."""
    from skilltide.forecast.warehouse import forecast_warehouse
    from skilltide.ingest.demand import import_demand

    src = tmp_path / "panel.csv"
    rows = [
        f"{skill},{2022 + m // 12}-{m % 12 + 1:02d},{int(m % 3 == 2)},20"
        for skill in ("Linux", "Python", "Go")
        for m in range(24)
    ]
    src.write_text("skill,month,count,total\n" + "\n".join(rows) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_demand(wh, src, panel="p")
        forecast_warehouse(wh, panel="p", horizon=2, model="window_average")
        s = load_series(wh, panel="p")
    assert s.measure == COUNT
    assert s.forecast["yhat"].max() <= 1.0  # ads a month, not per cent
