"""Errors a user can act on.

A :class:`UserError` is bad input, a missing file or bad data: the CLI prints its
message on one line and exits with status 1, without a traceback. Anything else
is a bug and keeps its traceback.

Example
-------
>>> raise UserError("ads.csv, row 12, field posted_at: '2031-02-30' is not a date")
Traceback (most recent call last):
...
skilltide.errors.UserError: ads.csv, row 12, field posted_at: '2031-02-30' is not a date
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: the message names the file, row and field."""


class WarehouseLocked(UserError):
    """Another process holds the warehouse (a second concurrent run)."""


class WarehouseWriteError(UserError):
    """The warehouse file could not be written (a full disk): not the input's fault, so
    ``skilltide run`` fails the stage instead of rejecting the file it was reading."""
