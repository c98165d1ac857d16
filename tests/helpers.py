"""Factories every test folder shares: the fake clock, the moment it starts at, a message from
the other side, staff settings with on-call hours. No Qt and no slixmpp here, so unit tests can
import it; Qt fakes stay in tests/ui/chat_fakes.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability

# The moment a FakeClock starts at; tests whose outcome depends on the date or the time of day
# keep a moment of their own, named for what it is.
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock for tests: stands still until told to move (assign `now` or call `advance`)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now = self.now + timedelta(seconds=seconds)


def incoming(
    body: str = "hi",
    *,
    message_id: str | None = None,
    peer: str = "alice@example.org",
    at: datetime = T0,
    thread: str | None = None,
    delivery: Delivery = Delivery.RECEIVED,
    sysinfo: tuple[tuple[str, str], ...] = (),
) -> ChatMessage:
    """A message the other side wrote, as the network layer hands it in: the peer as a bare JID
    (a resource is dropped), and an id made from the body and the time unless one is given."""
    if message_id is None:
        message_id = f"id-{body[:8]}-{at.timestamp()}"
    return ChatMessage(message_id, peer.split("/")[0], Direction.IN, body, at, thread, delivery,
                       sysinfo)  # fmt: skip


def staff_settings(hours: str, *, source: Path | None = None, enforced: bool = True) -> Settings:
    """A staff member's settings with these on-call hours, from the machine policy."""
    values: dict[str, object] = {"support.mode": "staff", "presence.on_call_hours": hours}
    policy = Policy(source=source, enforced=values) if enforced else Policy(source=source,
                                                                            defaults=values)
    return Settings(policy)


def shown(own: OwnPresence) -> tuple[Availability, str]:
    """What others see of us: the availability and the status message."""
    return own.current.show, own.current.status
