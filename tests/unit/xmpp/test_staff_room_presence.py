"""What the staff room does when the room itself says we are out."""

from __future__ import annotations

import asyncio

import pytest
import slixmpp
from slixmpp import Presence
from slixmpp.xmlstream import ET

from supporttray.core.requests import RequestQueue
from supporttray.xmpp import staff_room
from supporttray.xmpp.staff_room import StaffRoom

ROOM = "support-staff@rooms.example.org"
ME = "ben@example.org"

# Declares the MUC presence stanza, as the app's client does.
slixmpp.ClientXMPP("loader@example.org", "unused").register_plugin("xep_0045")


def out_of_the_room(*codes: int) -> Presence:
    statuses = "".join(f"<status code='{code}'/>" for code in (110, *codes))
    return Presence(xml=ET.fromstring(
        f"<presence xmlns='jabber:client' from='{ROOM}/{ME}' type='unavailable'>"
        "<x xmlns='http://jabber.org/protocol/muc#user'>"
        f"<item affiliation='none' role='none'/>{statuses}</x></presence>"))


def room_in_it() -> tuple[StaffRoom, list[str]]:
    room = StaffRoom(ROOM, ME, RequestQueue(), staff=lambda: [])
    joins: list[str] = []

    async def join() -> None:
        joins.append("join")

    room.join = join  # type: ignore[method-assign]
    room._set(True, "")
    return room, joins


def test_made_members_only_while_joining_a_new_room_joins_again_shortly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(staff_room, "MISSING_RETRY_SECONDS", 0.01)
    room, joins = room_in_it()

    async def scenario() -> None:
        room._on_room_presence(out_of_the_room(322))
        assert not room.status.joined
        assert "was just made members-only; joining again" in str(room.status.error)
        await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert joins == ["join"]


def test_kicked_or_banned_stays_out_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_room, "MISSING_RETRY_SECONDS", 0.01)
    room, joins = room_in_it()

    async def scenario() -> None:
        room._on_room_presence(out_of_the_room(307))
        await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert str(room.status.error) == f"You were removed from the staff room {ROOM} (status 307)."
    assert joins == []


def test_made_members_only_while_still_joining_does_not_count_as_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a join whose self-presence came, and then, while the app looked the new room over,
    # the room was made members-only by its creator (322): seen on ejabberd
    room = StaffRoom(ROOM, ME, RequestQueue(), staff=lambda: [])
    joined_presence = Presence(xml=ET.fromstring(
        f"<presence xmlns='jabber:client' from='{ROOM}/{ME}'>"
        "<x xmlns='http://jabber.org/protocol/muc#user'>"
        "<item affiliation='none' role='participant'/><status code='110'/></x></presence>"))

    class Muc:
        async def join_muc_wait(self, *_args: object, **_kwargs: object) -> tuple[object, ...]:
            return joined_presence, "", [], []

    class Client:
        def __init__(self) -> None:
            self.plugin = {"xep_0045": Muc()}

    async def found() -> bool:
        return True

    async def kicked_while_looking(_client: object) -> tuple[bool, bool]:
        room._on_room_presence(out_of_the_room(322))
        return True, True

    monkeypatch.setattr(room, "_find_room", found)
    monkeypatch.setattr(room, "_room_kind", kicked_while_looking)
    monkeypatch.setattr(staff_room, "MISSING_RETRY_SECONDS", 60.0)

    async def scenario() -> None:
        await room._join(Client())

    asyncio.run(scenario())
    # then the app does not take itself for in the room (it would never hear the team again)
    assert not room.status.joined
    assert "joining again" in str(room.status.error)
