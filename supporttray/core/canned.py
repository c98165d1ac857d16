"""Canned replies: staff snippets with {name}, {os} and {local_time} filled from the request.

A placeholder we cannot fill (unknown, or nothing known for it) stays as typed, so the person
sees what to put in by hand; nothing here ever raises on a snippet's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot
from supporttray.core.text import one_line

PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
LABEL_CHARS = 50


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with each known, non-empty `{placeholder}` replaced; others left as typed."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), template)


def request_values(name: str, sysinfo: Sequence[tuple[str, str]], now: datetime) -> dict[str, str]:
    """{name}, {os} and {local_time} for a requester, from the system info they sent."""
    values = {"name": name}
    if sysinfo:
        snapshot = SysinfoSnapshot(tuple(SysinfoItem(k, v) for k, v in sysinfo), now)
        os_name = snapshot.os_short()
        if os_name:
            values["os"] = os_name
        theirs = their_local_time(sysinfo, now)
        if theirs is not None:
            values["local_time"] = f"{theirs:%H:%M}"
    return values


def their_local_time(sysinfo: Sequence[tuple[str, str]], now: datetime) -> datetime | None:
    """`now` on the requester's clock, by the UTC offset of the `local_time` they sent; None
    when they sent none, or one without an offset (then any time shown would be a guess)."""
    sent = next((value for key, value in sysinfo if key == "local_time"), "")
    if not sent:
        return None
    try:
        their_clock = datetime.fromisoformat(sent)
    except ValueError:
        return None
    if their_clock.tzinfo is None or their_clock.utcoffset() is None:
        return None
    return now.astimezone(UTC).astimezone(their_clock.tzinfo)


def latest_sysinfo(messages: Iterable[ChatMessage]) -> tuple[tuple[str, str], ...]:
    """The system info of the newest incoming message that carries one (messages oldest
    first); empty when none does."""
    return next(
        (m.sysinfo for m in reversed(list(messages)) if m.direction is Direction.IN and m.sysinfo),
        (),
    )


def label(template: str) -> str:
    """A menu entry for a snippet: its first line, shortened."""
    return one_line(template, LABEL_CHARS)
