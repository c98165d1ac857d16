"""Quitting never fails on a link that is already going (the server closed it after a refused
password, or it went while we said goodbye)."""

from __future__ import annotations

from typing import Any

import pytest

from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import PresenceBook
from supporttray.core.staff_directory import StaffDirectory
from supporttray.xmpp.connection import XmppConnection
from supporttray.xmpp.endpoint import ServerEndpoint


class Transport:
    def __init__(self, closing: bool) -> None:
        self.closing = closing

    def is_closing(self) -> bool:
        return self.closing


class Client:
    """What stop() touches of slixmpp's client; the goodbye fails as CPython 3.11's TLS
    transport does when the connection was lost under it."""

    def __init__(self, closing: bool) -> None:
        self.transport = Transport(closing)
        self.said: list[str] = []

    def cancel_connection_attempt(self) -> None:
        self.said.append("cancel")

    def send_presence(self, **_kwargs: Any) -> None:
        self.said.append("unavailable")

    async def disconnect(self, wait: float) -> None:
        raise AttributeError("'NoneType' object has no attribute '_write_appdata'")

    def abort(self) -> None:
        self.said.append("abort")


@pytest.mark.asyncio
@pytest.mark.parametrize(("closing", "said"), [
    (True, ["cancel", "abort"]),  # nobody to say goodbye to
    (False, ["cancel", "unavailable", "abort"]),  # the link went while we said it
])
async def test_stopping_on_a_link_that_is_going_ends_offline_without_an_error(
        closing: bool, said: list[str]) -> None:
    monitor = ConnectionMonitor()
    connection = XmppConnection("me@example.org", "pw", ServerEndpoint("example.org"),
                                StaffDirectory(), PresenceBook(), monitor, OwnPresence())
    client = Client(closing)
    connection._client = client  # type: ignore[assignment]
    await connection.stop()
    assert client.said == said
    assert monitor.status.state is ConnectionState.OFFLINE
