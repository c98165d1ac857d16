"""Our own presence: the recent status messages offered again."""

from __future__ import annotations

from supporttray.core.own_presence import RECENT_MESSAGES, OwnPresence
from supporttray.core.presence import Availability


def test_own_presence_keeps_recent_messages_newest_first_without_repeats() -> None:
    own = OwnPresence()
    seen: list[str] = []
    own.changed.subscribe(lambda choice: seen.append(choice.describe()))
    own.set(Availability.AWAY, "  Back   at 3 ")
    own.set(Availability.BUSY, "In a meeting")
    own.set(Availability.AWAY, "Back at 3")
    own.set(Availability.AVAILABLE)
    assert own.recent_messages == ["Back at 3", "In a meeting"]
    assert seen == ["Away: “Back at 3”", "Busy: “In a meeting”", "Away: “Back at 3”", "Available"]
    for n in range(10):
        own.set(Availability.AWAY, f"message {n}")
    assert own.recent_messages == [f"message {n}" for n in range(9, 9 - RECENT_MESSAGES, -1)]
    own.set(Availability.AWAY, "x" * 500)
    assert len(own.current.status) == 200
