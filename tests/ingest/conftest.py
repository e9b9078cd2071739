"""Shared fixtures of the ingest tests."""

from __future__ import annotations

import pytest

from skilltide.store import Warehouse
from tests.ingest.coder_stand_in import stand_in_static  # noqa: F401 (a fixture)
from tests.ingest.helpers import add_vocab, small_vocab


@pytest.fixture
def wh(db):
    """A fresh warehouse with the small test vocabulary (tests.ingest.helpers.small_vocab)."""
    with Warehouse(db) as w:
        add_vocab(w, *small_vocab())
        yield w
