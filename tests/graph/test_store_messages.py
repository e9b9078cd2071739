"""What graph build says when the ads give it nothing to build from."""

from __future__ import annotations

import pytest

from skilltide.errors import UserError
from skilltide.graph.store import build_graph_warehouse
from skilltide.store import Warehouse


def test_ads_without_any_skill_do_not_say_ingest_ads_first(filled_db):
    # ads are stored, but none names a skill of the vocabulary: "ingest ads first" was wrong
    with Warehouse(filled_db) as wh:
        wh.con.execute("DELETE FROM ad_skills")
        assert wh.query("SELECT count(*) AS n FROM ads")["n"].item() > 0
        with pytest.raises(UserError, match="no stored ad mentions a skill") as err:
            build_graph_warehouse(wh, source="ads", n_null=0)
    assert "ingest ads first" not in str(err.value)


def test_no_ads_at_all_still_says_ingest_ads_first(filled_db):
    with Warehouse(filled_db) as wh:
        wh.con.execute("DELETE FROM ad_skills")
        wh.con.execute("DELETE FROM ad_postings")
        wh.con.execute("DELETE FROM ads")
        with pytest.raises(UserError, match="ingest ads first"):
            build_graph_warehouse(wh, source="ads", n_null=0)
