"""Shared fixtures of the title-coder tests: a warehouse with O*NET 30.1 and its coder."""

from __future__ import annotations

from pathlib import Path

import pytest

from skilltide.onet.coder import build_coder, load_coder
from skilltide.onet.load import load_onet
from skilltide.store import Warehouse
from tests.conftest import shared_path


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """A warehouse with O*NET 30.1 loaded and its default title coder built (once)."""
    folder = shared_path("onet", "30.1")
    path = tmp_path_factory.mktemp("coder") / "skilltide.duckdb"
    with Warehouse(path) as wh:
        load_onet(wh, [folder])
        summary = build_coder(wh)
    assert summary["reused"] is False and summary["release"] == "30.1"
    return path


@pytest.fixture(scope="session")
def coder(built_db):
    with Warehouse(built_db) as wh:
        return load_coder(wh)
