"""The text encoding an ad file is read in: UTF-8 by default, or any codec Python knows.

UTF-8 (the default) is read on Arrow's fast path; a field whose bytes are not valid UTF-8 is
quarantined as ``broken_encoding`` naming the field. A file written in another encoding
(``latin-1``, ``cp1252`` from Excel on Windows, ``shift_jis``, …) is read with
``skilltide ingest ads --encoding NAME`` (``[ingest] encoding``, or ``encoding`` in a
``[[sources]]`` table): every field is decoded in it, and a byte that is no character of it
(``0x81`` in cp1252) is ``broken_encoding`` too. CSV/TSV and JSON Lines files, plain or gzip,
honour it; Parquet stores text as UTF-8 by definition and ignores it.

Only encodings that write ASCII as ASCII, and no other character with the bytes of a
delimiter, quote or line end, are read (those are found in the bytes): UTF-16 and UTF-32, and
ISO-2022-JP or HZ (whose "が" is written ``ESC $ B % , ESC ( B``, a comma in it), are refused
with a hint to save the file as UTF-8; Shift_JIS, GBK, Big5 or EUC-KR are read.

Example
-------
>>> check_encoding("Latin1")
'latin-1'
>>> "Café".encode("cp1252").decode(check_encoding("windows-1252"))
'Café'
>>> check_encoding("utf-16")  # doctest: +ELLIPSIS
Traceback (most recent call last):
skilltide.errors.UserError: encoding 'utf-16' does not write ASCII as ASCII ...; save ... as UTF-8
"""

from __future__ import annotations

import codecs

from skilltide.errors import UserError

DEFAULT = "utf-8"
# what the broken_encoding hints suggest
HINT = (
    "if the file is not UTF-8, pass --encoding NAME (e.g. cp1252 or latin-1; in a config: "
    "[ingest] encoding, or encoding in the file's [[sources]])"
)
# the names people write, shown as they know them
_SHOWN = {"iso8859-1": "latin-1", "utf-8-sig": DEFAULT}
_ASCII = "\t\n\r \"',;:{}[]0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# the bytes that split a CSV/TSV file into records and fields (and JSON Lines into lines), and
# the other characters (below the surrogates: every script in use), written without them
_STRUCTURE = b'\t\n\r",;'


def check_encoding(value: object, where: str = "encoding") -> str:
    """``value`` as a codec's canonical name (``latin1`` -> ``latin-1``; ``utf-8-sig`` is
    ``utf-8``: a byte order mark is always skipped), else a :class:`UserError` naming
    ``where`` (an unknown codec, or one that does not write ASCII as ASCII)."""
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{where} must be the name of a text encoding such as utf-8 or cp1252")
    try:
        name = codecs.lookup(value.strip()).name
        name = _SHOWN.get(name, name)
    except LookupError:
        raise UserError(
            f"{where}: unknown encoding {value!r}; use utf-8 (the default), cp1252, latin-1 "
            "or another encoding Python knows"
        ) from None
    try:
        ascii_safe = _ASCII.encode(name) == _ASCII.encode("ascii")
    except (UnicodeError, LookupError):  # a bytes-to-bytes codec (rot13, zlib …)
        ascii_safe = False
    if not ascii_safe:
        raise UserError(
            f"{where} {value!r} does not write ASCII as ASCII (delimiters and line ends could "
            "not be found); save the file as UTF-8"
        )
    others = "".join(map(chr, range(0x80, 0xD800))).encode(name, errors="ignore")  # ~10 ms
    if any(byte in others for byte in _STRUCTURE):
        raise UserError(
            f"{where} {value!r} writes other characters with the bytes of delimiters, quotes "
            "or line ends (fields would be split inside them); save the file as UTF-8"
        )
    return name
