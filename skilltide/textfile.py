"""Text files users hand to skilltide (config files, title lists): UTF-8, with or without the
byte order mark some editors write, and a clear error naming the file and line otherwise.

Example
-------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "titles.txt"
>>> _ = path.write_bytes("\\ufeffNurse\\nCarpenter\\n".encode())
>>> read_utf8(path).splitlines()
['Nurse', 'Carpenter']
"""

from __future__ import annotations

from pathlib import Path

from skilltide.errors import UserError


def read_utf8(path: Path) -> str:
    """The file's text without a leading byte order mark; a :class:`UserError` naming the
    first line that is not valid UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}, line {line}: not valid UTF-8 text") from None
