"""The history file's schema: its tables and the steps that bring an older file up to date.

A file says which SupportTray wrote it (`PRAGMA application_id`) and at which schema version
(`PRAGMA user_version`); `migrate` takes it from there to SCHEMA_VERSION in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Final

SCHEMA_VERSION: Final = 3
# `PRAGMA application_id` of our files ("STry"): tells our history apart from any other SQLite
# file someone points us at, which we must refuse rather than add tables to.
APPLICATION_ID: Final = 0x53547279
# The FTS5 table over message bodies (see _create_schema), for its integrity-check and rebuild.
SEARCH_INDEX: Final = "message_text"


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


# _MIGRATIONS[n] takes a file from schema version n to n + 1. Append; never edit a shipped step.
_MIGRATIONS: Final[Sequence[Callable[[sqlite3.Connection], None]]] = (
    _create_schema,
    _index_threads,
    _add_archive_position,
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

