"""Finding the server's services by discovery, with a fake server: what is found, what is said
when there is none or the server is silent, and how long an answer is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from slixmpp import Iq
from slixmpp.exceptions import IqError, IqTimeout

from supporttray.xmpp.discovery import MUC, UPLOAD, ServiceDirectory

Identities = list[tuple[str, str]]


def failed(condition: str) -> IqError:
    iq = Iq()
    iq["type"] = "error"
    iq["error"]["condition"] = condition
    return IqError(iq)


class FakeDisco:
    """disco#items of the domain and disco#info of each address, or the error they raise."""

    def __init__(self, items: list[str] | Exception, info: dict[str, Identities | Exception]):
        self.items = items
        self.info = info
        self.asked: list[str] = []

    async def get_items(self, *, jid: str, timeout: float) -> Any:
        self.asked.append(f"items {jid}")
        if isinstance(self.items, Exception):
            raise self.items
        return {"disco_items": {"items": [(j, None, "") for j in self.items]}}

    async def get_info(self, *, jid: str, timeout: float) -> Any:
        self.asked.append(f"info {jid}")
        answer = self.info.get(jid, failed("item-not-found"))
        if isinstance(answer, Exception):
            raise answer
        return {"disco_info": {"identities": [(c, t, None, "") for c, t in answer]}}


class FakeClient:
    def __init__(self, disco: FakeDisco) -> None:
        self.plugin = {"xep_0030": disco}
        self.boundjid = type("Bound", (), {"domain": "example.org"})()
        self.handlers: dict[str, Callable[[Any], None]] = {}

    def register_plugin(self, _name: str) -> None:
        pass

    def add_event_handler(self, name: str, handler: Callable[[Any], None]) -> None:
        self.handlers[name] = handler


def directory(disco: FakeDisco) -> tuple[ServiceDirectory, FakeClient]:
    client = FakeClient(disco)
    services = ServiceDirectory()
    services.install(client)
    return services, client


SERVER: dict[str, Identities | Exception] = {
    "example.org": [("server", "im")],
    "upload.example.org": [("store", "file")],
    "rooms.example.org": [("conference", "text")],
    "pubsub.example.org": [("pubsub", "service")],
}
ITEMS = ["upload.example.org", "rooms.example.org", "pubsub.example.org"]


def test_the_muc_service_is_found_whatever_it_is_called() -> None:
    services, _ = directory(FakeDisco(ITEMS, SERVER))
    assert asyncio.run(services.find(MUC)).jid == "rooms.example.org"
    assert asyncio.run(services.find(UPLOAD)).jid == "upload.example.org"


def test_an_answer_is_kept_for_the_login_and_asked_again_after_a_new_one() -> None:
    disco = FakeDisco(ITEMS, SERVER)
    services, client = directory(disco)

    async def twice() -> None:
        await services.find(MUC)
        await services.find(MUC)

    asyncio.run(twice())
    assert disco.asked.count("items example.org") == 1
    client.handlers["session_start"](None)
    asyncio.run(services.find(MUC))
    assert disco.asked.count("items example.org") == 2


def test_a_server_without_a_muc_service_says_so() -> None:
    server = {k: v for k, v in SERVER.items() if k != "rooms.example.org"}
    services, _ = directory(FakeDisco(["upload.example.org"], server))
    lookup = asyncio.run(services.find(MUC))
    assert (lookup.jid, lookup.answered) == ("", True)
    assert str(lookup.reason) == "example.org has no conference/text service"


def test_a_listed_service_that_does_not_answer_is_passed_over() -> None:
    server = dict(SERVER, **{"upload.example.org": failed("remote-server-not-found")})
    services, _ = directory(FakeDisco(ITEMS, server))
    assert asyncio.run(services.find(MUC)).jid == "rooms.example.org"


@pytest.mark.parametrize("silent", ["items", "info"])
def test_a_silent_server_is_not_taken_for_one_without_the_service(silent: str) -> None:
    server = dict(SERVER, **{"rooms.example.org": IqTimeout(Iq())})
    disco = FakeDisco(IqTimeout(Iq()) if silent == "items" else ITEMS,
                      server if silent == "info" else SERVER)
    services, _ = directory(disco)
    lookup = asyncio.run(services.find(MUC))
    assert (lookup.jid, lookup.answered) == ("", False)
    assert "in time" in str(lookup.reason)
    # not kept: the next look asks again
    asyncio.run(services.find(MUC))
    assert disco.asked.count("items example.org") == 2


def test_a_service_named_by_policy_is_checked_for_what_it_is() -> None:
    services, _ = directory(FakeDisco(ITEMS, SERVER))
    assert asyncio.run(services.check("rooms.example.org", MUC)).jid == "rooms.example.org"
    not_muc = asyncio.run(services.check("upload.example.org", MUC))
    assert str(not_muc.reason) == "upload.example.org is not a conference/text service"
    gone = asyncio.run(services.check("chat.example.org", MUC))
    assert (gone.jid, gone.answered) == ("", True)
    assert str(gone.reason) == "chat.example.org is not there (item-not-found)"
