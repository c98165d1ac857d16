"""The history as a list of conversations (by person and by request) and the staff's notes.

A conversation is one peer and one thread (messages without a thread form one conversation
per peer, thread None). Its counts and times come from the `conversation` table the schema
keeps by triggers, so a page costs one walk of an index plus a few seeks per row shown,
whatever the size of the history. Notes are private: kept and searched here, never sent.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from supporttray.core.history_schema import (
    MESSAGE_COLUMNS,
    NO_THREAD,
    MessageRow,
    from_micros,
    message_from_row,
    to_micros,
)
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage
from supporttray.core.text import first_line as first_line_of

# A summary reads this much of a body for its first line: a 1 MB pasted log stays cheap.
FIRST_LINE_SCAN_CHARS: Final = 400


# threads(): ?1 peer, ?2 thread to leave out (or NULL), ?3 how many, ?4 body chars to read.
THREADS_SQL: Final = """
    WITH t AS (
        SELECT thread, min(ts_us) AS started, count(*) AS messages
        FROM message
        WHERE peer = ?1 AND thread IS NOT NULL AND thread IS NOT ?2
        GROUP BY thread
    ),
    shown AS (
        SELECT thread, started, messages, count(*) OVER () AS total
        FROM t ORDER BY started DESC, thread LIMIT ?3
    )
    SELECT thread, started, messages, total,
           (SELECT substr(m.body, 1, ?4) FROM message m
            WHERE m.peer = ?1 AND m.thread = shown.thread AND m.direction = 'in'
            ORDER BY m.ts_us, m.seq LIMIT 1)
    FROM shown ORDER BY started DESC, thread
"""


@dataclass(frozen=True)
class ThreadSummary:
    """One earlier request with a person: when it started and what they first wrote."""

    thread: str
    started: datetime  # its first message, either way
    first_line: str | None  # of their first message in it; None when they never wrote in it
    messages: int


@dataclass(frozen=True)
class ThreadList:
    """The newest threads with a person, and how many there are in all."""

    threads: tuple[ThreadSummary, ...]
    total: int

    @property
    def more(self) -> int:
        """How many older threads are left out."""
        return self.total - len(self.threads)


def threads(db: sqlite3.Connection, peer: str, *, exclude: str | None, limit: int) -> ThreadList:
    """`HistoryStore.threads`: one walk of the peer's entries in the (peer, thread, ...) index,
    one row per thread, then one index seek per thread shown for its first line."""
    who = bare_jid(peer)
    rows = db.execute(THREADS_SQL, (who, exclude, limit, FIRST_LINE_SCAN_CHARS)).fetchall()
    total = int(rows[0][3]) if rows else 0
    if limit == 0:  # nothing to show, only the count
        total = int(db.execute(
            "SELECT count(DISTINCT thread) FROM message "
            "WHERE peer = ? AND thread IS NOT NULL AND thread IS NOT ?",
            (who, exclude),
        ).fetchone()[0])
    return ThreadList(
        tuple(
            ThreadSummary(
                thread=str(thread), started=from_micros(started),
                first_line=None if first is None else first_line_of(str(first)),
                messages=int(messages),
            )
            for thread, started, messages, _total, first in rows
        ),
        total,
    )


@dataclass(frozen=True)
class ConversationSummary:
    """One conversation: when, how long, what it was about, who answered, and its notes.

    `first_line` is of its first message, whoever wrote it (the question). `answered_by` is the
    side that did not open it, once it wrote: the peer, or the account passed as `me` when we
    answered (left out when `me` is not given). `resolved` is None until marked.
    """

    peer: str
    thread: str | None
    started: datetime
    last_at: datetime
    first_line: str | None
    messages: int
    answered_by: tuple[str, ...]
    resolved: bool | None
    notes: int


@dataclass(frozen=True)
class Note:
    """A staff member's private note on a conversation; never sent to anyone."""

    id: int
    peer: str
    thread: str | None
    author: str
    at: datetime
    body: str


def conversations(
    db: sqlite3.Connection, *, peer: str | None, before: datetime | None, limit: int, me: str,
) -> list[ConversationSummary]:
    """Newest activity first; page on by passing the last one's `last_at` as `before`."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    sql = "SELECT peer, thread, started_us, last_us, messages, incoming, resolved FROM conversation"
    where: list[str] = []
    params: list[object] = []
    if peer is not None:
        where.append("peer = ?")
        params.append(bare_jid(peer))
    if before is not None:
        where.append("last_us < ?")
        params.append(to_micros(before))
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY last_us DESC LIMIT ?"
    rows = db.execute(sql, (*params, limit)).fetchall()
    return [_summary(db, row, me) for row in rows]


def _summary(
    db: sqlite3.Connection, row: tuple[str, str, int, int, int, int, int | None], me: str,
) -> ConversationSummary:
    who, key, started_us, last_us, messages, incoming, resolved = row
    thread = None if key == NO_THREAD else key
    opener = _opening(db, who, thread)
    answered: tuple[str, ...] = ()
    if opener is not None:
        opened_by_us = opener[0] == "out"
        if opened_by_us and incoming > 0:
            answered = (who,)
        elif not opened_by_us and messages - incoming > 0 and me:
            answered = (bare_jid(me),)
    notes = int(db.execute(
        "SELECT count(*) FROM note WHERE peer = ? AND thread IS ?", (who, thread)
    ).fetchone()[0])
    return ConversationSummary(
        peer=who, thread=thread, started=from_micros(started_us), last_at=from_micros(last_us),
        first_line=None if opener is None else first_line_of(opener[1]),
        messages=messages, answered_by=answered,
        resolved=None if resolved is None else bool(resolved), notes=notes,
    )


def _opening(db: sqlite3.Connection, peer: str, thread: str | None) -> tuple[str, str] | None:
    """(direction, start of body) of a conversation's first message: the first of each side
    is one seek of the (peer, thread, direction, ts_us) index; the earlier one opened it."""
    firsts = []
    for side in ("in", "out"):
        row = db.execute(
            "SELECT ts_us, seq, direction, substr(body, 1, ?) FROM message "
            "WHERE peer = ? AND thread IS ? AND direction = ? ORDER BY ts_us, seq LIMIT 1",
            (FIRST_LINE_SCAN_CHARS, peer, thread, side),
        ).fetchone()
        if row is not None:
            firsts.append(row)
    if not firsts:
        return None
    first = min(firsts)
    return str(first[2]), str(first[3])


def mark_resolved(db: sqlite3.Connection, peer: str, thread: str | None, resolved: bool) -> bool:
    """Record whether a request was resolved; False when there is no such conversation."""
    cursor = db.execute(
        "UPDATE conversation SET resolved = ? WHERE peer = ? AND thread = ?",
        (int(resolved), bare_jid(peer), NO_THREAD if thread is None else thread),
    )
    return cursor.rowcount > 0


def add_note(
    db: sqlite3.Connection, peer: str, thread: str | None, body: str, *, author: str,
    at: datetime,
) -> Note:
    who, writer = bare_jid(peer), bare_jid(author)
    cursor = db.execute(
        "INSERT INTO note (peer, thread, author, ts_us, body) VALUES (?, ?, ?, ?, ?)",
        (who, thread, writer, to_micros(at), body),
    )
    note_id = cursor.lastrowid
    assert note_id is not None  # an INSERT into a rowid table always has one
    return Note(id=note_id, peer=who, thread=thread, author=writer,
                at=from_micros(to_micros(at)), body=body)


def notes(db: sqlite3.Connection, peer: str, thread: str | None) -> list[Note]:
    """Oldest first. `thread` None: every note with the peer; NO_THREAD (""): the notes on
    messages without a thread; else that request's."""
    where = "peer = ?"
    params: list[object] = [bare_jid(peer)]
    if thread is not None:
        where += " AND thread IS ?"
        params.append(None if thread == NO_THREAD else thread)
    return notes_where(db, where, params)


def notes_where(db: sqlite3.Connection, where: str, params: list[object]) -> list[Note]:
    """The notes a WHERE clause over the note table picks, oldest first."""
    rows = db.execute(
        f"SELECT id, peer, thread, author, ts_us, body FROM note WHERE {where} "
        "ORDER BY ts_us, id", params,
    ).fetchall()
    return [
        Note(id=int(i), peer=str(p), thread=None if t is None else str(t), author=str(a),
             at=from_micros(int(ts)), body=str(b))
        for i, p, t, a, ts, b in rows
    ]


def where_between(
    peer: str | None, thread: str | None, since: datetime | None, until: datetime | None, *,
    prefix: str,
) -> tuple[str, list[object]]:
    """A WHERE clause (and its parameters) for one peer, one thread and a time range."""
    where, params = ["1"], list[object]()
    if peer is not None:
        where.append(f"{prefix}peer = ?")
        params.append(bare_jid(peer))
    if thread is not None:
        where.append(f"{prefix}thread IS ?")
        params.append(None if thread == NO_THREAD else thread)
    if since is not None:
        where.append(f"{prefix}ts_us >= ?")
        params.append(to_micros(since))
    if until is not None:
        where.append(f"{prefix}ts_us < ?")
        params.append(to_micros(until))
    return " AND ".join(where), params


def messages_between(
    db: sqlite3.Connection, *, peer: str | None, thread: str | None,
    since: datetime | None, until: datetime | None, limit: int, newest: bool = False,
) -> list[ChatMessage]:
    where, params = where_between(peer, thread, since, until, prefix="m.")
    order = "DESC" if newest else ""
    rows: list[MessageRow] = db.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM message m WHERE {where} "
        f"ORDER BY m.ts_us {order}, m.seq {order} LIMIT ?",
        (*params, limit),
    ).fetchall()
    if newest:
        rows.reverse()
    return [message_from_row(row) for row in rows]


def notes_between(
    db: sqlite3.Connection, *, peer: str | None, thread: str | None,
    since: datetime | None, until: datetime | None,
) -> list[Note]:
    where, params = where_between(peer, thread, since, until, prefix="")
    return notes_where(db, where, params)


def around(
    db: sqlite3.Connection, peer: str, message_id: str, *, before: int, after: int,
) -> list[ChatMessage]:
    """`HistoryStore.around`: two walks of the (peer, ts_us) index from the message."""
    who = bare_jid(peer)
    row = db.execute(
        "SELECT ts_us, seq FROM message WHERE id = ? AND peer = ?", (message_id, who)
    ).fetchone()
    if row is None:
        return []
    ts_us, seq = row
    older: list[MessageRow] = db.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM message m WHERE m.peer = ? AND "
        "(m.ts_us < ? OR (m.ts_us = ? AND m.seq < ?)) ORDER BY m.ts_us DESC, m.seq DESC LIMIT ?",
        (who, ts_us, ts_us, seq, max(before, 0)),
    ).fetchall()
    newer: list[MessageRow] = db.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM message m WHERE m.peer = ? AND "
        "(m.ts_us > ? OR (m.ts_us = ? AND m.seq >= ?)) ORDER BY m.ts_us, m.seq LIMIT ?",
        (who, ts_us, ts_us, seq, max(after, 0) + 1),
    ).fetchall()
    return [message_from_row(r) for r in reversed(older)] + [message_from_row(r) for r in newer]


def delete_conversation(db: sqlite3.Connection, peer: str, thread: str | None) -> int:
    """Messages and notes (the triggers take their search rows and summary along), in one
    transaction; how many messages went. `thread` as for `notes`."""
    where = "peer = ?"
    params: list[object] = [bare_jid(peer)]
    if thread is not None:
        where += " AND thread IS ?"
        params.append(None if thread == NO_THREAD else thread)
    db.execute("BEGIN IMMEDIATE")
    try:
        deleted = db.execute(f"DELETE FROM message WHERE {where}", params).rowcount
        db.execute(f"DELETE FROM note WHERE {where}", params)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return int(deleted)
