"""The progress display of ``skilltide ingest ads`` and ``skilltide run``, with stderr a real
terminal (a pseudo-terminal): shown there, never with ``--quiet``, when stderr is not a
terminal, or in ``skilltide run --log-json`` (whose stderr stays JSON lines)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest

from skilltide.store import Warehouse
from tests.conftest import REPO, run_skilltide
from tests.ingest.helpers import add_vocab, small_vocab
from tests.ingest.test_progress import write

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
SHOWN = ("reading ads.jsonl", "ads/s", "refreshing demand panel 'ads'")


def not_warnings(err: str) -> list[str]:
    """The lines of ``err`` that are not warnings (progress, say)."""
    return [line for line in err.splitlines() if not line.startswith("warning: ")]


def on_terminal(*args: object, cwd) -> tuple[int, str, str]:
    """Run ``python -m skilltide ARGS`` with stderr a terminal: (status, stdout, stderr)."""
    main, other = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm", "COLUMNS": "150"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "skilltide", *map(str, args)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=other,
    )
    os.close(other)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    out = proc.stdout.read().decode()
    proc.stdout.close()
    return proc.wait(timeout=600), out, b"".join(chunks).decode(errors="replace")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "ads").mkdir()
    write(tmp_path / "ads", "jsonl")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_vocab(wh, *small_vocab())
    return tmp_path


def test_ingest_ads_shows_progress_on_a_terminal_only(folder):
    args = ("ingest", "ads", "ads/ads.jsonl", "--db", "w.duckdb", "--batch-rows", "1000")
    code, out, err = on_terminal(*args, cwd=folder)
    assert code == 0 and out.startswith("1 file (0 unchanged), 2,500 rows read")
    assert all(text in err for text in SHOWN) and "1,000 rows" in err
    (folder / "w.duckdb").rename(folder / "first.duckdb")
    with Warehouse(folder / "w.duckdb") as wh:
        add_vocab(wh, *small_vocab())
    code, out, err = on_terminal(*args, "--quiet", cwd=folder)
    assert code == 0 and out == "" and not_warnings(err) == []  # no O*NET: titles uncoded
    (folder / "w.duckdb").unlink()
    with Warehouse(folder / "w.duckdb") as wh:
        add_vocab(wh, *small_vocab())
    piped = run_skilltide(*args, cwd=folder)  # stderr not a terminal
    assert piped.returncode == 0 and not_warnings(piped.stderr) == []
    assert piped.stdout.startswith("1 file (0 unchanged), 2,500 rows read")


def test_run_log_json_keeps_a_terminal_s_stderr_json_lines(folder):
    (folder / "skills.csv").write_text("name,aliases\nSQL,sql\nPython,python\n")
    (folder / "skilltide.toml").write_text(
        '[warehouse]\ndb = "run.duckdb"\n\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n\n'
        '[taxonomy]\nfiles = ["skills.csv"]\n'
    )
    code, _, err = on_terminal("run", "--config", "skilltide.toml", "--log-json", cwd=folder)
    assert code == 0
    records = [json.loads(line) for line in err.replace("\r\n", "\n").splitlines()]
    assert [r["event"] for r in records if r["event"].startswith("stage.")] == [
        "stage.start",
        "stage.finish",
    ] * 3  # taxonomy, ingest:jobs, demand:ads
    assert not any(text in err for text in SHOWN)
    (folder / "run.duckdb").unlink()
    code, _, err = on_terminal("run", "--config", "skilltide.toml", cwd=folder)  # the log as text
    assert code == 0 and all(text in err for text in SHOWN)
    assert "stage.finish  stage=ingest:jobs  status=done" in err


def test_an_error_mid_file_is_printed_whole_after_the_display_is_erased(folder):
    (folder / "bad").mkdir()
    path = write(folder / "bad", "jsonl.gz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 8 // 10])  # cut off: fails after its first batch
    args = ("ingest", "ads", path, "--db", "w.duckdb", "--batch-rows", "1000")
    code, out, err = on_terminal(*args, cwd=folder)
    assert code == 1 and out == ""
    assert "reading ads.jsonl.gz" in err and "1,000 rows" in err  # shown before it failed
    left = err.rsplit("\x1b[2K", 1)[-1]  # what the transient display's last erase left
    assert f"error: {path}: truncated or corrupt gzip file" in left
    assert err.rfind("\x1b[?25h") > err.rfind("\x1b[?25l")  # the cursor is shown again
