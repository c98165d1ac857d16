"""Three-way chat against the real server: a staff app turns its chat with a requester's app
into a group chat with a vendor on a plain XMPP client; the requester's app goes in by itself,
the vendor joins from the invitation (XEP-0249) and talks, and the room's transcript is in the
history of both SupportTray apps."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from supporttray.app.group_chat import GroupChats, is_notice
from supporttray.app.group_check import ChatKeeper, GroupChecks
from supporttray.core.messages import Direction

from .conftest import XmppServer
from .test_chat_wire import QUESTION, App, PlainPeer, ask, build_app, online, staff_app_shows
from .test_group_check_cli import signed_in
from .test_staff_presence import seconds_until


def with_group_chats(app: App) -> GroupChats:
    """What the launcher adds (working_together.py), on the test's in-process app."""
    checks = GroupChecks(app.jid, dict, keeper=ChatKeeper(app.chat.receive))
    chats = GroupChats(app.chat, checks, is_trusted_inviter=app.chat.book.is_staff)
    app.service.group_checks = checks
    app.service.group_chats = chats
    app.chat.opens_no_request = lambda m: chats.is_room(m.peer) or is_notice(m)
    return chats


class Vendor:
    """Someone at the hardware vendor on an ordinary client: joins the room they are invited
    to and says hello."""

    def __init__(self, peer: PlainPeer) -> None:
        self.peer = peer
        self.room = ""
        self.lines: list[str] = []
        self.joining: asyncio.Future[None] | None = None

    def listen(self) -> None:
        client = self.peer.client
        assert client is not None
        for plugin in ("xep_0045", "xep_0249"):
            client.register_plugin(plugin)
        client.add_event_handler("groupchat_direct_invite", self._invited)
        client.add_event_handler("groupchat_message",
                                 lambda m: self.lines.append(str(m["body"])))

    def _invited(self, message: Any) -> None:
        self.room = str(message["groupchat_invite"]["jid"])
        self.joining = asyncio.ensure_future(self._join())

    async def _join(self) -> None:
        client = self.peer.client
        assert client is not None
        await client.plugin["xep_0045"].join_muc_wait(self.room, "vendor-bob", timeout=10)
        client.send_message(mto=self.room, mbody="Hi, Bob from the vendor here: which firmware?",
                            mtype="groupchat")


@pytest.mark.asyncio
async def test_staff_invite_a_vendor_into_the_chat_with_a_requester(
    xmpp_server: XmppServer,
) -> None:
    requester_account, staff_account, vendor_account = xmpp_server.fresh_accounts(3)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=[xmpp_server.domain])
    requester = build_app(requester_account, xmpp_server, support__staff=[staff.jid])
    staff_chats, requester_chats = with_group_chats(staff), with_group_chats(requester)
    vendor = Vendor(PlainPeer(vendor_account, xmpp_server))
    async with online(staff), online(requester), signed_in([vendor.peer]):
        vendor.listen()
        await seconds_until(lambda: requester.chat.book.is_staff(staff.jid)
                            and bool(requester.chat.book.members()))
        await ask(requester, QUESTION)
        await staff_app_shows(staff, requester.jid)

        room = await staff_chats.invite(requester.jid, vendor.peer.jid)

        # all three are in: the requester's app by itself, the vendor from the invitation
        await seconds_until(lambda: requester_chats.is_room(room), timeout=10)
        await seconds_until(lambda: vendor.room == room, timeout=10)
        # the context is the first line, readable as text everywhere
        await seconds_until(lambda: any(QUESTION in line for line in vendor.lines), timeout=10)
        await seconds_until(lambda: any(QUESTION in m.body for m in requester.shown(room)),
                            timeout=10)
        # the vendor talks; both apps show it, named
        for app in (staff, requester):
            await seconds_until(lambda app=app: any(
                m.body.startswith("vendor-bob: Hi, Bob") for m in app.shown(room)
                if m.direction is Direction.IN), timeout=10)
        # and the requester answers in the room from their app
        await requester.chat.send(room, "Firmware 2.4.1")
        await seconds_until(lambda: "Firmware 2.4.1" in vendor.lines, timeout=10)

        # the transcript is in both histories (search and export read the same store)
        for app in (staff, requester):
            kept = [m.body for m in app.history.conversation(room)]
            assert any(QUESTION in body for body in kept), kept
            assert any("which firmware?" in body for body in kept), kept
        # the room's lines opened no request in the staff app
        assert staff.chat.requests is not None
        assert [r.requester for r in staff.chat.requests.requests()] == [requester.jid]


@pytest.mark.asyncio
async def test_a_vendor_whose_server_cannot_be_reached_gets_a_sentence(
    xmpp_server: XmppServer,
) -> None:
    requester_account, staff_account = xmpp_server.fresh_accounts(2)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=[xmpp_server.domain])
    chats = with_group_chats(staff)
    async with online(staff):
        room = await chats.invite(requester_account.jid, "bob@vendor.invalid")
        await seconds_until(lambda: any("could not be reached" in m.body
                                        for m in staff.shown(room)), timeout=30)
        # and nothing of it became a request
        assert staff.chat.requests is not None and staff.chat.requests.requests() == []


@pytest.mark.asyncio
async def test_the_demos_simulated_vendor_joins_when_invited(xmpp_server: XmppServer) -> None:
    from supporttray.xmpp.simulated_person import PersonScript, SimulatedPerson

    requester_account, staff_account, vendor_account = xmpp_server.fresh_accounts(3)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=[xmpp_server.domain])
    chats = with_group_chats(staff)
    assert xmpp_server.ca_file is not None
    victor = SimulatedPerson(
        PersonScript(vendor_account.jid, vendor_account.password,
                     joins_invites="Hi, Victor from Acme Printers here."),
        xmpp_server.host, xmpp_server.port, xmpp_server.ca_file)
    async with online(staff):
        await victor.start()
        try:
            room = await chats.invite(requester_account.jid, vendor_account.jid)
            await seconds_until(lambda: any("Victor from Acme Printers" in m.body
                                            for m in staff.shown(room)), timeout=15)
        finally:
            await victor.stop()
