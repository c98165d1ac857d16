"""Why the chat history cannot be used, as a sentence the user can act on.

SQLite's errors become a HistoryError whose `str()` says what happened and what to do;
`fault` marks a file that cannot be used at all (history_file sets it aside).
"""

from __future__ import annotations

import sqlite3
from enum import Enum


class HistoryFault(Enum):
    """Why a history file cannot be used at all, where starting a new one is the way out."""

    DAMAGED = "damaged"  # not a database, or a damaged one
    LOCKED = "locked"  # another program keeps it locked
    NEWER = "newer"  # written by a newer SupportTray
    FOREIGN = "foreign"  # another program's database
    ORPHANED = "orphaned"  # the database file is gone, its -wal is left (found by history_file)


class HistoryError(Exception):
    """The history cannot be read or written; `str()` is a sentence the user can act on.

    `fault` says when the file itself is unusable (None: the disk, permissions, a closed store).
    """

    def __init__(self, sentence: str, fault: HistoryFault | None = None) -> None:
        super().__init__(sentence)
        self.fault = fault




def fault_of(error: sqlite3.Error) -> HistoryFault | None:
    """DAMAGED or LOCKED when the error means the file itself cannot be used; else None."""
    primary = _primary_code(error)
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return HistoryFault.DAMAGED
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return HistoryFault.LOCKED
    return None


def explain(error: sqlite3.Error, where: str) -> str:
    """What a SQLite error means for the user, as a sentence that starts with `where`."""
    primary = _primary_code(error)
    unchanged = "It has not been changed"
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return (
            f"{where} is not a SupportTray chat history, or it is damaged. {unchanged}; move it "
            "aside (or restore a backup) and start SupportTray again to begin a new history."
        )
    if primary == sqlite3.SQLITE_FULL:
        return f"The disk holding {_lower(where)} is full. Free some space and try again."
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return (
            f"{where} is locked by another program (is SupportTray already running with this "
            "profile?). Close it and try again."
        )
    if primary == sqlite3.SQLITE_READONLY:
        return (
            f"{where} cannot be written: it or its folder is read-only. Check the permissions."
        )
    if primary in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        return (
            f"{where} cannot be opened. Check that its folder exists and that you may read "
            "and write it."
        )
    if primary == sqlite3.SQLITE_IOERR:
        return f"Reading or writing {_lower(where)} failed (a disk error). Check the disk."
    if isinstance(error, sqlite3.ProgrammingError) and "closed" in str(error):
        return f"{where} is closed."
    return f"{where} could not be used ({error}). Restart SupportTray; if it stays, report it."


def _primary_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code (SQLITE_CORRUPT for SQLITE_CORRUPT_VTAB, ...), if known."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _lower(where: str) -> str:
    return where[:1].lower() + where[1:]
