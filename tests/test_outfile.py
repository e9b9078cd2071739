"""Output files are written whole or not at all: a full disk, a read-only folder or Ctrl-C
leaves the file that was there (or none), no half-written file and no temporary file.

Found by the atomicity QA pass on a 8 KB tmpfs and a read-only tmpfs: forecast panel --out
left an 8,192-byte CSV cut mid-row with an OSError traceback, graph export an empty .graphml,
report a '.report.html.tmp' and a truncated chart SVG, init an empty skilltide.toml that the
next init refused as 'already exists'.
"""

from __future__ import annotations

import errno

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.outfile import replacing


def _disk_full_after(monkeypatch, method: str, keep: int = 10) -> None:
    """``pl.DataFrame.<method>`` writes ``keep`` bytes, then the disk is full."""

    def half_written(self, path, *args, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"unique_id,"[:keep])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, method, half_written)


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "f.csv"
    out.write_text("old\n")
    full = r"f.csv: cannot write it \(No space left on device\)"
    with pytest.raises(UserError, match=full), replacing(out) as tmp:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert out.read_text() == "old\n" and _names(tmp_path) == ["f.csv"]
    with pytest.raises(KeyboardInterrupt), replacing(out) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert out.read_text() == "old\n" and _names(tmp_path) == ["f.csv"]


def test_a_symlink_target_is_written_through_not_replaced(tmp_path):
    # Found in review: os.replace over a symlink replaced the link with a plain file, so
    # `--out latest.csv` (a link into a shared folder) or a skilltide.toml linked from a
    # dotfiles checkout stopped pointing at the user's file; open() had written through it.
    real = tmp_path / "shared" / "forecasts.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    with replacing(link) as tmp:
        tmp.write_text("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert _names(tmp_path) == ["latest.csv", "shared"] and _names(real.parent) == [real.name]


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    # Found in review: the renamed temporary file had the umask's mode, so a private config
    # (0600) or a group-writable report became 0644 after each write; open() kept the mode.
    out = tmp_path / "skilltide.toml"
    out.write_text("old\n")
    out.chmod(0o604)
    with replacing(out) as tmp:
        tmp.write_text("new\n")
    assert out.read_text() == "new\n" and out.stat().st_mode & 0o777 == 0o604


def _panel(tmp_path):
    src = tmp_path / "in" / "panel.csv"
    src.parent.mkdir()
    rows = [f"{s},{2020 + m // 12}-{m % 12 + 1:02d},{3 + m % 5}" for s in "ab" for m in range(24)]
    src.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return src


@pytest.mark.parametrize(
    "command",
    [
        ("forecast", "panel", "{src}", "-m", "naive", "--horizon", "2", "--out", "{out}"),
        ("forecast", "backtest", "{src}", "--models", "naive", "--out", "{out}"),
        ("breaks", "detect", "{src}", "--out", "{out}"),
    ],
)
def test_a_full_disk_leaves_the_earlier_out_file_whole(cli, tmp_path, monkeypatch, command):
    src = _panel(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "f.csv"
    out.write_text("earlier,result\n")
    _disk_full_after(monkeypatch, "write_csv")
    result = cli(*(a.format(src=src, out=out) for a in command), "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"error: {out}: cannot write it (No space left on device)"
    )
    assert out.read_text() == "earlier,result\n"
    assert _names(folder) == ["f.csv"]


def test_a_sidecar_that_cannot_be_written_takes_its_output_with_it(cli, tmp_path, monkeypatch):
    import skilltide.provenance as provenance

    src = _panel(tmp_path)
    out = tmp_path / "f.csv"

    def full(out):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(provenance, "file_record", full)
    result = cli("forecast", "panel", src, "-m", "naive", "--horizon", "2", "--out", out)
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert _names(tmp_path) == ["in"]  # no forecasts without their provenance


@pytest.mark.parametrize(
    ("command", "table"),
    [
        (("forecast", "run", "--horizon", "2", "-m", "naive"), "forecasts"),
        (("breaks", "detect", "--min-size", "3"), "breaks"),
    ],
)
def test_a_warehouse_run_whose_out_cannot_be_written_rolls_back(
    cli, db, tmp_path, monkeypatch, command, table
):
    # Found on a read-only tmpfs: forecast run --out committed its forecasts, then failed to
    # write the file and exited 1 with the run logged 'success': a failed command that had
    # changed the warehouse (a scheduler's retry added a second run).
    from skilltide.store import Warehouse
    from tests.forecast.test_warehouse import _load_demand
    from tests.test_store import table_contents

    with Warehouse(db) as wh:
        _load_demand(wh)
    before = table_contents(db)
    out = tmp_path / "out" / "f.csv"
    out.parent.mkdir()
    _disk_full_after(monkeypatch, "write_csv")
    result = cli(*command, "--out", out, "--db", db)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: {out}: cannot write it (No space left on device)"
    )
    assert table_contents(db) == before and _names(out.parent) == []
    with Warehouse(db) as wh:
        status = wh.query("SELECT status FROM runs WHERE command = ?", [" ".join(command[:2])])
    assert status["status"].to_list() == ["failed"]
    monkeypatch.undo()
    assert cli(*command, "--out", out, "--db", db).exit_code == 0
    assert _names(out.parent) == ["f.csv", "f.csv.provenance.json"]
    with Warehouse(db) as wh:
        assert wh.query(f"SELECT count(*) AS n FROM {table}")["n"].item() > 0


def test_check_writable_refuses_as_the_writers_would_without_writing(tmp_path):
    # `skilltide run` checks [report] out so before its first stage: the same messages
    from skilltide.outfile import check_writable, make_folder

    (tmp_path / "f.txt").write_text("a user's file\n")
    out = tmp_path / "f.txt" / "a" / "report.html"
    with pytest.raises(UserError) as written:
        make_folder(out.parent)
    with pytest.raises(UserError) as checked:
        check_writable(out)
    assert str(checked.value) == str(written.value)
    assert str(checked.value) == f"{out.parent}: cannot create the folder (Not a directory)"
    assert check_writable(tmp_path / "new" / "report.html") == tmp_path / "new" / "report.html"
    assert _names(tmp_path) == ["f.txt"]  # nothing created


def test_check_writable_checks_a_symlink_where_it_is_written(tmp_path, monkeypatch):
    # replacing() writes a symlink through, beside the file it points to: a link kept in a
    # read-only folder to a page in a writable one is written, and was refused
    import os
    from pathlib import Path

    from skilltide.outfile import check_writable

    locked, www = tmp_path / "locked", tmp_path / "www"
    locked.mkdir()
    www.mkdir()
    (www / "report.html").write_text("last week's\n")
    (locked / "report.html").symlink_to(www / "report.html")
    (www / "back.html").symlink_to(locked / "page.html")
    real_access = os.access
    # as a read-only folder is to a user other than root (the tests may run as root)
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    assert check_writable(locked / "report.html") == locked / "report.html"
    with pytest.raises(UserError) as checked:  # a link into the read-only folder
        check_writable(www / "back.html")
    assert str(checked.value) == f"{www / 'back.html'}: cannot write it (Permission denied)"
