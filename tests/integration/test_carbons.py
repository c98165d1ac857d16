"""Another client of the same account (a phone): what it sends and receives shows in the tray's
conversations too (XEP-0280 carbons), once; what it sends is never unread, and reads the chat
(whoever answered has read the question)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from supporttray.core.messages import Delivery, Direction

from .conftest import XmppServer
from .test_chat_wire import App, PlainPeer, build_app, online, signed_in, staff_app_shows
from .test_staff_presence import seconds_until


@asynccontextmanager
async def staff_with_phone(xmpp_server: XmppServer
                           ) -> AsyncIterator[tuple[App, PlainPeer, PlainPeer]]:
    """A staff app, a phone signed in to the same account, and a requester."""
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=[xmpp_server.domain])
    phone = PlainPeer(staff_account, xmpp_server, "phone")
    requester = PlainPeer(requester_account, xmpp_server, "laptop")
    async with online(staff), signed_in((phone, ""), (requester, "")):
        yield staff, phone, requester


@pytest.mark.asyncio
async def test_what_the_staff_member_writes_from_their_phone_shows_in_the_tray(
    xmpp_server: XmppServer,
) -> None:
    async with staff_with_phone(xmpp_server) as (staff, phone, requester):
        # given the requester asked, and the tray shows it
        requester.send(staff.jid, "The VPN drops", thread="st-vpn")
        await staff_app_shows(staff, requester.jid)

        # when the staff member answers from their phone, in the request's thread
        phone.send(requester.jid, "Try the other profile", thread="st-vpn")

        # then the tray's conversation shows the answer as theirs, in the thread, and the
        # question it answers is no longer unread
        assert staff.chat.conversations.unread(requester.jid) == 1
        await seconds_until(lambda: len(staff.shown(requester.jid)) == 2, timeout=5)
        answer = staff.shown(requester.jid)[1]
        assert (answer.direction, answer.body, answer.thread, answer.delivery) == (
            Direction.OUT, "Try the other profile", "st-vpn", Delivery.SENT)
        assert staff.chat.conversations.unread(requester.jid) == 0
        assert staff.history.conversation(requester.jid)[1].body == "Try the other profile"


@pytest.mark.asyncio
async def test_a_message_sent_to_the_phone_alone_shows_in_the_tray_once(
    xmpp_server: XmppServer,
) -> None:
    async with staff_with_phone(xmpp_server) as (staff, phone, requester):
        # when someone writes to the phone's resource only (a reply to what the phone sent)
        requester.send(f"{staff.jid}/phone", "Thanks, that worked")

        # then the tray has it too, once
        shown = await staff_app_shows(staff, requester.jid)
        assert shown.body == "Thanks, that worked"
        await seconds_until(lambda: bool(phone.from_(requester.jid)), timeout=5)
        assert [m.body for m in staff.shown(requester.jid)] == ["Thanks, that worked"]
