"""Finding messages and notes: every word required, newest first, a plain-text snippet with the
matched words' ranges; checked on a history of 100,000 messages."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray.core.history import HistoryStore
from supporttray.core.history_search import _terms, snippet
from supporttray.core.messages import ChatMessage, Direction

ALICE = "alice@example.org"
ME = "me@example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BIG = 100_000
FILLER = [
    "the", "printer", "vpn", "password", "screen", "please", "thanks", "again", "today",
    "restart", "office", "laptop", "network", "mouse", "keyboard", "ticket",
]


def highlighted(text: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [text[a:b] for a, b in spans]


@pytest.fixture
def store() -> Iterator[HistoryStore]:
    with HistoryStore(":memory:") as s:
        yield s


@pytest.fixture(scope="module")
def big_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    """100,000 messages in 400 conversations, written as bench/history.py does (one
    transaction, straight INSERTs through the product's triggers): about 2 s."""
    path = tmp_path_factory.mktemp("big") / "history.sqlite3"
    HistoryStore(path).close()
    rng = random.Random(14)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO message (id, peer, direction, delivery, ts_us, thread, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (f"m{i}", f"person{i // 6 % 400:03d}@example.org", "in" if i % 2 else "out",
             "received" if i % 2 else "sent", 1_700_000_000_000_000 + i * 60_000_000,
             f"t{i // 6}", " ".join(rng.choices(FILLER, k=12)))
            for i in range(BIG)
        ),
    )
    db.execute("COMMIT")
    db.close()
    with HistoryStore(path) as s:
        yield s


def test_every_word_is_required_and_each_also_matches_as_a_prefix(store: HistoryStore) -> None:
    store.add(ChatMessage("a", ALICE, Direction.OUT, "my printer jams", T0, "t"))
    store.add(ChatMessage("b", ALICE, Direction.IN, "printers and scanners", T0, "t"))
    assert [h.message_id for h in store.find("print jam")] == ["a"]
    assert {h.message_id for h in store.find("print")} == {"a", "b"}


def test_hits_come_newest_first_and_page_by_offset(big_history: HistoryStore) -> None:
    # Given 100,000 messages, many with "printer"
    # When the first two pages are read
    first = big_history.find("printer", limit=20)
    second = big_history.find("printer", limit=20, offset=20)
    # Then they are the newest matches, newest first, each has the word highlighted
    times = [h.at for h in first + second]
    assert len(times) == 40 and times == sorted(times, reverse=True)
    assert first[0].message_id == _newest_with(big_history, "printer")
    for hit in first + second:
        assert highlighted(hit.snippet, hit.spans)
        assert all(w.casefold() == "printer" for w in highlighted(hit.snippet, hit.spans))


def test_a_rare_message_is_found_among_100000(big_history: HistoryStore) -> None:
    big_history.add(ChatMessage(
        "needle", "person007@example.org", Direction.IN,
        "Replaced the RAID card, vendor ticket 4411", datetime(2020, 1, 1, tzinfo=UTC), "tx"))
    try:
        hits = big_history.find("raid 4411", me=ME)
        assert [(h.message_id, h.from_) for h in hits] == [("needle", "person007@example.org")]
        assert highlighted(hits[0].snippet, hits[0].spans) == ["RAID", "4411"]
        assert big_history.find("raid", peer="person008@example.org") == []
        assert big_history.find("raid", since=datetime(2021, 1, 1, tzinfo=UTC)) == []
    finally:
        big_history.delete_conversation("person007@example.org", "tx")


def test_notes_are_found_with_messages_by_their_time(store: HistoryStore) -> None:
    store.add(ChatMessage("old", ALICE, Direction.IN, "raid failing", T0, "t"))
    store.add(ChatMessage("new", ALICE, Direction.OUT, "raid fixed", T0 + timedelta(days=2), "t"))
    note = store.add_note(ALICE, "t", "RAID card replaced", author=ME, at=T0 + timedelta(days=1))
    hits = store.find("raid", me=ME)
    assert [(h.message_id, h.note_id, h.from_) for h in hits] == [
        ("new", None, ME), (None, note.id, ME), ("old", None, ALICE)]


def test_a_long_body_gets_a_snippet_around_the_hit_cut_with_an_ellipsis() -> None:
    body = ("word " * 100) + "the needle is here " + ("tail " * 100)
    text, spans = snippet(body, _terms("needle"))
    assert text.startswith("…") and text.endswith("…") and len(text) <= 162
    assert highlighted(text, spans) == ["needle"]


def test_hostile_bodies_stay_plain_text_in_a_snippet(store: HistoryStore) -> None:
    store.add(ChatMessage("x", ALICE, Direction.IN, '<script>alert("printer")</script>', T0))
    [hit] = store.find("printer")
    assert hit.snippet == '<script>alert("printer")</script>'
    assert highlighted(hit.snippet, hit.spans) == ["printer"]


def test_accents_and_case_match_as_the_index_does() -> None:
    text, spans = snippet("Herr MÜLLER hat angerufen", _terms("muller"))
    assert highlighted(text, spans) == ["MÜLLER"]


def test_search_syntax_is_taken_as_plain_words(store: HistoryStore) -> None:
    store.add(ChatMessage("x", ALICE, Direction.IN, "NEAR the OR gate", T0))
    assert [h.message_id for h in store.find('NEAR( "OR*')] == ["x"]
    assert store.find("   ") == [] and store.find("***") == []


def _newest_with(store: HistoryStore, word: str) -> str:
    row = store._db.execute(
        "SELECT id FROM message WHERE body LIKE ? ORDER BY ts_us DESC LIMIT 1", (f"%{word}%",)
    ).fetchone()
    return str(row[0])


def test_the_big_history_file_is_real(big_history: HistoryStore) -> None:
    assert isinstance(big_history.path, Path)
    assert big_history.conversations(limit=1)[0].messages == 4  # the last thread: 4 of 6
