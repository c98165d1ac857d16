"""Staff mode's request queue: who is waiting for help, since when, on what machine.

A request is a requester's conversation thread: the first message of a new thread (usually
the one carrying the system-info form) opens it. Messages without a thread share one request
per person. Qt-free; the app feeds it incoming messages and `status --json` lists it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from supporttray.core.jid import bare_jid
from supporttray.core.listeners import Listeners
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot

FIRST_LINE_CHARS = 120


@dataclass(frozen=True)
class SupportRequest:
    id: str  # the thread id, or "peer:<jid>" for a person's thread-less messages
    requester: str  # bare JID
    thread: str | None
    first_line: str
    opened: datetime  # aware, UTC: when the first message came
    summary: str  # "Debian 12 · ThinkPad T14" from the system info, or ""
    claimed_by: str | None = None

    def waiting_seconds(self, now: datetime) -> int:
        return max(0, int((now - self.opened).total_seconds()))

    def as_status(self, now: datetime) -> dict[str, Any]:
        """One entry of `status --json` "requests" (DESIGN.md)."""
        return {"id": self.id, "from": self.requester, "thread": self.thread,
                "waiting_seconds": self.waiting_seconds(now), "claimed_by": self.claimed_by,
                "summary": self.summary}


class RequestQueue:
    """Open requests, oldest first."""

    def __init__(self) -> None:
        self._requests: dict[str, SupportRequest] = {}
        self.opened: Listeners[SupportRequest] = Listeners()

    def note(self, message: ChatMessage) -> SupportRequest | None:
        """An incoming message from a requester: the request it opens, if it opens one."""
        if message.direction is not Direction.IN:
            return None
        requester = bare_jid(message.peer)
        key = message.thread or f"peer:{requester}"
        if key in self._requests:
            if message.sysinfo and not self._requests[key].summary:
                self._requests[key] = replace(self._requests[key],
                                              summary=_summary(message))
            return None
        request = SupportRequest(
            id=key, requester=requester, thread=message.thread,
            first_line=_first_line(message.body), opened=message.timestamp.astimezone(UTC),
            summary=_summary(message),
        )
        self._requests[key] = request
        self.opened.emit(request)
        return request

    def requests(self) -> list[SupportRequest]:
        return sorted(self._requests.values(), key=lambda r: r.opened)

    def as_status(self, now: datetime) -> list[dict[str, Any]]:
        return [r.as_status(now) for r in self.requests()]


def _first_line(body: str) -> str:
    line = next((part.strip() for part in body.splitlines() if part.strip()), "")
    return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"


def _summary(message: ChatMessage) -> str:
    if not message.sysinfo:
        return ""
    items = tuple(SysinfoItem(key, value) for key, value in message.sysinfo)
    return SysinfoSnapshot(items, message.timestamp.astimezone(UTC)).summary()
