"""Chat on the wire, against a real server: what a staff member receives when a requester asks,
what the staff app shows, and what hostile peers cannot do to it.

Our side is the real stack as the launcher builds it, minus the windows (SupportService ->
XmppConnection -> ChatWire -> ChatService -> HistoryStore/Conversations), on the test's loop.
Staff and strangers on other clients are plain slixmpp clients that record what reaches them.
System-info sources are fakes with fixed values, so a test can say exactly what must arrive;
the collector, the policy and the connection details (conn.tls) are real.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import slixmpp
from slixmpp.xmlstream import ET, tostring

from supporttray import __version__
from supporttray.app.canned_replies import SettingsCannedReplies
from supporttray.app.chat import AskError, ChatService
from supporttray.app.service import SupportService
from supporttray.config.credentials import CredentialStore
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.config.sysinfo_fields import LABELS
from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.conversations import Conversations
from supporttray.core.history import HistoryStore
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.presence import Availability, PresenceBook
from supporttray.core.sysinfo import BLOCK_HEADER, SysinfoItem, SysinfoSnapshot
from supporttray.platform.sysinfo_collector import SysinfoCollector
from supporttray.sandbox.prosody import Account, ProsodySandbox
from supporttray.service_settings import chat_config, support_config
from supporttray.xmpp.simulated_person import PersonScript, SimulatedPerson

from .conftest import XmppServer
from .test_staff_presence import endpoint_of, seconds_until

SandboxFactory = Callable[..., ProsodySandbox]

NS_DATA = "jabber:x:data"
NS_FALLBACK = "urn:xmpp:fallback:0"
NS_SYSINFO = "urn:supporttray:sysinfo:1"
NS_RECEIPTS = "urn:xmpp:receipts"
FORM_TYPE = "urn:supporttray:sysinfo:0"

# The policy's sysinfo.fields in these tests: a few, so "exactly these" means something.
FIELDS = ("os.name", "hw.model", "uptime", "app.version", "conn.tls")
QUESTION = "My printer on floor 2 says “offline” 🖨️ since this morning"
# What the loop may freeze for while one hostile stanza is handled.
STALL_LIMIT_S = 0.100
# Prosody 0.12 closes a client's stream on a stanza over 256 KiB (c2s_stanza_size_limit).
SERVER_STANZA_LIMIT = 256 * 1024


# -- our app -----------------------------------------------------------------------------------


@dataclass
class App:
    """One SupportTray as the launcher builds it, without windows."""

    jid: str
    service: SupportService
    chat: ChatService
    history: HistoryStore

    @property
    def state(self) -> ConnectionState:
        return self.service.monitor.status.state

    def shown(self, peer: str) -> list[ChatMessage]:
        """What the chat window with `peer` shows."""
        return self.chat.conversations.messages(peer)


def build_app(
    account: Account,
    server: XmppServer | ProsodySandbox,
    *,
    history: str | Path = ":memory:",
    **policy: Any,
) -> App:
    """An app for `account`; policy keys with `__` for dots (support__mode="staff")."""
    where = endpoint_of(server)
    enforced: dict[str, object] = {
        "server.domain": where.domain, "server.host": where.host, "server.port": where.port,
        "sysinfo.fields": list(FIELDS), "sysinfo.consent": "always",
    }  # fmt: skip
    if where.ca_file is not None:
        enforced["server.ca_file"] = str(where.ca_file)
    enforced.update({key.replace("__", "."): value for key, value in policy.items()})
    # Each staff app its own staff room: tests share the server, never a room.
    enforced.setdefault("support.staff_room",
                        f"staff-{account.jid.split('@')[0]}@{server.muc_domain}")
    settings = Settings(Policy(source=None, enforced=enforced), {"account.jid": account.jid})
    credentials = CredentialStore()
    credentials.set(account.jid, account.password)
    uptime = count(1)
    collector = SysinfoCollector(
        settings.get_str_list("sysinfo.fields"),
        sources={
            "os.name": lambda: "Debian GNU/Linux 12 (bookworm)",
            "hw.model": lambda: "ThinkPad T14 Gen 1 (20S0000XX)",
            # Changes at every collection: tells a fresh snapshot from an old one.
            "uptime": lambda: f"{next(uptime)} h",
        },
        app_version=__version__,
        connection=lambda: service.connection_details(),
    )
    store = HistoryStore(history)
    chat = ChatService(chat_config(settings), PresenceBook(), Conversations(), store, collector,
                       canned=SettingsCannedReplies(settings))
    service = SupportService(support_config(settings), credentials, book=chat.book, chat=chat)
    return App(account.jid, service, chat, store)


@asynccontextmanager
async def online(app: App) -> AsyncIterator[App]:
    """The app connected; stopped (goodbye sent) and its history closed afterwards."""
    try:
        await app.service.start()
        await seconds_until(lambda: app.state is ConnectionState.ONLINE)
        yield app
    finally:
        await app.service.stop()
        app.history.close()


async def ask(app: App, text: str, to: str | None = None, *, new: bool = False) -> ChatMessage:
    """What pressing Send in the ask window does."""
    plan = await app.chat.plan_ask(to, new_request=new)
    return await app.chat.ask(plan, text)


async def staff_app_shows(app: App, peer: str, n: int = 1, timeout: float = 5) -> ChatMessage:
    """Wait until the chat with `peer` shows `n` incoming messages; the last one."""
    await seconds_until(
        lambda: len([m for m in app.shown(peer) if m.direction is Direction.IN]) >= n,
        timeout=timeout,
    )
    return [m for m in app.shown(peer) if m.direction is Direction.IN][-1]


# -- other people's clients ----------------------------------------------------------------------


@dataclass
class Received:
    at: float  # time.perf_counter() when the client had it
    stanza: Any

    @property
    def body(self) -> str:
        return str(self.stanza["body"])


@dataclass
class PlainPeer:
    """Someone on an ordinary XMPP client (no SupportTray code): records every message with a
    body that reaches them, approves presence requests from their own domain, and acknowledges
    receipts (XEP-0184) unless told not to."""

    account: Account
    server: XmppServer | ProsodySandbox
    resource: str = "desk"
    receipts: bool = True
    messages: list[Received] = field(default_factory=list)
    stream_errors: list[str] = field(default_factory=list)
    client: slixmpp.ClientXMPP | None = None

    @property
    def jid(self) -> str:
        return self.account.jid

    async def sign_in(self, show: str = "") -> PlainPeer:
        where = endpoint_of(self.server)
        client = slixmpp.ClientXMPP(f"{self.jid}/{self.resource}", self.account.password)
        client.enable_direct_tls = False
        client.enable_plaintext = False
        if where.ca_file is not None:
            client.ca_certs = where.ca_file
        client.roster.auto_authorize = None  # type: ignore[assignment]  # None = ask us
        client.roster.auto_subscribe = False
        if self.receipts:
            client.register_plugin("xep_0184")
        session: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_session(_event: object) -> None:
            client.send_presence(pshow=show or None)
            if not session.done():
                session.set_result(None)

        def on_failure(reason: object) -> None:
            if not session.done():
                session.set_exception(AssertionError(f"{self.jid} could not log in: {reason}"))

        def on_message(stanza: Any) -> None:
            if stanza["type"] in ("chat", "normal") and stanza["body"]:
                self.messages.append(Received(time.perf_counter(), stanza))

        def on_subscribe(presence: Any) -> None:
            if presence["from"].domain == self.jid.partition("@")[2]:
                client.send_presence(pto=presence["from"].bare, ptype="subscribed")

        client.add_event_handler("session_start", on_session)
        client.add_event_handler("failed_all_auth", on_failure)
        client.add_event_handler("connection_failed", on_failure)
        client.add_event_handler("message", on_message)
        client.add_event_handler("presence_subscribe", on_subscribe)
        client.add_event_handler("stream_error", lambda e: self.stream_errors.append(str(e)))
        client.connect(where.host, where.port)
        try:
            await asyncio.wait_for(session, 10)
        except BaseException:
            client.abort()
            raise
        self.client = client
        return self

    async def sign_out(self) -> None:
        client, self.client = self.client, None
        if client is None or client.transport is None:
            return
        client.send_presence(ptype="unavailable")
        try:
            await asyncio.wait_for(client.disconnect(wait=1.0), timeout=3.0)
        except TimeoutError:
            client.abort()

    def send(self, to: str, body: str, *, extra: Sequence[ET.Element] = (),
             thread: str = "") -> None:  # fmt: skip
        assert self.client is not None, "sign_in() first"
        stanza = self.client.make_message(mto=to, mbody=body, mtype="chat")
        if thread:
            stanza["thread"] = thread
        for element in extra:
            stanza.xml.append(element)
        stanza.send()

    def send_raw(self, xml: str) -> None:
        """A stanza serialised beforehand, so its cost is not counted as the receiver's."""
        assert self.client is not None, "sign_in() first"
        self.client.send_raw(xml)

    def raw_message(self, to: str, body: str, extra: Sequence[ET.Element] = ()) -> str:
        assert self.client is not None, "sign_in() first"
        stanza = self.client.make_message(mto=to, mbody=body, mtype="chat")
        for element in extra:
            stanza.xml.append(element)
        return tostring(stanza.xml, xmlns="jabber:client", stream=self.client, top_level=True)

    async def has(self, n: int = 1, timeout: float = 5) -> list[Received]:
        await seconds_until(lambda: len(self.messages) >= n, timeout=timeout)
        return self.messages

    def from_(self, jid: str) -> list[Received]:
        return [m for m in self.messages if m.stanza["from"].bare == jid]


@asynccontextmanager
async def signed_in(*peers: tuple[PlainPeer, str]) -> AsyncIterator[None]:
    """Each (peer, show) online for the block."""
    try:
        for peer, show in peers:
            await peer.sign_in(show)
        yield
    finally:
        for peer, _ in peers:
            await peer.sign_out()


async def nothing_else_from(app: App, peer: PlainPeer, before: int) -> list[Received]:
    """What `peer` got from `app` besides the first `before` messages, proven without waiting
    a fixed time: the server keeps one sender's messages in order, so whatever was sent earlier
    arrives before a marker sent now."""
    marker = f"marker {time.perf_counter_ns()}"
    await app.chat.send(peer.jid, marker)
    await seconds_until(lambda: any(m.body == marker for m in peer.messages), timeout=5)
    mine = [m for m in peer.from_(app.jid) if m.body != marker]
    return mine[before:]


# -- stanza reading (independent of the product's parser) ---------------------------------------


def form_of(stanza: Any) -> ET.Element | None:
    """The system-info form inside our attachment; never a top-level form, which plain
    clients (Profanity) take for a form to fill in, hiding the body."""
    assert stanza.xml.find(f"{{{NS_DATA}}}x") is None, "a top-level jabber:x:data form"
    form: ET.Element | None = stanza.xml.find(f"{{{NS_SYSINFO}}}sysinfo/{{{NS_DATA}}}x")
    return form


def form_fields(form: ET.Element) -> list[tuple[str, str]]:
    return [
        (f.get("var", ""), f.findtext(f"{{{NS_DATA}}}value") or "")
        for f in form.iterfind(f"{{{NS_DATA}}}field")
    ]


def fallback_range(stanza: Any) -> tuple[int, int]:
    (fallback,) = stanza.xml.findall(f"{{{NS_FALLBACK}}}fallback")
    assert fallback.get("for") == NS_SYSINFO
    marker = fallback.find(f"{{{NS_FALLBACK}}}body")
    assert marker is not None
    return int(marker.get("start", "")), int(marker.get("end", ""))


def sysinfo_form(pairs: Sequence[tuple[str, str]], *, legacy: bool = False) -> ET.Element:
    """A system-info attachment as any client could build it, by hand; `legacy`: the bare
    top-level form SupportTray sent before the urn:supporttray:sysinfo:1 wrapper."""
    form = ET.Element(f"{{{NS_DATA}}}x", {"type": "result"})
    hidden = ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": "FORM_TYPE", "type": "hidden"})
    ET.SubElement(hidden, f"{{{NS_DATA}}}value").text = FORM_TYPE
    for key, value in pairs:
        item = ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": key})
        ET.SubElement(item, f"{{{NS_DATA}}}value").text = value
    if legacy:
        return form
    attachment = ET.Element(f"{{{NS_SYSINFO}}}sysinfo")
    attachment.append(form)
    return attachment


def fallback_for(start: int, end: int, *, legacy: bool = False) -> ET.Element:
    element = ET.Element(f"{{{NS_FALLBACK}}}fallback",
                         {"for": FORM_TYPE if legacy else NS_SYSINFO})
    ET.SubElement(element, f"{{{NS_FALLBACK}}}body", {"start": str(start), "end": str(end)})
    return element


# -- the loop's responsiveness -----------------------------------------------------------------


class Heartbeat:
    """The longest the loop did not get round to a 1 ms timer: how long the app froze.

    Counted in this thread's CPU time, so that other processes on a busy 2-core CI machine do
    not count as our freeze; a handler that does too much work still does.
    """

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        last = time.thread_time()
        while True:
            await asyncio.sleep(0.001)
            now = time.thread_time()
            self.longest = max(self.longest, now - last - 0.001)
            last = now

    def __enter__(self) -> Heartbeat:
        # As the app does after start-up (launcher.run_tray): what lived before is not garbage.
        # Else a full collection over every object earlier tests left behind lands in the
        # measurement and says more about the test process than about the app.
        gc.freeze()
        self._task = asyncio.ensure_future(self._beat())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        gc.unfreeze()


# -- fixtures ----------------------------------------------------------------------------------


@dataclass
class Desk:
    """A requester's app and two staff members on plain clients."""

    app: App
    alice: PlainPeer
    bob: PlainPeer


@asynccontextmanager
async def requester_with_alice_available_and_bob_away(
    xmpp_server: XmppServer, **policy: Any
) -> AsyncIterator[Desk]:
    requester, alice_account, bob_account = xmpp_server.fresh_accounts(3)
    alice, bob = PlainPeer(alice_account, xmpp_server), PlainPeer(bob_account, xmpp_server)
    app = build_app(requester, xmpp_server, support__staff=[alice.jid, bob.jid], **policy)
    async with signed_in((alice, ""), (bob, "away")), online(app):
        book = app.chat.book

        def both_known() -> bool:
            a, b = book.member(alice.jid), book.member(bob.jid)
            return (a is not None and a.availability is Availability.AVAILABLE
                    and b is not None and b.availability is Availability.AWAY)  # fmt: skip

        await seconds_until(both_known)
        yield Desk(app, alice, bob)


@dataclass
class Pair:
    """A requester's app and a staff member's app that accepts its forms."""

    requester: App
    staff: App


@asynccontextmanager
async def requester_and_staff_app(xmpp_server: XmppServer) -> AsyncIterator[Pair]:
    requester_account, staff_account = xmpp_server.fresh_accounts(2)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=[xmpp_server.domain])  # fmt: skip
    requester = build_app(requester_account, xmpp_server, support__staff=[staff.jid])
    async with online(staff), online(requester):
        book = requester.chat.book
        await seconds_until(lambda: book.summary().availability is Availability.AVAILABLE)
        yield Pair(requester, staff)


@asynccontextmanager
async def staff_app_and_peer(
    xmpp_server: XmppServer, accept_domains: Sequence[str] | None = None, **policy: Any
) -> AsyncIterator[tuple[App, PlainPeer]]:
    """A staff app and someone on a plain client; by default the policy makes them a requester.
    `policy`: more of the staff app's policy, as build_app takes it."""
    staff_account, peer_account = xmpp_server.fresh_accounts(2)
    domains = [xmpp_server.domain] if accept_domains is None else list(accept_domains)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=domains, **policy)  # fmt: skip
    peer = PlainPeer(peer_account, xmpp_server, "laptop")
    async with online(staff), signed_in((peer, "")):
        yield staff, peer


@pytest.fixture
def xmpp_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO, logger="supporttray")
    yield caplog


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "supporttray.xmpp" and r.levelno >= logging.WARNING]  # fmt: skip


# -- the first message ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_whoever_is_available_means_the_available_staff_member_not_the_away_one(
    xmpp_server: XmppServer,
) -> None:
    async with requester_with_alice_available_and_bob_away(xmpp_server) as desk:
        # when the requester asks whoever is available
        plan = await desk.app.chat.plan_ask()
        await desk.app.chat.ask(plan, QUESTION)

        # then alice gets the question, once; bob gets nothing
        assert plan.to == desk.alice.jid
        assert not plan.nobody_online
        (got,) = await desk.alice.has(1)
        assert got.body.startswith(QUESTION)
        assert await nothing_else_from(desk.app, desk.alice, before=1) == []
        assert await nothing_else_from(desk.app, desk.bob, before=0) == []


@pytest.mark.asyncio
async def test_first_message_carries_block_fallback_form_thread_and_receipt_request(
    xmpp_server: XmppServer,
) -> None:
    async with requester_with_alice_available_and_bob_away(xmpp_server) as desk:
        # when the requester asks a first question
        sent = await ask(desk.app, QUESTION)
        (got,) = await desk.alice.has(1)
        stanza, body = got.stanza, got.body

        # then alice's plain client shows the question, then a readable block of system info
        start, end = fallback_range(stanza)
        assert body[:start] == QUESTION
        assert end == len(body)
        block = body[start:end]
        assert block.startswith(f"\n\n{BLOCK_HEADER}\n")
        values = dict(sent.sysinfo)
        assert block.splitlines()[3:] == [f"{LABELS[k]}: {values[k]}" for k in FIELDS]
        assert values["os.name"] == "Debian GNU/Linux 12 (bookworm)"
        assert values["app.version"] == __version__
        assert values["conn.tls"].startswith("TLSv1.")  # the live session's details

        # and the form has FORM_TYPE and exactly the policy's fields, with the same values
        form = form_of(stanza)
        assert form is not None and form.get("type") == "result"
        fields = form_fields(form)
        assert fields[0] == ("FORM_TYPE", FORM_TYPE)
        assert fields[1:] == list(sent.sysinfo)
        assert [key for key, _ in fields[1:]] == list(FIELDS)

        # and a thread id, and a request for a receipt
        assert stanza["thread"] and stanza["thread"] == sent.thread
        assert stanza.xml.find(f"{{{NS_RECEIPTS}}}request") is not None


@pytest.mark.asyncio
async def test_consent_never_sends_the_question_alone(xmpp_server: XmppServer) -> None:
    async with requester_with_alice_available_and_bob_away(
        xmpp_server, sysinfo__consent="never"
    ) as desk:
        # when the requester asks a first question
        sent = await ask(desk.app, QUESTION)

        # then alice gets exactly the question: no block, no fallback, no form
        (got,) = await desk.alice.has(1)
        assert got.body == QUESTION
        assert form_of(got.stanza) is None
        assert got.stanza.xml.find(f"{{{NS_FALLBACK}}}fallback") is None
        assert sent.sysinfo == ()
        assert got.stanza["thread"] == sent.thread


@pytest.mark.asyncio
async def test_a_second_message_within_the_window_has_no_sysinfo_and_the_same_thread(
    xmpp_server: XmppServer,
) -> None:
    async with requester_with_alice_available_and_bob_away(xmpp_server) as desk:
        first = await ask(desk.app, QUESTION)

        # when the requester asks again a moment later
        second = await ask(desk.app, "It is the HP one, next to the kitchen")

        # then alice gets it as plain text in the same thread
        received = await desk.alice.has(2)
        assert received[1].body == "It is the HP one, next to the kitchen"
        assert form_of(received[1].stanza) is None
        assert received[1].stanza.xml.find(f"{{{NS_FALLBACK}}}fallback") is None
        assert received[1].stanza["thread"] == first.thread == second.thread


@pytest.mark.asyncio
async def test_new_request_starts_a_new_thread_with_fresh_sysinfo(
    xmpp_server: XmppServer,
) -> None:
    async with requester_with_alice_available_and_bob_away(xmpp_server) as desk:
        first = await ask(desk.app, QUESTION)

        # when the requester presses "New request" and asks something else
        plan = await desk.app.chat.plan_ask(new_request=True)
        second = await desk.app.chat.ask(plan, "Different thing: Outlook will not start")

        # then alice gets a new thread, with a form of a snapshot taken now
        received = await desk.alice.has(2)
        stanza = received[1].stanza
        assert plan.new_request
        assert stanza["thread"] == second.thread != first.thread
        form = form_of(stanza)
        assert form is not None
        assert dict(form_fields(form))["uptime"] == "2 h"  # the first one said "1 h"
        assert received[1].body.startswith("Different thing: Outlook will not start\n\n")


# -- the staff app -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_staff_app_shows_the_question_without_the_block_and_with_the_sysinfo(
    xmpp_server: XmppServer,
) -> None:
    async with requester_and_staff_app(xmpp_server) as pair:
        # when the requester asks
        sent = await ask(pair.requester, QUESTION)

        # then the staff app shows the question alone, with the system info for the panel
        shown = await staff_app_shows(pair.staff, pair.requester.jid)
        assert shown.body == QUESTION
        assert shown.sysinfo == sent.sysinfo
        assert [key for key, _ in shown.sysinfo] == list(FIELDS)
        assert shown.thread == sent.thread
        # and that is what its history keeps, counted as unread
        assert pair.staff.history.conversation(pair.requester.jid) == [shown]
        assert pair.staff.chat.unread == 1


@pytest.mark.asyncio
async def test_the_staff_apps_receipt_marks_the_question_delivered(
    xmpp_server: XmppServer,
) -> None:
    async with requester_and_staff_app(xmpp_server) as pair:
        # when the requester asks and the staff app has it
        sent = await ask(pair.requester, QUESTION)
        # the server acknowledges it first (XEP-0198): sent
        assert await pair.requester.chat.settled(sent.id) in (Delivery.SENT, Delivery.DELIVERED)

        # then the receipt comes back: delivered, in the store and in the chat window
        def delivered() -> bool:
            shown = pair.requester.chat.conversations.find(sent.id)
            return shown is not None and shown.delivery is Delivery.DELIVERED

        await seconds_until(delivered, timeout=5)
        assert pair.requester.history.delivery(sent.id) is Delivery.DELIVERED


TYPED = {
    # A pasted coloured terminal line: ESC cannot be sent in XML at all.
    "terminal colours": ("Backup fails: \x1b[31mERROR\x1b[0m disk full",
                         "Backup fails: \ufffd[31mERROR\ufffd[0m disk full"),
    # Every XML parser reads CR LF as LF: the fallback offsets must count what arrives.
    "windows line ends": ("Backup fails:\r\ndisk full\rWhat now?",
                          "Backup fails:\ndisk full\nWhat now?"),
}  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(TYPED))
async def test_awkward_characters_typed_by_the_requester_do_not_cost_the_message(
    xmpp_server: XmppServer, kind: str
) -> None:
    typed, expected = TYPED[kind]
    async with requester_and_staff_app(xmpp_server) as pair:
        changes: list[ConnectionStatus] = []
        pair.requester.service.monitor.changed.subscribe(changes.append)

        # when the requester sends a question with them
        await ask(pair.requester, typed)

        # then the staff app shows it (what XML cannot carry replaced), without the block
        shown = await staff_app_shows(pair.staff, pair.requester.jid)
        assert shown.body == expected
        assert [key for key, _ in shown.sysinfo] == list(FIELDS)
        # and the requester's connection was never dropped for it
        assert changes == []


# -- typing and answers ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_staff_member_typing_shows_until_their_answer_arrives_in_the_thread(
    xmpp_server: XmppServer,
) -> None:
    async with requester_with_alice_available_and_bob_away(xmpp_server) as desk:
        sent = await ask(desk.app, QUESTION)
        (got,) = await desk.alice.has(1)
        chats = desk.app.chat.conversations
        assert desk.alice.client is not None

        # when alice, on her plain client, starts typing
        typing = desk.alice.client.make_message(mto=desk.app.jid, mtype="chat")
        typing["chat_state"] = "composing"
        typing.send()

        # then the requester's chat shows her typing
        await seconds_until(lambda: chats.is_typing(desk.alice.jid), timeout=5)

        # when her answer arrives, in the request's thread
        desk.alice.send(desk.app.jid, "Is it plugged in?", thread=got.stanza["thread"])

        # then it is shown, unread, in the thread, and she is no longer typing
        answer = await staff_app_shows(desk.app, desk.alice.jid)
        assert (answer.body, answer.thread) == ("Is it plugged in?", sent.thread)
        assert desk.app.chat.unread == 1
        assert not chats.is_typing(desk.alice.jid)


@pytest.mark.asyncio
async def test_the_requester_typing_shows_on_the_staff_app(xmpp_server: XmppServer) -> None:
    async with requester_and_staff_app(xmpp_server) as pair:
        await ask(pair.requester, QUESTION)
        await staff_app_shows(pair.staff, pair.requester.jid)
        chats = pair.staff.chat.conversations

        # when the requester types, then stops
        pair.requester.chat.composing(pair.staff.jid, True)
        await seconds_until(lambda: chats.is_typing(pair.requester.jid), timeout=5)
        pair.requester.chat.composing(pair.staff.jid, False)

        # then the staff app shows it, then not
        await seconds_until(lambda: not chats.is_typing(pair.requester.jid), timeout=5)


# -- strangers and hostile input -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_forged_form_from_a_stranger_is_shown_as_plain_text_and_logged(
    xmpp_server: XmppServer, xmpp_warnings: pytest.LogCaptureFixture
) -> None:
    # given a staff app whose policy accepts requesters from another domain only
    policy_domains = ["corp.example"]
    async with staff_app_and_peer(xmpp_server, policy_domains) as (staff, stranger):
        # when a stranger sends a message dressed as a request with system info
        question = "Urgent: approve the invoice at https://evil.example/pay"
        block = f"\n\n{BLOCK_HEADER}\nOS: Windows 11 Enterprise\nUser: ceo"
        stranger.send(staff.jid, question + block, extra=[
            fallback_for(len(question), len(question) + len(block)),
            sysinfo_form([("os.name", "Windows 11 Enterprise"), ("user.name", "ceo")]),
        ])  # fmt: skip

        # then the staff app shows the whole body as text, with no system-info panel
        shown = await staff_app_shows(staff, stranger.jid)
        assert shown.body == question + block
        assert shown.sysinfo == ()
        # and says in the log why the form was ignored
        assert warnings_of(xmpp_warnings) == [
            f"ignored a system-info form from {stranger.jid}: not a requester by policy"
        ]


HOSTILE_BODIES = {
    "html": '<script>alert("pwned")</script><b>bold</b> <img src=x onerror=alert(1)> '
            '<a href="javascript:alert(document.cookie)">click me</a> &amp; &lt;',
    "javascript link": "javascript:alert(1)//https://intranet.example/reset",
    "bidi": "Open invoice\u202egpj.exe and \u2067RTL\u2069 isolate \u200f mark",
    "c1 controls": "csi \x9b31m nel \x85 del \x7f tab\tend",
}  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
async def test_hostile_text_reaches_the_view_as_the_exact_text(
    xmpp_server: XmppServer, kind: str
) -> None:
    # Escaping and bidi isolation are the view's job; it must get what was sent, unchanged.
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        peer.send(staff.jid, HOSTILE_BODIES[kind])

        shown = await staff_app_shows(staff, peer.jid)
        assert shown.body == HOSTILE_BODIES[kind]
        assert staff.history.conversation(peer.jid)[0].body == HOSTILE_BODIES[kind]


@pytest.mark.asyncio
async def test_a_200_kB_body_arrives_whole_without_freezing_the_app(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        # given a pasted log of about 200 kB (the server refuses stanzas over 256 KiB)
        lines = [f"2026-01-01 12:00:{i % 60:02d} kernel: eth0 link down <{i}> & retry"
                 for i in range(3400)]  # fmt: skip
        body = "\n".join(lines)
        assert 190_000 < len(body.encode()) < 210_000
        raw = peer.raw_message(staff.jid, body)

        # when it arrives
        with Heartbeat() as beat:
            peer.send_raw(raw)
            shown = await staff_app_shows(staff, peer.jid)

        # then it is shown whole, and the app never froze for it
        assert shown.body == body
        print(f"\nlongest loop stall: {beat.longest * 1e3:.1f} ms")
        assert beat.longest < STALL_LIMIT_S, f"the loop froze for {beat.longest * 1e3:.0f} ms"


@pytest.mark.asyncio
async def test_control_and_bidi_characters_are_stripped_from_received_sysinfo(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        # when a requester's form has values with bidi overrides, C1 controls and line breaks
        peer.send(staff.jid, "Help", extra=[sysinfo_form([
            ("os.name", "Windows\u202e 11\x85"),
            ("host.name", "PC-1\nUser: admin"),
            ("hw.model", "\u2066ThinkPad\u2069\x9b"),
        ])])  # fmt: skip

        # then each value is one clean line in the panel
        shown = await staff_app_shows(staff, peer.jid)
        assert dict(shown.sysinfo) == {
            "os.name": "Windows 11",
            "host.name": "PC-1 User: admin",
            "hw.model": "ThinkPad",
        }


@pytest.mark.asyncio
async def test_a_form_with_10000_fields_is_rejected_quickly_and_the_body_still_shown(
    xmpp_server: XmppServer, xmpp_warnings: pytest.LogCaptureFixture
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        # given a requester's message whose form has 10,000 fields (about 210 kB on the wire)
        attachment = sysinfo_form([])
        for i in range(10_000):
            ET.SubElement(attachment[0], f"{{{NS_DATA}}}field", {"var": f"k{i}"})
        raw = peer.raw_message(staff.jid, "Is this thing on?", [attachment])
        assert len(raw.encode()) < SERVER_STANZA_LIMIT

        # when it arrives
        with Heartbeat() as beat:
            peer.send_raw(raw)
            shown = await staff_app_shows(staff, peer.jid)

        # then the body is shown, without any system info; the log says why
        assert shown.body == "Is this thing on?"
        assert shown.sysinfo == ()
        assert warnings_of(xmpp_warnings) == [
            f"rejected the system-info form from {peer.jid}: too many fields: more than 64"
        ]
        # and the app never froze for it
        print(f"\nlongest loop stall: {beat.longest * 1e3:.1f} ms")
        assert beat.longest < STALL_LIMIT_S, f"the loop froze for {beat.longest * 1e3:.0f} ms"


@pytest.mark.asyncio
async def test_a_form_value_as_big_as_the_server_allows_is_cut_for_the_panel(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        # given a form with one value of 250,000 characters (1 MB does not get through the
        # server: see the next test), after the question and its readable block
        question = "Laptop very slow"
        block = f"\n\n{BLOCK_HEADER}\nCPU: (see panel)"
        huge = "Intel " + "A" * 250_000
        raw = peer.raw_message(staff.jid, question + block, [
            fallback_for(len(question), len(question) + len(block)),
            sysinfo_form([("os.name", "Debian GNU/Linux 12"), ("cpu", huge)]),
        ])  # fmt: skip
        assert len(raw.encode()) < SERVER_STANZA_LIMIT

        # when it arrives
        with Heartbeat() as beat:
            peer.send_raw(raw)
            shown = await staff_app_shows(staff, peer.jid)

        # then the question is shown without the block, the huge value cut short for the panel
        assert shown.body == question
        values = dict(shown.sysinfo)
        assert values["os.name"] == "Debian GNU/Linux 12"
        assert len(values["cpu"]) == 2048
        assert values["cpu"].startswith("Intel AAA") and values["cpu"].endswith("…")
        print(f"\nlongest loop stall: {beat.longest * 1e3:.1f} ms")
        assert beat.longest < STALL_LIMIT_S, f"the loop froze for {beat.longest * 1e3:.0f} ms"


@pytest.mark.asyncio
async def test_a_1_MB_stanza_is_refused_by_the_server_and_never_reaches_the_staff_app(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        # when someone sends a form with a 1 MB value
        raw = peer.raw_message(staff.jid, "Help", [sysinfo_form([("cpu", "A" * 1_000_000)])])
        peer.send_raw(raw)

        # then Prosody closes *their* stream (policy-violation: stanza too big)
        await seconds_until(lambda: bool(peer.stream_errors), timeout=5)
        assert "policy-violation" in peer.stream_errors[0]
        # and the staff app, still online, gets the next message from a fresh session only
        assert staff.state is ConnectionState.ONLINE
        again = PlainPeer(peer.account, xmpp_server, "laptop2")
        async with signed_in((again, "")):
            again.send(staff.jid, "Sorry, did that get through?")
            shown = await staff_app_shows(staff, peer.jid)
        assert [m.body for m in staff.shown(peer.jid)] == ["Sorry, did that get through?"]
        assert shown.sysinfo == ()


@pytest.mark.asyncio
async def test_a_fallback_pointing_outside_the_body_leaves_the_body_whole(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        body = f"Printer jammed\n\n{BLOCK_HEADER}\nOS: Debian"
        peer.send(staff.jid, body, extra=[
            fallback_for(5, 10_000), sysinfo_form([("os.name", "Debian")])
        ])  # fmt: skip

        shown = await staff_app_shows(staff, peer.jid)
        assert shown.body == body
        assert shown.sysinfo == (("os.name", "Debian"),)


@pytest.mark.asyncio
async def test_a_request_from_an_earlier_supporttray_with_a_top_level_form_gets_the_panel(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        question = "VPN drops every hour"
        block = f"\n\n{BLOCK_HEADER}\nOS: Windows 10"
        peer.send(staff.jid, question + block, extra=[
            fallback_for(len(question), len(question) + len(block), legacy=True),
            sysinfo_form([("os.name", "Windows 10")], legacy=True),
        ])  # fmt: skip

        shown = await staff_app_shows(staff, peer.jid)
        assert shown.body == question
        assert shown.sysinfo == (("os.name", "Windows 10"),)


DELAY_STAMPS = {
    "in the future": "2099-01-01T00:00:00Z",
    "before year 1 in UTC": "0001-01-01T00:00:00+23:00",
    "not a date": "yesterday",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(DELAY_STAMPS))
async def test_a_forged_delay_stamp_is_not_believed(xmpp_server: XmppServer, kind: str) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        # when a message claims (XEP-0203) to have been sent at an impossible time
        before = datetime.now(UTC)
        stamp = ET.Element("{urn:xmpp:delay}delay", {"stamp": DELAY_STAMPS[kind]})
        peer.send(staff.jid, "Look at me", extra=[stamp])
        shown = await staff_app_shows(staff, peer.jid)

        # then it is shown as arriving now, and the chat can be read back from the history
        assert before <= shown.timestamp <= datetime.now(UTC)
        assert staff.history.conversation(peer.jid) == [shown]


@pytest.mark.asyncio
async def test_a_question_too_big_for_the_server_is_refused_with_a_sentence(
    xmpp_server: XmppServer,
) -> None:
    async with requester_and_staff_app(xmpp_server) as pair:
        # when the requester pastes a 300 kB log (Prosody takes at most 256 KiB a stanza)
        with pytest.raises(AskError, match="too long"):
            await ask(pair.requester, "Crash log:\n" + "x" * 300_000)

        # then nothing pretends to have been sent
        assert pair.requester.history.conversation(pair.staff.jid) == []


# -- offline and restarts ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_question_asked_while_the_server_is_down_is_sent_once_when_it_is_back(
    sandbox_factory: SandboxFactory,
) -> None:
    # given the requester online with alice (who sends no receipts, so "sent" stays visible)
    sandbox = sandbox_factory(accounts=[("requester", "r-pw"), ("alice", "a-pw")])
    alice = PlainPeer(sandbox.account("alice"), sandbox, receipts=False)
    app = build_app(sandbox.account("requester"), sandbox, support__staff=[alice.jid])
    async with signed_in((alice, "")), online(app):
        await seconds_until(lambda: app.chat.book.summary().availability is Availability.AVAILABLE)

        # when the server goes away and the requester asks meanwhile
        await asyncio.to_thread(sandbox.stop)
        await seconds_until(lambda: app.state is not ConnectionState.ONLINE, timeout=5)
        plan = await app.chat.plan_ask()
        queued = await app.chat.ask(plan, QUESTION)

        # then the question waits in the history, shown as queued
        assert plan.nobody_online
        assert queued.delivery is Delivery.QUEUED
        assert app.history.delivery(queued.id) is Delivery.QUEUED

        # when the server is back and alice logs in again
        await asyncio.to_thread(sandbox.start)
        alice = PlainPeer(sandbox.account("alice"), sandbox, receipts=False)
        async with signed_in((alice, "")):
            await seconds_until(lambda: app.state is ConnectionState.ONLINE, timeout=10)

            # then she gets it exactly once, with its system info, and it is shown sent
            (got,) = await alice.has(1)
            assert got.body.startswith(QUESTION)
            assert form_of(got.stanza) is not None
            assert await nothing_else_from(app, alice, before=1) == []
            assert app.history.delivery(queued.id) is Delivery.SENT
            shown = app.chat.conversations.find(queued.id)
            assert shown is not None and shown.delivery is Delivery.SENT


@pytest.mark.asyncio
async def test_a_question_queued_before_a_restart_is_sent_after_it(
    xmpp_server: XmppServer, tmp_path: Path
) -> None:
    # given a question typed while the app never got online, then the app quit
    requester, alice_account = xmpp_server.fresh_accounts(2)
    history = tmp_path / "history.sqlite3"
    before = build_app(requester, xmpp_server, history=history, support__staff=[alice_account.jid])
    queued = await ask(before, QUESTION)
    assert before.history.delivery(queued.id) is Delivery.QUEUED
    before.history.close()

    # when it starts again with the same history, online, with alice online
    alice = PlainPeer(alice_account, xmpp_server, receipts=False)
    after = build_app(requester, xmpp_server, history=history, support__staff=[alice.jid])
    async with signed_in((alice, "")), online(after):
        # then alice gets the question, with the system info collected when it was typed
        (got,) = await alice.has(1)
        assert got.body.startswith(QUESTION)
        assert got.stanza["thread"] == queued.thread
        form = form_of(got.stanza)
        assert form is not None and form_fields(form)[1:] == list(queued.sysinfo)
        assert await nothing_else_from(after, alice, before=1) == []
        assert after.history.delivery(queued.id) is Delivery.SENT
        # and the chat shows it, sent
        first = after.shown(alice.jid)[0]
        assert (first.id, first.delivery) == (queued.id, Delivery.SENT)


# -- how fast ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def time_sends(app: App, to: str, arrival: Callable[[str], float | None]) -> list[float]:
    """Seconds from `send` to `arrival(text)` being known, for 50 messages one after another."""
    took = []
    for i in range(50):
        text = f"ping {to} {i}"
        start = time.perf_counter()
        await app.chat.send(to, text)
        while (arrived := arrival(text)) is None:
            if time.perf_counter() - start > 5:
                raise AssertionError(f"{text!r} did not arrive within 5 s")
            await asyncio.sleep(0.001)
        took.append(arrived - start)
    return took


def describe(took: list[float]) -> str:
    return (
        f"median {statistics.median(took) * 1e3:.1f} ms, "
        f"p99 {percentile(took, 0.99) * 1e3:.1f} ms, max {max(took) * 1e3:.1f} ms"
    )


@pytest.mark.asyncio
async def test_send_to_staff_takes_milliseconds(xmpp_server: XmppServer) -> None:
    # given the requester, a staff member on a plain client and one on the staff app
    requester_account, alice_account, staff_account = xmpp_server.fresh_accounts(3)
    alice = PlainPeer(alice_account, xmpp_server)
    staff = build_app(staff_account, xmpp_server, support__mode="staff",
                      support__auto_accept_domains=[xmpp_server.domain])  # fmt: skip
    app = build_app(requester_account, xmpp_server, support__staff=[alice.jid, staff.jid])
    shown_at: dict[str, float] = {}

    def shown(message: ChatMessage) -> None:
        shown_at.setdefault(message.body, time.perf_counter())

    staff.chat.conversations.arrived.subscribe(shown)
    async with signed_in((alice, "")), online(staff), online(app):
        # (the first message of each, with system info, is not timed)
        await ask(app, QUESTION, to=alice.jid)
        await ask(app, QUESTION, to=staff.jid)
        await alice.has(1)
        await staff_app_shows(staff, app.jid)

        # when the requester sends 50 messages to each, one after the other
        to_client = await time_sends(app, alice.jid, lambda text: next(
            (m.at for m in alice.messages if m.body == text), None))  # fmt: skip
        to_app = await time_sends(app, staff.jid, shown_at.get)

    # then each arrives within milliseconds
    report = f"plain client: {describe(to_client)}; staff app: {describe(to_app)}"
    print(f"\nsend -> staff has it (50 sends each, in-process, loopback Prosody): {report}")
    for took in (to_client, to_app):
        assert statistics.median(took) < 0.050, report
        assert percentile(took, 0.99) < 0.250, report


@pytest.mark.asyncio
async def test_a_simulated_requester_asks_in_supporttrays_wire_format(
    xmpp_server: XmppServer,
) -> None:
    """What `demo --staff` sends: a new thread, the readable block, and the form."""
    staff_account, asker_account = xmpp_server.fresh_accounts(2)
    staff = await PlainPeer(staff_account, xmpp_server).sign_in()
    asker = SimulatedPerson(PersonScript(asker_account.jid, asker_account.password),
                            xmpp_server.host, xmpp_server.port, xmpp_server.ca_file)
    await asker.start()
    try:
        snapshot = SysinfoSnapshot((SysinfoItem("os.name", "macOS 14.6"),
                                    SysinfoItem("hw.model", "MacBook Air (M2, 2022)")),
                                   datetime.now(UTC))
        asker.ask(staff.jid, "Outlook keeps asking for my password", snapshot)
        (got,) = await staff.has(1)
        assert got.body.startswith("Outlook keeps asking for my password\n\n--- System info")
        assert got.stanza["thread"].startswith("st-")
        form = form_of(got.stanza)
        assert form is not None
        assert form_fields(form)[1:] == [("os.name", "macOS 14.6"),
                                         ("hw.model", "MacBook Air (M2, 2022)")]
    finally:
        await asker.stop()
        await staff.sign_out()
