"""A stand-in static coder for the ads' coder tests in the base install (no embed extra, no
``tokenizers``): ``build_coder(model="static")`` stores a lexical coder in
``static_title_coders`` whose predictions are all Truck Drivers, so that what it coded is
plain to see, and ``load_coder(model="static")`` reads it back. Everything else — the
build's run, its recode of the ads, the loader, the record — is the real code.
"""

from __future__ import annotations

import polars as pl
import pytest

from skilltide.onet.coder import build_coder, fit_coder
from skilltide.onet.coder_model import TitleCoder
from skilltide.store import Warehouse
from tests.onet.test_coder_embed import _warehouse_with_titles

TRUCKS = "53-3032.00"  # every title, as the stand-in static coder codes it
ADS = (
    "id,posted_at,title,text,company,region,occupation\n"
    "1,2024-01-05,Staff Nurse,Care for patients,A,north,\n"
    "2,2024-01-09,Trial Lawyer,Argue cases,B,south,\n"
    "3,2024-02-02,Accountant,Close the books,C,north,13-2011.01\n"
)
MORE_ADS = (
    "id,posted_at,title,text,company,region,occupation\n"
    "4,2024-03-05,Java Developer,Build services,D,north,\n"
)


class AllTrucks(TitleCoder):
    """A lexical coder that codes every title as Truck Drivers."""

    def predict(self, titles, top: int = 1) -> pl.DataFrame:
        n = len(titles)
        return pl.DataFrame(
            {
                "input_index": list(range(n)),
                "rank": [1] * n,
                "onetsoc_code": [TRUCKS] * n,
                "title": ["Heavy and Tractor-Trailer Truck Drivers"] * n,
                "score": [0.5] * n,
            }
        )


@pytest.fixture
def stand_in_static(monkeypatch):
    """``--model static`` built and loaded as :class:`AllTrucks`, without the extra."""
    import skilltide.onet.coder_embed as embed_module
    import skilltide.onet.coder_static_fit as fit_module
    from skilltide.onet.coder_static import StaticTitleCoder

    def fit_static(examples, params=None, context=None, embed=None, **_):
        coder, calibration = fit_coder(examples, params, context)
        coder.__class__ = AllTrucks
        return coder, calibration

    monkeypatch.setattr(embed_module, "require_embed_extra", lambda *a, **k: None)
    monkeypatch.setattr(fit_module, "fit_static_coder", fit_static)
    monkeypatch.setattr(StaticTitleCoder, "from_bytes", classmethod(lambda cls, b: _load(b)))


def _load(blob: bytes) -> AllTrucks:
    return AllTrucks.from_bytes(blob)


def warehouse_with_coder(db, folder) -> None:
    """A warehouse with the small O*NET title set (8 occupations) and its lexical coder."""
    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, folder)
        build_coder(wh)


def occupations(wh: Warehouse) -> dict[str, str | None]:
    """external id -> occupation of the stored ads."""
    return dict(wh.query("SELECT external_id, occupation FROM ads").iter_rows())


def ads_coder_row(wh: Warehouse) -> tuple | None:
    return wh.con.execute("SELECT model, coder_run FROM ads_coder").fetchone()
