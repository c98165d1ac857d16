"""Chat messages on the wire: body + XEP-0428 fallback + our system-info attachment, receipts
(XEP-0184), chat states (XEP-0085), threads (XEP-0201), origin-id (XEP-0359), and carbons
(XEP-0280): what our other clients (a phone) send and receive shows here too, and what they
took while we were away comes from the server's archive (chat_archive.py).

Every element is a slixmpp stanza plugin (ours: xmpp/stanzas.py). What arrives from the network
is hostile until checked: the system-info form is accepted only from requesters named by policy
and only within size limits; everything else is plain text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from slixmpp.exceptions import IqError, IqTimeout

from supporttray.core.jid import bare_jid
from supporttray.core.messages import (
    ArchivePosition,
    ChatMessage,
    Delivery,
    Direction,
    TransportOffline,
    new_message_id,
)
from supporttray.core.server_archive import ServerArchive
from supporttray.core.sysinfo import FORM_TYPE, SysinfoRejected, SysinfoSnapshot, validate_received
from supporttray.xmpp.chat_archive import ChatArchive
from supporttray.xmpp.discovery import ServiceDirectory
from supporttray.xmpp.stanzas import (
    NS_SYSINFO,
    attached_sysinfo,
    attribute_text,
    delay_time,
    stanza_id_by,
)
from supporttray.xmpp.stream_management import StreamWatch

log = logging.getLogger("supporttray.xmpp")

# What XML 1.0 cannot carry: C0 controls other than tab and line ends, lone surrogates,
# U+FFFE/U+FFFF. One of them in a stanza (an ANSI colour code in a pasted terminal log) makes
# the server close our stream as not-well-formed, and the message, already marked sent, is lost.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a XEP-0428 fallback for our system info says it stands for: the attachment's namespace;
# SupportTray before the attachment named the form's FORM_TYPE.
_FALLBACK_FOR = (NS_SYSINFO, FORM_TYPE)


class ChatSink(Protocol):
    """Where chat goes (the app's ChatService): incoming messages, and ours written from
    another client of this account (carbons)."""

    def receive(self, message: ChatMessage) -> None: ...

    def delivered(self, message_id: str) -> None: ...

    def sent(self, message_id: str) -> None: ...

    def peer_typing(self, peer: str, typing: bool) -> None: ...

    # How far the server's archive of our chats has been read (chat_archive.py).
    def archive_position(self) -> ArchivePosition | None: ...

    def set_archive_position(self, position: ArchivePosition) -> None: ...

    def newest_time(self) -> datetime | None: ...


class ChatWire:
    """Sends and receives chat for one slixmpp client."""

    def __init__(
        self,
        sink: ChatSink,
        *,
        is_requester: Callable[[str], bool],
        is_online: Callable[[], bool],
        server_archive: ServerArchive | None = None,
    ) -> None:
        self._sink = sink
        self._is_requester = is_requester
        self._is_online = is_online
        self._client: Any = None
        self._stream: StreamWatch | None = None
        # Chat messages handed to the server in this stream-managed session, not acked yet:
        # a resumed session resends them itself (slixmpp), so the outbox must not.
        self._in_flight: set[str] = set()
        self.archive = ChatArchive(sink, self._take_archived, server_archive=server_archive)

    def install(self, client: Any, stream: StreamWatch | None = None,
                services: ServiceDirectory | None = None) -> None:
        self._client = client
        self._stream = stream
        self._in_flight.clear()
        register_wire_plugins(client)  # hostile forms: pruned by xmpp/incoming_guard.py
        self.archive.install(client, services or ServiceDirectory())
        client.add_event_handler("message", self._on_message)
        client.add_event_handler("receipt_received", self._on_receipt)
        client.add_event_handler("chatstate", self._on_chatstate)
        client.add_event_handler("session_start", self._enable_carbons)
        client.add_event_handler("stanza_acked", self._on_acked)
        # Before the connection's own handler says "online" (which flushes the outbox).
        client.add_event_handler("session_resumed", self._still_in_flight)
        # A fresh session (the old one could not be resumed): slixmpp dropped what was in
        # flight, so those messages are QUEUED again and the outbox sends them.
        client.add_event_handler("session_end", lambda _e: self._in_flight.clear())
        # slixmpp checks that a carbon comes from our own account before raising these.
        client.add_event_handler("carbon_received", lambda m: self._on_message(
            m["carbon_received"]))
        client.add_event_handler("carbon_sent", lambda m: self._on_sent_elsewhere(
            m["carbon_sent"]))

    # -- sending --------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self._client is not None and self._is_online()

    def send_chat(self, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> bool:
        """Hand `message` to the server; True when the server's ack will say it has it (the
        sink hears `sent`), False when no ack will come (no stream management)."""
        client = self._client
        if client is None or not self.online:
            raise TransportOffline(message.id)
        if message.id in self._in_flight:
            return True  # sent in this session already; resumption resends it if need be
        tracked = self._stream is not None and self._stream.enabled
        stanza = chat_stanza(client, message, sysinfo)
        try:
            stanza.send()
        except Exception as exc:  # slixmpp raises NotConnectedError mid-disconnect
            raise TransportOffline(message.id) from exc
        if tracked and self._stream is not None:
            self._in_flight.add(message.id)
            self._stream.expect_ack()
        return tracked

    def _still_in_flight(self, _event: object) -> None:
        """Resumed: slixmpp resends what it counted; a message that was still in its send
        queue when the link dropped never got counted and is gone: the outbox sends it."""
        counted = {stanza["id"] for _seq, stanza in
                   self._client.plugin["xep_0198"].unacked_queue if stanza.name == "message"}
        self._in_flight &= counted

    def _on_acked(self, stanza: Any) -> None:
        message_id = stanza["id"] if stanza.name == "message" else ""
        if message_id in self._in_flight:
            self._in_flight.discard(message_id)
            self._sink.sent(message_id)

    def send_chat_state(self, peer: str, state: str) -> None:
        if self._client is None or not self.online:
            return
        chat_state_stanza(self._client, peer, state).send()

    async def _enable_carbons(self, _event: object) -> None:
        try:
            await self._client.plugin["xep_0280"].enable(timeout=10)
        except (IqError, IqTimeout) as exc:
            log.info("the server keeps no carbons for us (%s): what another client of this "
                     "account sends is not shown here", type(exc).__name__)

    # -- receiving ------------------------------------------------------------------------
    def _on_sent_elsewhere(self, stanza: Any, when: datetime | None = None,
                           archive_id: str = "") -> None:
        """A message we wrote from another client of this account: ours, in its thread, not
        unread."""
        body = stanza["body"]
        if stanza["type"] not in ("chat", "normal") or not body:
            return
        self._sink.receive(_chat_message(stanza, bare_jid(str(stanza["to"])), Direction.OUT,
                                         body, Delivery.SENT, when=when, archive_id=archive_id))

    def _on_message(self, stanza: Any) -> None:
        archive_id = stanza_id_by(stanza, self._client.boundjid.bare)
        message = self._on_incoming(stanza, delay_time(stanza), archive_id)
        if message is not None:
            self.archive.live(archive_id, message.timestamp)

    def _take_archived(self, stanza: Any, when: datetime | None, archive_id: str) -> None:
        """A message from the server's archive: one we wrote (from here or another client),
        or one to us."""
        if bare_jid(str(stanza["from"])) == bare_jid(self._client.boundjid.bare):
            self._on_sent_elsewhere(stanza, when, archive_id)
        else:
            self._on_incoming(stanza, when, archive_id)

    def _on_incoming(self, stanza: Any, when: datetime | None,
                     archive_id: str = "") -> ChatMessage | None:
        if stanza["type"] not in ("chat", "normal"):
            return None
        body = stanza["body"]
        if not body:
            return None  # a bare chat state or receipt: handled by their own events
        if stanza.get_plugin("groupchat_invite", check=True) is not None:
            return None  # a direct invitation (XEP-0249): its body is for clients without it
        sender = bare_jid(str(stanza["from"]))
        sysinfo: tuple[tuple[str, str], ...] = ()
        pairs = attached_sysinfo(stanza)
        if pairs is not None:
            if self._is_requester(sender):
                try:
                    snapshot = validate_received(pairs)
                    sysinfo = snapshot.as_pairs()
                    body = _strip_fallback(stanza, body)
                except SysinfoRejected as exc:
                    log.warning("rejected the system-info form from %s: %s", sender, exc)
            else:
                log.warning("ignored a system-info form from %s: not a requester by policy",
                            sender)
        message = _chat_message(stanza, sender, Direction.IN, body, Delivery.RECEIVED, sysinfo,
                                when=when, archive_id=archive_id)
        self._sink.receive(message)
        return message

    def _on_receipt(self, stanza: Any) -> None:
        receipt_id = stanza["receipt"]
        if receipt_id:
            self._sink.delivered(receipt_id)

    def _on_chatstate(self, stanza: Any) -> None:
        state = stanza["chat_state"]
        self._sink.peer_typing(bare_jid(str(stanza["from"])), state == "composing")


def xml_text(text: str) -> str:
    """`text` as the peer will read it: line ends as every XML parser normalises them (so the
    fallback's character offsets stay right), and U+FFFD for what XML cannot carry."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("\ufffd", text)


def register_wire_plugins(client: Any) -> None:
    """The slixmpp plugins chat_stanza and the receiving side use (our own elements:
    xmpp/stanzas.py)."""
    for plugin in ("xep_0085", "xep_0184", "xep_0203", "xep_0249", "xep_0280", "xep_0334",
                   "xep_0359", "xep_0428"):
        client.register_plugin(plugin)
    client.plugin["xep_0184"].auto_ack = True


def chat_state_stanza(client: Any, peer: str, state: str) -> Any:
    """"composing", "paused", …: no body (nothing for a client to show but the typing hint),
    and not for the archive. Not yet sent."""
    stanza = client.make_message(mto=peer, mtype="chat")
    stanza["chat_state"] = state
    stanza.enable("no-store")
    return stanza


def chat_stanza(client: Any, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> Any:
    """Our wire format for one chat message: the body (plus the readable system-info block,
    marked as a XEP-0428 fallback for the attachment beside it), thread, receipt request, chat
    state and origin-id. Not yet sent."""
    stanza = client.make_message(mto=message.peer, mtype="chat")
    stanza["id"] = message.id
    body = xml_text(message.body)
    if sysinfo is not None and sysinfo.items:
        block = sysinfo.text_block()
        fallback = stanza["fallback"]
        fallback["for"] = NS_SYSINFO
        fallback["body"]["start"] = len(body)
        fallback["body"]["end"] = len(body) + len(block)
        stanza["supporttray_sysinfo"]["pairs"] = sysinfo.as_pairs()
        body += block
    stanza["body"] = body
    if message.thread:
        stanza["thread"] = message.thread
    stanza["request_receipt"] = True
    stanza["chat_state"] = "active"
    stanza["origin_id"]["id"] = message.id
    return stanza


def _strip_fallback(stanza: Any, body: str) -> str:
    """Remove the readable system-info block that XEP-0428 marks as fallback for our form.

    Not slixmpp's get_stripped_body: 1.17 leaves the body whole when the fallback runs to its
    end (`end < len(body)`), which ours always does."""
    for fallback in stanza["fallbacks"]:
        if fallback["for"] not in _FALLBACK_FOR:
            continue
        marker = fallback.get_plugin("body", check=True)
        start = marker["start"] if marker is not None else 0
        end = marker["end"] if marker is not None else len(body)
        if 0 <= start <= end <= len(body):
            return (body[:start] + body[end:]).rstrip()
    return body


def _chat_message(stanza: Any, peer: str, direction: Direction, body: str, delivery: Delivery,
                  sysinfo: tuple[tuple[str, str], ...] = (), *, when: datetime | None = None,
                  archive_id: str = "") -> ChatMessage:
    """A received stanza (a carbon of ours, an archived one) as the chat keeps it: its id
    (else its origin-id, else the id our server's archive gave it: the same one live and
    archived), its original time, its thread in the form the staff room can carry."""
    return ChatMessage(
        id=stanza["id"] or _origin_id(stanza) or archive_id or new_message_id(), peer=peer,
        direction=direction, body=body, timestamp=when or datetime.now(UTC),
        thread=attribute_text(stanza["thread"]) or None, delivery=delivery, sysinfo=sysinfo,
    )


def _origin_id(stanza: Any) -> str:
    element = stanza.get_plugin("origin_id", check=True)
    return str(element["id"]) if element is not None else ""
