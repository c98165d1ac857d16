"""The PresenceBook: what the tray says about the support staff, from the presences it hears."""

from __future__ import annotations

from datetime import timedelta

from supporttray.core.presence import Availability, BookChanged, PresenceBook
from tests.helpers import FakeClock

AVAILABLE, AWAY, BUSY, OFFLINE = (
    Availability.AVAILABLE, Availability.AWAY, Availability.BUSY, Availability.OFFLINE
)


def book_with(*jids: str) -> PresenceBook:
    book = PresenceBook(FakeClock())
    for jid in jids:
        book.add_staff(jid)
    return book


def test_staff_named_by_policy_are_listed_offline_before_any_presence() -> None:
    book = book_with("alice@example.org", "bob@example.org")

    assert [(m.jid, m.availability) for m in book.members()] == [
        ("alice@example.org", OFFLINE), ("bob@example.org", OFFLINE)
    ]
    assert book.summary().sentence() == "No support staff online"


def test_xmpp_show_values_map_to_what_a_requester_needs_to_know() -> None:
    assert Availability.from_show("") is AVAILABLE
    assert Availability.from_show("chat") is AVAILABLE
    assert Availability.from_show("away") is AWAY
    assert Availability.from_show("xa") is AWAY
    assert Availability.from_show("dnd") is BUSY
    assert Availability.from_show("unavailable") is OFFLINE


def test_best_resource_wins_available_before_away_before_busy() -> None:
    book = book_with("alice@example.org")
    book.update("alice@example.org/phone", BUSY, "In a meeting")
    book.update("alice@example.org/laptop", AWAY, "Lunch")
    assert book.member("alice@example.org").availability is AWAY  # type: ignore[union-attr]

    book.update("alice@example.org/desk", AVAILABLE, "At my desk")
    member = book.member("alice@example.org")
    assert member is not None
    assert (member.availability, member.status) == (AVAILABLE, "At my desk")

    book.update("alice@example.org/desk", OFFLINE)
    assert book.member("alice@example.org").availability is AWAY  # type: ignore[union-attr]


def test_among_equal_shows_the_higher_priority_resource_gives_the_status() -> None:
    book = book_with("alice@example.org")
    book.update("alice@example.org/a", AVAILABLE, "low", priority=0)
    book.update("alice@example.org/b", AVAILABLE, "high", priority=10)
    assert book.member("alice@example.org").status == "high"  # type: ignore[union-attr]


def test_presence_from_someone_who_is_not_staff_is_ignored() -> None:
    book = book_with("alice@example.org")
    book.update("mallory@example.org/x", AVAILABLE)
    assert not book.is_staff("mallory@example.org")
    assert len(book.members()) == 1


def test_jids_compare_without_case_and_resource() -> None:
    book = book_with("Alice@Example.org")
    book.update("alice@EXAMPLE.org/Laptop", AVAILABLE)
    assert book.member("ALICE@example.org").availability is AVAILABLE  # type: ignore[union-attr]


def test_summary_counts_and_names_the_best_availability() -> None:
    book = book_with("a@x.org", "b@x.org", "c@x.org")
    book.update("a@x.org/r", AVAILABLE)
    book.update("b@x.org/r", AVAILABLE)
    book.update("c@x.org/r", AWAY)
    summary = book.summary()
    assert summary.availability is AVAILABLE
    assert summary.sentence() == "2 of 3 support staff available"

    book.update("a@x.org/r", OFFLINE)
    book.update("b@x.org/r", BUSY)
    assert book.summary().availability is AWAY
    assert book.summary().sentence() == "No support staff available (1 away, 1 busy)"


def test_members_are_ordered_by_availability_then_name() -> None:
    book = book_with("zed@x.org", "amy@x.org", "bob@x.org")
    book.update("zed@x.org/r", AVAILABLE)
    book.update("bob@x.org/r", AWAY)
    assert [m.name for m in book.members()] == ["zed", "bob", "amy"]


def test_idle_seconds_and_local_time_come_from_the_clock() -> None:
    clock = FakeClock()
    book = PresenceBook(clock)
    book.add_staff("alice@x.org")
    book.update("alice@x.org/r", AVAILABLE, idle_since=clock.now - timedelta(minutes=12))
    book.set_utc_offset("alice@x.org", timedelta(hours=5, minutes=30))
    clock.advance(60)

    member = book.member("alice@x.org")
    assert member is not None
    assert member.idle_seconds(clock()) == 13 * 60
    local = member.local_time(clock())
    assert local is not None and local.utcoffset() == timedelta(hours=5, minutes=30)
    assert (local.hour, local.minute) == (17, 31)  # FakeClock starts at 12:00 UTC


def test_losing_our_connection_makes_everyone_offline_and_forgets_their_status() -> None:
    book = book_with("a@x.org", "b@x.org")
    book.update("a@x.org/r", AVAILABLE, "In the office")
    book.update("b@x.org/r", AWAY, "Lunch")
    events: list[BookChanged] = []
    book.changed.subscribe(events.append)

    book.clear_presences()

    assert {m.availability for m in book.members()} == {OFFLINE}
    assert {m.status for m in book.members()} == {""}
    assert len(events) == 1  # one repaint, not one per person


def test_a_person_who_signs_off_keeps_their_last_words() -> None:
    book = book_with("a@x.org")
    book.update("a@x.org/r", OFFLINE, "Back Monday")
    assert book.member("a@x.org").status == "Back Monday"  # type: ignore[union-attr]


def test_a_presence_flood_in_a_batch_is_one_change_event() -> None:
    book = PresenceBook(FakeClock())
    events: list[BookChanged] = []
    book.changed.subscribe(events.append)
    with book.batch():
        for i in range(1000):
            book.add_staff(f"s{i}@x.org")
            book.update(f"s{i}@x.org/r", AVAILABLE)
    assert len(events) == 1
    assert len(events[0].jids) == 1000


def test_a_repeated_identical_presence_does_not_notify_again() -> None:
    book = book_with("a@x.org")
    book.update("a@x.org/r", AVAILABLE, "hi")
    events: list[BookChanged] = []
    book.changed.subscribe(events.append)
    book.update("a@x.org/r", AVAILABLE, "hi")
    assert events == []


def test_a_failing_listener_does_not_stop_the_others() -> None:
    book = book_with("a@x.org")
    seen: list[BookChanged] = []

    def broken(_event: BookChanged) -> None:
        raise RuntimeError("boom")

    book.changed.subscribe(broken)
    unsubscribe = book.changed.subscribe(seen.append)
    book.update("a@x.org/r", AVAILABLE)
    assert len(seen) == 1
    unsubscribe()
    book.update("a@x.org/r", AWAY)
    assert len(seen) == 1
