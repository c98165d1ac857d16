"""XEP-0202 Entity Time, both ways, without slixmpp 1.17's broken offset handling.

slixmpp's stanza cannot *set* a non-UTC offset (its set_tzo parses "HH:MM:SS+01:00" with a
date format and raises), so every answer from a machine outside UTC failed. We answer with
our own handler and read `<tzo/>` ourselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath

from supporttray.core.utc_offsets import offset_text

NS = "urn:xmpp:time"
_TZO = re.compile(r"^\s*(?:(Z)|([+-])(\d{2}):(\d{2}))\s*$")


def format_tzo(offset: timedelta) -> str:
    """5.5 h -> '+05:30'."""
    return offset_text(offset.total_seconds())


def parse_tzo(text: str | None) -> timedelta | None:
    """'+05:30' -> 5.5 h; 'Z' -> 0; anything malformed -> None (never an exception)."""
    match = _TZO.match(text or "")
    if match is None:
        return None
    if match.group(1):
        return timedelta(0)
    hours, minutes = int(match.group(3)), int(match.group(4))
    if hours > 14 or minutes > 59:
        return None
    value = timedelta(hours=hours, minutes=minutes)
    return -value if match.group(2) == "-" else value


def install_time_responder(client: Any, now: Callable[[], datetime]) -> None:
    """Answer entity-time queries with `now()` (an aware local datetime)."""
    client.remove_handler("Entity Time")  # slixmpp's own, registered by its xep_0202 plugin

    def answer(iq: Any) -> None:
        local = now()
        offset = local.utcoffset() or timedelta(0)
        reply = iq.reply(clear=True)
        element = ET.Element(f"{{{NS}}}time")
        ET.SubElement(element, f"{{{NS}}}tzo").text = format_tzo(offset)
        ET.SubElement(element, f"{{{NS}}}utc").text = (
            local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        reply.xml.append(element)
        reply.send()

    client.register_handler(
        Callback("SupportTray Entity Time", StanzaPath("iq@type=get/entity_time"), answer)
    )


def offset_from_reply(iq: Any) -> timedelta | None:
    element = iq.xml.find(f"{{{NS}}}time/{{{NS}}}tzo")
    return parse_tzo(element.text if element is not None else None)


def local_now() -> datetime:
    return datetime.now(UTC).astimezone()
