"""Closing the loop against the real server: staff resolve a request, the requester is asked
"Did this fix it?", and "Not yet" opens the request again in both staff apps (each a real
`supporttray run`); a yes keeps it closed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from supporttray.core.answer_words import Answer

from .conftest import XmppServer
from .test_chat_wire import PlainPeer
from .test_claims_cli import all_running, all_status_when, machine, requests_of
from .test_group_check_cli import ButtonPeer, signed_in
from .test_staff_room import room_for


@pytest.mark.asyncio
async def test_not_yet_reopens_the_request_for_the_team(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    s1, s2, person = xmpp_server.fresh_accounts(3)
    staff = [s1, s2]
    room = room_for(s1, "fix")
    desks = [machine(xmpp_server, subprocess_env, tmp_path, s, staff, room=room) for s in staff]
    for desk in desks:
        assert (await desk.login(desk.requester.password)).code == 0
    requester = PlainPeer(person, xmpp_server)

    async with all_running(desks), signed_in([requester]):
        await all_status_when(desks, lambda s: s["state"] == "online"
                              and bool(s["staff_room"]) and s["staff_room"]["joined"])
        answering = ButtonPeer(requester, Answer.OBJECTED)  # the requester's app: "Not yet"
        requester.send(s1.jid, "The VPN drops every 5 minutes", thread="st-vpn-1")
        await all_status_when(desks, lambda s: person.jid in requests_of(s))

        await asyncio.sleep(2.5)  # so a request opened again is told apart by its age
        resolved = await desks[0]("resolve", person.jid)
        assert resolved.code == 0, resolved.err
        await until(lambda: answered(answering) is Answer.OBJECTED)
        # back in both queues as a new request: opened by the "Not yet", seconds ago
        await all_status_when(desks, lambda s: person.jid in requests_of(s)
                              and requests_of(s)[person.jid]["waiting_seconds"] < 2)
        history = await desks[0]("history", "--with", person.jid)
        assert "Did this fix it?" in history.out
        assert "Not yet" in history.out

        # resolved again; this time the requester says yes: it stays closed
        answering.answer = Answer.AGREED
        answering.checks.asked_of_me.clear()
        assert (await desks[0]("resolve", person.jid)).code == 0
        await until(lambda: answered(answering) is Answer.AGREED)
        await asyncio.sleep(1.0)  # the yes has reached the staff apps
        for status in await asyncio.gather(*(d.status() for d in desks)):
            assert person.jid not in requests_of(status or {})


def answered(peer: ButtonPeer) -> Answer | None:
    asked = peer.checks.asked_of_me.get("fix-st-vpn-1")
    return asked.answered if asked is not None else None


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)
