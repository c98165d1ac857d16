"""The history as conversations: summaries by person and request, notes, opening at a message,
deleting, and the schema migration that brings an older file to it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray.core import history_schema
from supporttray.core.history import NO_THREAD, HistoryError, HistoryStore
from supporttray.core.messages import ChatMessage, Delivery, Direction

ALICE = "alice@example.org"
BOB = "bob@example.org"
ME = "me@example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def msg(body: str, *, direction: Direction = Direction.IN, peer: str = ALICE,
        minutes: float = 0, thread: str | None = "t-1", id: str | None = None) -> ChatMessage:
    return ChatMessage(
        id=id or f"{peer}-{thread}-{minutes}-{direction.value}", peer=peer, direction=direction,
        body=body, timestamp=T0 + timedelta(minutes=minutes), thread=thread,
        delivery=Delivery.RECEIVED if direction is Direction.IN else Delivery.SENT,
    )


@pytest.fixture
def store() -> Iterator[HistoryStore]:
    with HistoryStore(":memory:") as s:
        yield s


def test_conversations_come_by_person_and_request_newest_activity_first(
    store: HistoryStore,
) -> None:
    store.add(msg("Printer jams\nsince Monday", direction=Direction.OUT, thread="t-1"))
    store.add(msg("Which tray?", minutes=1, thread="t-1"))
    store.add(msg("VPN drops", direction=Direction.OUT, peer=BOB, minutes=2, thread="t-2"))
    store.add(msg("no thread here", minutes=3, thread=None))

    found = store.conversations(me=ME)

    assert [(c.peer, c.thread) for c in found] == [(ALICE, None), (BOB, "t-2"), (ALICE, "t-1")]
    printer = found[2]
    assert printer.first_line == "Printer jams"
    assert printer.messages == 2
    assert printer.started == T0 and printer.last_at == T0 + timedelta(minutes=1)
    assert printer.answered_by == (ALICE,)  # we asked, Alice answered
    assert found[1].answered_by == ()  # nobody answered Bob's request yet
    assert printer.resolved is None and printer.notes == 0


def test_a_request_we_answered_names_us_when_we_say_who_we_are(store: HistoryStore) -> None:
    store.add(msg("help please", thread="t-9"))
    store.add(msg("on it", direction=Direction.OUT, minutes=1, thread="t-9"))
    assert store.conversations(me=ME)[0].answered_by == (ME,)
    assert store.conversations()[0].answered_by == ()


def test_conversations_page_by_the_last_ones_time_and_filter_by_person(
    store: HistoryStore,
) -> None:
    for i in range(5):
        store.add(msg(f"q{i}", minutes=i, thread=f"t-{i}"))
        store.add(msg(f"b{i}", peer=BOB, minutes=i + 0.5, thread=f"b-{i}"))
    first = store.conversations(limit=3)
    second = store.conversations(limit=3, before=first[-1].last_at)
    assert [c.first_line for c in first + second] == ["b4", "q4", "b3", "q3", "b2", "q2"]
    assert [c.thread for c in store.conversations(peer=ALICE, limit=2)] == ["t-4", "t-3"]


def test_the_first_page_reads_an_index_not_every_message(store: HistoryStore) -> None:
    plan = store._db.execute(
        "EXPLAIN QUERY PLAN SELECT peer, thread, started_us, last_us, messages, incoming, "
        "resolved FROM conversation ORDER BY last_us DESC LIMIT 50"
    ).fetchall()
    steps = [row[3] for row in plan]
    assert len(steps) == 1 and "INDEX conversation_by_last" in steps[0]  # no sort, no scan


def test_resolved_and_notes_show_in_the_summary(store: HistoryStore) -> None:
    store.add(msg("disk full"))
    store.add_note(ALICE, "t-1", "replaced the RAID card, vendor ticket 4411", author=ME,
                   at=T0 + timedelta(minutes=5))
    assert store.mark_resolved(ALICE, "t-1")
    summary = store.conversations()[0]
    assert summary.resolved is True and summary.notes == 1
    assert not store.mark_resolved(BOB, "nothing")


def test_notes_are_kept_with_the_request_oldest_first(store: HistoryStore) -> None:
    store.add(msg("q", thread="t-1"))
    second = store.add_note(ALICE, "t-1", "second", author=ME, at=T0 + timedelta(minutes=2))
    first = store.add_note(ALICE, "t-1", "first", author=ME, at=T0 + timedelta(minutes=1))
    store.add_note(ALICE, None, "no request", author=ME, at=T0)
    assert [n.body for n in store.notes(ALICE, "t-1")] == ["first", "second"]
    assert [n.body for n in store.notes(ALICE)] == ["no request", "first", "second"]
    assert [n.body for n in store.notes(ALICE, NO_THREAD)] == ["no request"]
    assert first.id != second.id and first.author == ME and first.thread == "t-1"


def test_around_opens_a_conversation_at_a_message(store: HistoryStore) -> None:
    for i in range(10):
        store.add(msg(f"m{i}", minutes=i, id=f"id{i}", thread=None if i % 2 else "t-1"))
    store.add(msg("other person", peer=BOB, minutes=4.5, id="b"))
    shown = store.around(ALICE, "id5", before=2, after=3)
    assert [m.body for m in shown] == ["m3", "m4", "m5", "m6", "m7", "m8"]
    assert store.around(ALICE, "unknown") == []


def test_deleting_a_request_takes_its_messages_notes_and_search_rows(
    store: HistoryStore,
) -> None:
    store.add(msg("printer toner", thread="t-1"))
    store.add(msg("printer again", minutes=1, thread="t-2"))
    store.add_note(ALICE, "t-1", "printer note", author=ME, at=T0)
    assert store.delete_conversation(ALICE, "t-1") == 1
    assert [h.snippet for h in store.find("printer")] == ["printer again"]
    assert [c.thread for c in store.conversations()] == ["t-2"]
    assert store.notes(ALICE) == []
    assert store.delete_conversation(ALICE) == 1
    assert store.conversations() == [] and store.find("printer") == []


def test_the_summary_follows_a_retention_purge(store: HistoryStore) -> None:
    store.add(msg("old question", minutes=0))
    store.add(msg("old answer", direction=Direction.OUT, minutes=1))
    store.add(msg("newer", minutes=60))
    store.add_note(ALICE, "t-1", "old note", author=ME, at=T0)
    store.purge_older_than(T0 + timedelta(minutes=30))
    summary = store.conversations()[0]
    assert (summary.messages, summary.started, summary.first_line, summary.notes) == (
        1, T0 + timedelta(minutes=60), "newer", 0)
    assert store.find("old") == []


def test_a_version_3_history_gains_notes_and_summaries_and_keeps_its_messages(
    tmp_path: Path,
) -> None:
    # Given a history written by the previous version (schema 3), with two conversations
    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in history_schema._MIGRATIONS[:3]:
        step(db)
    db.execute(f"PRAGMA application_id = {history_schema.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 3")
    db.executemany(
        "INSERT INTO message (id, peer, direction, delivery, ts_us, thread, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [("m1", ALICE, "out", "sent", 1_000_000, "t-1", "kept question"),
         ("m2", ALICE, "in", "received", 2_000_000, "t-1", "kept answer"),
         ("m3", BOB, "in", "received", 3_000_000, None, "loose")],
    )
    db.close()
    # When this version opens it
    with HistoryStore(path) as store:
        found = store.conversations()
        store.add_note(ALICE, "t-1", "a note", author=ME, at=T0)
        noted = store.find("note")
    # Then the summaries are built from the messages already there, and notes work
    assert [(c.peer, c.thread, c.messages, c.first_line) for c in found] == [
        (BOB, None, 1, "loose"), (ALICE, "t-1", 2, "kept question")]
    assert [h.note_id is not None for h in noted] == [True]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 4
    check.close()


def test_a_reader_of_an_older_history_says_to_start_the_app_once(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in history_schema._MIGRATIONS[:3]:
        step(db)
    db.execute(f"PRAGMA application_id = {history_schema.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 3")
    db.close()
    with pytest.raises(HistoryError, match=r"earlier version of SupportTray\. Start SupportTray"):
        HistoryStore(path, read_only=True)
