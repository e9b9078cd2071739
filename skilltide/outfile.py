"""Output files written whole or not at all: a temporary file beside the target, renamed over it.

A report, an ``--out`` file or a config that a full disk, a read-only folder or Ctrl-C stops
half-way would otherwise stay behind truncated, under the name of a good file (and replacing
the good one it overwrote). :func:`replacing` yields a temporary path in the target's folder
(same file system, so the rename is atomic); the target appears only when the block ends
without error, the temporary file is removed otherwise, and an ``OSError`` (no space, a
read-only folder) becomes a :class:`~skilltide.errors.UserError` naming the target.

Example
-------
>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
>>> with replacing(out) as tmp:
...     _ = tmp.write_text("a\\n1\\n")
>>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
('a\\n1\\n', ['f.csv'])
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from skilltide.errors import UserError

__all__ = [
    "cannot_write",
    "check_writable",
    "frame_to",
    "make_folder",
    "replacing",
    "temporary_name",
    "write_frame",
]


def temporary_name(out: Path) -> Path:
    """Where ``out`` is written first: hidden, in its folder, with its suffix (formats chosen
    by suffix still see ``.csv`` or ``.parquet``)."""
    return out.with_name(f".{out.stem}.{os.getpid()}.tmp{out.suffix}")


@contextmanager
def replacing(out: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write ``out`` to; rename it to ``out`` if the block succeeds,
    remove it if not (an ``OSError`` is raised as a ``UserError`` naming ``out``). A symlink
    ``out`` is written through, as ``open`` would: the file it points to is replaced."""
    out = Path(out)
    target = Path(os.path.realpath(out)) if out.is_symlink() else out
    tmp = temporary_name(target)  # beside the file replaced: the same file system
    try:
        yield tmp
        with suppress(OSError):  # the file replaced keeps its mode, as open() kept it
            shutil.copymode(target, tmp)  # (none yet, or a FAT disk: the umask's)
        os.replace(tmp, target)
    except BaseException as exc:
        with suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise cannot_write(out, exc, tmp) from None
        raise


def write_frame(frame, out: str | os.PathLike) -> Path:
    """Write a polars ``frame`` to ``out`` whole or not at all (:func:`frame_to`'s format)."""
    with replacing(out) as tmp:
        frame_to(frame, tmp)
    return Path(out)


def frame_to(frame, path: Path) -> None:
    """Write ``frame`` to ``path`` as it is: Parquet for ``.parquet``, else CSV."""
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)


def cannot_write(out: Path, exc: OSError, tmp: Path | None = None) -> UserError:
    """The one-line error of ``out`` that could not be written (to ``tmp``, its temporary)."""
    return UserError(f"{out}: cannot write it ({_why(exc, tmp or out)})")


def make_folder(folder: str | os.PathLike) -> Path:
    """``mkdir -p`` that fails with a ``UserError`` naming the folder (read-only, a file)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_create(folder, _why(exc, folder)) from None
    return folder


def check_writable(out: str | os.PathLike) -> Path:
    """Refuse, with the error :func:`make_folder` or :func:`replacing` would give, a file
    ``out`` that could not be written, without writing anything: a file where a folder is
    needed on its path, or a first existing folder this process may not write to. A symlink
    ``out`` is checked where :func:`replacing` writes: beside the file it points to."""
    out = Path(out)
    target = Path(os.path.realpath(out)) if out.is_symlink() else out
    folder = Path(os.path.abspath(target.parent))
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise _cannot_create(out.parent, os.strerror(errno.ENOTDIR))
    if not os.access(existing, os.W_OK | os.X_OK):
        code = errno.EROFS if _read_only(existing) else errno.EACCES
        if existing != folder:
            raise _cannot_create(out.parent, os.strerror(code))
        raise cannot_write(out, OSError(code, os.strerror(code)))
    return out


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _cannot_create(folder: Path, why: str) -> UserError:
    return UserError(f"{folder}: cannot create the folder ({why})")


def _why(exc: OSError, path: Path) -> str:
    """The reason alone: polars says 'No space left on device (os error 28): <path>'."""
    text = exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]
    text = re.sub(r" \(os error \d+\)", "", text)
    return text.replace(f": {path}", "").replace(str(path), path.name)
