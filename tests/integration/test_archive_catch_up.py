"""What another client of the same account (a phone) took while the app was closed reaches the
app from the server's archive (XEP-0313) when it starts again: once, in time order, merged with
what offline storage delivers, and what was answered there is not unread."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray.core.history import HistoryStore
from supporttray.core.messages import ArchivePosition, Direction
from supporttray.sandbox.prosody import Account

from .conftest import XmppServer
from .test_chat_wire import App, PlainPeer, build_app, online, signed_in
from .test_staff_presence import seconds_until

# More than two of the app's pages (100 messages each): the catch-up pages on.
WHILE_AWAY = 230


def staff_app(account: Account, server: XmppServer, history: Path) -> App:
    return build_app(account, server, history=history, support__mode="staff",
                     support__auto_accept_domains=[server.domain])


def bodies(app: App, peer: str) -> list[tuple[Direction, str]]:
    return [(m.direction, m.body) for m in app.history.conversation(peer, limit=1000)]


@pytest.mark.asyncio
async def test_what_the_phone_took_while_the_app_was_closed_shows_once_and_answered(
    xmpp_server: XmppServer, tmp_path: Path,
) -> None:
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    history = tmp_path / "history.sqlite3"
    requester = PlainPeer(requester_account, xmpp_server, "laptop")
    phone = PlainPeer(staff_account, xmpp_server, "phone")
    # given the app ran once and got a message (the archive is read up to it)
    first = staff_app(staff_account, xmpp_server, history)
    async with online(first), signed_in((requester, "")):
        requester.send(staff_account.jid, "before")
        await seconds_until(lambda: bodies(first, requester.jid) == [(Direction.IN, "before")])
        await seconds_until(lambda: first.history.archive_position(first.jid) is not None)

    # and while it was closed, the phone was online: it took the requester's messages (offline
    # storage keeps nothing then), and answered from there
    away = [f"while away {i:03d}" for i in range(WHILE_AWAY)]
    async with signed_in((phone, ""), (requester, "")):
        for body in away:
            requester.send(staff_account.jid, body)
        await seconds_until(lambda: len(phone.from_(requester.jid)) == WHILE_AWAY, timeout=20)
        phone.send(requester.jid, "answered from the phone")
        await seconds_until(lambda: bool(requester.from_(staff_account.jid)))
        # and after the phone went offline too, one more waited in offline storage (a second
        # later: servers stamp messages in whole seconds, and this one comes the other way)
        await phone.sign_out()
        await asyncio.sleep(1.05)
        requester.send(staff_account.jid, "after the phone")

    # when the app starts again
    again = staff_app(staff_account, xmpp_server, history)
    async with online(again):
        expected = [(Direction.IN, "before"), *[(Direction.IN, b) for b in away],
                    (Direction.OUT, "answered from the phone"), (Direction.IN, "after the phone")]
        await seconds_until(lambda: len(bodies(again, requester.jid)) >= len(expected),
                            timeout=20)
        # then it has every message once, in the order they were written (the archive's
        # copy of the offline message is the same message)
        assert bodies(again, requester.jid) == expected
        shown = [(m.direction, m.body) for m in again.shown(requester.jid)]
        assert shown == expected
        # and only what came after the phone's answer is unread
        assert again.chat.conversations.unread(requester.jid) == 1
        # and the phone's answer is the staff member's, as sent
        answer = next(m for m in again.shown(requester.jid) if m.direction is Direction.OUT)
        assert answer.body == "answered from the phone"


@pytest.mark.asyncio
async def test_a_position_the_server_no_longer_knows_reads_from_its_time(
    xmpp_server: XmppServer, tmp_path: Path,
) -> None:
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    history = tmp_path / "history.sqlite3"
    # given the app read the archive up to a message the server has since purged
    with HistoryStore(history) as store:
        store.set_archive_position(staff_account.jid, ArchivePosition(
            "purged-long-ago", datetime.now(UTC) - timedelta(minutes=10)))
    requester = PlainPeer(requester_account, xmpp_server, "laptop")
    phone = PlainPeer(staff_account, xmpp_server, "phone")
    async with signed_in((phone, ""), (requester, "")):
        requester.send(staff_account.jid, "taken by the phone")
        await seconds_until(lambda: bool(phone.from_(requester.jid)))

    # when the app starts
    app = staff_app(staff_account, xmpp_server, history)
    async with online(app):
        # then what the phone took since that time is there, once
        await seconds_until(lambda: bool(bodies(app, requester.jid)), timeout=10)
        assert bodies(app, requester.jid) == [(Direction.IN, "taken by the phone")]
        # and from now on the position is one the server knows
        position = app.history.archive_position(app.jid)
        assert position is not None and position.stanza_id != "purged-long-ago"


@pytest.mark.asyncio
async def test_a_new_profile_starts_from_now_not_from_the_whole_archive(
    xmpp_server: XmppServer, tmp_path: Path,
) -> None:
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    requester = PlainPeer(requester_account, xmpp_server, "laptop")
    phone = PlainPeer(staff_account, xmpp_server, "phone")
    # given the account's archive holds an old conversation (of the phone's)
    async with signed_in((phone, ""), (requester, "")):
        requester.send(staff_account.jid, "an old question")
        await seconds_until(lambda: bool(phone.from_(requester.jid)))

    # when SupportTray starts with a new profile, it shows none of it (nobody wants a week of
    # someone else's chats as unread)...
    history = tmp_path / "history.sqlite3"
    app = staff_app(staff_account, xmpp_server, history)
    async with online(app):
        await seconds_until(lambda: app.history.archive_position(app.jid) is not None)
        assert bodies(app, requester.jid) == []
        # and the chats' privacy line knows that the server keeps its own copy (disco)
        assert app.chat.keeping().server_archives is True

    # ...but from then on it misses nothing the phone takes
    async with signed_in((phone, ""), (requester, "")):
        requester.send(staff_account.jid, "a new question")
        await seconds_until(lambda: bool(phone.from_(requester.jid)[1:]))
    again = staff_app(staff_account, xmpp_server, history)
    async with online(again):
        await seconds_until(lambda: bool(bodies(again, requester.jid)), timeout=10)
        assert Counter(bodies(again, requester.jid)) == Counter(
            [(Direction.IN, "a new question")])


@pytest.mark.asyncio
async def test_a_question_that_waited_offline_reaches_a_new_profile_once(
    xmpp_server: XmppServer, tmp_path: Path,
) -> None:
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    requester = PlainPeer(requester_account, xmpp_server, "laptop")
    # given a requester asked while no client of the staff account was online (the server
    # keeps it in offline storage, and in the archive)
    async with signed_in((requester, "")):
        requester.send(staff_account.jid, "are you there?")
        await asyncio.sleep(0.3)

    # when SupportTray starts for the first time on this account
    app = staff_app(staff_account, xmpp_server, tmp_path / "history.sqlite3")
    async with online(app):
        # then the question is shown, once, and unread: reading the archive before our
        # presence would make Prosody keep it from us, and a new profile reads the archive
        # only from its newest message on
        await seconds_until(lambda: bool(bodies(app, requester.jid)), timeout=10)
        await seconds_until(lambda: app.history.archive_position(app.jid) is not None)
        await asyncio.sleep(0.3)
        assert bodies(app, requester.jid) == [(Direction.IN, "are you there?")]
        assert app.chat.conversations.unread(requester.jid) == 1
