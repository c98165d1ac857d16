"""When off-duty support is back, in presence: written as UTC, read back only when sensible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from slixmpp import Presence
from slixmpp.xmlstream import ET

from supporttray.xmpp.on_call_wire import NS, add_back_at, back_at_of

NOW = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


def presence_with(back: str | None) -> Presence:
    presence = Presence()
    if back is not None:
        element = ET.Element(f"{{{NS}}}on-call")
        element.set("back", back)
        presence.xml.append(element)
    return presence


def test_the_instant_goes_as_utc_and_comes_back_the_same() -> None:
    presence = Presence()
    monday_local = datetime(2026, 12, 7, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    add_back_at(presence, monday_local)
    assert 'back="2026-12-07T07:00:00Z"' in str(presence)
    assert back_at_of(presence, NOW) == monday_local


@pytest.mark.parametrize("back", [None, "", "soon", "2026-12-07T07:00:00",  # no zone
                                  "2026-12-01T07:00:00Z",  # already past
                                  "2031-01-01T07:00:00Z"])  # years away
def test_anything_else_is_no_back_time(back: str | None) -> None:
    assert back_at_of(presence_with(back), NOW) is None
