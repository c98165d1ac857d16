"""Staff mode's request queue: who is waiting for help, since when, on what machine, taken by whom.

A request is a requester's conversation thread: the first message of a new thread (usually
the one carrying the system-info form) opens it. Messages without a thread share one request
per person. Qt-free; the app feeds it incoming messages and `status --json` lists it.

The team shares one queue through the staff room (app/request_desk.py): each client posts the
requests that reach it, and claims and resolutions go there too. The room gives every client the
same order of events, and this queue applies them in that order, so everyone sees the same
owner: the first claim wins, later ones are ignored ("taken by Alice first").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from supporttray.core.jid import bare_jid
from supporttray.core.listeners import Listeners
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot
from supporttray.core.text import first_line as first_line_of

# The question as the team sees it (posted to the staff room): enough for any real question.
QUESTION_CHARS = 4000


@dataclass(frozen=True)
class SupportRequest:
    id: str  # the thread id, or "peer:<jid>" for a person's thread-less messages
    requester: str  # bare JID
    thread: str | None
    first_line: str
    opened: datetime  # aware, UTC: when the first message came
    summary: str  # "Debian 12 · ThinkPad T14" from the system info, or ""
    claimed_by: str | None = None
    # The first message and its system info, for a colleague who takes the request over.
    question: str = ""
    sysinfo: tuple[tuple[str, str], ...] = ()

    def asked_in(self, messages: list[ChatMessage]) -> bool:
        """Whether the person's question is among `messages` (their chat as we have it)."""
        return any(m.thread == self.thread and m.direction is Direction.IN for m in messages)

    def waiting_seconds(self, now: datetime) -> int:
        return max(0, int((now - self.opened).total_seconds()))

    def as_status(self, now: datetime) -> dict[str, Any]:
        """One entry of `status --json` "requests" (../shared/DESIGN.md)."""
        return {"id": self.id, "from": self.requester, "thread": self.thread,
                "waiting_seconds": self.waiting_seconds(now), "claimed_by": self.claimed_by,
                "summary": self.summary}


class RequestQueue:
    """Open requests, oldest first.

    `opened` fires for a request that a message to *this* client opened (the app posts it to
    the staff room); `arrived` for one a colleague's client posted while we watch (not for
    what a restart reads back); `changed` for anything that changes what the queue shows.
    """

    def __init__(self) -> None:
        self._requests: dict[str, SupportRequest] = {}
        self.opened: Listeners[SupportRequest] = Listeners()
        self.arrived: Listeners[SupportRequest] = Listeners()
        self.changed: Listeners[None] = Listeners()
        # A request resolved (by us or, through the room, a colleague): the history records it.
        self.closed: Listeners[SupportRequest] = Listeners()

    def note(self, message: ChatMessage) -> SupportRequest | None:
        """An incoming message from a requester: the request it opens, if it opens one."""
        if message.direction is not Direction.IN:
            return None
        requester = bare_jid(message.peer)
        key = message.thread or f"peer:{requester}"
        if key in self._requests:
            if message.sysinfo and not self._requests[key].summary:
                self._requests[key] = replace(self._requests[key], summary=_summary(message),
                                              sysinfo=message.sysinfo)
                self.changed.emit(None)
            return None
        request = SupportRequest(
            id=key, requester=requester, thread=message.thread,
            first_line=first_line_of(message.body), opened=message.timestamp.astimezone(UTC),
            summary=_summary(message), question=message.body[:QUESTION_CHARS],
            sysinfo=message.sysinfo,
        )
        self._requests[key] = request
        self.opened.emit(request)
        self.changed.emit(None)
        return request

    # -- events from the staff room, applied in the room's order ------------------------------
    def announced(self, request: SupportRequest, *, live: bool = True) -> bool:
        """A colleague's client (or ours, echoed) posted a request; True if it is new here.
        `live`: posted just now, not read back from the room's archive."""
        if request.id in self._requests:
            return False
        self._requests[request.id] = replace(request, claimed_by=None)
        if live:
            self.arrived.emit(self._requests[request.id])
        self.changed.emit(None)
        return True

    def claimed(self, request_id: str, by: str) -> bool:
        """A claim, in room order: True if it took effect (the first claim of an open request)."""
        request = self._requests.get(request_id)
        if request is None or request.claimed_by is not None:
            return False
        self._requests[request_id] = replace(request, claimed_by=bare_jid(by))
        self.changed.emit(None)
        return True

    def resolved(self, request_id: str) -> SupportRequest | None:
        """The request is done; a later message in its thread opens it again."""
        request = self._requests.pop(request_id, None)
        if request is not None:
            self.closed.emit(request)
            self.changed.emit(None)
        return request

    # -- reading ---------------------------------------------------------------------------
    def requests(self) -> list[SupportRequest]:
        return sorted(self._requests.values(), key=lambda r: r.opened)

    def find(self, request_id: str) -> SupportRequest | None:
        return self._requests.get(request_id)

    def for_peer(self, peer: str) -> SupportRequest | None:
        """The person's open request (their newest, should they have several)."""
        mine = [r for r in self._requests.values() if r.requester == bare_jid(peer)]
        return max(mine, key=lambda r: r.opened) if mine else None

    def unclaimed(self) -> int:
        """How many requests nobody has taken yet (the tray's badge)."""
        return sum(1 for r in self._requests.values() if r.claimed_by is None)

    def as_status(self, now: datetime) -> list[dict[str, Any]]:
        return [r.as_status(now) for r in self.requests()]


def _summary(message: ChatMessage) -> str:
    if not message.sysinfo:
        return ""
    items = tuple(SysinfoItem(key, value) for key, value in message.sysinfo)
    return SysinfoSnapshot(items, message.timestamp.astimezone(UTC)).summary()
