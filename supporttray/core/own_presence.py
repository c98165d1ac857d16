"""What we tell others about ourselves: our own availability and status message."""

from __future__ import annotations

from dataclasses import dataclass

from supporttray.core.listeners import Listeners
from supporttray.core.presence import Availability


@dataclass(frozen=True)
class PresenceChoice:
    show: Availability = Availability.AVAILABLE
    status: str = ""


class OwnPresence:
    """The presence the user chose; the connection publishes every change."""

    def __init__(self, initial: PresenceChoice | None = None) -> None:
        self._current = initial or PresenceChoice()
        self.changed: Listeners[PresenceChoice] = Listeners()

    @property
    def current(self) -> PresenceChoice:
        return self._current

    def set(self, show: Availability, status: str = "") -> None:
        choice = PresenceChoice(show, status)
        if choice != self._current:
            self._current = choice
            self.changed.emit(choice)
