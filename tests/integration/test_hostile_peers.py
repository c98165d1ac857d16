"""Hostile peers against a logged-in staff app, on each real server (issue 11, part 6).

Whatever a peer sends, the app stays online, shows a normal message sent right after, logs no
error (XmppConnection routes handler exceptions to the log at ERROR, slixmpp logs a stanza it
cannot build there, asyncio a callback that raised), and takes nothing hostile for system
info, a claim, a colleague or its own message.

The staff app is the real stack in-process (test_chat_wire.build_app); peers are plain slixmpp
clients (PlainPeer) sending XML written by hand. Some input never reaches the app, and the test
says so: broken XML ends the sender's own stream at the server's parser, and a client that
never logs in talks to the server alone. What the servers themselves could not take is noted
where a test keeps below it (see NESTING).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from supporttray.core.connection import ConnectionState
from supporttray.core.messages import Direction
from supporttray.xmpp.stanzas import NS_REQUEST

from .conftest import XmppServer
from .test_chat_wire import (
    FORM_TYPE,
    NS_DATA,
    NS_SYSINFO,
    SERVER_STANZA_LIMIT,
    App,
    PlainPeer,
    build_app,
    online,
    signed_in,
    staff_app_and_peer,
)
from .test_staff_presence import seconds_until

FORM_TYPE_FIELD = f"<field var='FORM_TYPE' type='hidden'><value>{FORM_TYPE}</value></field>"
# How deep the nesting tests go. The servers set the ceiling: Prosody 0.12 drops a message
# nested much over 100 deep (its archive cannot serialise it; the sender hears nothing), and
# ejabberd 23.01 died outright delivering one nested 5,000 deep (the Erlang VM exits: every
# session on the server ends).
NESTING = 100
SUPPORT_GROUP = "Support"
# Forwarded messages inside each other (XEP-0297, as archive results and carbons carry them):
# slixmpp builds a stanza object per level, and runs out of stack from 84 levels on.
FORWARDS = 90


def with_extra(raw: str, extra: str) -> str:
    """A serialised message with `extra` XML added as its last children."""
    head, _, tail = raw.rpartition("</message>")
    return f"{head}{extra}</message>{tail}"


# -- the app under attack ----------------------------------------------------------------------


@dataclass
class Target:
    """A logged-in staff app, a requester on a plain client, and what the app did meanwhile."""

    staff: App
    peer: PlainPeer
    server: XmppServer
    caplog: pytest.LogCaptureFixture
    changes: list[ConnectionState] = field(default_factory=list)

    @property
    def room(self) -> str:
        """The staff room this app is in (build_app gives each staff app its own)."""
        return f"staff-{self.staff.jid.split('@')[0]}@{self.server.muc_domain}"

    async def full_jid(self) -> str:
        """The app's full JID, as a peer learns it: subscribe (the app approves its own
        domain) and read the resource off its presence."""
        client = self.peer.client
        assert client is not None
        client.send_presence_subscription(pto=self.staff.jid)
        await seconds_until(lambda: bool(client.client_roster.presence(self.staff.jid)))
        (resource,) = client.client_roster.presence(self.staff.jid)
        return f"{self.staff.jid}/{resource}"

    def errors(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:300]}" for r in self.caplog.records
                if r.levelno >= logging.ERROR]  # fmt: skip

    async def still_serves(self, sender: PlainPeer | None = None,
                           sysinfo: dict[str, tuple[tuple[str, str], ...]] | None = None) -> None:
        """What must hold after each hostile input: the app was online all along, shows a
        normal message sent right after and can answer it, logged no error, and took nothing
        for system info (but `sysinfo`: {body: fields} of a requester's own well-formed form), a
        claim, a colleague or a message of its own."""
        sender = sender or self.peer
        text = f"Is anyone there? {time.perf_counter_ns()}"
        sender.send(self.staff.jid, text)
        await seconds_until(lambda: any(m.body == text for m in self.staff.shown(self.peer.jid)),
                            timeout=5)  # fmt: skip
        # The answer leaves after whatever the app had queued to send (replies to the hostile
        # stanzas among it), so an error on the way out is in the log once it arrives.
        answer = await self.staff.chat.send(self.peer.jid, "Yes, how can I help?")
        await seconds_until(lambda: any(m.stanza["id"] == answer.id for m in sender.messages),
                            timeout=5)  # fmt: skip
        assert self.changes == [] and self.staff.state is ConnectionState.ONLINE
        shown = self.staff.shown(self.peer.jid)
        expected = sysinfo or {}
        assert [m.sysinfo for m in shown] == [expected.get(m.body, ()) for m in shown]
        assert [m.direction for m in shown if m.id != answer.id] == [Direction.IN] * (
            len(shown) - 1)
        requests = self.staff.chat.requests
        assert requests is not None
        assert [r.claimed_by for r in requests.requests()] == [None] * len(requests.requests())
        assert not self.staff.chat.book.is_staff(self.peer.jid)
        assert self.errors() == []  # last: a failure here says all the rest held


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="supporttray")
    return caplog


@asynccontextmanager
async def target(xmpp_server: XmppServer, log: pytest.LogCaptureFixture
                 ) -> AsyncIterator[Target]:  # fmt: skip
    # A support group in the policy: a forged roster push that put the peer in it would make
    # them staff.
    async with staff_app_and_peer(xmpp_server, support__group=SUPPORT_GROUP) as (staff, peer):
        watched = Target(staff, peer, xmpp_server, log)
        staff.service.monitor.changed.subscribe(lambda s: watched.changes.append(s.state))
        yield watched


# -- stanzas that reach the app through the server ----------------------------------------------


def unknown_namespaces(t: Target) -> list[str]:
    peer, to = t.peer, t.staff.jid
    ours_elsewhere = "".join(
        f"<{name} xmlns='urn:example:evil'><x xmlns='{NS_DATA}' type='result'>{FORM_TYPE_FIELD}"
        f"<field var='os.name'><value>Evil OS</value></field></x></{name}>"
        for name in ("sysinfo", "request", "claim"))  # fmt: skip
    declared = "".join(f"<e{i} xmlns='urn:example:ns{i}' xmlns:p{i}='urn:example:p{i}' "
                       f"p{i}:by='{to}'/>" for i in range(300))  # fmt: skip
    return [
        with_extra(peer.raw_message(to, "Our names in someone else's namespace"), ours_elsewhere),
        with_extra(peer.raw_message(to, "Three hundred namespaces"), declared),
        with_extra(peer.raw_message(to, "Unknown elements of the client namespace"),
                   "<bogus><thread>x</thread><body>inner</body></bogus><sysinfo/>"),
    ]


NESTED = "<a xmlns='urn:example:evil'>" * NESTING + "</a>" * NESTING
IN_OUR_FORM = "Nested deep in our form"


def deep_nesting(t: Target) -> list[str]:
    # In our form too: the requester's form is read, and a value holding only elements is ""
    inside_ours = (f"<sysinfo xmlns='{NS_SYSINFO}'><x xmlns='{NS_DATA}' type='result'>"
                   f"{FORM_TYPE_FIELD}<field var='cpu'><value>{NESTED}</value></field></x>"
                   "</sysinfo>")  # fmt: skip
    return [with_extra(t.peer.raw_message(t.staff.jid, "Nested deep"), NESTED),
            with_extra(t.peer.raw_message(t.staff.jid, IN_OUR_FORM), inside_ours)]


def nested_forwards(t: Target) -> list[str]:
    peer, to = t.peer, t.staff.jid
    inner = f"<message xmlns='jabber:client' from='{t.room}/{to}' type='groupchat'><body>b</body>"
    opening = ("<forwarded xmlns='urn:xmpp:forward:0'>" + inner) * FORWARDS
    closing = "</message></forwarded>" * FORWARDS
    return [with_extra(peer.raw_message(to, "Forwarded in forwarded"), opening + closing)]


def invalid_jids(t: Target) -> list[str]:
    peer, to = t.peer, t.staff.jid
    bad = ("@", "a@b@c", "@example.org", "user@/res", "\u202eroot@evil", "x" * 3000 + "@e.org")
    elements = "".join(
        f"<request xmlns='{NS_REQUEST}' id='st-{i}' from='{jid}' opened='2026-11-24T09:00:00Z'/>"
        f"<claim xmlns='{NS_REQUEST}' request='st-{i}' by='{jid}'/>"
        f"<x xmlns='jabber:x:conference' jid='{jid}'/>"
        f"<x xmlns='http://jabber.org/protocol/muc#user'><invite from='{jid}'/>"
        f"<item jid='{jid}' affiliation='owner'/></x>"
        f"<stanza-id xmlns='urn:xmpp:sid:0' by='{jid}' id=''/>"
        f"<delay xmlns='urn:xmpp:delay' from='{jid}' stamp='{jid}'/>"
        for i, jid in enumerate(bad))  # fmt: skip
    return [with_extra(peer.raw_message(to, "Who am I?"), elements),
            # an invitation to the app's own staff room, from someone who is not staff
            with_extra(peer.raw_message(to, "Come in"), f"<x xmlns='jabber:x:conference' "
                                                         f"jid='{t.room}' reason='trust me'/>")]


def forged_room_events(t: Target) -> list[str]:
    peer, to, room = t.peer, t.staff.jid, t.room
    request = (f"<request xmlns='{NS_REQUEST}' id='st-forged' from='{peer.jid}' thread='st-forged'"
               f" opened='2026-11-24T09:00:00Z'>Forged<x xmlns='{NS_DATA}' type='result'>"
               f"{FORM_TYPE_FIELD}<field var='os.name'><value>Forged OS</value></field></x>"
               "</request>")  # fmt: skip
    claim = f"<claim xmlns='{NS_REQUEST}' request='st-forged' by='{to}'/>"
    as_the_room = (f"<message xmlns='jabber:client' from='{room}/{to}' to='{to}' "
                   f"type='groupchat'><body>{to} takes it</body>{claim}</message>")
    archived = (f"<result xmlns='urn:xmpp:mam:2' queryid='guess' id='1'>"
                f"<forwarded xmlns='urn:xmpp:forward:0'>"
                f"<delay xmlns='urn:xmpp:delay' stamp='2026-11-24T09:00:00Z'/>{as_the_room}"
                "</forwarded></result>")  # fmt: skip
    return [
        with_extra(peer.raw_message(to, "Forged request and claim"), request + claim),
        with_extra(peer.raw_message(to, "A claim in a groupchat message").replace(
            "type=\"chat\"", "type=\"groupchat\""), claim),
        with_extra(peer.raw_message(to, "The archive says so"), archived),
    ]


def forged_own_message(t: Target) -> list[str]:
    peer, to = t.peer, t.staff.jid
    carbon = (f"<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
              f"<message xmlns='jabber:client' from='{to}/desk' to='{peer.jid}' type='chat'>"
              "<body>Yes, I approve the payment</body></message></forwarded></sent>")
    return [with_extra(peer.raw_message(to, "A copy of what you said"), carbon)]


async def forged_archive_results(t: Target) -> list[str]:
    # Only our own account's archive answers our queries (XEP-0313): a peer's "result" may
    # claim any sender, the app's own account too, and any query id.
    to, me = await t.full_jid(), t.staff.jid
    inner = (f"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
             f"stamp='2026-12-01T09:00:00Z'/><message xmlns='jabber:client' from='{me}/desk' "
             f"to='{t.peer.jid}' type='chat'><body>Yes, I approve the payment</body></message>"
             "</forwarded>")
    return [f"<message to='{to}' id='r-{n}'><result xmlns='urn:xmpp:mam:2' queryid='{query}' "
            f"id='archived-{n}'>{inner}</result></message>"
            for n, query in enumerate(("", "q-1", to, "1"))]


# One form a message: each is ~210 kB, and Prosody takes a second or so to archive one.
FLOOD = (f"<x xmlns='{NS_DATA}' type='result'>" + FORM_TYPE_FIELD
         + "".join(f"<field var='k{i}'/>" for i in range(10_000)) + "</x>")


def flood_in_our_wrapper(t: Target) -> list[str]:
    return [with_extra(t.peer.raw_message(t.staff.jid, "Help"),
                       f"<sysinfo xmlns='{NS_SYSINFO}'>{FLOOD}</sysinfo>")]


def flood_at_the_top(t: Target) -> list[str]:
    return [with_extra(t.peer.raw_message(t.staff.jid, "Help"), FLOOD)]


def flood_in_a_request(t: Target) -> list[str]:
    return [with_extra(t.peer.raw_message(t.staff.jid, "Help"),
                       f"<request xmlns='{NS_REQUEST}' id='st-1' from='{t.peer.jid}'>{FLOOD}"
                       "</request>")]


def control_characters(t: Target) -> list[str]:
    # Everything XML can carry: C1 controls, DEL, bidi overrides and isolates, noncharacters,
    # as character references in our attributes, fields and the thread.
    peer, to = t.peer, t.staff.jid
    odd = "&#x85;&#x9b;&#x7f;&#x202e;&#x2066;&#xfdd0;&#x1fffe;&#x200b;&#xfeff;&#x9;&#xd;&#xa;"
    form = (f"<sysinfo xmlns='{NS_SYSINFO}'><x xmlns='{NS_DATA}' type='result'>"
            f"{FORM_TYPE_FIELD}<field var='os.name{odd}'><value>{odd}</value></field>"
            f"<field var='{odd}'><value>x</value></field></x></sysinfo>")
    return [
        with_extra(peer.raw_message(to, "Odd characters").replace("<body>", f"<thread>{odd}"
                                                                   "</thread><body>"),
                   form + f"<claim xmlns='{NS_REQUEST}' request='{odd}' by='{odd}'/>"),
    ]


async def forged_roster_push(t: Target) -> list[str]:
    # Only the user's own server may change the roster (RFC 6121 2.1.6); in the support group
    # the peer would be staff.
    to = await t.full_jid()
    return [f"<iq type='set' to='{to}' id='push-1'><query xmlns='jabber:iq:roster'>"
            f"<item jid='{t.peer.jid}' subscription='both' name='IT Support'>"
            f"<group>{SUPPORT_GROUP}</group></item></query></iq>"]


async def unknown_queries(t: Target) -> list[str]:
    to = await t.full_jid()
    return [
        f"<iq type='get' to='{to}' id='q-1'><query xmlns='urn:example:evil'/></iq>",
        f"<iq type='set' to='{to}' id='q-2'><query xmlns='http://jabber.org/protocol/disco#info'"
        " node='&#x202e;'/></iq>",
        f"<iq type='result' to='{to}' id='never-asked'><query xmlns='jabber:iq:version'/></iq>",
        f"<iq type='error' to='{to}' id='never-asked-2'><error type='cancel'/></iq>",
        f"<iq type='get' to='{to}' id='q-3'/>",
    ]


async def forged_room_presence(t: Target) -> list[str]:
    to = await t.full_jid()
    muc = ("<x xmlns='http://jabber.org/protocol/muc#user'><item jid='@@' affiliation='owner' "
           "role='moderator'/><status code='110'/><status code='307'/><status code='322'/></x>")
    oddities = ("<idle xmlns='urn:xmpp:idle:1' since='yesterday'/><delay xmlns='urn:xmpp:delay' "
                "stamp='0001-01-01T00:00:00+23:00'/><c xmlns='http://jabber.org/protocol/caps' "
                "hash='sha-1' node='x' ver='bogus'/><priority>999999999999</priority>")
    return [f"<presence to='{to}'>{muc}{oddities}</presence>",
            f"<presence to='{to}' type='unavailable'>{muc}</presence>",
            f"<presence to='{to}' type='error'><error type='cancel'/>{muc}</presence>"]


Build = Callable[[Target], list[str] | Awaitable[list[str]]]
# What each case sends, and the system info a requester's own well-formed form gives.
HOSTILE: dict[str, tuple[Build, dict[str, tuple[tuple[str, str], ...]]]] = {
    "unknown namespaces and elements": (unknown_namespaces, {}),
    f"elements nested {NESTING} deep": (deep_nesting, {IN_OUR_FORM: (("cpu", ""),)}),
    f"forwarded messages nested {FORWARDS} deep": (nested_forwards, {}),
    "invalid JIDs in our attributes": (invalid_jids, {}),
    "forged staff room requests and claims": (forged_room_events, {}),
    "a forged copy of the app's own message": (forged_own_message, {}),
    "forged archive results": (forged_archive_results, {}),
    "10,000 fields in our wrapper": (flood_in_our_wrapper, {}),
    "10,000 fields in a top-level form": (flood_at_the_top, {}),
    "10,000 fields in a request element": (flood_in_a_request, {}),
    "control and bidi characters in our elements": (control_characters, {}),
    "queries the app does not know": (unknown_queries, {}),
    "a forged roster push into the support group": (forged_roster_push, {}),
    "a forged staff room presence": (forged_room_presence, {}),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_whatever_a_peer_sends_the_staff_app_stays_online_and_takes_none_of_it(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture, kind: str
) -> None:
    async with target(xmpp_server, log) as t:
        # given the hostile stanzas, written before the clock starts
        build, sysinfo = HOSTILE[kind]
        built = build(t)
        stanzas = await built if isinstance(built, Awaitable) else built

        # when a requester's client sends them to the logged-in staff app
        for stanza in stanzas:
            t.peer.send_raw(stanza)

        # then the app is online, shows the next message, logged no error and took nothing
        await t.still_serves(sysinfo=sysinfo)


@pytest.mark.asyncio
async def test_a_body_at_the_servers_size_limit_is_shown_whole(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture
) -> None:
    async with target(xmpp_server, log) as t:
        # given the largest stanza both servers pass: ejabberd's max_stanza_size refuses 256 KiB
        # of the sender's bytes itself; Prosody lets a few KiB more through
        overhead = len(t.peer.raw_message(t.staff.jid, "A").encode()) - 1
        body = "A" * (SERVER_STANZA_LIMIT - 1 - overhead)
        raw = t.peer.raw_message(t.staff.jid, body)
        assert len(raw.encode()) == SERVER_STANZA_LIMIT - 1

        # when a requester sends it
        t.peer.send_raw(raw)

        # then it is shown whole
        await seconds_until(lambda: bool(t.staff.shown(t.peer.jid)), timeout=15)
        first = t.staff.shown(t.peer.jid)[0]
        assert first.body == body
        # and the app serves on. (Sent only now: written right behind the big one, the next
        # message can reach ejabberd in the same read, which its size limit then counts with
        # the big one; seen on a loaded machine as the sender's stream closed under it.)
        await t.still_serves()


# -- broken XML: the server ends the sender's stream --------------------------------------------


BROKEN: dict[str, bytes] = {
    # Raw C0 controls are not XML at all, not even as &#27;: a pasted terminal colour code.
    "a raw control character": b"<message to='{to}' type='chat'><body>\x1b[31m</body></message>",
    "a mismatched end tag": b"<message to='{to}' type='chat'><body>half</bod></message>",
    "bytes that are not UTF-8": b"<message to='{to}' type='chat'><body>\xff\xfe</body></message>",
    "an entity definition": (b"<!DOCTYPE m [<!ENTITY a 'aaaaaaaaaa'>]><message to='{to}'>"
                             b"<body>&a;</body></message>"),
    "an undefined entity": b"<message to='{to}' type='chat'><body>&lol;</body></message>",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(BROKEN))
async def test_broken_xml_from_a_logged_in_peer_ends_their_stream_and_never_reaches_the_app(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture, kind: str
) -> None:
    async with target(xmpp_server, log) as t:
        client = t.peer.client
        assert client is not None and client.transport is not None

        # when the requester's client writes broken XML into its stream
        client.transport.write(BROKEN[kind].replace(b"{to}", t.staff.jid.encode()))

        # then the server ends that stream (not the app's), and nothing of it reaches the app
        await seconds_until(lambda: client.transport is None, timeout=5)
        again = PlainPeer(t.peer.account, xmpp_server, "laptop2")
        async with signed_in((again, "")):
            await t.still_serves(sender=again)
        came_in = [m for m in t.staff.shown(t.peer.jid) if m.direction is Direction.IN]
        assert len(came_in) == 1  # the message sent from the new session


# -- a client that never logs in: the server alone hears it ---------------------------------------


STREAM_OPEN = ("<stream:stream to='{domain}' version='1.0' xmlns='jabber:client' "
               "xmlns:stream='http://etherx.jabber.org/streams'>")
STREAM_HEADER = "<?xml version='1.0'?>" + STREAM_OPEN
_LAUGHS = "".join(f"<!ENTITY lol{i} '{f'&lol{i - 1};' * 10}'>" for i in range(1, 10))
# (after STARTTLS?, what the client writes after the stream header, if it sends one)
MALFORMED: dict[str, tuple[bool, str | None, bytes]] = {
    "not XML at all": (False, None, b"GET / HTTP/1.1\r\nHost: xmpp\r\n\r\n"),
    "garbage after the stream header": (False, STREAM_HEADER, b"<<<>>>&&&</>"),
    "an entity bomb before the stream": (
        False, None,
        f"<?xml version='1.0'?><!DOCTYPE s [<!ENTITY lol0 'lol'>{_LAUGHS}]>{STREAM_OPEN}"
        "&lol9;".encode()),
    "bytes that are not UTF-8, inside TLS": (True, STREAM_HEADER, b"<message>\xff\xfe\xc3("),
    "a tag that never ends, inside TLS": (True, STREAM_HEADER, b"<message a='" + b"x" * 300_000),
}


async def read_until(reader: asyncio.StreamReader, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = await asyncio.wait_for(reader.read(65536), timeout=5)
        if not chunk:
            raise AssertionError(f"the server closed before {marker!r}: {data[-300:]!r}")
        data += chunk
    return data


async def read_to_the_end(reader: asyncio.StreamReader) -> bytes:
    """All the server says until it closes (or resets) the connection; fails if it keeps the
    connection open for 5 s."""
    data = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), timeout=5):
            data += chunk
    except ConnectionResetError:
        pass  # cut off while we were still writing: closed all the same
    return data


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(MALFORMED))
async def test_malformed_xml_from_a_raw_client_is_cut_off_by_the_server_and_the_app_is_unaffected(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture, kind: str
) -> None:
    tls, header, payload = MALFORMED[kind]
    async with target(xmpp_server, log) as t:
        # given a raw TCP connection to the server (after STARTTLS, for some cases)
        reader, writer = await asyncio.open_connection(xmpp_server.host, xmpp_server.port)
        try:
            greeting = STREAM_HEADER.format(domain=xmpp_server.domain).encode()
            if tls:
                writer.write(greeting)
                await read_until(reader, b"</stream:features>")
                writer.write(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
                await read_until(reader, b"<proceed")
                context = ssl.create_default_context(
                    cafile=str(xmpp_server.ca_file) if xmpp_server.ca_file else None)
                await writer.start_tls(context, server_hostname=xmpp_server.domain)

            # when it writes malformed XML
            if header is not None:
                writer.write(header.format(domain=xmpp_server.domain).encode())
            writer.write(payload)

            # then the server closes that connection within seconds
            await read_to_the_end(reader)
        finally:
            writer.close()
        # and the logged-in app never noticed
        await t.still_serves()


# -- the staff room -------------------------------------------------------------------------------


async def in_room(peer: PlainPeer, room: str, nick: str, *, create: bool = False) -> None:
    """`peer` joins `room` as `nick`; `create`: as an instant room, open to anyone."""
    client = peer.client
    assert client is not None
    client.register_plugin("xep_0045")
    muc = client.plugin["xep_0045"]
    await muc.join_muc_wait(room, nick, maxstanzas=0, timeout=10)
    if create:
        await muc.set_room_config(room, client.plugin["xep_0004"].make_form(ftype="submit"),
                                  timeout=10)  # fmt: skip


def post(peer: PlainPeer, room: str, body: str, element: str) -> None:
    assert peer.client is not None
    peer.client.send_raw(f"<message to='{room}' type='groupchat'><body>{body}</body>{element}"
                         "</message>")


def room_request(request_id: str, requester: str, opened: str) -> str:
    return (f"<request xmlns='{NS_REQUEST}' id='{request_id}' from='{requester}' "
            f"thread='{request_id}' opened='{opened}'>Help</request>")


@pytest.mark.asyncio
async def test_in_a_room_someone_else_made_a_nick_naming_a_colleague_claims_nothing(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture
) -> None:
    anna, ben, mallory_account, asker_account = xmpp_server.fresh_accounts(4)
    room = f"squat-{anna.username}@{xmpp_server.muc_domain}"
    mallory = PlainPeer(mallory_account, xmpp_server)
    asker = PlainPeer(asker_account, xmpp_server)
    async with signed_in((mallory, ""), (asker, "")):
        # given a staff room that Mallory, no one of the staff, made first (open to anyone, as
        # any user may make rooms), where she goes by the nick of Ben, a colleague offline now
        await in_room(mallory, room, ben.jid, create=True)
        staff = build_app(anna, xmpp_server, support__mode="staff", support__staff=[ben.jid],
                          support__staff_room=room,
                          support__auto_accept_domains=[xmpp_server.domain])  # fmt: skip
        async with online(staff):
            await seconds_until(lambda: (staff.service.status()["staff_room"] or {}).get("joined"))

            # when "Ben" announces a request and takes it
            victim = f"victim@{xmpp_server.domain}"
            post(mallory, room, "New request", room_request("st-forged", victim,
                                                            "2026-11-24T09:00:00Z"))
            post(mallory, room, "Ben takes it",
                 f"<claim xmlns='{NS_REQUEST}' request='st-forged' by='{ben.jid}'/>")
            # (then Anna takes a real request: her claim goes through the room after Mallory's
            # posts, so once the room has echoed it, the app has applied those too)
            asker.send(anna.jid, "My screen is black")
            requests = staff.chat.requests
            assert requests is not None
            await seconds_until(lambda: requests.for_peer(asker.jid) is not None, timeout=5)
            real = requests.for_peer(asker.jid)
            assert real is not None
            taken = await staff.service.take_request(real.id)
            assert taken["won"], taken

            # then neither her request nor her claim counts: a nick is not who someone is
            assert requests.find("st-forged") is None
            assert [(r.id, r.claimed_by) for r in requests.requests()] == [(real.id, anna.jid)]


@pytest.mark.asyncio
async def test_a_colleagues_request_with_an_impossible_date_costs_no_error_and_not_the_room(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture
) -> None:
    anna, ben_account = xmpp_server.fresh_accounts(2)
    ben = PlainPeer(ben_account, xmpp_server)

    def app() -> App:
        return build_app(anna, xmpp_server, support__mode="staff", support__staff=[ben.jid],
                         support__auto_accept_domains=[xmpp_server.domain])  # fmt: skip

    def joined(staff: App) -> bool:
        return bool((staff.service.status()["staff_room"] or {}).get("joined"))

    room = f"staff-{anna.username}@{xmpp_server.muc_domain}"  # build_app's room for Anna
    async with signed_in((ben, "")):
        staff = app()
        async with online(staff):
            # given Anna's app in the staff room it made, and Ben let in
            await seconds_until(lambda: joined(staff))
            await ben.has(1)  # the app's invitation: Ben is an owner now
            await in_room(ben, room, ben.jid)

            # when Ben's (broken) client announces a request dated at a moment UTC cannot hold
            # (year 1 at +05:00), then a good one
            post(ben, room, "New request", room_request("st-bad", "ann@example.org",
                                                        "0001-01-01T00:00:00+05:00"))
            post(ben, room, "New request", room_request("st-ok", "ann@example.org",
                                                        "2026-11-24T09:00:00Z"))

            # then the good one is shown, the other left out
            requests = staff.chat.requests
            assert requests is not None
            await seconds_until(lambda: requests.find("st-ok") is not None, timeout=5)
            assert requests.find("st-bad") is None

        # and when Anna's app starts again, reading both back from the room's archive
        again = app()
        async with online(again):
            # then it is in the room (and stays: a replay that fails leaves it) with the good
            # request
            requests = again.chat.requests
            assert requests is not None
            await seconds_until(lambda: joined(again) and requests.find("st-ok") is not None,
                                timeout=10)  # fmt: skip
            # and nothing on the way was an error
            assert [r.getMessage() for r in log.records if r.levelno >= logging.ERROR] == []


@pytest.mark.asyncio
async def test_a_thread_with_a_line_break_is_one_request_not_two(
    xmpp_server: XmppServer, log: pytest.LogCaptureFixture
) -> None:
    async with target(xmpp_server, log) as t:
        # given the app's own post of each new request comes back from the staff room
        requests = t.staff.chat.requests
        assert requests is not None

        # when a requester's client names its thread with a line break in it (XML text may)
        t.peer.send_raw(t.peer.raw_message(t.staff.jid, "Help").replace(
            "<body>", "<thread>st-1&#10;x</thread><body>"))
        # (and the app, sharing its claim through the room, has that request back from it)
        await seconds_until(lambda: bool(requests.requests()), timeout=5)
        await t.staff.service.take_request(requests.requests()[0].id)

        # then the queue holds one request for it, taken by the app
        assert [r.claimed_by for r in requests.requests()] == [t.staff.jid]
