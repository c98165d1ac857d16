"""The local record of every chat message, and the outbox of what is still to be sent.

A message is written here before it is sent or shown, so nothing typed is lost across
disconnects, crashes or restarts: an outgoing message stays QUEUED in the store until the
session is back and it has been handed to the server.

Storage is stdlib sqlite3 in WAL mode with `synchronous=NORMAL`. Every write is one statement
in its own transaction (the search index follows by trigger), and once `add()` returns the
message survives a crash of the app, even `kill -9`: the commit is in the -wal file, which the
next opener replays. A power cut may lose the last few commits (the -wal is synced at
checkpoints, not per commit) but never corrupts the file. FULL would sync every commit: 0.37
instead of 0.10 ms per `add()` on the virtual disk it was measured on, an fsync per message
on the UI thread (slower disks take milliseconds each; a burst of offline messages is
hundreds), only to keep the last moments before a power cut. Bodies are indexed with FTS5.
A file that cannot be used at all is set aside at start-up (`history_file`).

Threads: a `HistoryStore` belongs to the thread that opened it (the asyncio/Qt thread), where
each single-message operation takes well under a millisecond. Bulk work -- a search over a
million messages, an export, a big first purge -- must not run there: give it to an executor
with its own connection, from `open_reader()` (or a second `HistoryStore(path)` opened on that
thread, to purge). WAL lets the two connections work at the same time.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Final

from supporttray.core import history_conversations as conversation_index
from supporttray.core.history_conversations import THREADS_SQL as THREADS_SQL
from supporttray.core.history_conversations import ConversationSummary as ConversationSummary
from supporttray.core.history_conversations import Note as Note
from supporttray.core.history_conversations import ThreadList as ThreadList
from supporttray.core.history_conversations import ThreadSummary as ThreadSummary
from supporttray.core.history_errors import HistoryError as HistoryError
from supporttray.core.history_errors import HistoryFault as HistoryFault
from supporttray.core.history_errors import explain as explain
from supporttray.core.history_errors import fault_of as fault_of
from supporttray.core.history_schema import APPLICATION_ID as APPLICATION_ID
from supporttray.core.history_schema import MESSAGE_COLUMNS as _COLUMNS
from supporttray.core.history_schema import NO_THREAD as NO_THREAD
from supporttray.core.history_schema import SCHEMA_VERSION as SCHEMA_VERSION
from supporttray.core.history_schema import SEARCH_INDEX as SEARCH_INDEX
from supporttray.core.history_schema import MessageRow as _Row
from supporttray.core.history_schema import NoFullTextSearch, migrate
from supporttray.core.history_schema import from_micros as _from_micros
from supporttray.core.history_schema import message_from_row as _message_from
from supporttray.core.history_schema import to_micros as _to_micros
from supporttray.core.history_search import SearchHit as SearchHit
from supporttray.core.history_search import find as find_hits
from supporttray.core.history_search import fts_query as fts_query
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ArchivePosition, ChatMessage, Delivery, Direction

log = logging.getLogger("supporttray.store")

MEMORY: Final = ":memory:"
# How long a write waits for another connection's write to finish before giving up. Short,
# because the writer runs on the UI thread; only a second process on the same file waits here.
BUSY_TIMEOUT_S: float = 2.0
# Messages deleted per transaction by purge_older_than (about 20 ms each).
PURGE_BATCH: Final = 500

_NO_END: Final = 2**63 - 1  # later than any timestamp
# Delivery only moves forward: queued -> sent -> delivered. RECEIVED is for incoming messages.
_PROGRESS: Final = {Delivery.QUEUED: 0, Delivery.SENT: 1, Delivery.DELIVERED: 2}



class HistoryStore:
    """Every message in and out, by peer and time, searchable; outgoing ones until delivered.

    Open with a file path, or ":memory:" for tests. See the module docstring for threads.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self._setup(path, read_only=read_only, memory_uri=None)

    def _setup(self, path: Path | str, *, read_only: bool, memory_uri: str | None) -> None:
        self._memory = str(path) == MEMORY
        self._path = Path(path)
        self._read_only = read_only
        self._where = "The in-memory chat history" if self._memory else (
            f"The history file {self._path}"
        )
        self._closed = False
        if self._memory:
            # A named shared-cache memory database, so open_reader() can reach it too.
            self._uri = memory_uri or (
                f"file:supporttray-history-{uuid.uuid4().hex}?mode=memory&cache=shared"
            )
        else:
            if not read_only:
                self._create_private_file()
            self._uri = self._path.resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rwc")
        with self._guard("open"):
            self._db = sqlite3.connect(
                self._uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S,
                # A reader is made on the loop thread and used on an executor thread.
                check_same_thread=not read_only,
            )
        try:
            with self._guard("open"):
                self._open()
        except BaseException:
            self._db.close()
            raise

    # -- opening ----------------------------------------------------------------------------
    def _create_private_file(self) -> None:
        """Parent folders and an empty 0600 file: SQLite gives its -wal/-shm files the same mode."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            log.info("created a new history file %s", self._path)
        except FileExistsError:
            pass
        except OSError as e:
            raise HistoryError(
                f"{self._where} cannot be created ({e.strerror}). Check that its folder "
                "exists and that you may write to it."
            ) from e

    def _open(self) -> None:
        db = self._db
        # Read first: a file that is not ours fails here, before anything is written to it.
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        has_tables = db.execute("SELECT EXISTS (SELECT 1 FROM sqlite_schema)").fetchone()[0]
        if app_id != APPLICATION_ID and (app_id != 0 or has_tables):
            raise HistoryError(
                f"{self._where} is a database, but not a SupportTray chat history. It has not "
                "been changed; move it aside or choose another profile.",
                HistoryFault.FOREIGN,
            )
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self._where} was written by a newer version of SupportTray (history format "
                f"{version}; this version reads up to {SCHEMA_VERSION}). Update SupportTray; "
                "the file has not been changed.",
                HistoryFault.NEWER,
            )
        if self._read_only:
            db.execute("PRAGMA query_only = ON")
            if version == 0:
                raise HistoryError(f"{self._where} has no chat history yet.")
            if version != SCHEMA_VERSION:
                # A reader never migrates: the app does, at its next start.
                raise HistoryError(
                    f"{self._where} was written by an earlier version of SupportTray. Start "
                    "SupportTray once to bring it up to date, then try again.")
            return
        wal = True
        if not self._memory:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            wal = str(mode).lower() == "wal"
            if not wal:
                # Some network file systems cannot do WAL; the history still works, slower.
                log.warning("history file %s stays in %s journal mode", self._path, mode)
        # NORMAL is safe in WAL mode (see the module docstring); with a rollback journal SQLite
        # documents a small chance that a power cut corrupts the file under NORMAL, so FULL.
        db.execute(f"PRAGMA synchronous = {'NORMAL' if wal else 'FULL'}")
        try:
            found = migrate(db)
        except NoFullTextSearch as e:
            raise HistoryError(str(e)) from e
        if found != SCHEMA_VERSION:
            log.info("history %s: schema %d -> %d", self._describe(), found, SCHEMA_VERSION)

    def open_reader(self) -> HistoryStore:
        """A second, read-only connection to the same history, for bulk work on an executor
        thread (search over a big history, export). Close it when done; use it from one
        thread at a time."""
        self._check_open()
        if self._memory:
            reader = HistoryStore.__new__(HistoryStore)
            reader._setup(self._path, read_only=True, memory_uri=self._uri)
            return reader
        return HistoryStore(self._path, read_only=True)

    @property
    def path(self) -> Path | None:
        """The file, or None for an in-memory history."""
        return None if self._memory else self._path

    # -- writing ----------------------------------------------------------------------------
    def add(self, message: ChatMessage) -> bool:
        """Store a message before it is sent or shown. False if (id, peer) is already stored
        (a server redelivery, a carbon): then nothing changes.

        An incoming message is stored as RECEIVED whatever its `delivery` says (the only
        state an incoming message has; ChatMessage defaults to QUEUED).
        """
        self._check_writable()
        delivery = message.delivery
        if message.direction is Direction.IN:
            delivery = Delivery.RECEIVED
        elif delivery is Delivery.RECEIVED:
            raise ValueError("an outgoing message cannot be RECEIVED")
        sysinfo = json.dumps(message.sysinfo, ensure_ascii=False) if message.sysinfo else None
        with self._guard("add"):
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO message "
                "(id, peer, direction, delivery, ts_us, thread, body, sysinfo) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.id, bare_jid(message.peer), message.direction.value, delivery.value,
                    _to_micros(message.timestamp), message.thread, message.body, sysinfo,
                ),
            )
        added = cursor.rowcount == 1
        if not added:
            log.debug("message %s already stored: ignored", message.id)
        return added

    def set_delivery(
        self, message_id: str, delivery: Delivery, *, peer: str | None = None
    ) -> bool:
        """Move an outgoing message forward (queued -> sent -> delivered), never back: a late
        SENT after DELIVERED changes nothing. `peer` narrows it down when ids may repeat across
        peers. True if the state changed."""
        self._check_writable()
        if delivery not in _PROGRESS:
            raise ValueError(f"an outgoing message cannot become {delivery.name}")
        sql = (
            # `+direction`: look the id up by its index, whatever the planner's statistics say
            # (without them it would rather walk the (direction, delivery) index).
            "UPDATE message SET delivery = ? WHERE id = ? AND +direction = 'out' "
            "AND (CASE delivery WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END) < ?"
        )
        params: tuple[str | int, ...] = (delivery.value, message_id, _PROGRESS[delivery])
        if peer is not None:
            sql += " AND peer = ?"
            params += (bare_jid(peer),)
        with self._guard("set_delivery"):
            changed = self._db.execute(sql, params).rowcount > 0
        return changed

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete messages from before `cutoff` (retention); outgoing messages still QUEUED
        are kept whatever their age. Returns how many were deleted.

        About 50 µs per deleted message: a daily purge is quick, but the first purge of a big
        history belongs on an executor with a `HistoryStore(path)` of its own (it deletes in
        small transactions, so the UI's writes are not held up)."""
        self._check_writable()
        cutoff_us = _to_micros(cutoff)
        deleted = 0
        with self._guard("purge"):
            for peer, _ in self._peer_times():  # by peer: each delete walks the (peer, ts) index
                while True:
                    # In small batches, each its own transaction, so another connection's
                    # write never waits long behind a big first purge.
                    batch = self._db.execute(
                        "DELETE FROM message WHERE seq IN (SELECT seq FROM message "
                        "WHERE peer = ? AND ts_us < ? "
                        "AND NOT (direction = 'out' AND delivery = 'queued') LIMIT ?)",
                        (peer, cutoff_us, PURGE_BATCH),
                    ).rowcount
                    deleted += batch
                    if batch < PURGE_BATCH:
                        break
            # Notes go with the transcript they are kept with.
            notes = self._db.execute("DELETE FROM note WHERE ts_us < ?", (cutoff_us,)).rowcount
        if deleted or notes:
            log.info("purged %d message(s) and %d note(s) older than %s", deleted, notes,
                     cutoff.isoformat())
        return deleted

    def set_archive_position(self, account: str, position: ArchivePosition) -> None:
        """Remember how far `account`'s server archive has been read (see archive_position)."""
        self._check_writable()
        with self._guard("set_archive_position"):
            self._db.execute(
                "INSERT INTO archive_position (account, stanza_id, ts_us) VALUES (?, ?, ?) "
                "ON CONFLICT (account) DO UPDATE SET stanza_id = excluded.stanza_id, "
                "ts_us = excluded.ts_us",
                (bare_jid(account), position.stanza_id, _to_micros(position.timestamp)),
            )

    # -- reading ----------------------------------------------------------------------------
    def archive_position(self, account: str) -> ArchivePosition | None:
        """How far `account`'s server archive has been read; None before the first time."""
        self._check_open()
        with self._guard("archive_position"):
            row = self._db.execute(
                "SELECT stanza_id, ts_us FROM archive_position WHERE account = ?",
                (bare_jid(account),),
            ).fetchone()
        return None if row is None else ArchivePosition(str(row[0]), _from_micros(row[1]))

    def newest_time(self) -> datetime | None:
        """The time of the message stored last (any peer), or None for an empty history."""
        self._check_open()
        with self._guard("newest_time"):
            row = self._db.execute(
                "SELECT ts_us FROM message ORDER BY seq DESC LIMIT 1").fetchone()
        return None if row is None else _from_micros(row[0])

    def outbox(self) -> list[ChatMessage]:
        """Outgoing messages still QUEUED, in the order they were typed: what to send when the
        session is back."""
        return self._select(
            f"SELECT {_COLUMNS} FROM message m "
            "WHERE m.direction = 'out' AND m.delivery = 'queued' ORDER BY m.seq",
            (),
        )

    def outbox_size(self) -> int:
        """How many outgoing messages are still QUEUED (`status --json`'s "queued"): one walk
        of the (direction, delivery) index, cheap enough for every status request."""
        self._check_open()
        with self._guard("outbox_size"):
            row = self._db.execute(
                "SELECT count(*) FROM message WHERE direction = 'out' AND delivery = 'queued'"
            ).fetchone()
        return int(row[0])

    def delivery(self, message_id: str) -> Delivery | None:
        """Where a message is, or None if no message has that id."""
        self._check_open()
        with self._guard("delivery"):
            row = self._db.execute(
                "SELECT delivery FROM message WHERE id = ? ORDER BY seq DESC LIMIT 1",
                (message_id,),
            ).fetchone()
        return None if row is None else Delivery(row[0])

    def conversation(
        self, peer: str, *, limit: int = 200, before: datetime | None = None
    ) -> list[ChatMessage]:
        """The last `limit` messages with `peer` (strictly before `before`, if given), oldest
        first. Page back by passing the first message's timestamp as `before`."""
        if limit <= 0:
            return []
        before_us = _to_micros(before) if before is not None else None
        newest_first = self._select(
            f"SELECT {_COLUMNS} FROM message m WHERE m.peer = ? AND m.ts_us < ? "
            "ORDER BY m.ts_us DESC, m.seq DESC LIMIT ?",
            (bare_jid(peer), before_us if before_us is not None else _NO_END, limit),
        )
        newest_first.reverse()
        return newest_first

    def last_exchange(self, peer: str) -> datetime | None:
        """When the newest message either way with `peer` was sent or received."""
        self._check_open()
        with self._guard("last_exchange"):
            row = self._db.execute(
                "SELECT max(ts_us) FROM message WHERE peer = ?", (bare_jid(peer),)
            ).fetchone()
        return None if row[0] is None else _from_micros(row[0])

    def current_thread(self, peer: str) -> str | None:
        """The thread of the newest message with `peer` that has one (a reply from a client
        that drops thread ids does not end the request)."""
        self._check_open()
        with self._guard("current_thread"):
            row = self._db.execute(
                "SELECT thread FROM message WHERE peer = ? AND thread IS NOT NULL "
                "ORDER BY ts_us DESC, seq DESC LIMIT 1",
                (bare_jid(peer),),
            ).fetchone()
        return None if row is None else str(row[0])

    def threads(
        self, peer: str, *, exclude: str | None = None, limit: int = 10
    ) -> ThreadList:
        """The `limit` newest threads with `peer` (by when they started), newest first, without
        the thread `exclude` (the current one); `total` counts them all. Messages without a
        thread id (from a client that drops them) belong to no thread and are not counted."""
        self._check_open()
        if limit < 0:
            raise ValueError("limit must not be negative")
        with self._guard("threads"):
            return conversation_index.threads(self._db, peer, exclude=exclude, limit=limit)

    def thread_messages(self, peer: str, thread: str, *, limit: int = 1000) -> list[ChatMessage]:
        """The messages of one thread with `peer`, oldest first (its last `limit`)."""
        if limit <= 0:
            return []
        newest_first = self._select(
            f"SELECT {_COLUMNS} FROM message m WHERE m.peer = ? AND m.thread = ? "
            "ORDER BY m.ts_us DESC, m.seq DESC LIMIT ?",
            (bare_jid(peer), thread, limit),
        )
        newest_first.reverse()
        return newest_first

    def search(
        self, query: str, *, peer: str | None = None, limit: int = 50
    ) -> list[ChatMessage]:
        """Messages whose body has every word of `query` (each word also matches as a prefix:
        "print" finds "printer"), newest first. The query is plain words, never FTS syntax.

        The `limit` newest are picked in the order messages were stored (the index's own
        order, so a common word costs no sort of every match); a message that arrived late
        from offline storage counts as new. They come back sorted by timestamp.
        """
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        sql = (
            f"SELECT {_COLUMNS} FROM message_text t JOIN message m ON m.seq = t.rowid "
            "WHERE message_text MATCH ?"
        )
        params: tuple[str | int, ...] = (match,)
        if peer is not None:
            sql += " AND +m.peer = ?"  # `+`: filter the matches, do not walk the peer's index
            params += (bare_jid(peer),)
        sql += " ORDER BY t.rowid DESC LIMIT ?"
        found = self._select(sql, (*params, limit))
        found.sort(key=lambda m: m.timestamp, reverse=True)  # stable: ties stay newest-stored
        return found

    def peers(self) -> list[tuple[str, datetime]]:
        """Everyone there is history with, and when, newest conversation first."""
        self._check_open()
        with self._guard("peers"):
            times = self._peer_times()
        times.sort(key=lambda pair: (-pair[1], pair[0]))
        return [(peer, _from_micros(ts_us)) for peer, ts_us in times]

    def _peer_times(self) -> list[tuple[str, int]]:
        # A skip-scan of the (peer, ts_us) index: one lookup per peer, not one per message.
        rows = self._db.execute(
            """
            WITH RECURSIVE p(peer) AS (
                SELECT min(peer) FROM message
                UNION ALL
                SELECT (SELECT min(peer) FROM message WHERE peer > p.peer) FROM p
                WHERE p.peer IS NOT NULL
            )
            SELECT peer, (SELECT max(ts_us) FROM message m WHERE m.peer = p.peer)
            FROM p WHERE peer IS NOT NULL
            """
        ).fetchall()
        return [(str(peer), int(ts_us)) for peer, ts_us in rows]

    # -- the history window -----------------------------------------------------------------
    def conversations(
        self, *, peer: str | None = None, before: datetime | None = None, limit: int = 50,
        me: str = "",
    ) -> list[ConversationSummary]:
        """Conversations by person and by request, newest activity first, paged by `before`
        (= the last one's `last_at`). `me` (our account) names our side in `answered_by`.
        One walk of an index of the summary table plus three seeks per conversation shown."""
        self._check_open()
        with self._guard("conversations"):
            return conversation_index.conversations(
                self._db, peer=peer, before=before, limit=limit, me=me)

    def find(
        self, query: str, *, peer: str | None = None, since: datetime | None = None,
        limit: int = 50, offset: int = 0, me: str = "",
    ) -> list[SearchHit]:
        """Messages and notes with every word of `query` (each also as a prefix), newest first,
        with a highlighted snippet each; see `history_search` for why that order."""
        self._check_open()
        with self._guard("find"):
            return find_hits(self._db, query, peer=peer, since=since, limit=limit,
                             offset=offset, me=me)

    def around(
        self, peer: str, message_id: str, *, before: int = 50, after: int = 50
    ) -> list[ChatMessage]:
        """Up to `before` messages with `peer` before `message_id`, that message, and up to
        `after` after it, oldest first (a search hit opened where it is). [] when unknown."""
        self._check_open()
        with self._guard("around"):
            return conversation_index.around(self._db, peer, message_id, before=before,
                                             after=after)

    def messages_between(
        self, *, peer: str | None = None, thread: str | None = None,
        since: datetime | None = None, until: datetime | None = None, limit: int = 100_000,
        newest: bool = False,
    ) -> list[ChatMessage]:
        """Messages from `since` (inclusive) to `until` (exclusive), oldest first, of one peer,
        one request (NO_THREAD: those without one) or everyone: an export, on a reader when
        big. The first `limit` of them, or with `newest` the last."""
        self._check_open()
        with self._guard("messages_between"):
            return conversation_index.messages_between(
                self._db, peer=peer, thread=thread, since=since, until=until, limit=limit,
                newest=newest)

    def notes_between(
        self, *, peer: str | None = None, thread: str | None = None,
        since: datetime | None = None, until: datetime | None = None,
    ) -> list[Note]:
        """Notes as `messages_between` picks messages, oldest first."""
        self._check_open()
        with self._guard("notes"):
            return conversation_index.notes_between(
                self._db, peer=peer, thread=thread, since=since, until=until)

    def add_note(
        self, peer: str, thread: str | None, body: str, *, author: str, at: datetime
    ) -> Note:
        """Keep a staff note on a conversation (searchable, exported, never sent)."""
        self._check_writable()
        with self._guard("add_note"):
            return conversation_index.add_note(self._db, peer, thread, body,
                                               author=author, at=at)

    def notes(self, peer: str, thread: str | None = None) -> list[Note]:
        """Notes oldest first: every note with `peer` (thread None), the notes on messages
        without a thread (NO_THREAD), or one request's."""
        self._check_open()
        with self._guard("notes"):
            return conversation_index.notes(self._db, peer, thread)

    def mark_resolved(self, peer: str, thread: str, resolved: bool = True) -> bool:
        """Record that a request was resolved (or opened again); False if it is not stored."""
        self._check_writable()
        with self._guard("mark_resolved"):
            return conversation_index.mark_resolved(self._db, peer, thread, resolved)

    def delete_conversation(self, peer: str, thread: str | None = None) -> int:
        """Delete messages and notes with `peer` (thread None: all of them; NO_THREAD: those
        without a thread; else one request's), search rows included, even unsent ones.
        Returns how many messages went. About 50 µs a message: a big one on an executor."""
        self._check_writable()
        with self._guard("delete_conversation"):
            deleted = conversation_index.delete_conversation(self._db, peer, thread)
        log.info("deleted a conversation: %d message(s)", deleted)
        return deleted

    # -- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (again is fine)."""
        if self._closed:
            return
        self._closed = True
        try:
            if not self._read_only:
                self._db.execute("PRAGMA optimize")
        except sqlite3.Error:
            log.debug("PRAGMA optimize failed on close", exc_info=True)
        finally:
            self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------
    def _select(self, sql: str, params: Sequence[object]) -> list[ChatMessage]:
        self._check_open()
        with self._guard("read"):
            rows: list[_Row] = self._db.execute(sql, params).fetchall()
        return [_message_from(row) for row in rows]

    def _check_open(self) -> None:
        if self._closed:
            raise HistoryError(f"{self._where} is closed.")

    def _check_writable(self) -> None:
        self._check_open()
        if self._read_only:
            raise RuntimeError("this history connection was opened for reading only")

    def _describe(self) -> str:
        return "in memory" if self._memory else str(self._path)

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn SQLite's errors into a sentence for the user (SQLite's own texts never carry
        bound values, so no message body reaches the log)."""
        try:
            yield
        except sqlite3.Error as e:
            log.warning("history %s: %s failed: %s", self._describe(), action, e)
            raise HistoryError(explain(e, self._where), fault_of(e)) from e
