"""Reading the staff room's archive back at a start: order, dedup, and a trimmed archive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import slixmpp
from slixmpp.xmlstream import ET

from supporttray.core.requests import RequestQueue
from supporttray.xmpp.staff_room import StaffRoom
from supporttray.xmpp.stanzas import NS_REQUEST as NS

# Declares the archive's stanzas (MAM result, forwarded) as the app's client does.
slixmpp.ClientXMPP("loader@example.org", "unused").register_plugin("xep_0313")

ROOM = "staff@conference.example.org"
ANNA, BEN = "anna@example.org", "ben@example.org"


def archived(archive_id: str, poster: str, element: ET.Element) -> Any:
    """One MAM result message wrapping a groupchat message from `poster`'s nick."""
    result = ET.Element("{jabber:client}message")
    found = ET.SubElement(result, "{urn:xmpp:mam:2}result", {"id": archive_id})
    forwarded = ET.SubElement(found, "{urn:xmpp:forward:0}forwarded")
    inner = ET.SubElement(forwarded, "{jabber:client}message",
                          {"from": f"{ROOM}/{poster}", "type": "groupchat"})
    inner.append(element)
    return slixmpp.Message(xml=result)


def request(request_id: str) -> ET.Element:
    element = ET.Element(f"{{{NS}}}request", {
        "id": request_id, "from": "ann@example.org", "opened": "2026-11-24T09:00:00+00:00"})
    element.text = f"question {request_id}"
    return element


def event(kind: str, request_id: str, by: str) -> ET.Element:
    return ET.Element(f"{{{NS}}}{kind}", {"request": request_id, "by": by})


class FakeClient:
    def __init__(self, results: list[Any]) -> None:
        results_ = results

        class Mam:
            async def iterate(self, **_kwargs: Any) -> AsyncIterator[Any]:
                for item in results_:
                    yield item

        self.plugin = {"xep_0313": Mam()}


def replay(results: list[Any]) -> tuple[RequestQueue, list[str]]:
    queue = RequestQueue()
    arrived: list[str] = []
    queue.arrived.subscribe(lambda r: arrived.append(r.id))
    room = StaffRoom(ROOM, ANNA, queue, staff=lambda: [BEN])
    room._replaying = True  # as _join sets it around the replay
    room._shows_jids = True  # a room our team made: non-anonymous (_join reads it)
    asyncio.run(room._replay(FakeClient(results)))
    return queue, arrived


def test_the_archive_is_applied_in_order_once_and_announces_nothing() -> None:
    queue, arrived = replay([
        archived("1", BEN, request("a")),
        archived("2", BEN, request("b")),
        archived("3", ANNA, event("claim", "a", ANNA)),
        archived("4", BEN, event("claim", "a", BEN)),  # too late: Anna has it
        archived("3", ANNA, event("claim", "a", ANNA)),  # the same archive item again
        archived("5", BEN, event("resolved", "b", BEN)),
    ])
    assert [(r.id, r.claimed_by) for r in queue.requests()] == [("a", ANNA)]
    assert arrived == []  # read back, not new: no balloons at a start


def test_a_trimmed_archive_is_said_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    # the server dropped the oldest messages: claims and resolutions of requests it no
    # longer holds come first
    queue, _arrived = replay([
        archived("7", BEN, event("claim", "old1", BEN)),
        archived("8", BEN, event("resolved", "old2", BEN)),
        archived("9", BEN, request("c")),
        archived("10", BEN, event("resolved", "c", BEN)),
        archived("11", BEN, event("claim", "c", ANNA)),  # after its resolution: not "trimmed"
    ])
    assert queue.requests() == []
    assert "archive starts after 2 claim(s) or resolution(s)" in caplog.text
    assert "storage_archive_item_limit" in caplog.text


def test_claims_only_in_the_posters_own_name(caplog: pytest.LogCaptureFixture) -> None:
    queue, _arrived = replay([
        archived("1", BEN, request("a")),
        archived("2", BEN, event("claim", "a", ANNA)),  # Ben cannot claim for Anna
    ])
    assert [(r.id, r.claimed_by) for r in queue.requests()] == [("a", None)]
    assert "ignored a claim" in caplog.text


def test_a_request_dated_at_a_moment_utc_cannot_hold_is_skipped_and_the_replay_goes_on() -> None:
    # given an archive holding a request whose `opened` has no UTC equivalent (year 1 at +05:00,
    # from a colleague's broken client or anyone in a room open to all), then a good one
    impossible = ET.Element(f"{{{NS}}}request", {
        "id": "x", "from": "ann@example.org", "opened": "0001-01-01T00:00:00+05:00"})

    # when a start replays it
    queue, _arrived = replay([archived("1", BEN, impossible), archived("2", BEN, request("a"))])

    # then the impossible one is left out and the rest still counts (a replay that raised here
    # would end the join: out of the staff room at every start while the archive holds it)
    assert [r.id for r in queue.requests()] == ["a"]
