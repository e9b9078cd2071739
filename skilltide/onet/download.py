"""Fetch an official O*NET text-release zip, check it and extract it safely.

The archive is named as O*NET names it (``db_30_1_text.zip``) and fetched from
``<base-url>/<name>`` in chunks into a temporary file beside the destination, with a
progress bar. It must be a complete, valid zip (its size matches ``Content-Length`` and
every member's CRC checks); its sha256 is recorded in ``onet_downloads``. Extraction refuses
absolute paths, ``..`` components, symbolic links and zip bombs (more than
``max_total_bytes`` uncompressed, or a member expanding more than ``max_ratio`` times,
or a member that inflates beyond its declared size). Members are written to a staging
folder inside the destination and moved into place only when every check passed, so a
refused archive leaves nothing behind and nothing is ever written outside the destination.

Example
-------
>>> archive_name("30.1")
'db_30_1_text.zip'
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from http.client import HTTPException
from pathlib import Path, PurePosixPath
from typing import Any

from skilltide.errors import UserError
from skilltide.onet.release import release_key
from skilltide.outfile import make_folder
from skilltide.store import Warehouse

DEFAULT_BASE_URL = "https://www.onetcenter.org/dl_files/database/"
MAX_TOTAL_BYTES = 2 * 1024**3  # the 30.x text release unpacks to about 300 MB
MAX_RATIO = 200  # tab-delimited text compresses 5-20x; 200x is a bomb
CHUNK = 1 << 16


def archive_name(release: str) -> str:
    """O*NET's file name of a release's text zip: ``'30.1'`` → ``'db_30_1_text.zip'``."""
    try:
        major, minor = release_key(release)
    except ValueError:
        raise UserError(f"--release {release!r}: write it as MAJOR.MINOR, e.g. 30.1") from None
    return f"db_{major}_{minor}_text.zip"


def fetch(url: str, target: Path, progress: bool = False, timeout: float = 60) -> str:
    """Stream ``url`` into ``target``; returns the sha256. Refuses short (truncated) bodies."""
    digest = hashlib.sha256()
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise UserError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise UserError(f"{url}: cannot connect: {getattr(exc, 'reason', exc)}") from None
    expected = int(response.headers.get("Content-Length") or 0) or None
    received = 0
    bar = _bar(progress, expected, url)
    try:
        with response, target.open("wb") as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if bar:
                    bar[0].update(bar[1], completed=received)
    except (HTTPException, OSError) as exc:
        raise UserError(f"{url}: the download broke off after {received:,} bytes ({exc})") from None
    finally:
        if bar:
            bar[0].stop()
    if expected is not None and received != expected:
        raise UserError(f"{url}: the download is truncated ({received:,} of {expected:,} bytes)")
    return digest.hexdigest()


def safe_extract(
    archive: Path, dest: Path, max_total_bytes: int = MAX_TOTAL_BYTES, max_ratio: float = MAX_RATIO
) -> list[Path]:
    """Extract ``archive`` into ``dest`` after checking every member; returns the files."""
    if not zipfile.is_zipfile(archive):
        raise UserError(f"{archive.name}: not a zip archive (truncated or not an O*NET release)")
    make_folder(dest)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        _check_members(archive.name, infos, max_total_bytes, max_ratio)
        bad = zf.testzip()
        if bad is not None:
            raise UserError(f"{archive.name}: member {bad!r} is damaged (CRC mismatch)")
        staging = Path(tempfile.mkdtemp(prefix=".skilltide-extract-", dir=dest))
        try:
            written = 0
            for info in infos:
                target = staging.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                with zf.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        size += len(chunk)
                        written += len(chunk)
                        if size > info.file_size or written > max_total_bytes:
                            raise UserError(
                                f"{archive.name}: member {info.filename!r} inflates "
                                "beyond its declared size (zip bomb)"
                            )
                        out.write(chunk)
            top = {p.name for p in staging.iterdir()}
            clash = [name for name in top if (dest / name).exists()]
            if clash:
                raise UserError(
                    f"{dest / clash[0]}: already exists; remove it or choose another --dest"
                )
            for name in sorted(top):
                (staging / name).rename(dest / name)
        except OSError as exc:  # a full disk: one line (the staging folder goes below)
            raise UserError(
                f"{dest}: cannot extract {archive.name} ({exc.strerror or exc})"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return [dest.joinpath(*PurePosixPath(i.filename).parts) for i in infos if not i.is_dir()]


def _check_members(name: str, infos: list[zipfile.ZipInfo], max_total: int, max_ratio: float):
    total = 0
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.filename.startswith(("/", "\\")) or (path.parts and ":" in path.parts[0]):
            raise UserError(f"{name}: member {info.filename!r} has an absolute path; refused")
        if ".." in path.parts:
            raise UserError(f"{name}: member {info.filename!r} climbs out with '..'; refused")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UserError(f"{name}: member {info.filename!r} is a symbolic link; refused")
        total += info.file_size
        if total > max_total:
            raise UserError(
                f"{name}: unpacks to more than {max_total:,} bytes (zip bomb?); refused"
            )
        if info.file_size > CHUNK and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UserError(
                f"{name}: member {info.filename!r} expands "
                f"{info.file_size / max(info.compress_size, 1):,.0f}x (zip bomb?); "
                "refused"
            )


def release_folder(files: list[Path], dest: Path) -> Path:
    """The folder of the extracted files that holds the release (``Read Me.txt`` or data)."""
    readmes = [p.parent for p in files if p.name.lower() == "read me.txt"]
    if readmes:
        return readmes[0]
    parents = sorted({p.parent for p in files if p.suffix.lower() == ".txt"})
    if not parents:
        raise UserError(f"{dest}: the archive held no O*NET text files")
    return parents[0]


def download_release(
    wh: Warehouse,
    release: str,
    dest: str | Path,
    base_url: str = DEFAULT_BASE_URL,
    load: bool = False,
    progress: bool = False,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: float = MAX_RATIO,
) -> dict[str, Any]:
    """Download, check and extract one O*NET text release; optionally load it."""
    dest = Path(dest)
    name = archive_name(release)
    url = base_url.rstrip("/") + "/" + name
    if not url.startswith(("http://", "https://")):
        raise UserError(f"--base-url {base_url!r}: give an http:// or https:// address")
    earlier = dest / name.removesuffix(".zip")
    if earlier.exists():  # an earlier download (its load stopped, say): no need to fetch it
        raise UserError(
            f"{earlier}: already exists; load it with "
            f"`skilltide onet load {earlier} --db {wh.path}`, "
            "or remove it to download the release again"
        )
    make_folder(dest)
    with tempfile.TemporaryDirectory(prefix=".skilltide-download-", dir=dest) as tmp:
        archive = Path(tmp) / name
        sha256 = fetch(url, archive, progress=progress)
        size = archive.stat().st_size
        files = safe_extract(archive, dest, max_total_bytes, max_ratio)
    folder = release_folder(files, dest)
    args = {"release": release, "url": url, "dest": str(Path(dest).resolve())}
    with wh.run("onet download", args) as run:
        run.con.execute(
            "INSERT INTO onet_downloads VALUES (?, ?, ?, ?, ?, ?, ?)",
            [url, release, sha256, size, str(Path(folder).resolve()), len(files), run.run_id],
        )
        run.count("onet_downloads", 1)
        summary: dict[str, Any] = {
            "run_id": run.run_id,
            "url": url,
            "sha256": sha256,
            "bytes": size,
            "folder": str(folder),
            "files": len(files),
        }
    if load:
        from skilltide.onet.load import load_onet

        summary["load"] = load_onet(wh, [folder], release=release)
    return summary


def _bar(enabled: bool, total: int | None, url: str):
    if not enabled or not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(transient=True)
    bar.start()
    return bar, bar.add_task(f"downloading {url.rsplit('/', 1)[-1]}", total=total)
