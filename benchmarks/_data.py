"""Where benchmarks find the real data sets: SKILLTIDE_SHARED_DATA, else ../shared/data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data(*parts: str) -> Path:
    """Path inside the shared data sets; exits with a clear message when it is absent."""
    root = Path(os.environ.get("SKILLTIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
    path = root.joinpath(*parts)
    if not path.exists():
        sys.exit(f"benchmark needs {path} (set SKILLTIDE_SHARED_DATA to the shared data folder)")
    return path
