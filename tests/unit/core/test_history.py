"""The HistoryStore: nothing typed is lost, nothing is stored twice, and search takes any input."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supporttray.core import history as history_module
from supporttray.core import history_schema
from supporttray.core.history import HistoryError, HistoryStore, fts_query
from supporttray.core.messages import (
    ArchivePosition,
    ChatMessage,
    Delivery,
    Direction,
    new_message_id,
)
from supporttray.core.text import FIRST_LINE_CHARS

ALICE = "alice@example.org"
BOB = "bob@example.org"
# Not tests.helpers.T0: some cases spell this moment out again, in UTC+01:00 among others.
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
QUEUED, SENT, DELIVERED, RECEIVED = (
    Delivery.QUEUED, Delivery.SENT, Delivery.DELIVERED, Delivery.RECEIVED
)


def out(body: str, *, peer: str = ALICE, minutes: float = 0, delivery: Delivery = QUEUED,
        thread: str | None = "st-1", id: str | None = None) -> ChatMessage:
    return ChatMessage(
        id=id or new_message_id(), peer=peer, direction=Direction.OUT, body=body,
        timestamp=T0 + timedelta(minutes=minutes), thread=thread, delivery=delivery,
    )


def inc(body: str, *, peer: str = ALICE, minutes: float = 0, thread: str | None = "st-1",
        id: str | None = None) -> ChatMessage:
    return ChatMessage(
        id=id or new_message_id(), peer=peer, direction=Direction.IN, body=body,
        timestamp=T0 + timedelta(minutes=minutes), thread=thread, delivery=RECEIVED,
    )


def bodies(messages: list[ChatMessage]) -> list[str]:
    return [m.body for m in messages]


@pytest.fixture
def store() -> Iterator[HistoryStore]:
    with HistoryStore(":memory:") as s:
        yield s


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


# -- surviving restarts and crashes --------------------------------------------------------------

def test_a_stored_message_is_still_there_after_the_store_is_reopened(db_file: Path) -> None:
    # Given a message stored with its system info, and the store closed
    message = ChatMessage(
        id="m1", peer=ALICE, direction=Direction.OUT, body="Printer on fire", timestamp=T0,
        thread="st-9", sysinfo=(("OS", "Debian 12"), ("RAM", "16 GB")),
    )
    with HistoryStore(db_file) as first:
        first.add(message)
    # When the app starts again on the same file
    with HistoryStore(db_file) as second:
        # Then the message is there exactly as stored, and still waits in the outbox
        assert second.conversation(ALICE) == [message]
        assert second.outbox() == [message]


def test_a_killed_writer_leaves_its_committed_messages_readable(db_file: Path) -> None:
    # Given a process that stores two messages and dies without closing anything
    code = textwrap.dedent(f"""
        import os
        from datetime import datetime, timezone
        from supporttray.core.history import HistoryStore
        from supporttray.core.messages import ChatMessage, Direction
        store = HistoryStore({str(db_file)!r})
        t = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
        for i in range(2):
            store.add(ChatMessage(id=f"m{{i}}", peer="alice@example.org",
                                  direction=Direction.OUT, body=f"typed {{i}}", timestamp=t))
        os._exit(9)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode == 9, result.stderr.decode()
    # When the app starts again
    with HistoryStore(db_file) as store:
        # Then both messages are there, queued to be sent
        assert bodies(store.outbox()) == ["typed 0", "typed 1"]


def test_the_history_file_and_its_companions_are_private_to_the_user(db_file: Path) -> None:
    # Given a new history with a message written (so the -wal and -shm files exist)
    with HistoryStore(db_file) as store:
        store.add(out("hello"))
        # Then only the user may read any of them
        for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert store.path == db_file


def test_a_file_history_uses_write_ahead_logging(db_file: Path) -> None:
    HistoryStore(db_file).close()
    with sqlite3.connect(db_file) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == history_module.SCHEMA_VERSION


# -- files that are not our history --------------------------------------------------------------

@pytest.mark.parametrize("content", [b"hello", b"not a database\n" * 1000])
def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(
    db_file: Path, content: bytes
) -> None:
    # Given a history path holding something else
    db_file.parent.mkdir(parents=True)
    db_file.write_bytes(content)
    # When the store opens it
    with pytest.raises(HistoryError) as raised:
        HistoryStore(db_file)
    # Then the user is told which file, and the file is exactly as it was
    assert str(db_file) in str(raised.value)
    assert "move it aside" in str(raised.value)
    assert db_file.read_bytes() == content
    assert not Path(f"{db_file}-wal").exists()


def test_another_programs_database_is_refused_and_left_untouched(db_file: Path) -> None:
    # Given an SQLite database that some other program made
    db_file.parent.mkdir(parents=True)
    with sqlite3.connect(db_file) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    db.close()
    before = db_file.read_bytes()
    # When the store opens it, then it refuses and changes nothing
    with pytest.raises(HistoryError, match="not a SupportTray chat history"):
        HistoryStore(db_file)
    assert db_file.read_bytes() == before


def test_a_history_from_a_newer_version_is_refused(db_file: Path) -> None:
    HistoryStore(db_file).close()
    with sqlite3.connect(db_file) as db:
        db.execute(f"PRAGMA user_version = {history_module.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(HistoryError, match="newer version of SupportTray"):
        HistoryStore(db_file)


def test_a_history_locked_by_another_process_is_explained(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another process holding the write lock
    monkeypatch.setattr(history_module, "BUSY_TIMEOUT_S", 0.05)
    store = HistoryStore(db_file)
    other = sqlite3.connect(db_file, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        # When a message is stored, then the sentence says what is going on
        with pytest.raises(HistoryError, match="locked by another program"):
            store.add(out("hello"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    # And once the lock is gone, writing works again
    assert store.add(out("hello again"))
    store.close()


def test_a_closed_store_says_so(store: HistoryStore) -> None:
    store.close()
    store.close()  # twice is fine
    with pytest.raises(HistoryError, match="is closed"):
        store.outbox()


# -- the outbox and delivery ---------------------------------------------------------------------

def test_outbox_lists_only_queued_outgoing_messages_in_the_order_typed(
    store: HistoryStore,
) -> None:
    store.add(out("first", minutes=1))
    store.add(inc("an answer", minutes=2))
    store.add(out("already sent", minutes=3, delivery=SENT))
    store.add(out("second", minutes=4, peer=BOB))

    assert bodies(store.outbox()) == ["first", "second"]


def test_outbox_size_counts_what_the_outbox_lists(store: HistoryStore) -> None:
    store.add(out("first", minutes=1))
    store.add(inc("an answer", minutes=2))
    store.add(out("already sent", minutes=3, delivery=SENT))
    store.add(out("second", minutes=4, peer=BOB))

    assert store.outbox_size() == len(store.outbox()) == 2


def test_the_outbox_empties_as_messages_are_sent(store: HistoryStore) -> None:
    first, second = out("first", minutes=1), out("second", minutes=2)
    store.add(first)
    store.add(second)

    assert store.set_delivery(first.id, SENT)
    assert bodies(store.outbox()) == ["second"]
    store.set_delivery(second.id, DELIVERED)
    assert store.outbox() == []


def test_delivery_never_moves_backwards(store: HistoryStore) -> None:
    # Given a message the peer confirmed
    message = out("hello")
    store.add(message)
    store.set_delivery(message.id, DELIVERED)
    # When a late "sent" (or a requeue) arrives
    changed = store.set_delivery(message.id, SENT)
    store.set_delivery(message.id, QUEUED)
    # Then it stays delivered
    assert not changed
    assert store.delivery(message.id) is DELIVERED
    assert store.conversation(ALICE)[0].delivery is DELIVERED


def test_delivery_of_an_unknown_message_changes_nothing(store: HistoryStore) -> None:
    assert not store.set_delivery("nope", SENT)
    assert store.delivery("nope") is None


def test_delivery_can_be_narrowed_to_a_peer_when_ids_repeat(store: HistoryStore) -> None:
    # Given two other clients of ours that both used id "1" (carbons of what they sent)
    store.add(out("to alice", id="1", peer=ALICE))
    store.add(out("to bob", id="1", peer=BOB))
    # When bob's receipt arrives
    store.set_delivery("1", DELIVERED, peer=BOB)
    # Then only the message to bob is delivered
    assert [(m.body, m.delivery) for m in store.outbox()] == [("to alice", QUEUED)]


def test_incoming_messages_are_received_and_never_in_the_outbox(store: HistoryStore) -> None:
    # Given an incoming message built with ChatMessage's default delivery (QUEUED)
    message = ChatMessage(id="x", peer=ALICE, direction=Direction.IN, body="hi", timestamp=T0)
    store.add(message)
    # Then it is stored as received
    assert store.outbox() == []
    assert store.conversation(ALICE)[0].delivery is RECEIVED
    assert not store.set_delivery("x", DELIVERED)


def test_an_outgoing_message_cannot_be_received(store: HistoryStore) -> None:
    with pytest.raises(ValueError):
        store.add(out("hello", delivery=RECEIVED))
    with pytest.raises(ValueError):
        store.set_delivery("x", RECEIVED)


def test_a_duplicate_id_is_ignored_and_changes_nothing(store: HistoryStore) -> None:
    # Given a message stored and then sent
    first = inc("original", id="dup")
    assert store.add(first)
    # When the server redelivers it (same id, same peer), even with different content
    again = inc("changed on the way", id="dup", minutes=5)
    # Then it is reported as a duplicate and the stored one is unchanged
    assert not store.add(again)
    assert store.conversation(ALICE) == [first]
    assert store.search("changed") == []


def test_the_same_id_from_two_peers_is_two_messages(store: HistoryStore) -> None:
    assert store.add(inc("from alice", id="1", peer=ALICE))
    assert store.add(inc("from bob", id="1", peer=BOB))
    assert bodies(store.search("from")) == ["from bob", "from alice"]


def test_a_naive_timestamp_is_refused(store: HistoryStore) -> None:
    naive = ChatMessage(id="n", peer=ALICE, direction=Direction.OUT, body="x",
                        timestamp=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add(naive)


# -- reading conversations -----------------------------------------------------------------------

def test_conversation_returns_the_last_messages_oldest_first(store: HistoryStore) -> None:
    for i in range(10):
        store.add(out(f"m{i}", minutes=i))
    store.add(inc("from bob", peer=BOB, minutes=3))

    assert bodies(store.conversation(ALICE, limit=3)) == ["m7", "m8", "m9"]


def test_conversation_pages_back_with_before(store: HistoryStore) -> None:
    for i in range(10):
        store.add(out(f"m{i}", minutes=i))
    page = store.conversation(ALICE, limit=4)

    earlier = store.conversation(ALICE, limit=4, before=page[0].timestamp)
    earliest = store.conversation(ALICE, limit=4, before=earlier[0].timestamp)

    assert bodies(earlier) == ["m2", "m3", "m4", "m5"]
    assert bodies(earliest) == ["m0", "m1"]
    assert store.conversation(ALICE, limit=0) == []


def test_conversation_orders_by_time_not_by_arrival(store: HistoryStore) -> None:
    # A message delivered late from the server's offline storage carries its original time.
    store.add(out("asked", minutes=10))
    store.add(inc("answered earlier, arrived late", minutes=5))
    assert bodies(store.conversation(ALICE)) == ["answered earlier, arrived late", "asked"]


def test_peers_are_matched_by_bare_jid(store: HistoryStore) -> None:
    store.add(inc("hi", peer="Alice@Example.org/laptop"))
    assert bodies(store.conversation("alice@example.org")) == ["hi"]
    assert store.conversation(ALICE)[0].peer == ALICE


def test_timestamps_come_back_as_aware_utc_to_the_microsecond(store: HistoryStore) -> None:
    local = datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    store.add(ChatMessage(id="t", peer=ALICE, direction=Direction.OUT, body="x", timestamp=local))

    stored = store.conversation(ALICE)[0].timestamp
    assert stored == local
    assert stored.utcoffset() == timedelta(0)
    assert stored.microsecond == 123456


def test_last_exchange_is_the_newest_message_either_way(store: HistoryStore) -> None:
    assert store.last_exchange(ALICE) is None
    store.add(out("question", minutes=1))
    store.add(inc("answer", minutes=7))
    store.add(out("to bob", peer=BOB, minutes=30))

    assert store.last_exchange(ALICE) == T0 + timedelta(minutes=7)


def test_current_thread_is_the_thread_of_the_newest_message(store: HistoryStore) -> None:
    assert store.current_thread(ALICE) is None
    store.add(out("old request", minutes=1, thread="st-old"))
    store.add(out("new request", minutes=2, thread="st-new"))
    assert store.current_thread(ALICE) == "st-new"


def test_a_reply_without_a_thread_does_not_end_the_request(store: HistoryStore) -> None:
    # Given a request thread, and a reply from a plain client that drops thread ids
    store.add(out("question", minutes=1, thread="st-1"))
    store.add(inc("answer", minutes=2, thread=None))
    # Then the request's thread is still the current one
    assert store.current_thread(ALICE) == "st-1"


def test_peers_lists_conversations_newest_first(store: HistoryStore) -> None:
    store.add(out("to alice", peer=ALICE, minutes=1))
    store.add(out("to bob", peer=BOB, minutes=5))
    store.add(inc("from alice", peer=ALICE, minutes=3))

    assert store.peers() == [
        (BOB, T0 + timedelta(minutes=5)), (ALICE, T0 + timedelta(minutes=3))
    ]


# -- earlier requests (threads) -------------------------------------------------------------------

def test_threads_are_listed_newest_first_with_their_first_incoming_line(
    store: HistoryStore,
) -> None:
    # Given three requests from alice, the middle one answered by us first, and one with bob
    store.add(inc("Printer jams\nsince this morning", minutes=1, thread="t-1"))
    store.add(out("Restart it", minutes=2, thread="t-1"))
    store.add(out("Did the VPN come back?", minutes=60, thread="t-2"))
    store.add(inc("  \nYes, thanks", minutes=61, thread="t-2"))
    store.add(inc("Screen flickers", minutes=120, thread="t-3"))
    store.add(inc("bob's thread", peer=BOB, minutes=200, thread="t-bob"))
    # When alice's threads are listed
    found = store.threads(ALICE)
    # Then newest first, each with its start, its first incoming line and its size
    assert [(t.thread, t.started, t.first_line, t.messages) for t in found.threads] == [
        ("t-3", T0 + timedelta(minutes=120), "Screen flickers", 1),
        ("t-2", T0 + timedelta(minutes=60), "Yes, thanks", 2),
        ("t-1", T0 + timedelta(minutes=1), "Printer jams", 2),
    ]
    assert found.total == 3 and found.more == 0


def test_threads_leave_out_the_current_thread(store: HistoryStore) -> None:
    store.add(inc("old", minutes=1, thread="t-old"))
    store.add(inc("current", minutes=2, thread="t-now"))
    found = store.threads(ALICE, exclude="t-now")
    assert [t.thread for t in found.threads] == ["t-old"]
    assert found.total == 1


def test_a_thread_they_never_wrote_in_has_no_first_line(store: HistoryStore) -> None:
    store.add(out("We will update your laptop tonight", minutes=1, thread="t-ours"))
    [summary] = store.threads(ALICE).threads
    assert summary.first_line is None
    assert summary.messages == 1


def test_threads_are_limited_and_count_the_rest(store: HistoryStore) -> None:
    for n in range(15):
        store.add(inc(f"request {n}", minutes=n, thread=f"t-{n:02d}"))
    found = store.threads(ALICE, exclude="t-14", limit=10)
    assert [t.first_line for t in found.threads] == [f"request {n}" for n in range(13, 3, -1)]
    assert (found.total, found.more) == (14, 4)
    assert store.threads(ALICE, limit=0) == history_module.ThreadList((), 15)


def test_messages_without_a_thread_belong_to_no_earlier_request(store: HistoryStore) -> None:
    store.add(inc("from a plain client", minutes=1, thread=None))
    assert store.threads(ALICE).total == 0


def test_an_empty_history_has_no_threads(store: HistoryStore) -> None:
    assert store.threads(ALICE) == history_module.ThreadList((), 0)
    assert store.thread_messages(ALICE, "t-1") == []


def test_a_long_first_message_gives_a_short_first_line(store: HistoryStore) -> None:
    store.add(inc("word " * 100_000, minutes=1, thread="t-1"))
    [summary] = store.threads(ALICE).threads
    assert summary.first_line is not None
    assert len(summary.first_line) <= FIRST_LINE_CHARS
    assert summary.first_line.endswith("…")


def test_thread_messages_are_that_threads_messages_oldest_first(store: HistoryStore) -> None:
    store.add(inc("other", minutes=1, thread="t-2"))
    store.add(out("answer", minutes=5, thread="t-1"))
    store.add(inc("question", minutes=3, thread="t-1"))
    store.add(inc("bob's", peer=BOB, minutes=4, thread="t-1"))
    assert bodies(store.thread_messages(ALICE, "t-1")) == ["question", "answer"]


def test_listing_threads_walks_an_index_and_never_scans_or_sorts_messages(
    store: HistoryStore,
) -> None:
    # The plan, not a timing: a staff member's years of history must stay index walks. Only
    # the thread rows (one per thread) are sorted, never the messages.
    steps = [
        str(row[3])
        for row in store._db.execute(
            "EXPLAIN QUERY PLAN " + history_module.THREADS_SQL, (ALICE, "t-1", 10, 400)
        )
    ]
    reads = [step for step in steps if step.startswith(("SEARCH", "SCAN"))]
    message_reads = [step for step in reads if step.split()[1] in ("message", "m")]
    assert message_reads == [
        "SEARCH message USING COVERING INDEX message_by_peer_thread (peer=? AND thread>?)",
        "SEARCH m USING INDEX message_by_peer_thread (peer=? AND thread=? AND direction=?)",
    ]
    assert not any("GROUP BY" in step for step in steps)


def test_a_version_1_history_gets_the_thread_index_when_opened(db_file: Path) -> None:
    # Given a history written by the previous version (schema 1, no thread index)
    db_file.parent.mkdir(parents=True)
    db = sqlite3.connect(db_file, isolation_level=None)
    history_schema._create_schema(db)
    db.execute(f"PRAGMA application_id = {history_module.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO message (id, peer, direction, delivery, ts_us, thread, body) "
        "VALUES ('m1', ?, 'in', 'received', 0, 't-1', 'kept')", (ALICE,)
    )
    db.close()
    # When this version opens it, then the index is there and the messages are kept
    with HistoryStore(db_file) as store:
        assert [t.first_line for t in store.threads(ALICE).threads] == ["kept"]
    with sqlite3.connect(db_file) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == history_module.SCHEMA_VERSION
        names = {row[0] for row in check.execute("SELECT name FROM sqlite_schema")}
    check.close()
    assert "message_by_peer_thread" in names


# -- search --------------------------------------------------------------------------------------

def test_search_finds_words_newest_first(store: HistoryStore) -> None:
    store.add(out("my printer is on fire", minutes=1))
    store.add(inc("Which PRINTER model?", minutes=2))
    store.add(out("the screen flickers", minutes=3))

    assert bodies(store.search("printer")) == ["Which PRINTER model?", "my printer is on fire"]
    assert bodies(store.search("printer fire")) == ["my printer is on fire"]


def test_search_matches_the_start_of_words_and_ignores_accents(store: HistoryStore) -> None:
    store.add(out("Le café est fermé"))
    assert bodies(store.search("print")) == []
    assert bodies(store.search("cafe ferm")) == ["Le café est fermé"]


def test_search_can_be_limited_to_one_peer(store: HistoryStore) -> None:
    store.add(out("vpn broken", peer=ALICE))
    store.add(out("vpn slow", peer=BOB))

    assert bodies(store.search("vpn", peer=BOB)) == ["vpn slow"]
    assert bodies(store.search("vpn", limit=1)) == ["vpn slow"]


@pytest.mark.parametrize("query", [
    'foo AND (', '"', '""', "'", "(", ")", "NEAR(a b)", "NEAR", "*", "a*", "^b", "-", "+",
    "col:value", "body: x", "{body}: x", "AND", "OR NOT", "", "   ", "\x00", "🔥",
    "x" * 10_000, "word " * 2_000, '" OR "" AND *',
])
def test_search_takes_any_input_as_plain_words(store: HistoryStore, query: str) -> None:
    store.add(out('the printer said "foo AND (" and NEAR(a b) *'))
    # Never an error; a query that is only punctuation matches nothing.
    assert isinstance(store.search(query), list)


def test_search_treats_fts_keywords_as_words(store: HistoryStore) -> None:
    store.add(out("nothing AND nobody"))
    store.add(out("just nothing"))
    assert bodies(store.search("nothing AND")) == ["nothing AND nobody"]
    assert bodies(store.search('foo AND (')) == []


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('say "hi" (now)') == '"say"* """hi"""* "(now)"*'
    assert fts_query("* ( ) -") is None


# -- retention -----------------------------------------------------------------------------------

def test_purge_deletes_old_messages_but_keeps_queued_ones(store: HistoryStore) -> None:
    # Given old messages of every kind, one typed offline long ago and never sent
    store.add(out("old sent", minutes=0, delivery=SENT))
    store.add(inc("old answer", minutes=1))
    store.add(out("old but never sent", minutes=2, peer=BOB))
    store.add(out("recent", minutes=100, delivery=DELIVERED))
    # When history before minute 50 is purged
    deleted = store.purge_older_than(T0 + timedelta(minutes=50))
    # Then the queued message survives with the recent one, and search forgets the rest
    assert deleted == 2
    assert bodies(store.outbox()) == ["old but never sent"]
    assert bodies(store.conversation(ALICE)) == ["recent"]
    assert store.search("old") == [store.outbox()[0]]
    assert [p for p, _ in store.peers()] == [ALICE, BOB]


def test_purge_deletes_everything_due_across_many_small_batches(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_module, "PURGE_BATCH", 2)
    for i in range(7):
        store.add(inc(f"old {i}", minutes=i))
    store.add(out("queued", minutes=3))

    assert store.purge_older_than(T0 + timedelta(days=1)) == 7
    assert bodies(store.conversation(ALICE)) == ["queued"]


def test_purge_forgets_a_peer_with_no_messages_left(store: HistoryStore) -> None:
    store.add(inc("ancient", peer=BOB, minutes=0))
    store.purge_older_than(T0 + timedelta(days=1))
    assert store.peers() == []
    assert store.last_exchange(BOB) is None


# -- a second connection for bulk work -----------------------------------------------------------

def test_a_reader_sees_the_writers_messages_and_cannot_write(db_file: Path) -> None:
    with HistoryStore(db_file) as store:
        store.add(out("printer jam"))
        with store.open_reader() as reader:
            assert bodies(reader.search("printer")) == ["printer jam"]
            store.add(out("printer again", minutes=1))
            assert len(reader.search("printer")) == 2
            with pytest.raises(RuntimeError):
                reader.add(out("nope"))


def test_a_reader_can_work_on_another_thread(db_file: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with HistoryStore(db_file) as store:
        store.add(out("printer jam"))
        reader = store.open_reader()
        with ThreadPoolExecutor(1) as pool:
            found = pool.submit(reader.search, "printer").result()
            pool.submit(reader.close).result()
        assert bodies(found) == ["printer jam"]


def test_an_in_memory_store_has_a_reader_too(store: HistoryStore) -> None:
    store.add(out("printer jam"))
    with store.open_reader() as reader:
        assert bodies(reader.search("printer")) == ["printer jam"]
    assert store.path is None


def test_message_bodies_never_reach_the_log(
    db_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="supporttray")
    with HistoryStore(db_file) as store:
        store.add(out("secret-password-123", id="same"))
        store.add(out("secret-password-123", id="same"))
        store.search("secret-password-123")
        store.purge_older_than(T0 + timedelta(days=1))
    assert "secret-password-123" not in caplog.text


# -- properties ----------------------------------------------------------------------------------

@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.text(),
    sysinfo=st.lists(st.tuples(st.text(), st.text()), max_size=5).map(tuple),
    thread=st.none() | st.text(min_size=1),
)
def test_any_unicode_body_and_sysinfo_round_trip_exactly(
    store: HistoryStore, body: str, sysinfo: tuple[tuple[str, str], ...], thread: str | None
) -> None:
    message = ChatMessage(id=new_message_id(), peer=ALICE, direction=Direction.OUT, body=body,
                          timestamp=T0, thread=thread, sysinfo=sysinfo)
    store.add(message)
    assert [m for m in store.outbox() if m.id == message.id] == [message]


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1,
                    max_size=20),
       noise=st.text(max_size=50))
def test_any_word_in_a_body_is_found(store: HistoryStore, word: str, noise: str) -> None:
    message = out(f"{noise} {word} {noise}")
    store.add(message)
    assert message.id in {m.id for m in store.search(word, limit=10_000)}


def test_the_file_is_not_created_world_readable_even_with_a_lax_umask(db_file: Path) -> None:
    previous = os.umask(0)
    try:
        HistoryStore(db_file).close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600


# -- the server archive's position -----------------------------------------------------------

def test_the_archive_position_is_kept_per_account_and_replaced(db_file: Path) -> None:
    t = datetime(2026, 12, 4, 9, 0, 0, 123456, tzinfo=UTC)
    with HistoryStore(db_file) as store:
        assert store.archive_position("staff@example.org") is None
        store.set_archive_position("staff@example.org/tray", ArchivePosition("a-1", t))
        store.set_archive_position("staff@example.org", ArchivePosition("a-2", t))
        store.set_archive_position("other@example.org", ArchivePosition("b-1", t))
    with HistoryStore(db_file) as store:  # and it survives a restart
        assert store.archive_position("Staff@example.org") == ArchivePosition("a-2", t)
        assert store.archive_position("other@example.org") == ArchivePosition("b-1", t)


def test_newest_time_is_the_last_stored_message(store: HistoryStore) -> None:
    assert store.newest_time() is None
    t = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    store.add(ChatMessage("m1", ALICE, Direction.IN, "new", t))
    store.add(ChatMessage("m2", ALICE, Direction.IN, "caught up", t - timedelta(days=1)))
    assert store.newest_time() == t - timedelta(days=1)


def test_a_version_2_history_gains_the_archive_position_and_keeps_its_messages(
    db_file: Path,
) -> None:
    # Given a history written by the previous version (schema 2)
    db_file.parent.mkdir(parents=True)
    db = sqlite3.connect(db_file, isolation_level=None)
    history_schema._create_schema(db)
    history_schema._index_threads(db)
    db.execute(f"PRAGMA application_id = {history_module.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO message (id, peer, direction, delivery, ts_us, thread, body) "
        "VALUES ('m1', ?, 'in', 'received', 0, 't-1', 'kept')", (ALICE,)
    )
    db.close()
    # When this version opens it, then the messages are there and a position can be kept
    with HistoryStore(db_file) as store:
        assert [m.body for m in store.conversation(ALICE)] == ["kept"]
        store.set_archive_position(ALICE, ArchivePosition("x", datetime.now(UTC)))
        assert store.archive_position(ALICE) is not None
