"""When an off-duty staff member is on call again, in their presence: our own element
(`<on-call xmlns="urn:supporttray:on-call:0" back="2026-12-07T07:00:00Z"/>`), so a requester's
app can say "Support is back Monday 08:00" in the requester's own time zone. Plain clients show
the status text ("Off duty (on call Mon-Fri 08:00-18:00)") and ignore the element.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from slixmpp.xmlstream import ET

NS: Final = "urn:supporttray:on-call:0"
# Nobody's on-call hours are a year away: a later instant is a mistake or a prank.
_FURTHEST_DAYS: Final = 366


def add_back_at(presence: Any, back_at: datetime) -> None:
    element = ET.Element(f"{{{NS}}}on-call")
    element.set("back", back_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    presence.xml.append(element)


def back_at_of(presence: Any, now: datetime) -> datetime | None:
    """The instant in `presence`'s element; None without one, or for one that does not read as
    an instant within a year of `now`."""
    element = presence.xml.find(f"{{{NS}}}on-call")
    if element is None:
        return None
    try:
        back = datetime.fromisoformat(element.get("back", "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if back.tzinfo is None or not (now <= back and (back - now).days <= _FURTHEST_DAYS):
        return None
    return back
