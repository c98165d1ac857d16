"""Our elements on the wire, in slixmpp's stanza-test style: object in -> exact XML out, and
XML in -> object out. The exact XML is what other clients and older SupportTray versions see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import slixmpp
from slixmpp import Message
from slixmpp.xmlstream import ET

from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.requests import SupportRequest
from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot
from supporttray.xmpp.messaging import chat_stanza, chat_state_stanza, register_wire_plugins
from supporttray.xmpp.staff_room import invitation
from supporttray.xmpp.stanzas import (
    NS_DATA,
    RoomClaim,
    RoomRequest,
    RoomResolved,
    attached_sysinfo,
    prune_forms,
)

FORM = (
    "<x xmlns='jabber:x:data' type='result'>"
    "<field var='FORM_TYPE' type='hidden'><value>urn:supporttray:sysinfo:0</value></field>"
    "<field var='os.name'><value>Debian GNU/Linux 12</value></field>"
    "<field var='hw.model'><value>ThinkPad T14</value></field>"
    "</x>"
)
PAIRS = [("os.name", "Debian GNU/Linux 12"), ("hw.model", "ThinkPad T14")]


def same_xml(actual: ET.Element, expected: str) -> bool:
    """Same elements, attributes, text and order (namespace prefixes do not matter)."""
    return _shape(actual) == _shape(ET.fromstring(expected))


def _shape(element: ET.Element) -> tuple[object, ...]:
    return (element.tag, sorted(element.attrib.items()), (element.text or "").strip(),
            [_shape(child) for child in element])


def message_from(xml: str) -> Message:
    return Message(xml=ET.fromstring(xml))


@pytest.fixture(scope="module")
def client() -> slixmpp.ClientXMPP:
    client = slixmpp.ClientXMPP("ann@example.org/laptop", "unused")
    register_wire_plugins(client)
    return client


def test_a_first_message_is_body_fallback_and_wrapped_form_never_a_top_level_form(
    client: slixmpp.ClientXMPP,
) -> None:
    snapshot = SysinfoSnapshot((SysinfoItem("os.name", "Debian GNU/Linux 12"),
                                SysinfoItem("hw.model", "ThinkPad T14")), datetime.now(UTC))
    message = ChatMessage("m-1", "alice@example.org", Direction.OUT, "Printer jams",
                          datetime.now(UTC), thread="st-1")
    stanza = chat_stanza(client, message, snapshot)
    body = "Printer jams" + snapshot.text_block()
    expected = (
        "<message xmlns='jabber:client' to='alice@example.org' type='chat' id='m-1' "
        "xml:lang='en'>"
        f"<fallback xmlns='urn:xmpp:fallback:0' for='urn:supporttray:sysinfo:1'>"
        f"<body start='12' end='{len(body)}'/></fallback>"
        f"<sysinfo xmlns='urn:supporttray:sysinfo:1'>{FORM}</sysinfo>"
        f"<body>{body}</body>"
        "<thread>st-1</thread>"
        "<request xmlns='urn:xmpp:receipts'/>"
        "<active xmlns='http://jabber.org/protocol/chatstates'/>"
        "<origin-id xmlns='urn:xmpp:sid:0' id='m-1'/>"
        "</message>"
    )
    assert same_xml(stanza.xml, expected), ET.tostring(stanza.xml).decode()
    assert stanza.xml.find(f"{{{NS_DATA}}}x") is None


def test_a_follow_up_carries_no_attachment_and_no_fallback(client: slixmpp.ClientXMPP) -> None:
    message = ChatMessage("m-2", "alice@example.org", Direction.OUT, "Still jams",
                          datetime.now(UTC), thread="st-1")
    stanza = chat_stanza(client, message, None)
    assert [child.tag.partition("}")[2] for child in stanza.xml] == [
        "body", "thread", "request", "active", "origin-id"]


def test_the_wrapped_form_is_read_back_in_order() -> None:
    message = message_from(
        "<message xmlns='jabber:client'><body>x</body>"
        f"<sysinfo xmlns='urn:supporttray:sysinfo:1'>{FORM}</sysinfo></message>")
    assert attached_sysinfo(message) == PAIRS


def test_the_top_level_form_of_earlier_supporttray_is_still_read() -> None:
    message = message_from(f"<message xmlns='jabber:client'><body>x</body>{FORM}</message>")
    assert attached_sysinfo(message) == PAIRS


@pytest.mark.parametrize("xml", [
    "<message xmlns='jabber:client'><body>plain</body></message>",
    # someone else's form (a MUC config, a poll) is not system info
    "<message xmlns='jabber:client'><x xmlns='jabber:x:data' type='form'>"
    "<field var='FORM_TYPE' type='hidden'><value>urn:example:poll</value></field>"
    "<field var='os.name'><value>Windows</value></field></x></message>",
    # a form without FORM_TYPE is nobody's
    "<message xmlns='jabber:client'><sysinfo xmlns='urn:supporttray:sysinfo:1'>"
    "<x xmlns='jabber:x:data' type='result'><field var='os.name'><value>W</value></field>"
    "</x></sysinfo></message>",
])  # fmt: skip
def test_a_message_without_our_form_carries_no_system_info(xml: str) -> None:
    assert attached_sysinfo(message_from(xml)) is None


def test_an_empty_system_info_form_is_system_info_with_no_fields() -> None:
    message = message_from(
        "<message xmlns='jabber:client'><sysinfo xmlns='urn:supporttray:sysinfo:1'>"
        "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'>"
        "<value>urn:supporttray:sysinfo:0</value></field></x></sysinfo></message>")
    assert attached_sysinfo(message) == []


REQUEST_XML = (
    "<request xmlns='urn:supporttray:request:0' id='st-9' from='ann@example.org' "
    "opened='2026-11-24T09:12:03.000000+00:00' thread='st-9' summary='Windows 11 · Latitude'>"
    "Printer jams<question>Printer jams\nand squeaks</question>"
    f"{FORM}</request>"
)


def test_a_staff_room_request_is_exactly_what_older_supporttray_reads() -> None:
    request = SupportRequest(id="st-9", requester="ann@example.org", thread="st-9",
                             first_line="Printer jams",
                             opened=datetime(2026, 11, 24, 9, 12, 3, tzinfo=UTC),
                             summary="Windows 11 · Latitude",
                             question="Printer jams\nand squeaks", sysinfo=tuple(PAIRS))
    element = RoomRequest()
    element["id"] = request.id
    element["from"] = request.requester
    element["opened"] = request.opened.isoformat(timespec="microseconds")
    element["thread"] = request.thread
    element["summary"] = request.summary
    element["first_line"] = request.first_line
    element["question"] = request.question
    element["sysinfo"] = request.sysinfo
    assert same_xml(element.xml, REQUEST_XML), ET.tostring(element.xml).decode()


def test_a_staff_room_request_is_read_back() -> None:
    message = message_from(f"<message xmlns='jabber:client' type='groupchat'>{REQUEST_XML}"
                           "</message>")
    request = message["supporttray_request"]
    assert (request["id"], request["from"], request["thread"], request["first_line"]) == (
        "st-9", "ann@example.org", "st-9", "Printer jams")
    assert request["question"] == "Printer jams\nand squeaks"
    assert request["sysinfo"] == PAIRS
    assert message.get_plugin("supporttray_claim", check=True) is None


def test_a_request_without_a_form_has_no_system_info() -> None:
    message = message_from("<message xmlns='jabber:client'><request "
                           "xmlns='urn:supporttray:request:0' id='a'>Hi</request></message>")
    assert message["supporttray_request"]["sysinfo"] is None
    assert message["supporttray_request"]["question"] == ""


@pytest.mark.parametrize(("kind", "name"), [(RoomClaim, "claim"), (RoomResolved, "resolved")])
def test_claims_and_resolutions_are_one_empty_element(kind: type[RoomClaim], name: str) -> None:
    element = kind()
    element["request"] = "st-9"
    element["by"] = "alice@example.org"
    assert same_xml(element.xml, f"<{name} xmlns='urn:supporttray:request:0' request='st-9' "
                                 "by='alice@example.org'/>")
    message = message_from(f"<message xmlns='jabber:client'>{ET.tostring(element.xml).decode()}"
                           "</message>")
    event = message[f"supporttray_{name}"]
    assert (event["request"], event["by"]) == ("st-9", "alice@example.org")


def test_forms_inside_our_attachment_and_archive_results_are_pruned_too() -> None:
    many = "".join(f"<field var='f{i}'/>" for i in range(1000))
    xml = ET.fromstring(
        "<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2'>"
        "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'>"
        f"<sysinfo xmlns='urn:supporttray:sysinfo:1'><x xmlns='jabber:x:data'>{many}</x>"
        "</sysinfo></message></forwarded></result></message>")
    (form,) = prune_forms(xml).iter(f"{{{NS_DATA}}}x")
    assert 64 < len(form) <= 70


def test_typing_is_a_chat_state_with_no_body_kept_out_of_the_archive(
    client: slixmpp.ClientXMPP,
) -> None:
    stanza = chat_state_stanza(client, "alice@example.org", "composing")
    assert stanza.xml.attrib.pop("id")  # a fresh one each
    assert same_xml(stanza.xml, (
        "<message xmlns='jabber:client' to='alice@example.org' type='chat' xml:lang='en'>"
        "<composing xmlns='http://jabber.org/protocol/chatstates'/>"
        "<no-store xmlns='urn:xmpp:hints'/></message>")), ET.tostring(stanza.xml).decode()


def test_the_staff_room_invitation_is_a_direct_invite_with_a_sentence(
    client: slixmpp.ClientXMPP,
) -> None:
    stanza = invitation(client, "ben@example.org", "support-staff@rooms.example.org")
    assert stanza.xml.attrib.pop("id")  # a fresh one each
    assert same_xml(stanza.xml, (
        "<message xmlns='jabber:client' to='ben@example.org' type='normal' xml:lang='en'>"
        "<body>You are invited to the support team's staff room "
        "support-staff@rooms.example.org, where SupportTray shares the team's requests and "
        "claims.</body>"
        "<x xmlns='jabber:x:conference' jid='support-staff@rooms.example.org' "
        "reason=\"The support team's request queue\"/></message>")), \
        ET.tostring(stanza.xml).decode()


def test_a_flood_form_is_cut_before_slixmpp_builds_stanza_objects_from_it() -> None:
    from slixmpp.xmlstream import ET

    from supporttray.xmpp.stanzas import NS_DATA, prune_forms

    # Given a raw message carrying a form with 10,000 fields
    message = ET.Element("{jabber:client}message")
    form = ET.SubElement(message, f"{{{NS_DATA}}}x", {"type": "result"})
    for i in range(10_000):
        ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": f"f{i}"})
    # When the incoming filter sees it
    pruned = prune_forms(message)
    # Then only a few more fields than are ever read remain (still "too many" for validation)
    assert 64 < len(pruned.find(f"{{{NS_DATA}}}x")) <= 70  # type: ignore[arg-type]


def test_forms_outside_messages_are_left_alone() -> None:
    from slixmpp.xmlstream import ET

    from supporttray.xmpp.stanzas import NS_DATA, prune_forms

    iq = ET.Element("{jabber:client}iq")
    form = ET.SubElement(iq, f"{{{NS_DATA}}}x")
    for i in range(100):
        ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": f"f{i}"})
    assert len(prune_forms(iq).find(f"{{{NS_DATA}}}x")) == 100  # type: ignore[arg-type]
