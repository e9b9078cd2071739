"""``skilltide run`` with ``[ingest] coder``: the onet stage builds the model, the ingest stage
codes the stored ads again when they were coded by another coder (or build), and a change of
the setting redoes both stages. Base install: the static coder is the stand-in of
:mod:`tests.ingest.coder_stand_in`."""

from __future__ import annotations

from pathlib import Path

import skilltide.onet.coder_refresh  # noqa: F401 (imported before build_coder is patched below)
from skilltide.logs import EventLog
from skilltide.onet.coder import coder_run
from skilltide.pipeline import Pipeline, PipelineConfig, Source
from skilltide.store import Warehouse
from tests.ingest.coder_stand_in import ADS, TRUCKS, ads_coder_row, occupations
from tests.ingest.coder_stand_in import warehouse_with_coder as with_coder
from tests.ingest.helpers import add_vocab, small_vocab


def _run(wh: Warehouse, **config) -> dict[str, str]:
    summary = Pipeline(wh, PipelineConfig(**config), EventLog(quiet=True)).run()
    assert summary.status == "success", summary.error
    return {s.stage: s.status for s in summary.stages}


def _fingerprint(wh: Warehouse, name: str, **config) -> str:
    stages = Pipeline(wh, PipelineConfig(**config), EventLog(quiet=True)).stages()
    return next(s for s in stages if s.name == name).fingerprint()


def test_ingest_coder_in_a_run_codes_recodes_and_is_remembered(stand_in_static, db, tmp_path):
    with_coder(db, tmp_path / "onet")
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(ADS)
    sources = (Source("jobs", (str(tmp_path / "ads"),)),)
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
        assert _run(wh, sources=sources)["ingest:jobs"] == "done"
        assert occupations(wh)["1"] == "29-1141.00"  # lexical
        assert _run(wh, sources=sources, ads_coder="static")["ingest:jobs"] == "done"
        first = coder_run(wh, "static")
        assert occupations(wh) == {"1": TRUCKS, "2": TRUCKS, "3": "13-2011.01"}
        assert ads_coder_row(wh) == ("static", first)
        # nothing new, the setting left out: the warehouse's coder stays, nothing is redone
        assert _run(wh, sources=sources)["ingest:jobs"] == "skipped"
        wh.con.execute("DELETE FROM static_title_coders")  # as an onet load of new titles does
        assert _run(wh, sources=sources)["ingest:jobs"] == "done"  # files unchanged: rebuilt
        rebuilt = coder_run(wh, "static")
        assert rebuilt not in (None, first) and ads_coder_row(wh) == ("static", rebuilt)
        switches = wh.query("SELECT notes FROM runs WHERE command = 'ingest coder'")
        assert switches.height == 1  # the switch, in a run of its own; the rebuild ...
        build = wh.query("SELECT notes FROM runs WHERE run_id = ?", [rebuilt])["notes"][0]
        assert '"recoded": {"ads": 2' in build  # ... recoded them in the build's run
        assert _run(wh, sources=sources, ads_coder="lexical")["ingest:jobs"] == "done"
        assert occupations(wh)["1"] == "29-1141.00" and ads_coder_row(wh)[0] == "lexical"


def test_the_setting_redoes_the_onet_stage_which_builds_the_model(db, tmp_path, monkeypatch):
    import skilltide.onet.coder as coder_module
    import skilltide.onet.load as load_module

    dirs = (tmp_path,)
    with Warehouse(db) as wh:
        default = _fingerprint(wh, "onet", onet_dirs=dirs)
        assert _fingerprint(wh, "onet", onet_dirs=dirs, ads_coder="lexical") == default
        assert _fingerprint(wh, "onet", onet_dirs=dirs, ads_coder="static") != default
    built = []
    monkeypatch.setattr(load_module, "load_onet", lambda wh, dirs: {"files": []})
    monkeypatch.setattr(coder_module, "source_release", lambda wh: "30.1")
    monkeypatch.setattr(
        coder_module, "build_coder", lambda wh, params=None, model="lexical": built.append(model)
    )
    with Warehouse(db) as wh:
        config = PipelineConfig(onet_dirs=(Path("onet"),), ads_coder="static")
        Pipeline(wh, config, EventLog(quiet=True))._onet()
        Pipeline(wh, PipelineConfig(onet_dirs=(Path("onet"),)), EventLog(quiet=True))._onet()
    assert built == ["lexical", "static", "lexical"]  # the lexical one first, always


UK = (
    "id,posted_at,title,text,company,region,occupation\n"
    "1,05/02/2024,Staff Nurse,Care for patients,A,north,\n"
    "2,12/03/2024,Trial Lawyer,Argue cases,B,south,\n"
)


def _dated(wh: Warehouse) -> dict[str, tuple[str, str]]:
    rows = wh.query(
        "SELECT a.external_id, strftime(p.posted_at, '%Y-%m-%d'), a.occupation"
        " FROM ads a JOIN ad_postings p USING (ad_id)"
    ).rows()
    return {i: (d, o) for i, d, o in rows}


def test_a_run_with_both_a_coder_and_a_source_date_order(stand_in_static, db, tmp_path):
    # the two settings were merged by hand: each works with the other set
    with_coder(db, tmp_path / "onet")
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(UK)

    def sources(order: str) -> tuple[Source, ...]:
        return (Source("jobs", (str(tmp_path / "ads"),), date_order=order),)

    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
        assert _run(wh, sources=sources("dmy"), ads_coder="static")["ingest:jobs"] == "done"
        assert _dated(wh) == {"1": ("2024-02-05", TRUCKS), "2": ("2024-03-12", TRUCKS)}
        assert _run(wh, sources=sources("dmy"), ads_coder="static")["ingest:jobs"] == "skipped"
        # another order reads the file again, still with the static coder
        assert _run(wh, sources=sources("mdy"), ads_coder="static")["ingest:jobs"] == "done"
        assert _dated(wh) == {"1": ("2024-05-02", TRUCKS), "2": ("2024-12-03", TRUCKS)}
        assert ads_coder_row(wh) == ("static", coder_run(wh, "static"))
