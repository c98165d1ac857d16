"""The catch-up's position in the server's archive, with the server's answers stood in for."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
import slixmpp

from supporttray.core.messages import ArchivePosition
from supporttray.core.server_archive import ServerArchive
from supporttray.xmpp.chat_archive import ChatArchive
from tests.helpers import T0


class Positions:
    def __init__(self, position: ArchivePosition | None = None) -> None:
        self.position = position

    def archive_position(self) -> ArchivePosition | None:
        return self.position

    def set_archive_position(self, position: ArchivePosition) -> None:
        self.position = position

    def newest_time(self) -> datetime | None:
        return None


class ArchivingServer:
    """Says it archives."""

    async def archives(self) -> bool:
        return True


CLIENT = slixmpp.ClientXMPP("staff@example.org/tray", "unused")
CLIENT.register_plugin("xep_0313")
CLIENT.register_plugin("xep_0203")


def result(archive_id: str, at: datetime) -> Any:
    """One archive result as the server sends it: a message it forwards, with its time and id."""
    message = CLIENT.Message()
    message["mam_result"]["id"] = archive_id
    forwarded = message["mam_result"]["forwarded"]
    forwarded["delay"]["stamp"] = at
    archived = CLIENT.Message()
    archived["from"], archived["type"], archived["body"] = "ann@example.org/laptop", "chat", "hi"
    forwarded["stanza"] = archived
    return message


def last_page() -> Any:
    fin = CLIENT.Iq()["mam_fin"]
    fin.xml.set("complete", "true")
    return fin


def catch_up(loop: asyncio.AbstractEventLoop, archive: ChatArchive, queries: list[Any]) -> None:
    """Run one session's catch-up, each archive query answered by the next of `queries`: a
    callable (run while the query is out, e.g. a live message arriving), its results and the
    query's end (`fin`)."""
    answers = iter(queries)

    async def query(**_kwargs: Any) -> tuple[list[Any], Any]:
        meanwhile, results, fin = next(answers)
        meanwhile()
        return results, fin

    archive._query = query  # type: ignore[method-assign]
    archive._services = ArchivingServer()  # type: ignore[assignment]
    archive._on_session_start(None)
    archive.presence_sent()
    assert archive._task is not None
    loop.run_until_complete(archive._task)


@pytest.fixture
def loop() -> Any:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()


def test_a_live_message_during_a_new_profiles_first_look_becomes_the_position(loop: Any) -> None:
    # given a new profile (no position), whose first look at the archive finds it empty, while
    # a message arrives live (archived after the query was answered)
    positions = Positions()
    archive = ChatArchive(positions, lambda *_a: None)

    # when the catch-up ends
    catch_up(loop, archive, [(lambda: archive.live("live-1", T0), [], None)])

    # then the archive has been read up to that message: the next login starts after it
    assert positions.position == ArchivePosition("live-1", T0)


def test_a_live_message_the_pages_held_does_not_move_the_position_back(loop: Any) -> None:
    # given a profile that read up to "a-1", and while it pages on, "a-2" arrives live and is
    # on the page too, with "a-3" after it
    positions = Positions(ArchivePosition("a-1", T0))
    taken: list[str] = []
    archive = ChatArchive(positions, lambda _stanza, _when, archive_id: taken.append(archive_id))
    second = T0 + timedelta(seconds=1)

    # when the catch-up ends
    catch_up(loop, archive, [(lambda: archive.live("a-2", second),
                              [result("a-2", second), result("a-3", second)], last_page())])

    # then both were handed on, and the position is the newest the pages held, not the live one
    assert taken == ["a-2", "a-3"]
    assert positions.position is not None and positions.position.stanza_id == "a-3"


def test_the_catch_up_waits_for_our_presence(loop: Any) -> None:
    # given a fresh session
    archive = ChatArchive(Positions(), lambda *_a: None)
    archive._services = ArchivingServer()  # type: ignore[assignment]
    archive._on_session_start(None)
    # then nothing is asked of the archive before our presence is out (Prosody would keep
    # offline storage from us)
    assert archive._task is None
    archive.presence_sent()
    assert archive._task is not None
    archive._task.cancel()
    loop.run_until_complete(asyncio.gather(archive._task, return_exceptions=True))


def test_what_discovery_found_of_the_servers_archive_is_told_upward(loop: Any) -> None:
    # given a login whose discovery says the server archives our chats
    found = ServerArchive()
    told: list[bool | None] = []
    found.changed.subscribe(told.append)
    archive = ChatArchive(Positions(), lambda *_a: None, server_archive=found)

    # when its catch-up runs
    catch_up(loop, archive, [(lambda: None, [], None)])

    # then the app knows the server keeps a copy (the chats' privacy line says so)
    assert found.archives is True and told == [True]
