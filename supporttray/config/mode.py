"""Which side of support this instance is on: `support.mode`, read once into a type."""

from __future__ import annotations

import enum

from supporttray.config.settings import Settings


class Mode(enum.StrEnum):
    """A requester asks for help; staff answer (queue, presence on call, the staff room).

    A StrEnum: `status --json` and `doctor` print it as the setting's own word."""

    REQUESTER = "requester"
    STAFF = "staff"


def support_mode(settings: Settings) -> Mode:
    """The mode the settings say (the schema allows only these two words)."""
    return Mode(settings.get_str("support.mode"))
