"""Auto-away: idle minutes make an Available person away, then extended away, and activity
brings back exactly what they had chosen. The idle time is injected (no desktop needed)."""

from __future__ import annotations

from datetime import timedelta

from supporttray.core.auto_away import WHILE_AWAY_CHECK_SECONDS, AutoAway
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability
from tests.helpers import FakeClock


def make(away: int = 5, xa: int = 20) -> tuple[OwnPresence, AutoAway, FakeClock]:
    clock = FakeClock()
    own = OwnPresence()
    return own, AutoAway(own, away_minutes=away, xa_minutes=xa, clock=clock), clock


def test_available_goes_away_then_extended_away_then_back_with_its_message() -> None:
    own, auto, clock = make()
    own.set(Availability.AVAILABLE, "On call until 22:00")
    # active for 2 minutes: nothing changes, and the next look is when away would be due
    assert auto.update(120) == 180
    assert own.current.show is Availability.AVAILABLE
    # 5 minutes idle: away, keeping the message, idle since 5 minutes ago
    auto.update(300)
    assert (own.current.show, own.current.status, own.current.extended) == (
        Availability.AWAY, "On call until 22:00", False)
    assert own.current.idle_since == clock.now - timedelta(minutes=5)
    assert auto.active
    # 20 minutes: extended away
    assert auto.update(1200) == WHILE_AWAY_CHECK_SECONDS
    assert own.current.extended and own.current.show is Availability.AWAY
    # a key press: back to exactly what was chosen
    auto.update(2)
    assert (own.current.show, own.current.status, own.current.extended,
            own.current.idle_since) == (Availability.AVAILABLE, "On call until 22:00", False, None)
    assert not auto.active


def test_busy_and_offline_are_never_overridden() -> None:
    for chosen in (Availability.BUSY, Availability.OFFLINE, Availability.AWAY):
        own, auto, _clock = make()
        own.set(chosen, "mine")
        auto.update(3600)
        assert (own.current.show, own.current.status, own.current.idle_since) == (
            chosen, "mine", None)


def test_a_choice_made_while_auto_away_wins() -> None:
    own, auto, _clock = make()
    auto.update(400)
    assert own.current.show is Availability.AWAY
    own.set(Availability.BUSY, "In a meeting")  # the person picks Busy from the menu
    auto.update(1)  # and then touches the keyboard: Busy stays
    assert (own.current.show, own.current.status) == (Availability.BUSY, "In a meeting")


def test_zero_minutes_turns_it_off_and_unknown_idle_changes_nothing() -> None:
    own, auto, _clock = make(away=0, xa=0)
    assert auto.update(100_000) is None
    assert own.current.show is Availability.AVAILABLE
    own, auto, _clock = make()
    assert auto.update(None) is None
    assert own.current.show is Availability.AVAILABLE


def test_only_extended_away_configured() -> None:
    own, auto, _clock = make(away=0, xa=20)
    assert auto.update(600) == 600
    auto.update(1200)
    assert own.current.show is Availability.AWAY and own.current.extended
