"""Chat messages on the wire: body + XEP-0428 fallback + XEP-0004 system-info form, receipts
(XEP-0184), chat states (XEP-0085), threads (XEP-0201).

What arrives from the network is hostile until checked: the system-info form is accepted only
from requesters named by policy and only within size limits; everything else is plain text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from slixmpp.xmlstream import ET

from supporttray.core.jid import bare_jid
from supporttray.core.messages import (
    ChatMessage,
    Delivery,
    Direction,
    TransportOffline,
    new_message_id,
)
from supporttray.core.sysinfo import FORM_TYPE, SysinfoRejected, SysinfoSnapshot, validate_received

log = logging.getLogger("supporttray.xmpp")

NS_DATA = "jabber:x:data"
NS_FALLBACK = "urn:xmpp:fallback:0"
NS_STATES = "http://jabber.org/protocol/chatstates"
# Stop reading a form at once past this many fields: 10,000 fields must cost nothing.
_FORM_FIELD_LIMIT = 64
# What XML 1.0 cannot carry: C0 controls other than tab and line ends, lone surrogates,
# U+FFFE/U+FFFF. One of them in a stanza (an ANSI colour code in a pasted terminal log) makes
# the server close our stream as not-well-formed, and the message, already marked sent, is lost.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ChatSink(Protocol):
    """Where incoming chat goes (the app's ChatService)."""

    def receive(self, message: ChatMessage) -> None: ...

    def delivered(self, message_id: str) -> None: ...

    def peer_typing(self, peer: str, typing: bool) -> None: ...


class ChatWire:
    """Sends and receives chat for one slixmpp client."""

    def __init__(
        self,
        sink: ChatSink,
        *,
        is_requester: Callable[[str], bool],
        is_online: Callable[[], bool],
    ) -> None:
        self._sink = sink
        self._is_requester = is_requester
        self._is_online = is_online
        self._client: Any = None

    def install(self, client: Any) -> None:
        self._client = client
        # No xep_0004: forms are read from the raw XML (find_sysinfo_form). Its "message/form"
        # handler builds an object per field of every form, before any limit of ours applies:
        # a 10,000-field form froze the loop for ~150 ms.
        for plugin in ("xep_0085", "xep_0184", "xep_0359"):
            client.register_plugin(plugin)
        client.plugin["xep_0184"].auto_ack = True
        # Prune hostile forms on the raw XML, before slixmpp builds stanza objects: if any
        # plugin in the process registered the data-form stanza (MUC config does), slixmpp
        # would otherwise build an object per field of a 10,000-field form first.
        previous = client.incoming_filter
        client.incoming_filter = lambda xml: prune_forms(previous(xml))
        client.add_event_handler("message", self._on_message)
        client.add_event_handler("receipt_received", self._on_receipt)
        client.add_event_handler("chatstate", self._on_chatstate)

    # -- sending --------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self._client is not None and self._is_online()

    def send_chat(self, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> None:
        client = self._client
        if client is None or not self.online:
            raise TransportOffline(message.id)
        stanza = chat_stanza(client, message, sysinfo)
        try:
            stanza.send()
        except Exception as exc:  # slixmpp raises NotConnectedError mid-disconnect
            raise TransportOffline(message.id) from exc

    def send_chat_state(self, peer: str, state: str) -> None:
        if self._client is None or not self.online:
            return
        stanza = self._client.make_message(mto=peer, mtype="chat")
        stanza.xml.append(ET.Element(f"{{{NS_STATES}}}{state}"))
        stanza.xml.append(ET.Element("{urn:xmpp:hints}no-store"))
        stanza.send()

    # -- receiving ------------------------------------------------------------------------
    def _on_message(self, stanza: Any) -> None:
        if stanza["type"] not in ("chat", "normal"):
            return
        body = stanza["body"]
        if not body:
            return  # a bare chat state or receipt: handled by their own events
        sender = bare_jid(str(stanza["from"]))
        message_id = stanza["id"] or _origin_id(stanza) or new_message_id()
        sysinfo: tuple[tuple[str, str], ...] = ()
        form = find_sysinfo_form(stanza.xml)
        if form is not None:
            if self._is_requester(sender):
                try:
                    snapshot = validate_received(form_pairs(form))
                    sysinfo = snapshot.as_pairs()
                    body = _strip_fallback(stanza.xml, body)
                except SysinfoRejected as exc:
                    log.warning("rejected the system-info form from %s: %s", sender, exc)
            else:
                log.warning("ignored a system-info form from %s: not a requester by policy",
                            sender)
        self._sink.receive(ChatMessage(
            id=message_id, peer=sender, direction=Direction.IN, body=body,
            timestamp=_delay_stamp(stanza) or datetime.now(UTC),
            thread=stanza["thread"] or None, delivery=Delivery.RECEIVED, sysinfo=sysinfo,
        ))

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


def prune_forms(xml: ET.Element) -> ET.Element:
    """Cut every data form in a message down to one field more than we ever read."""
    if not xml.tag.endswith("}message"):
        return xml
    for form in xml.iterfind(f"{{{NS_DATA}}}x"):
        if len(form) > _FORM_FIELD_LIMIT + 2:
            del form[_FORM_FIELD_LIMIT + 2:]  # still "too many": validate_received says so
    return xml


def chat_stanza(client: Any, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> Any:
    """Our wire format for one chat message: the body (plus the readable system-info block,
    marked as a XEP-0428 fallback, and the XEP-0004 form), thread, receipt request, chat state
    and origin-id. Not yet sent."""
    stanza = client.make_message(mto=message.peer, mtype="chat")
    stanza["id"] = message.id
    body = xml_text(message.body)
    if sysinfo is not None and sysinfo.items:
        block = sysinfo.text_block()
        stanza.xml.append(_fallback_element(len(body), len(body) + len(block)))
        stanza.xml.append(sysinfo_form(sysinfo.as_pairs()))
        body += block
    stanza["body"] = body
    if message.thread:
        stanza["thread"] = message.thread
    stanza["request_receipt"] = True
    stanza.xml.append(ET.Element(f"{{{NS_STATES}}}active"))
    stanza.xml.append(ET.Element("{urn:xmpp:sid:0}origin-id", {"id": message.id}))
    return stanza


def _fallback_element(start: int, end: int) -> ET.Element:
    element = ET.Element(f"{{{NS_FALLBACK}}}fallback", {"for": FORM_TYPE})
    ET.SubElement(element, f"{{{NS_FALLBACK}}}body", {"start": str(start), "end": str(end)})
    return element


def sysinfo_form(pairs: Iterable[tuple[str, str]]) -> ET.Element:
    """The system-info data form (XEP-0004, our FORM_TYPE) for these fields."""
    form = ET.Element(f"{{{NS_DATA}}}x", {"type": "result"})
    field = ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": "FORM_TYPE", "type": "hidden"})
    ET.SubElement(field, f"{{{NS_DATA}}}value").text = FORM_TYPE
    for key, value in pairs:
        field = ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": key})
        ET.SubElement(field, f"{{{NS_DATA}}}value").text = value
    return form


def find_sysinfo_form(xml: ET.Element) -> ET.Element | None:
    for form in xml.findall(f"{{{NS_DATA}}}x"):
        for field in form.iterfind(f"{{{NS_DATA}}}field"):
            if field.get("var") == "FORM_TYPE":
                if field.findtext(f"{{{NS_DATA}}}value") == FORM_TYPE:
                    return form
                break
    return None


def form_pairs(form: ET.Element) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for field in form.iterfind(f"{{{NS_DATA}}}field"):
        var = field.get("var") or ""
        if var == "FORM_TYPE":
            continue
        pairs.append((var, field.findtext(f"{{{NS_DATA}}}value") or ""))
        if len(pairs) > _FORM_FIELD_LIMIT:
            break  # validate_received rejects it; reading the rest would only cost time
    return pairs


def _strip_fallback(xml: ET.Element, body: str) -> str:
    """Remove the readable system-info block that XEP-0428 marks as fallback for our form."""
    for fallback in xml.findall(f"{{{NS_FALLBACK}}}fallback"):
        if fallback.get("for") != FORM_TYPE:
            continue
        marker = fallback.find(f"{{{NS_FALLBACK}}}body")
        try:
            start = int(marker.get("start", "")) if marker is not None else 0
            end = int(marker.get("end", "")) if marker is not None else len(body)
        except ValueError:
            return body
        if 0 <= start <= end <= len(body):
            return (body[:start] + body[end:]).rstrip()
    return body


def _origin_id(stanza: Any) -> str:
    element = stanza.xml.find("{urn:xmpp:sid:0}origin-id")
    return element.get("id", "") if element is not None else ""


def _delay_stamp(stanza: Any) -> datetime | None:
    """Offline messages carry their original time (XEP-0203)."""
    element = stanza.xml.find("{urn:xmpp:delay}delay")
    if element is None:
        return None
    try:
        stamp = datetime.fromisoformat(element.get("stamp", "").replace("Z", "+00:00"))
        # In UTC now: a stamp that has no UTC date (year 1 at +23:00) would be stored, and
        # then break reading the chat back from the history.
        stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # Never later than now: a stamp in the future (a forged delay element) would keep the
    # message below everything said after it, and the request "recent" for ever.
    return min(stamp, datetime.now(UTC))
