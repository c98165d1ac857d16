"""Chat on the wire (xmpp/messaging.py) under hypothesis: whatever a requester types arrives as
`xml_text` says it will, and nothing a peer sends makes the receiving side raise."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import slixmpp
from hypothesis import example, given
from hypothesis import strategies as st
from slixmpp import Message
from slixmpp.xmlstream import ET

from supporttray.core.messages import ArchivePosition, ChatMessage, Direction
from supporttray.core.sysinfo import FORM_TYPE, KEY_PATTERN, SysinfoSnapshot, clean_value
from supporttray.xmpp.messaging import (
    ChatWire,
    _strip_fallback,
    chat_stanza,
    register_wire_plugins,
    xml_text,
)
from supporttray.xmpp.stanzas import NS_SYSINFO, delay_time, prune_forms
from tests.unit.hostile_input import (
    ANY_TEXT,
    ATTRIBUTE_TEXT,
    ISO_STAMPS,
    XML_TEXT,
    examples,
    hostile_children,
    message_with,
    over_the_wire,
)

# XML 1.0's Char production: what a stanza may carry at all.
_XML_CHARS = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
NS_FALLBACK = "urn:xmpp:fallback:0"


@pytest.fixture(scope="module")
def client() -> slixmpp.ClientXMPP:
    """A client with the wire plugins: builds our stanzas, and declares the ones we read."""
    client = slixmpp.ClientXMPP("ann@example.org/laptop", "unused")
    register_wire_plugins(client)
    return client


class Sink:
    """The chat service's side of ChatWire: what reached it."""

    def __init__(self) -> None:
        self.received: list[ChatMessage] = []
        self.position: ArchivePosition | None = None

    def receive(self, message: ChatMessage) -> None:
        self.received.append(message)

    def delivered(self, message_id: str) -> None:
        pass

    def peer_typing(self, peer: str, typing: bool) -> None:
        pass

    def sent(self, message_id: str) -> None:
        pass

    def archive_position(self) -> ArchivePosition | None:
        return self.position

    def set_archive_position(self, position: ArchivePosition) -> None:
        self.position = position

    def newest_time(self) -> datetime | None:
        return None


SYSINFO = st.lists(
    st.tuples(st.from_regex(KEY_PATTERN, fullmatch=True), ANY_TEXT.map(clean_value)),
    max_size=6, unique_by=lambda pair: pair[0],
).map(lambda pairs: SysinfoSnapshot.from_pairs(pairs, datetime(2026, 1, 1, tzinfo=UTC)))


def fallback(target: str, start: str | None, end: str | None) -> ET.Element:
    element = ET.Element(f"{{{NS_FALLBACK}}}fallback", {"for": target})
    marker = {name: value for name, value in (("start", start), ("end", end)) if value is not None}
    if start is not None or end is not None:
        ET.SubElement(element, f"{{{NS_FALLBACK}}}body", marker)
    return element


OFFSETS = st.one_of(st.none(), st.integers(min_value=-3, max_value=60).map(str), ATTRIBUTE_TEXT,
                    st.just("9" * 5000))  # fmt: skip
FALLBACKS = st.lists(st.builds(fallback, st.sampled_from([NS_SYSINFO, FORM_TYPE, "urn:other"]),
                               OFFSETS, OFFSETS), max_size=3)  # fmt: skip


def delay(stamp: str) -> ET.Element:
    return ET.Element("{urn:xmpp:delay}delay", {"stamp": stamp})


# -- what a requester types -------------------------------------------------------------------


@examples(80)
@given(text=st.one_of(ANY_TEXT, XML_TEXT))
@example(text="Backup fails: \x1b[31mERROR\x1b[0m\r\ndisk full\r\ud800\uffff")
def test_what_xml_text_gives_can_be_sent_and_arrives_unchanged(
    client: slixmpp.ClientXMPP, text: str
) -> None:
    # given any text at all, made sendable
    sendable = xml_text(text)

    # then it is all XML characters, its own sendable form, and reads back as it is
    assert _XML_CHARS.fullmatch(sendable), ascii(sendable)
    assert xml_text(sendable) == sendable
    message = client.make_message(mto="alice@example.org", mbody=sendable, mtype="chat")
    assert Message(xml=over_the_wire(message.xml))["body"] == sendable


@examples(60)
@given(typed=st.one_of(ANY_TEXT, XML_TEXT), sysinfo=SYSINFO)
def test_the_staff_side_reads_the_question_as_typed_without_the_readable_block(
    client: slixmpp.ClientXMPP, typed: str, sysinfo: SysinfoSnapshot
) -> None:
    # given a first message with its system info, as the requester's app builds it
    message = ChatMessage("m-1", "alice@example.org", Direction.OUT, typed, datetime.now(UTC),
                          thread="st-1")  # fmt: skip
    stanza = chat_stanza(client, message, sysinfo)

    # when it has crossed the wire
    arrived = Message(xml=over_the_wire(stanza.xml))

    # then the fallback marks exactly the block: what is left is the question as sent (with no
    # system info there is no block, no fallback, and the body is the question whole)
    stripped = _strip_fallback(arrived, arrived["body"])
    assert stripped == (xml_text(typed).rstrip() if sysinfo.items else xml_text(typed))


# -- what a peer sends ----------------------------------------------------------------------------


@examples(80)
@given(stamp=ISO_STAMPS)
@example(stamp="0001-01-01T00:00:00+23:00")
@example(stamp="9999-12-31T23:59:59-23:59")
def test_a_delay_stamp_is_a_utc_time_no_later_than_now_or_none(stamp: str) -> None:
    message = Message(xml=message_with([delay(stamp)]))

    when = delay_time(message)

    assert when is None or (when.tzinfo is UTC and when <= datetime.now(UTC))


@examples(80)
@given(body=st.text(max_size=30), fallbacks=FALLBACKS)
def test_stripping_a_fallback_removes_one_range_of_the_body_or_nothing(
    body: str, fallbacks: list[ET.Element]
) -> None:
    message = Message(xml=message_with(fallbacks, body))

    stripped = _strip_fallback(message, body)

    ours = [f for f in fallbacks if f.get("for") in (NS_SYSINFO, FORM_TYPE)]
    if not ours:
        assert stripped == body  # someone else's fallback is not ours to strip
    cuts = {(body[:start] + body[end:]).rstrip()
            for start in range(len(body) + 1) for end in range(start, len(body) + 1)}
    assert stripped == body or stripped in cuts


@examples(40)
@given(children=hostile_children(), marks=FALLBACKS, stamps=st.lists(ISO_STAMPS, max_size=2),
       body=st.none() | XML_TEXT, kind=st.sampled_from(["chat", "normal", "headline", None]),
       requester=st.booleans())  # fmt: skip
def test_no_message_a_peer_sends_makes_the_chat_wire_raise(
    client: slixmpp.ClientXMPP, children: list[ET.Element], marks: list[ET.Element],
    stamps: list[str], body: str | None, kind: str | None, requester: bool,
) -> None:
    # given a staff client's chat wire, and any message at all, as the incoming filter and
    # slixmpp pass it on
    sink = Sink()
    wire = ChatWire(sink, is_requester=lambda _jid: requester, is_online=lambda: True)
    wire.install(client)
    xml = message_with([*children, *marks, *(delay(s) for s in stamps)], body)
    if kind is None:
        del xml.attrib["type"]  # no type is "normal" (RFC 6121 5.2.2)
    else:
        xml.set("type", kind)

    # when it is received
    wire._on_message(Message(xml=prune_forms(xml)))

    # then a message with a body is shown, as text, with system info only from a requester
    if body and kind in ("chat", "normal", None):
        (shown,) = sink.received
        assert isinstance(shown.body, str) and shown.timestamp <= datetime.now(UTC)
        assert requester or shown.sysinfo == ()
        assert all(KEY_PATTERN.fullmatch(key) for key, _value in shown.sysinfo)
    else:
        assert sink.received == []
