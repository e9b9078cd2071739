"""`onet download` against a real HTTP server on 127.0.0.1 serving zips built here."""

from __future__ import annotations

import http.server
import io
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from skilltide.errors import UserError
from skilltide.onet.download import archive_name, download_release
from skilltide.store import Warehouse
from tests.onet._helpers import FIXTURE_RELEASE


def _zip(members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return buffer.getvalue()


def _release_zip(release: str = "28.0") -> bytes:
    top = archive_name(release).removesuffix(".zip")
    return _zip({f"{top}/{p.name}": p.read_bytes() for p in sorted(FIXTURE_RELEASE.iterdir())})


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1: ``server.files[name] = bytes``; ``truncate`` names
    files whose body is cut in half while Content-Length announces the whole."""
    files: dict[str, bytes] = {}
    truncate: set[str] = set()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1]
            if name not in files:
                self.send_error(404)
                return
            body = files[name]
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if name in truncate else body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.files, httpd.truncate = files, truncate
    httpd.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/dl_files/database/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_good_release_is_downloaded_recorded_extracted_and_loaded(server, tmp_path, db):
    server.files["db_28_0_text.zip"] = _release_zip()
    dest = tmp_path / "dest"
    with Warehouse(db) as wh:
        summary = download_release(wh, "28.0", dest, base_url=server.base_url, load=True)
        assert summary["url"].endswith("/dl_files/database/db_28_0_text.zip")
        assert len(summary["sha256"]) == 64
        recorded = wh.con.execute("SELECT sha256, files FROM onet_downloads").fetchone()
        assert recorded == (summary["sha256"], 10)
        assert wh.con.execute("SELECT count(*) FROM occupations").fetchone()[0] == 2
    assert summary["load"]["releases"] == ["28.0"]
    assert (dest / "db_28_0_text" / "Occupation Data.txt").is_file()
    assert not any(name.startswith(".skilltide") for name in _tree(dest))


def test_cli_download_with_load(server, tmp_path, cli, db):
    server.files["db_28_0_text.zip"] = _release_zip()
    result = cli(
        "onet",
        "download",
        "--release",
        "28.0",
        "--dest",
        tmp_path / "d",
        "--base-url",
        server.base_url,
        "--load",
        "--db",
        db,
    )
    assert result.exit_code == 0, result.output
    assert "sha256" in result.output
    # the load is reported as `onet load` reports it (it said only "loaded 8 files")
    assert "O*NET 28.0: 8 files loaded" in result.output and "taxonomy: " in result.output


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (lambda: _zip({"db_28_0_text/ok.txt": b"x", "../evil.txt": b"owned"}), "'..'"),
        (lambda: _zip({"/tmp/skilltide-evil.txt": b"owned"}), "absolute path"),
        (
            lambda: _zip({"db_28_0_text/ok.txt": b"x"}, {"db_28_0_text/link": "/etc/passwd"}),
            "symbolic link",
        ),
        (lambda: _zip({"db_28_0_text/bomb.txt": b"\0" * 5_000_000}), "zip bomb"),
        (lambda: b"this is not a zip file at all", "not a zip archive"),
    ],
    ids=["dotdot", "absolute", "symlink", "bomb", "not-zip"],
)
def test_a_malicious_archive_is_refused_and_nothing_is_written(
    server, tmp_path, db, archive, message
):
    server.files["db_28_0_text.zip"] = archive()
    dest = tmp_path / "inside" / "dest"
    with Warehouse(db) as wh, pytest.raises(UserError, match=message):
        download_release(wh, "28.0", dest, base_url=server.base_url)
    assert _tree(dest) == set()
    assert _tree(tmp_path) == {"inside", "inside/dest", "skilltide.duckdb"}
    assert not Path("/tmp/skilltide-evil.txt").exists()


def test_a_truncated_download_is_refused(server, tmp_path, db):
    server.files["db_28_0_text.zip"] = _release_zip()
    server.truncate.add("db_28_0_text.zip")
    dest = tmp_path / "dest"
    with Warehouse(db) as wh, pytest.raises(UserError, match=r"broke off|truncated"):
        download_release(wh, "28.0", dest, base_url=server.base_url)
    assert _tree(dest) == set()


def test_a_missing_release_reports_the_http_status(server, tmp_path, cli, db):
    result = cli(
        "onet",
        "download",
        "--release",
        "12.3",
        "--dest",
        tmp_path / "d",
        "--base-url",
        server.base_url,
        "--db",
        db,
    )
    assert result.exit_code == 1
    assert "db_12_3_text.zip: the server answered 404" in result.output


def test_a_full_disk_while_extracting_is_one_line_and_leaves_nothing(
    server, tmp_path, db, monkeypatch
):
    # Found on a 1 MB tmpfs: an OSError traceback from the extraction (the staging folder
    # was removed); a read-only --dest gave a traceback from mkdir.
    server.files["db_28_0_text.zip"] = _release_zip()
    dest = tmp_path / "dest"
    monkeypatch.setattr(Path, "open", _writes_fail_after(Path.open, "dest"))
    with Warehouse(db) as wh:
        with pytest.raises(UserError, match=r"dest: cannot extract db_28_0_text.zip \(No space"):
            download_release(wh, "28.0", dest, base_url=server.base_url)
        assert wh.query("SELECT count(*) AS n FROM onet_downloads")["n"].item() == 0
    assert _tree(dest) == set()


def _writes_fail_after(open_, folder: str):
    """``Path.open`` whose files opened for writing inside a ``.skilltide-extract-`` staging
    folder of ``folder`` fail on the first write (a full disk)."""
    import errno

    class Full:
        def __init__(self, fh):
            self._fh = fh

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

    def opened(self, mode="r", *args, **kwargs):
        fh = open_(self, mode, *args, **kwargs)
        staging = any(part.startswith(".skilltide-extract-") for part in self.parts)
        return Full(fh) if "w" in mode and staging and folder in self.parts else fh

    return opened


def test_a_release_already_in_dest_is_not_fetched_again_and_the_error_says_load_it(
    server, tmp_path, cli, db
):
    # `onet download --load` stopped during its load: running it again fetched the whole
    # archive only to refuse it ("already exists"), without saying how to finish the job.
    server.files["db_28_0_text.zip"] = _release_zip()
    dest = tmp_path / "d"
    args = ("onet", "download", "--release", "28.0", "--dest", dest)
    assert cli(*args, "--base-url", server.base_url, "--db", db).exit_code == 0
    del server.files["db_28_0_text.zip"]  # a fetch would now fail with HTTP 404
    again = cli(*args, "--base-url", server.base_url, "--load", "--db", db)
    assert again.exit_code == 1
    assert "404" not in again.output
    assert f"skilltide onet load {dest / 'db_28_0_text'} --db {db}" in again.output.replace(
        "\n", ""
    )


def test_a_folder_the_archive_would_overwrite_is_refused_and_kept(server, tmp_path, db):
    # The archive's folder is not named after it, so only the check after extracting sees it.
    server.files["db_28_0_text.zip"] = _zip(
        {f"release/{p.name}": p.read_bytes() for p in sorted(FIXTURE_RELEASE.iterdir())}
    )
    dest = tmp_path / "dest"
    with Warehouse(db) as wh:
        download_release(wh, "28.0", dest, base_url=server.base_url)
        before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
        with pytest.raises(UserError, match="already exists; remove it or choose another --dest"):
            download_release(wh, "28.0", dest, base_url=server.base_url)
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before
