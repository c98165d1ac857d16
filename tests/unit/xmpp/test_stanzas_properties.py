"""Our stanza interfaces (xmpp/stanzas.py) under hypothesis: what we build arrives as we built
it, and no tree a peer can send makes a reader raise, read past its limit, or be cut into a
different answer by the incoming filter."""

from __future__ import annotations

import copy

from hypothesis import example, given
from hypothesis import strategies as st
from slixmpp import Message
from slixmpp.xmlstream import ET, tostring

from supporttray.core.sysinfo import FORM_TYPE, SysinfoRejected, validate_received
from supporttray.xmpp.stanzas import (
    FORM_FIELD_LIMIT,
    NS_DATA,
    NS_SYSINFO,
    RoomClaim,
    RoomRequest,
    RoomResolved,
    attached_sysinfo,
    attribute_text,
    prune_forms,
)
from tests.unit.hostile_input import (
    ATTRIBUTE_TEXT,
    XML_TEXT,
    data_forms,
    examples,
    hostile_children,
    message_with,
    outline,
    over_the_wire,
)

# A key is a field's var; FORM_TYPE is the one var that is not a field of ours.
KEYS = ATTRIBUTE_TEXT.filter(lambda key: key != "FORM_TYPE")
PAIRS = st.lists(st.tuples(KEYS, XML_TEXT), max_size=FORM_FIELD_LIMIT)


def received(message: Message) -> Message:
    """`message` as the peer's slixmpp builds it from what came over the wire."""
    return Message(xml=over_the_wire(message.xml))


def wrapped(form: ET.Element) -> ET.Element:
    attachment = ET.Element(f"{{{NS_SYSINFO}}}sysinfo")
    attachment.append(form)
    return attachment


def accepted(message: Message) -> object:
    """What a staff client makes of a message's system info: None (it carries none),
    "rejected", or the fields it shows."""
    pairs = attached_sysinfo(message)
    if pairs is None:
        return None
    try:
        return validate_received(pairs).as_pairs()
    except SysinfoRejected:
        return "rejected"


# -- what we send arrives as sent ---------------------------------------------------------------


@examples(40)
@given(pairs=PAIRS)
def test_attached_system_info_arrives_field_for_field_in_order(
    pairs: list[tuple[str, str]],
) -> None:
    # given a message carrying the fields in our attachment
    message = Message()
    message["body"] = "Printer jams"
    message["supporttray_sysinfo"]["pairs"] = pairs

    # when it has crossed the wire, then the reader gives back the same fields in the same order
    assert attached_sysinfo(received(message)) == pairs


@examples(40)
@given(
    request_id=ATTRIBUTE_TEXT, requester=ATTRIBUTE_TEXT, thread=ATTRIBUTE_TEXT,
    opened=ATTRIBUTE_TEXT, summary=ATTRIBUTE_TEXT, first_line=XML_TEXT, question=XML_TEXT,
    sysinfo=PAIRS,
)  # fmt: skip
def test_a_staff_room_request_arrives_as_it_was_posted(
    request_id: str, requester: str, thread: str, opened: str, summary: str, first_line: str,
    question: str, sysinfo: list[tuple[str, str]],
) -> None:
    # given a request element as the staff room posts one
    element = RoomRequest()
    element["id"] = request_id
    element["from"] = requester
    element["thread"] = thread
    element["opened"] = opened
    element["summary"] = summary
    element["first_line"] = first_line
    element["question"] = question
    element["sysinfo"] = sysinfo
    message = Message()
    message["type"] = "groupchat"
    message.append(element)

    # when it has crossed the wire
    got = received(message)["supporttray_request"]

    # then every interface reads back what was set; no fields is no form at all
    assert (got["id"], got["from"], got["thread"], got["opened"], got["summary"]) == (
        request_id, requester, thread, opened, summary)
    assert (got["first_line"], got["question"]) == (first_line, question)
    assert got["sysinfo"] == (sysinfo or None)


@examples(20)
@example(thread="st-1\n")
@given(thread=st.text(st.sampled_from("st-1 \t\n\r"), min_size=1, max_size=8))
def test_a_thread_with_tabs_or_line_breaks_names_the_same_request_for_every_colleague(
    thread: str,
) -> None:
    # A request's id is its thread, which the requester's client chose: XML text may hold
    # tabs and line breaks (a CR as &#13;). The staff room carries the id in attributes.
    request, claim = RoomRequest(), RoomClaim()
    request["id"] = thread
    claim["request"] = thread
    message = Message()
    message["type"] = "groupchat"
    message.append(request)
    message.append(claim)

    got = received(message)

    # (in the form it survives an attribute in: the app takes a thread in that form at once)
    same = attribute_text(thread)
    assert (got["supporttray_request"]["id"], got["supporttray_claim"]["request"]) == (
        same, same)


@examples(30)
@given(kind=st.sampled_from([RoomClaim, RoomResolved]), request_id=ATTRIBUTE_TEXT,
       by=ATTRIBUTE_TEXT)  # fmt: skip
def test_claims_and_resolutions_arrive_as_posted(
    kind: type[RoomClaim | RoomResolved], request_id: str, by: str
) -> None:
    element = kind()
    element["request"] = request_id
    element["by"] = by
    message = Message()
    message.append(element)

    got = received(message)[kind.plugin_attrib]

    assert (got["request"], got["by"]) == (request_id, by)


# -- what a peer may send -----------------------------------------------------------------------


@examples(40)
@given(children=hostile_children(), body=st.none() | XML_TEXT)
def test_no_tree_a_peer_sends_makes_a_reader_raise_or_read_past_its_limit(
    children: list[ET.Element], body: str | None
) -> None:
    # given any message at all, after the incoming filter, as slixmpp builds it
    message = Message(xml=prune_forms(message_with(children, body)))

    # then the system-info reader gives text pairs, at most one past the limit, or nothing
    pairs = attached_sysinfo(message)
    if pairs is not None:
        assert len(pairs) <= FORM_FIELD_LIMIT + 1
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in pairs)
    # and the staff room's elements give text for every interface
    request = message.get_plugin("supporttray_request", check=True)
    if request is not None:
        for name in ("id", "from", "thread", "opened", "summary", "first_line", "question"):
            assert isinstance(request[name], str), name
        sysinfo = request["sysinfo"]
        assert sysinfo is None or len(sysinfo) <= FORM_FIELD_LIMIT + 1
    for name in ("supporttray_claim", "supporttray_resolved"):
        event = message.get_plugin(name, check=True)
        if event is not None:
            assert isinstance(event["request"], str) and isinstance(event["by"], str)


def flood_after_a_title_and_instructions() -> ET.Element:
    """100 fields after a form's title and instructions (children, but not fields)."""
    form = ET.Element(f"{{{NS_DATA}}}x", {"type": "result"})
    typed = ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": "FORM_TYPE", "type": "hidden"})
    ET.SubElement(typed, f"{{{NS_DATA}}}value").text = FORM_TYPE
    ET.SubElement(form, f"{{{NS_DATA}}}title").text = "System info"
    ET.SubElement(form, f"{{{NS_DATA}}}instructions").text = "None needed"
    for i in range(100):
        ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": f"k{i}"})
    return form


@examples(50)
@example(form=flood_after_a_title_and_instructions())
@given(form=data_forms())
def test_the_incoming_filter_never_changes_what_a_staff_client_accepts(form: ET.Element) -> None:
    # given a message with a system-info form of any size and shape
    whole = message_with([wrapped(form)])
    # (what the staff client would make of it with no filter at all)
    unfiltered = accepted(Message(xml=copy.deepcopy(whole)))

    # when the incoming filter has cut it
    filtered = accepted(Message(xml=prune_forms(whole)))

    # then the answer is the same: a flood stays "rejected", never accepted in part
    assert filtered == unfiltered, outline(form)


@examples(40)
@given(children=hostile_children())
def test_the_incoming_filter_leaves_each_form_within_the_limit_and_small_ones_whole(
    children: list[ET.Element],
) -> None:
    # given a message whose forms sit anywhere in it
    message = message_with(children)
    before = {id(form): tostring(form) for form in message.iter(f"{{{NS_DATA}}}x")
              if len(form) <= FORM_FIELD_LIMIT + 2}  # fmt: skip

    # when the incoming filter has seen it
    pruned = prune_forms(message)

    # then no form keeps more fields than one past what is ever read; short ones are untouched
    for form in pruned.iter(f"{{{NS_DATA}}}x"):
        assert len(form.findall(f"{{{NS_DATA}}}field")) <= FORM_FIELD_LIMIT + 2
        if id(form) in before:
            assert tostring(form) == before[id(form)]


@examples(10)
@given(kind=st.sampled_from(["iq", "presence"]), children=hostile_children())
def test_the_incoming_filter_leaves_what_is_not_a_message_alone(
    kind: str, children: list[ET.Element]
) -> None:
    stanza = ET.Element(f"{{jabber:client}}{kind}")
    stanza.extend(children)
    before = tostring(stanza)

    assert tostring(prune_forms(stanza)) == before
