"""The history file's schema: its tables and the steps that bring an older file up to date.

A file says which SupportTray wrote it (`PRAGMA application_id`) and at which schema version
(`PRAGMA user_version`); `migrate` takes it from there to SCHEMA_VERSION in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from supporttray.core.messages import ChatMessage, Delivery, Direction

SCHEMA_VERSION: Final = 4
# `PRAGMA application_id` of our files ("STry"): tells our history apart from any other SQLite
# file someone points us at, which we must refuse rather than add tables to.
APPLICATION_ID: Final = 0x53547279
# The FTS5 table over message bodies (see _create_schema), for its integrity-check and rebuild.
SEARCH_INDEX: Final = "message_text"
# The FTS5 table over staff notes (see _add_notes_and_conversations).
NOTE_INDEX: Final = "note_text"

# Times are stored as integer microseconds since the Unix epoch, UTC.
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND: Final = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """An aware datetime as the file stores it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("history timestamps must be timezone-aware")
    return (moment - _EPOCH) // _ONE_MICROSECOND


def from_micros(micros: int) -> datetime:
    """A stored time as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


# A message row as the store reads it (alias `m`), and its type.
MESSAGE_COLUMNS: Final = (
    "m.id, m.peer, m.direction, m.body, m.ts_us, m.thread, m.delivery, m.sysinfo")
MessageRow = tuple[str, str, str, str, int, str | None, str, str | None]


def message_from_row(row: MessageRow) -> ChatMessage:
    """A row of MESSAGE_COLUMNS as a ChatMessage."""
    id_, peer, direction, body, ts_us, thread, delivery, sysinfo = row
    pairs: tuple[tuple[str, str], ...] = ()
    if sysinfo:
        pairs = tuple((str(k), str(v)) for k, v in json.loads(sysinfo))
    return ChatMessage(
        id=id_, peer=peer, direction=Direction(direction), body=body,
        timestamp=from_micros(ts_us), thread=thread, delivery=Delivery(delivery),
        sysinfo=pairs,
    )


class NoFullTextSearch(Exception):
    """SQLite was built without FTS5; `str()` says what to do."""


def _create_schema(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE message (
            seq       INTEGER PRIMARY KEY,  -- storage order: the order things were typed
            id        TEXT NOT NULL,        -- stanza id / origin-id
            peer      TEXT NOT NULL,        -- bare JID of the other side
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            delivery  TEXT NOT NULL
                      CHECK (delivery IN ('queued', 'sent', 'delivered', 'received')),
            ts_us     INTEGER NOT NULL,     -- UTC, microseconds since the Unix epoch
            thread    TEXT,
            body      TEXT NOT NULL,
            sysinfo   TEXT,                 -- JSON [[key, value], ...] or NULL
            UNIQUE (id, peer)               -- a redelivery or a carbon is the same message
        )
        """
    )
    db.execute("CREATE INDEX message_by_peer_time ON message (peer, ts_us)")
    db.execute("CREATE INDEX message_by_state ON message (direction, delivery)")
    try:
        db.execute(
            "CREATE VIRTUAL TABLE message_text USING fts5(body, content='message', "
            "content_rowid='seq', tokenize='unicode61 remove_diacritics 2')"
        )
    except sqlite3.OperationalError as e:
        if "fts5" in str(e):
            raise NoFullTextSearch(
                "This system's SQLite library has no full-text search (FTS5), which the chat "
                "history needs. Install a Python built with FTS5 (python.org builds have it)."
            ) from e
        raise
    # The index follows the table by triggers, so every write is one statement, one transaction.
    db.execute(
        "CREATE TRIGGER message_text_insert AFTER INSERT ON message BEGIN "
        "INSERT INTO message_text (rowid, body) VALUES (new.seq, new.body); END"
    )
    db.execute(
        "CREATE TRIGGER message_text_delete AFTER DELETE ON message BEGIN "
        "INSERT INTO message_text (message_text, rowid, body) "
        "VALUES ('delete', old.seq, old.body); END"
    )
    db.execute(
        "CREATE TRIGGER message_text_update AFTER UPDATE OF body ON message BEGIN "
        "INSERT INTO message_text (message_text, rowid, body) "
        "VALUES ('delete', old.seq, old.body); "
        "INSERT INTO message_text (rowid, body) VALUES (new.seq, new.body); END"
    )


def _index_threads(db: sqlite3.Connection) -> None:
    # A person's earlier requests (`threads`) and one thread's messages: grouping by thread and
    # finding each thread's first incoming message are walks of this index alone. About 1.5 s
    # once, when a 1M-message history is first opened by this version.
    db.execute("CREATE INDEX message_by_peer_thread ON message (peer, thread, direction, ts_us)")


def _add_archive_position(db: sqlite3.Connection) -> None:
    # How far each account's server archive (XEP-0313) has been read: the last stanza-id
    # taken from it (live or caught up), and that message's time for when the server no
    # longer knows the id. One row per account.
    db.execute(
        """
        CREATE TABLE archive_position (
            account   TEXT PRIMARY KEY,   -- bare JID whose archive it is
            stanza_id TEXT NOT NULL,      -- the archive's id of the newest message read
            ts_us     INTEGER NOT NULL    -- that message's time (UTC, µs since the epoch)
        )
        """
    )


# The conversation summary's key for messages without a thread (a PRIMARY KEY cannot be NULL).
NO_THREAD: Final = ""

# One side's first/last message time in one conversation is one seek of message_by_peer_thread
# (peer, thread, direction, ts_us); a conversation's is the earlier/later of the two sides.
_SIDE_TIME = (
    "(SELECT {agg}(x) FROM ("
    "SELECT {agg}(ts_us) AS x FROM message WHERE peer = old.peer AND thread IS old.thread "
    "AND direction = 'in' UNION ALL "
    "SELECT {agg}(ts_us) FROM message WHERE peer = old.peer AND thread IS old.thread "
    "AND direction = 'out'))"
)


def _add_notes_and_conversations(db: sqlite3.Connection) -> None:
    # Staff notes: kept with the transcript and searchable, never sent. Their own FTS5 table,
    # same tokenizer as the messages', kept by triggers like the messages' index.
    db.execute(
        """
        CREATE TABLE note (
            id     INTEGER PRIMARY KEY,
            peer   TEXT NOT NULL,        -- bare JID of the conversation's other side
            thread TEXT,                 -- the request it is about, or NULL
            author TEXT NOT NULL,        -- bare JID of the staff member who wrote it
            ts_us  INTEGER NOT NULL,     -- UTC, microseconds since the Unix epoch
            body   TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX note_by_peer_thread ON note (peer, thread, ts_us)")
    db.execute("CREATE INDEX note_by_time ON note (ts_us)")
    db.execute(
        "CREATE VIRTUAL TABLE note_text USING fts5(body, content='note', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TRIGGER note_text_insert AFTER INSERT ON note BEGIN "
        "INSERT INTO note_text (rowid, body) VALUES (new.id, new.body); END"
    )
    db.execute(
        "CREATE TRIGGER note_text_delete AFTER DELETE ON note BEGIN "
        "INSERT INTO note_text (note_text, rowid, body) VALUES ('delete', old.id, old.body); END"
    )
    # One row per (peer, thread): the history window's first page over a million messages is
    # one walk of conversation_by_last, never a GROUP BY over every message. Kept by triggers,
    # so every message write stays one statement, one transaction.
    db.execute(
        f"""
        CREATE TABLE conversation (
            peer       TEXT NOT NULL,
            thread     TEXT NOT NULL,      -- '{NO_THREAD}' for messages without a thread
            started_us INTEGER NOT NULL,   -- its first message, either way
            last_us    INTEGER NOT NULL,   -- its newest message, either way
            messages   INTEGER NOT NULL,
            incoming   INTEGER NOT NULL,   -- how many of them came from the peer
            resolved   INTEGER,            -- 1 / 0 when known (mark_resolved), else NULL
            PRIMARY KEY (peer, thread)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX conversation_by_last ON conversation (last_us)")
    db.execute("CREATE INDEX conversation_by_peer_last ON conversation (peer, last_us)")
    db.execute(
        "INSERT INTO conversation (peer, thread, started_us, last_us, messages, incoming) "
        f"SELECT peer, coalesce(thread, '{NO_THREAD}'), min(ts_us), max(ts_us), count(*), "
        "sum(direction = 'in') FROM message GROUP BY peer, coalesce(thread, '')"
    )
    db.execute(
        "CREATE TRIGGER conversation_insert AFTER INSERT ON message BEGIN "
        "INSERT INTO conversation (peer, thread, started_us, last_us, messages, incoming) "
        f"VALUES (new.peer, coalesce(new.thread, '{NO_THREAD}'), new.ts_us, new.ts_us, 1, "
        "new.direction = 'in') "
        "ON CONFLICT (peer, thread) DO UPDATE SET "
        "started_us = min(started_us, excluded.started_us), "
        "last_us = max(last_us, excluded.last_us), "
        "messages = messages + 1, incoming = incoming + excluded.incoming; END"
    )
    key = f"peer = old.peer AND thread = coalesce(old.thread, '{NO_THREAD}')"
    # A purge deletes the oldest first: its start moves on by two index seeks per message.
    db.execute(
        "CREATE TRIGGER conversation_delete AFTER DELETE ON message BEGIN "
        f"DELETE FROM conversation WHERE {key} AND messages <= 1; "
        "UPDATE conversation SET messages = messages - 1, "
        "incoming = incoming - (old.direction = 'in'), "
        f"started_us = CASE WHEN started_us = old.ts_us THEN {_SIDE_TIME.format(agg='min')} "
        "ELSE started_us END, "
        f"last_us = CASE WHEN last_us = old.ts_us THEN {_SIDE_TIME.format(agg='max')} "
        f"ELSE last_us END WHERE {key}; END"
    )


# _MIGRATIONS[n] takes a file from schema version n to n + 1. Append; never edit a shipped step.
_MIGRATIONS: Final[Sequence[Callable[[sqlite3.Connection], None]]] = (
    _create_schema,
    _index_threads,
    _add_archive_position,
    _add_notes_and_conversations,
)
assert len(_MIGRATIONS) == SCHEMA_VERSION


def migrate(db: sqlite3.Connection) -> int:
    """Bring an open connection's schema up to SCHEMA_VERSION in one transaction; returns the
    version it was at. The connection must be in autocommit mode (isolation_level=None)."""
    db.execute("BEGIN IMMEDIATE")  # re-read the version under the write lock: two apps may race
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        for step in range(found, SCHEMA_VERSION):
            _MIGRATIONS[step](db)
        if found < SCHEMA_VERSION:
            # PRAGMAs take no parameters; both values are integer constants of this module.
            db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return found

