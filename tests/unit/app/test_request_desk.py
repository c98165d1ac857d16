"""The desk: take and resolve requests, through the staff room when there is one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from supporttray.app.errors import DeskError
from supporttray.app.request_desk import RequestDesk, staff_room_jid
from supporttray.core.listeners import Listeners
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.xmpp.staff_room import RoomStatus
from tests.helpers import T0

ME = "alice@example.org"


def request(request_id: str = "t1") -> SupportRequest:
    return SupportRequest(id=request_id, requester="ann@example.org", thread=request_id,
                          first_line="VPN drops", opened=T0, summary="Windows 11")


class Room:
    def __init__(self, status: RoomStatus | None = None) -> None:
        self.posted: list[tuple[str, str]] = []
        self.changed: Listeners[Any] = Listeners()
        self._status = status or RoomStatus("staff@conference.example.org", joined=True)

    def post_request(self, r: SupportRequest) -> None:
        self.posted.append(("request", r.id))

    def post_claim(self, r: SupportRequest) -> None:
        self.posted.append(("claim", r.id))

    def post_resolved(self, r: SupportRequest) -> None:
        self.posted.append(("resolved", r.id))

    @property
    def status(self) -> RoomStatus:
        return self._status


class Sender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None]] = []

    async def send(self, peer: str, text: str, *, thread: str | None = None) -> Any:
        self.sent.append((peer, text, thread))


def test_without_a_room_taking_and_resolving_work_on_this_computer() -> None:
    queue, sender = RequestQueue(), Sender()
    desk = RequestDesk(queue, ME, staff_name="Alice Martin")
    desk.attach(None, sender)
    queue.announced(request())
    desk.take("t1")
    assert queue.find("t1") is not None and queue.find("t1").claimed_by == ME
    asyncio.run(desk.resolve("t1"))
    assert queue.requests() == []
    ((peer, text, thread),) = sender.sent
    assert (peer, thread) == ("ann@example.org", "t1")
    assert text.startswith("Alice Martin marked your request resolved")
    assert desk.room_status() is None and not desk.shared


def test_with_a_room_everything_goes_through_it_and_counts_once_echoed() -> None:
    queue, room = RequestQueue(), Room()
    desk = RequestDesk(queue, ME)
    desk.attach(room, Sender())
    opened = queue.announced(request("t9"))  # from the room: not posted back
    assert opened and room.posted == []
    desk.take("t9")
    assert room.posted == [("claim", "t9")]
    assert queue.find("t9") is not None and queue.find("t9").claimed_by is None  # not yet echoed
    asyncio.run(desk.resolve("t9"))
    assert room.posted[-1] == ("resolved", "t9") and queue.find("t9") is not None


def test_a_request_that_reached_us_is_posted_to_the_room() -> None:
    from supporttray.core.messages import ChatMessage, Direction

    queue, room = RequestQueue(), Room()
    RequestDesk(queue, ME).attach(room, Sender())
    queue.note(ChatMessage("m1", "ann@example.org", Direction.IN, "Help", T0, thread="t5"))
    assert room.posted == [("request", "t5")]


@pytest.mark.parametrize(("action", "setup", "sentence"), [
    ("take", None, "There is no open request 'nope'"),
    ("take", "bob@example.org", "bob@example.org has already taken this request."),
    ("resolve", None, "There is no open request 'nope'"),
])
def test_bad_requests_get_a_sentence_never_a_traceback(action: str, setup: str | None,
                                                        sentence: str) -> None:
    queue = RequestQueue()
    desk = RequestDesk(queue, ME)
    desk.attach(None, Sender())
    target = "nope"
    if setup is not None:
        queue.announced(request())
        queue.claimed("t1", setup)
        target = "t1"
    with pytest.raises(DeskError, match=sentence.replace("(", r"\(")):
        if action == "take":
            desk.take(target)
        else:
            asyncio.run(desk.resolve(target))


def test_taking_what_we_already_have_is_fine() -> None:
    queue = RequestQueue()
    desk = RequestDesk(queue, ME)
    desk.attach(None, Sender())
    queue.announced(request())
    queue.claimed("t1", ME)
    assert desk.take("t1").claimed_by == ME


@pytest.mark.parametrize(("setting", "room"), [
    ("", "support-staff"),  # on the MUC service discovery finds
    ("  ", "support-staff"),
    ("Team@Rooms.Example.org", "team@rooms.example.org"),
    ("off", None),
    ("OFF", None),
])
def test_the_staff_room_setting(setting: str, room: str | None) -> None:
    assert staff_room_jid(setting) == room


def test_a_room_that_cannot_exist_here_means_claims_on_this_computer() -> None:
    queue = RequestQueue()
    room = Room(RoomStatus("staff@conference.example.org", error="no MUC", missing=True))
    desk = RequestDesk(queue, ME)
    desk.attach(room, Sender())
    queue.announced(request())
    assert not desk.shared
    desk.take("t1")
    assert queue.find("t1") is not None and queue.find("t1").claimed_by == ME
    assert ("claim", "t1") not in room.posted
