"""The staff room's reading side (xmpp/staff_room.py) under hypothesis: any request element
parses to a clean request or to nothing, and a claim or resolution counts only in its poster's
own name, from one of the staff, whatever the archive holds."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from slixmpp.xmlstream import ET

from supporttray.core.jid import bare_jid
from supporttray.core.requests import QUESTION_CHARS
from supporttray.core.sysinfo import KEY_PATTERN
from supporttray.xmpp.staff_room import _parse_request
from supporttray.xmpp.stanzas import NS_REQUEST, RoomRequest
from tests.unit.hostile_input import ATTRIBUTE_TEXT, ISO_STAMPS, XML_TEXT, data_forms, examples
from tests.unit.xmpp.test_staff_room_replay import ANNA, BEN, archived, event, replay, request

# Where a request element's attributes may be missing, empty, huge or nonsense.
MAYBE = st.none() | st.just("") | ATTRIBUTE_TEXT
REQUESTERS = st.one_of(MAYBE, st.sampled_from(["ann@example.org", "Ann@Example.ORG/laptop", "@",
                                               "ann@", "a@b@c", " ann@example.org "]))


@st.composite
def request_elements(draw: st.DrawFn) -> ET.Element:
    attributes = {name: value for name, value in (
        ("id", draw(MAYBE)), ("from", draw(REQUESTERS)), ("opened", draw(st.none() | ISO_STAMPS)),
        ("thread", draw(MAYBE)), ("summary", draw(MAYBE)), ("by", draw(MAYBE)),
    ) if value is not None}  # fmt: skip
    element = ET.Element(f"{{{NS_REQUEST}}}request", attributes)
    element.text = draw(st.none() | XML_TEXT)
    if (question := draw(st.none() | XML_TEXT)) is not None:
        ET.SubElement(element, f"{{{NS_REQUEST}}}question").text = question
    if draw(st.booleans()):
        element.append(draw(data_forms()))
    return element


def with_opened(opened: str) -> ET.Element:
    return ET.Element(f"{{{NS_REQUEST}}}request",
                      {"id": "st-1", "from": "ann@example.org", "opened": opened})


@examples(80)
@given(element=request_elements())
@example(element=with_opened("0001-01-01T00:00:00+05:00"))  # no such moment in UTC
@example(element=with_opened("9999-12-31T23:59:59-05:00"))
def test_any_request_element_parses_to_a_clean_request_or_to_nothing(element: ET.Element) -> None:
    parsed = _parse_request(RoomRequest(xml=element))

    if parsed is not None:
        assert parsed.id and len(parsed.id) <= 200
        assert "@" in parsed.requester and parsed.requester == bare_jid(parsed.requester)
        assert parsed.opened.tzinfo is UTC
        assert len(parsed.first_line) <= 200 and len(parsed.summary) <= 200
        assert len(parsed.question) <= QUESTION_CHARS
        assert all(KEY_PATTERN.fullmatch(key) for key, _value in parsed.sysinfo)
        assert parsed.claimed_by is None  # a request never arrives taken


# Who posts in the room (the nick, which each client sets to its bare JID) and in whose name.
# Anna is this client, Ben a colleague; Carl is no one the staff know.
CARL = "carl@example.org"
POSTERS = st.sampled_from([ANNA, BEN, CARL, "Ben@Example.ORG", f"{BEN}/laptop"])
NAMES = st.one_of(POSTERS, st.sampled_from(["", " ben@example.org ", "anna"]), ATTRIBUTE_TEXT)
REQUEST_IDS = st.sampled_from(["a", "b", ""])


@st.composite
def room_events(draw: st.DrawFn) -> tuple[str, str, str, str, str]:
    """(archive id, poster, kind, request id, by)."""
    return (str(draw(st.integers(min_value=0, max_value=30))), draw(POSTERS),
            draw(st.sampled_from(["request", "claim", "claim", "resolved"])), draw(REQUEST_IDS),
            draw(NAMES))  # fmt: skip


def counted(events: list[tuple[str, str, str, str, str]]) -> list[tuple[str, str | None]]:
    """What the rule says the queue shows: each archived item once; events only from Anna or
    Ben; a claim or resolution only in its poster's own name; the first claim wins."""
    seen: set[str] = set()
    owners: dict[str, str | None] = {}
    for archive_id, poster, kind, request_id, by in events:
        if archive_id in seen:
            continue
        seen.add(archive_id)
        who = bare_jid(poster)
        if who not in (ANNA, BEN):
            continue
        if kind == "request":
            if request_id:
                owners.setdefault(request_id, None)
        elif request_id and bare_jid(by) == who:
            if kind == "resolved":
                owners.pop(request_id, None)
            elif request_id in owners and owners[request_id] is None:
                owners[request_id] = who
    return list(owners.items())


def archive_of(events: list[tuple[str, str, str, str, str]]) -> list[Any]:
    return [archived(archive_id, poster,
                     request(request_id) if kind == "request" else event(kind, request_id, by))
            for archive_id, poster, kind, request_id, by in events]  # fmt: skip


@examples(80)
@given(events=st.lists(room_events(), max_size=12))
def test_only_claims_in_the_posters_own_name_by_the_staff_count_first_one_wins(
    events: list[tuple[str, str, str, str, str]],
) -> None:
    # when a start replays an archive of requests, claims and resolutions from anyone
    queue, arrived = replay(archive_of(events))

    # then the queue shows exactly what the rule says, and nothing announced itself
    assert [(r.id, r.claimed_by) for r in queue.requests()] == counted(events)
    assert arrived == []
