"""What we tell others about ourselves: our own availability and status message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from supporttray.core.listeners import Listeners
from supporttray.core.presence import Availability

RECENT_MESSAGES = 5  # status messages offered again, newest first
MAX_STATUS_CHARS = 200  # a status line, not a letter; longer input is cut


def status_line(text: str) -> str:
    """A status message as it is published: one line, bounded (it shows in other people's
    menus and lists)."""
    return " ".join(text.split())[:MAX_STATUS_CHARS]


@dataclass(frozen=True)
class PresenceChoice:
    show: Availability = Availability.AVAILABLE
    status: str = ""
    # Set by auto-away: away for long ("xa" on the wire), and idle since when (XEP-0319).
    extended: bool = False
    idle_since: datetime | None = None
    # Set by the on-call hours while off duty: when we are on call again (others' apps say
    # "Support is back Monday 08:00").
    back_at: datetime | None = None

    def describe(self) -> str:
        """`Away: “Back at 3”`, or just `Available`."""
        return f"{self.show.label}: “{self.status}”" if self.status else self.show.label


class OwnPresence:
    """The presence the user chose; the connection publishes every change.

    `changed` fires for every change, whoever made it; `chosen` only for what the person chose
    themselves (what is worth remembering across a restart), even if it changed nothing.
    """

    def __init__(self, initial: PresenceChoice | None = None,
                 recent: Sequence[str] = ()) -> None:
        self._current = initial or PresenceChoice()
        messages = (m for m in (self._current.status, *recent) if m)
        self._recent: list[str] = list(dict.fromkeys(messages))[:RECENT_MESSAGES]
        self.changed: Listeners[PresenceChoice] = Listeners()
        self.chosen: Listeners[PresenceChoice] = Listeners()

    @property
    def current(self) -> PresenceChoice:
        return self._current

    @property
    def recent_messages(self) -> list[str]:
        """Status messages used lately, newest first, without repeats."""
        return list(self._recent)

    def set(self, show: Availability, status: str = "") -> None:
        """What the person chose (menu, `supporttray presence`)."""
        status = status_line(status)
        if status:
            self._recent = [status, *(m for m in self._recent if m != status)][:RECENT_MESSAGES]
        self._publish(PresenceChoice(show, status))
        self.chosen.emit(self._current)

    def set_scheduled(self, show: Availability, status: str = "", *,
                      back_at: datetime | None = None) -> None:
        """The on-call hours' doing: not a choice of the person's, so no recent message."""
        self._publish(PresenceChoice(show, status_line(status), back_at=back_at))

    def restore(self, choice: PresenceChoice) -> None:
        """Auto-away ends: back to what was there before it, which is no new choice."""
        self._publish(PresenceChoice(choice.show, choice.status, back_at=choice.back_at))

    def set_idle(self, since: datetime, *, extended: bool) -> None:
        """Auto-away: away (or away for long) since `since`, keeping the status message."""
        self._publish(PresenceChoice(Availability.AWAY, self._current.status, extended, since,
                                     self._current.back_at))

    def _publish(self, choice: PresenceChoice) -> None:
        if choice != self._current:
            self._current = choice
            self.changed.emit(choice)
