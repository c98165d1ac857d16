"""A contact's local time and idle time are asked once the login's presence burst is over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import pytest

from supporttray.core.presence import Availability, PresenceBook
from supporttray.xmpp import contact_details
from supporttray.xmpp.contact_details import ContactDetails
from tests.helpers import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeEntityTime:
    """xep_0202 and xep_0012 as slixmpp offers them: records who was asked, answers at once."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    async def get_entity_time(self, jid: Any, timeout: int) -> Any:
        self.asked.append(("time", str(jid)))
        return SimpleNamespace(xml=ElementTree.fromstring(
            '<iq><time xmlns="urn:xmpp:time"><tzo>+02:00</tzo></time></iq>'))

    async def get_last_activity(self, jid: Any, timeout: int) -> Any:
        self.asked.append(("idle", str(jid)))
        return {"last_activity": {"seconds": 600}}


class FakeClient:
    def __init__(self, service: FakeEntityTime) -> None:
        self.plugin = {"xep_0202": service, "xep_0012": service}


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contact_details, "SETTLE_S", 0.1)
    monkeypatch.setattr(contact_details, "MAX_WAIT_S", 0.5)


def setup(n: int) -> tuple[PresenceBook, FakeEntityTime, ContactDetails, list[str]]:
    book = PresenceBook()
    jids = [f"user{i}@example.org/laptop" for i in range(n)]
    for jid in jids:
        book.add_staff(jid.split("/")[0], jid)
        book.update(jid, Availability.AVAILABLE, "", 0, None)
    service = FakeEntityTime()
    tasks: set[asyncio.Task[None]] = set()

    def spawn(coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    details = ContactDetails(book, lambda: FakeClient(service), FakeClock(NOW), spawn)  # type: ignore[arg-type, return-value]
    return book, service, details, jids


@pytest.mark.asyncio
async def test_nothing_is_asked_while_presences_keep_arriving_then_everyone_once() -> None:
    book, service, details, jids = setup(20)
    # a burst: a new contact every 50 ms, each sooner than the settling pause
    for jid in jids[:6]:
        details.came_online(jid, ask_idle=False)
        details.came_online(jid, ask_idle=False)  # a second presence of the same resource
        await asyncio.sleep(0.05)
    assert service.asked == []
    await asyncio.sleep(0.25)
    assert sorted(service.asked) == sorted(("time", jid) for jid in jids[:6])
    assert book.member(jids[0]) is not None


@pytest.mark.asyncio
async def test_a_burst_that_never_ends_still_gets_asked_after_the_longest_wait() -> None:
    _book, service, details, jids = setup(20)
    for jid in jids:  # one every 40 ms for 0.8 s: never quiet for the 0.1 s pause
        details.came_online(jid, ask_idle=False)
        await asyncio.sleep(0.04)
        if service.asked:
            break
    assert service.asked, "asked by MAX_WAIT_S after the first, burst or not"
    assert len(service.asked) < len(jids)


@pytest.mark.asyncio
async def test_idle_time_is_asked_only_of_clients_that_do_not_send_it() -> None:
    book, service, details, jids = setup(2)
    details.came_online(jids[0], ask_idle=True)
    details.came_online(jids[1], ask_idle=False)
    await asyncio.sleep(0.3)
    assert ("idle", jids[0]) in service.asked and ("idle", jids[1]) not in service.asked
    assert book.member(jids[1]).utc_offset == timedelta(hours=2)  # type: ignore[union-attr]
    member = book.member(jids[0])
    assert member is not None and member.resources[0].idle_since == NOW - timedelta(minutes=10)


@pytest.mark.asyncio
async def test_a_new_session_asks_again_and_drops_what_waited() -> None:
    _book, service, details, jids = setup(2)
    details.came_online(jids[0], ask_idle=False)
    details.forget()
    await asyncio.sleep(0.3)
    assert service.asked == []
    details.came_online(jids[0], ask_idle=False)
    await asyncio.sleep(0.3)
    assert service.asked == [("time", jids[0])]
