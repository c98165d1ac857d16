"""Staff mode's shared queue: post the requests that reach us, take them, resolve them.

With a staff room (xmpp/staff_room.py) every action goes through the room and counts once the
room echoes it, so all staff clients apply the same events in the same order. Without one (no
MUC service, or `support.staff_room = "off"`), the desk works on this client's queue alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from supporttray.app.errors import AskError, DeskError
from supporttray.core.jid import bare_jid, local_part
from supporttray.core.listeners import Listeners
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, shown

if TYPE_CHECKING:
    from supporttray.xmpp.staff_room import StaffRoom

log = logging.getLogger("supporttray.app")

ROOM_OFF = "off"
DEFAULT_ROOM_NAME = "support-staff"


class RoomPort(Protocol):
    """What the desk needs from the staff room (xmpp.staff_room.StaffRoom)."""

    def post_request(self, request: SupportRequest) -> None: ...

    def post_claim(self, request: SupportRequest) -> None: ...

    def post_resolved(self, request: SupportRequest) -> None: ...

    @property
    def status(self) -> Any: ...  # RoomStatus: jid, joined, error, as_status()

    @property
    def changed(self) -> Listeners[Any]: ...


class ThreadSender(Protocol):
    """The chat service's way of writing to a requester in their request's thread."""

    async def send(self, peer: str, text: str, *, thread: str | None = None) -> Any: ...


def staff_room_jid(setting: str) -> str | None:
    """The room from `support.staff_room`: a JID, or a bare name on the MUC service that
    discovery finds ("" means support-staff there); None when it is "off"."""
    value = setting.strip()
    if value.lower() == ROOM_OFF:
        return None
    return bare_jid(value) if value else DEFAULT_ROOM_NAME


def staff_room_for(setting: str, jid: str, queue: RequestQueue, *,
                   staff: Callable[[], list[str]]) -> StaffRoom | None:
    """Staff mode's room as `support.staff_room` (`setting`) says (None when it is "off"),
    applying what it hears to `queue`; `staff` names the colleagues we know."""
    room = staff_room_jid(setting)
    if room is None:
        return None
    from supporttray.xmpp.staff_room import StaffRoom

    return StaffRoom(room, jid, queue, staff=staff)


def _name_from(jid: str) -> str:
    """"dave@example.org" -> "Dave"; "j.smith" stays as it is (we do not guess names)."""
    local = local_part(jid)
    return local.capitalize() if local.isalpha() and local.islower() else local


def resolved_text(staff_name: str) -> str:
    return (f"{staff_name} marked your request resolved. If anything is still wrong, just "
            "reply here and it opens again.")


class RequestDesk:
    def __init__(self, queue: RequestQueue, me: str, *, staff_name: str = "") -> None:
        self.queue = queue
        self._me = bare_jid(me)
        self._staff_name = staff_name or _name_from(self._me)
        self._room: RoomPort | None = None
        self._attached = False
        self._sender: ThreadSender | None = None
        self.room_changed: Listeners[None] = Listeners()
        # A request we resolved (not a colleague): the requester is asked "Did this fix it?".
        self.resolved_by_me: Listeners[SupportRequest] = Listeners()
        queue.opened.subscribe(self._opened)

    def attach(self, room: RoomPort | None, sender: ThreadSender) -> None:
        self._room = room
        self._sender = sender
        self._attached = True
        if room is not None:
            room.changed.subscribe(lambda _status: self.room_changed.emit(None))
        self.room_changed.emit(None)

    def room_line(self) -> str:
        """One sentence for the queue window, in its language: is the queue shared with the
        team right now?"""
        return shown(self._room_sentence())

    def _room_sentence(self) -> Sentence:
        if not self._attached:
            return Sentence(N_("Not connected yet."))
        if self._room is None:
            return Sentence(N_("Claims stay on this computer (support.staff_room is off)."))
        status = self._room.status
        if status.joined:
            return Sentence(N_("Shared with the team in {room}."), {"room": status.jid})
        return status.error or Sentence(N_("Joining the staff room…"))

    @property
    def me(self) -> str:
        return self._me

    @property
    def shared(self) -> bool:
        """True when claims go through a staff room (False: this computer alone, because
        support.staff_room is off or the room cannot exist on this server)."""
        return self._room is not None and not self._room.status.missing

    def room_status(self) -> dict[str, Any] | None:
        """`status --json` "staff_room": {"jid", "joined", "error"}; None without a room."""
        return self._room.status.as_status() if self._room is not None else None

    def take(self, request_id: str) -> SupportRequest:
        """"Take it": claim the request for us. DeskError if it is gone or already taken."""
        request = self._open(request_id)
        if request.claimed_by is not None:
            if request.claimed_by == self._me:
                return request
            raise DeskError(Sentence(N_("{who} has already taken this request."),
                                     {"who": request.claimed_by}))
        if self._room is None or not self.shared:
            self.queue.claimed(request.id, self._me)
        else:
            self._room.post_claim(request)
        log.info("taking request %s", request.id)
        return request

    async def resolve(self, request_id: str) -> SupportRequest:
        """Close the request: the requester gets a short "marked resolved" message."""
        request = self._open(request_id)
        if self._sender is not None:
            await self._sender.send(request.requester, resolved_text(self._staff_name),
                                    thread=request.thread)
        if self._room is None or not self.shared:
            self.queue.resolved(request.id)
        else:
            self._room.post_resolved(request)
        log.info("resolved request %s", request.id)
        self.resolved_by_me.emit(request)
        return request

    async def take_and_wait(self, ref: str, timeout: float = 5.0) -> dict[str, Any]:
        """`supporttray take`: claim, then wait for the room's answer: who has it now.

        {"request": <status entry>, "claimed_by": jid | None, "won": bool, "pending": bool};
        pending means the claim waits for the staff room (we are not in it right now)."""
        request = self.take(ref)
        settled = asyncio.Event()
        unsubscribe = self.queue.changed.subscribe(lambda _none: self._settle(request, settled))
        try:
            self._settle(request, settled)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(settled.wait(), timeout)
        finally:
            unsubscribe()
        now_ = self.queue.find(request.id) or request
        return {"request": now_.as_status(datetime.now(UTC)), "claimed_by": now_.claimed_by,
                "won": now_.claimed_by == self._me, "pending": now_.claimed_by is None}

    def _settle(self, request: SupportRequest, settled: asyncio.Event) -> None:
        current = self.queue.find(request.id)
        if current is None or current.claimed_by is not None:
            settled.set()

    async def try_resolve(self, request_id: str) -> str:
        """resolve() for a window: "" when done, else the sentence to show (in the windows'
        language)."""
        try:
            await self.resolve(request_id)
        except (DeskError, AskError) as exc:  # AskError: the message could not be written
            return shown(exc)
        return ""

    def _open(self, ref: str) -> SupportRequest:
        """A request by its id, or by the requester's JID (their newest open request)."""
        request = self.queue.find(ref) or (self.queue.for_peer(ref) if "@" in ref else None)
        if request is None:
            raise DeskError(Sentence(
                N_("There is no open request {ref}; `supporttray status --json` lists the open "
                   "ones."), {"ref": repr(ref)}))
        return request

    def _opened(self, request: SupportRequest) -> None:
        if self._room is not None:
            self._room.post_request(request)
