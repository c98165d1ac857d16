"""Opening the chat history at start-up: a file that cannot be used is set aside, never lost.

A history that is not a database, is damaged (`PRAGMA quick_check`), was written by a newer
SupportTray, is another program's database, or is kept locked by a running program must not
stop the app: it is renamed with its -wal/-shm/-journal companions to a timestamped name next
to it (`history.damaged-20260301T090000Z.sqlite3`), the reason goes to the log with its
traceback, a new history is started, and the user is told in one sentence where the old one
went. A broken search index alone is no reason to set anything aside: it is rebuilt from the
messages, which are all still there.

Moving the files is file I/O on a path we are given, like the SQLite I/O the store does on the
same file, so it lives here beside the store: no OS is probed, no platform is told apart, and
a temporary directory is all a test needs.

"Locked" can only be a live program. SQLite's locks are the OS's advisory locks, which the
kernel drops when their process dies, even by `kill -9`; the next opener replays a stale -wal
and rebuilds a stale -shm by itself. So a crashed SupportTray never blocks the next one, and
what still holds the lock after BUSY_TIMEOUT_S is another program (a database browser, a
backup tool). Renaming a file that program has open is safe where POSIX lets us: it goes on
with the renamed files, and SQLite, seeing its database moved, neither checkpoints into nor
deletes the new history's -wal when it closes. Where the rename fails (an open file on
Windows), this session's messages stay in memory and the sentence says so.

Threads: `check_history` reads the whole file, about 2.6 ms per 1,000 messages (quick_check
1.4 ms, the search index 1.2 ms; measured on 100k messages, 45 MB), so the launcher runs it
on a worker thread while the tray icon goes up. `open_history` then opens the store on the
UI thread, which owns it.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from supporttray.core import history as store_module  # its BUSY_TIMEOUT_S, read when used
from supporttray.core.clock import Clock, utc_now
from supporttray.core.history import (
    MEMORY,
    SEARCH_INDEX,
    HistoryError,
    HistoryFault,
    HistoryStore,
    fault_of,
)
from supporttray.core.history_schema import NOTE_INDEX

log = logging.getLogger("supporttray.store")

# The files SQLite keeps beside a database. They move with it: a database without its -wal
# has lost its last commits (a -shm is only rebuilt, but one name for all is simplest).
COMPANIONS: Final = ("-wal", "-shm", "-journal")
# How many of quick_check's complaints go to the log.
QUICK_CHECK_LINES: Final = 5

_REASONS: Final = {
    HistoryFault.DAMAGED: "the file is damaged",
    HistoryFault.LOCKED: "another program kept it locked",
    HistoryFault.NEWER: "a newer version of SupportTray wrote it",
    HistoryFault.FOREIGN: "it is another program's database, not a SupportTray history",
    HistoryFault.ORPHANED: ("its database file was missing; only the log of its last changes "
                            "was left"),
}
# What the user can do with the file set aside; {name} is the history's own file name. Its
# last commits may be in its -wal (a program that held the lock wrote on after the move).
_ADVICE: Final = {
    HistoryFault.DAMAGED: " IT may be able to recover messages from it.",
    HistoryFault.LOCKED: (" To take it up again, close that program, quit SupportTray and rename "
                          "it (and its -wal file, if any) back to {name}."),
    HistoryFault.NEWER: (" To read it again, update SupportTray, then rename it (and its -wal "
                         "file, if any) back to {name}."),
}


@dataclass(frozen=True)
class HistoryCheck:
    """What `check_history` found, for `open_history` on the UI thread."""

    path: Path
    notice: str | None = None  # what the user must be told about their history, or None
    usable: bool = True  # False: the file is still unusable where it is (it could not be moved)


@dataclass(frozen=True)
class OpenedHistory:
    """The store the app runs on, and what the user must be told about it."""

    store: HistoryStore
    notice: str | None = None

    def as_status(self) -> dict[str, str | None]:
        """`status --json`'s "history": the file (null: memory only) and the notice."""
        path = self.store.path
        return {"file": None if path is None else str(path), "notice": self.notice}


@dataclass(frozen=True)
class _Unusable:
    fault: HistoryFault
    error: BaseException | None = None  # for the log's traceback
    details: str = ""  # quick_check's complaints, for the log


def check_history(path: Path, *, clock: Clock = utc_now) -> HistoryCheck:
    """Open, migrate and check the history at `path`, and set it aside if it cannot be used.

    Reads the whole file: run it off the UI thread. Never raises for what the file holds."""
    problem = _problem_of(path)
    if problem is None:
        return HistoryCheck(path)
    reason = _REASONS[problem.fault]
    try:
        moved = set_aside(path, problem.fault, clock())
    except OSError as e:
        log.error("history %s: %s%s, and it cannot be moved aside: %s", path, reason,
                  problem.details, e, exc_info=problem.error or e)
        return HistoryCheck(path, (
            f"Your chat history could not be opened ({reason}) nor moved aside "
            f"({e.strerror or e}); this session's messages are kept in memory only and are "
            f"lost when SupportTray quits. Move {path} aside yourself and start SupportTray "
            "again."
        ), usable=False)
    if not moved.exists():  # only a -wal was left
        moved = _with(moved, "-wal")
    log.error("history %s: %s%s; moved to %s and started a new one", path, reason,
              problem.details, moved, exc_info=problem.error)
    return HistoryCheck(path, (
        f"Your chat history could not be opened ({reason}); it was moved to {moved} and a new "
        f"one was started.{_ADVICE.get(problem.fault, '').format(name=path.name)}"
    ))


def open_history(check: HistoryCheck) -> OpenedHistory:
    """The store for `check.path` (on the calling thread, which then owns it); in memory, with
    a notice that says so, when even a new file cannot be opened (disk full, no permission)."""
    if not check.usable:
        return OpenedHistory(HistoryStore(MEMORY), check.notice)
    try:
        return OpenedHistory(HistoryStore(check.path), check.notice)
    except HistoryError as e:
        log.error("history %s cannot be opened: this session's messages are kept in memory "
                  "only", check.path, exc_info=True)
        notice = (f"{e} Until then, this session's messages are kept in memory only and are "
                  "lost when SupportTray quits.")
        return OpenedHistory(HistoryStore(MEMORY),
                             notice if check.notice is None else f"{check.notice} {notice}")


def set_aside(path: Path, fault: HistoryFault, now: datetime) -> Path:
    """Rename the history and its companions to `<stem>.<fault>-<UTC time><suffix>` beside it;
    the new name of the database (its companions are that name plus -wal, -shm, -journal)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in itertools.count(1):
        target = path.with_name(f"{path.stem}.{fault.value}-{stamp}{f'-{n}' if n > 1 else ''}"
                                f"{path.suffix}")
        if not any(_with(target, c).exists() for c in ("", *COMPANIONS)):
            break
    # The database first: if we die between two renames, what is left at `path` is a lone
    # -wal, which the next start sets aside as well, never a database without its last commits.
    for companion in ("", *COMPANIONS):
        source = _with(path, companion)
        if source.exists():
            os.rename(source, _with(target, companion))
    return target


def set_aside_histories(path: Path) -> list[Path]:
    """The histories `set_aside` moved from `path` (for `doctor`), newest first (for one of
    which only a -wal was left: the name that -wal belongs to)."""
    name = re.compile(
        "(?P<base>" + re.escape(path.stem) + r"\.(?:" + "|".join(f.value for f in HistoryFault)
        + r")-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?" + re.escape(path.suffix) + ")"
        + "(?:" + "|".join(COMPANIONS) + ")?"
    )
    found: dict[Path, tuple[str, int]] = {}
    for entry in path.parent.glob(f"{path.stem}.*"):
        match = name.fullmatch(entry.name)
        if match is not None:
            found[path.with_name(match["base"])] = (match["stamp"], int(match["n"] or 1))
    return sorted(found, key=found.__getitem__, reverse=True)


def _problem_of(path: Path) -> _Unusable | None:
    if not path.exists():
        # A -wal whose database was deleted: SQLite would delete it when it makes the new
        # database, so it is set aside like any other history we cannot use.
        return _Unusable(HistoryFault.ORPHANED) if _with(path, "-wal").exists() else None
    try:
        # The store's own checks, in the order it makes them: a database at all, ours, not
        # newer, the write lock (within BUSY_TIMEOUT_S), then migrations (here, off the UI
        # thread, rather than in the store the UI thread opens next).
        HistoryStore(path).close()
    except HistoryError as e:
        if e.fault is None:
            # The disk is full, or we may not write there: a new file would fare no better. The
            # store opened next raises the same sentence, and the session goes on in memory.
            log.debug("history %s: not set aside: %s", path, e)
            return None
        return _Unusable(e.fault, e)
    return _damage_in(path)


def _damage_in(path: Path) -> _Unusable | None:
    """What quick_check finds wrong with every page of the file; the search index is checked
    too and rebuilt from the messages if it is broken."""
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True,
                                     isolation_level=None,
                                     timeout=store_module.BUSY_TIMEOUT_S)) as db:
            rows = db.execute(f"PRAGMA quick_check({QUICK_CHECK_LINES:d})").fetchall()
            if rows != [("ok",)]:
                return _Unusable(HistoryFault.DAMAGED,
                                 details=": " + "; ".join(str(row[0]) for row in rows))
            _check_search_index(db, path)
    except sqlite3.Error as e:
        fault = fault_of(e)
        if fault is None:
            log.debug("history %s: not set aside: %s", path, e)
            return None
        return _Unusable(fault, e)
    return None


def _check_search_index(db: sqlite3.Connection, path: Path) -> None:
    for index in (SEARCH_INDEX, NOTE_INDEX):
        try:
            db.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as e:
            if fault_of(e) is not HistoryFault.DAMAGED:
                raise
            log.warning("history %s: the search index %s is damaged; rebuilding it from the "
                        "messages and notes", path, index, exc_info=True)
            # One statement, one transaction: a crash during it leaves the old index, not half.
            db.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
            log.warning("history %s: search index rebuilt (%s)", path, index)


def _with(path: Path, companion: str) -> Path:
    return path.with_name(path.name + companion)
