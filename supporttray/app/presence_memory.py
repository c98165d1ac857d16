"""Staff mode: the presence the person chose survives a restart (or a reboot).

A small JSON file in the profile's data directory (`Paths.presence_file`), not the settings
file: it is state the app keeps, not configuration the person or IT writes. It holds the last
choice the person made (menu or `supporttray presence`), when they made it (on-call hours need
that), and the recent status messages. What auto-away or the on-call hours set is not a choice
and is never written. A file that cannot be read is logged in a sentence and ignored: the app
starts Available, as on a first run.

    {"version": 1, "show": "busy", "status": "In a meeting until 3",
     "recent": ["In a meeting until 3", "Lunch"], "chosen_at": "2026-03-02T09:14:05+00:00"}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from supporttray.config.atomic_file import write_atomically
from supporttray.core.clock import Clock, utc_now
from supporttray.core.own_presence import (
    RECENT_MESSAGES,
    OwnPresence,
    PresenceChoice,
    status_line,
)
from supporttray.core.presence import Availability

log = logging.getLogger("supporttray.app")

FORMAT_VERSION = 1
_MAX_FILE_BYTES = 64 * 1024  # a few hundred bytes is normal; anything huge is not ours


class UnusableFile(ValueError):
    """The saved presence cannot be used; the message says why, as a phrase."""


@dataclass(frozen=True)
class SavedPresence:
    choice: PresenceChoice
    recent: tuple[str, ...] = ()
    chosen_at: datetime | None = None  # aware

    def own_presence(self) -> OwnPresence:
        """A fresh OwnPresence that starts where the person left off."""
        return OwnPresence(self.choice, self.recent)


class PresenceMemory:
    """Reads and writes the saved presence at `path`; never raises for a bad or missing file."""

    def __init__(self, path: Path, *, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock

    def load(self) -> SavedPresence | None:
        """The saved presence; None when there is none or it cannot be used (logged)."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(_MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            log.debug("no saved presence at %s; starting as Available", self.path)
            return None
        except OSError as exc:
            log.warning("The saved presence in %s could not be read (%s); starting as "
                        "Available.", self.path, exc.strerror or exc)
            return None
        try:
            saved = _decode(raw)
        except UnusableFile as exc:
            log.warning("The saved presence in %s is not usable (%s); starting as Available. "
                        "The next status you choose replaces the file.", self.path, exc)
            return None
        log.info("presence restored from %s: %s", self.path, saved.choice.describe())
        return saved

    def save(self, saved: SavedPresence) -> bool:
        """Write `saved` atomically; False (logged) if the file cannot be written."""
        document = {
            "version": FORMAT_VERSION,
            "show": saved.choice.show.value,
            "status": saved.choice.status,
            "recent": list(saved.recent),
            "chosen_at": saved.chosen_at.isoformat() if saved.chosen_at else None,
        }
        try:
            write_atomically(self.path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        except OSError as exc:
            log.warning("Your status could not be saved to %s (%s); after a restart it starts "
                        "as Available.", self.path, exc.strerror or exc)
            return False
        return True

    def remember(self, own: OwnPresence) -> Callable[[], None]:
        """Save every choice the person makes from now on; returns the unsubscribe function."""

        def save_choice(choice: PresenceChoice) -> None:
            self.save(SavedPresence(PresenceChoice(choice.show, choice.status),
                                    tuple(own.recent_messages), self._clock()))

        return own.chosen.subscribe(save_choice)


def _decode(raw: bytes) -> SavedPresence:
    if len(raw) > _MAX_FILE_BYTES:
        raise UnusableFile(f"it is larger than {_MAX_FILE_BYTES // 1024} kB")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UnusableFile("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UnusableFile(f"it is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(document, dict):
        raise UnusableFile("it holds no JSON object")
    if document.get("version") != FORMAT_VERSION:
        raise UnusableFile(f"its version is {document.get('version')!r}, "
                           f"this app reads {FORMAT_VERSION}")
    show = document.get("show")
    try:
        availability = Availability(show)
    except ValueError:
        raise UnusableFile(f"{show!r} is not a presence") from None
    status = document.get("status", "")
    if not isinstance(status, str):
        raise UnusableFile("its status is not text")
    recent = document.get("recent", [])
    if not isinstance(recent, list) or not all(isinstance(m, str) for m in recent):
        raise UnusableFile("its recent messages are not a list of text")
    return SavedPresence(
        # Someone may have edited the file: hold it to what OwnPresence itself would publish.
        PresenceChoice(availability, status_line(status)),
        tuple(status_line(m) for m in recent if m.strip())[:RECENT_MESSAGES],
        _moment(document.get("chosen_at")),
    )


def _moment(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UnusableFile("its chosen_at is not a date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UnusableFile(f"its chosen_at {value[:40]!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise UnusableFile("its chosen_at has no time zone")
    return moment
