"""When connecting fails, the user reads a sentence that says what to do, and we do the right thing.

Real server, real TLS. A small TCP relay in front of the server counts the connections clients
open and keeps what they sent, so "no retry loop" and "nothing was sent" are seen on the wire.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from supporttray.app.service import SupportService
from supporttray.config.credentials import CredentialStore
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import PresenceBook
from supporttray.core.staff_directory import StaffDirectory
from supporttray.service_settings import support_config
from supporttray.xmpp.connection import XmppConnection
from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer

LOOPBACK = "127.0.0.1"


# -- helpers -----------------------------------------------------------------------------------


class CountingRelay:
    """Forwards TCP connections to the server; counts them and keeps the bytes clients sent."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0
        self.client_bytes = bytearray()
        self.port = 0

    async def listen(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._relay, LOOPBACK, port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
            await asyncio.gather(
                self._pipe(reader, upstream_writer, keep=True),
                self._pipe(upstream_reader, writer, keep=False),
            )
        finally:
            writer.close()
            self._tasks.discard(task)

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, keep: bool
    ) -> None:
        try:
            while data := await source.read(65536):
                if keep:
                    self.client_bytes += data
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.close()


@asynccontextmanager
async def relay_to(server: XmppServer, port: int = 0) -> AsyncIterator[CountingRelay]:
    relay = CountingRelay(server.host, server.port)
    await relay.listen(port)
    try:
        yield relay
    finally:
        await relay.close()


def closed_port() -> int:
    """A loopback port nobody listens on (free a moment ago)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


async def seconds_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise AssertionError(f"still not true after {timeout:.1f} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


def support_service(server: XmppServer, jid: str, port: int) -> SupportService:
    """The app's service for `jid`, by a policy that points at LOOPBACK:`port`."""
    enforced: dict[str, object] = {
        "server.domain": server.domain,
        "server.host": LOOPBACK,
        "server.port": port,
    }
    if server.ca_file is not None:
        enforced["server.ca_file"] = str(server.ca_file)
    settings = Settings(Policy(source=None, enforced=enforced), {"account.jid": jid})
    return SupportService(support_config(settings), CredentialStore())


@asynccontextmanager
async def running(service: SupportService) -> AsyncIterator[SupportService]:
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def is_error(service: SupportService | ConnectionMonitor) -> Callable[[], bool]:
    monitor = service.monitor if isinstance(service, SupportService) else service
    return lambda: monitor.status.state is ConnectionState.ERROR


# -- wrong password ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_wrong_password_says_which_account_and_how_to_fix_it(
    xmpp_server: XmppServer,
) -> None:
    # given a stored password the server refuses
    (account,) = xmpp_server.fresh_accounts(1)
    CredentialStore().set(account.jid, "not-" + account.password)
    service = support_service(xmpp_server, account.jid, xmpp_server.port)

    # when the app connects
    async with running(service):
        await seconds_until(is_error(service), timeout=5)

        # then the user reads whose password was refused and the command that fixes it
        sentence = service.monitor.status.describe()
        assert account.jid in sentence
        assert "refused the password" in sentence
        assert f"supporttray login {account.jid}" in sentence
        assert service.status()["error"] == sentence


@pytest.mark.asyncio
async def test_wrong_password_is_not_retried_against_the_server(xmpp_server: XmppServer) -> None:
    # given a stored password the server refuses, and the server behind a connection counter
    (account,) = xmpp_server.fresh_accounts(1)
    CredentialStore().set(account.jid, "not-" + account.password)
    async with relay_to(xmpp_server) as relay:
        service = support_service(xmpp_server, account.jid, relay.port)
        # when the app has failed to log in and then waits a while
        async with running(service):
            await seconds_until(is_error(service), timeout=5)
            await asyncio.sleep(2.5)  # a retry loop would have tried again twice by now

            # then it tried exactly once, and still shows the error
            assert relay.connections == 1
            assert service.monitor.status.state is ConnectionState.ERROR


@pytest.mark.asyncio
async def test_wrong_password_stays_stored_after_the_server_refuses_it(
    xmpp_server: XmppServer,
) -> None:
    # given a stored password the server refuses
    (account,) = xmpp_server.fresh_accounts(1)
    credentials = CredentialStore()
    credentials.set(account.jid, "not-" + account.password)
    service = support_service(xmpp_server, account.jid, xmpp_server.port)

    # when the app has failed to log in with it
    async with running(service):
        await seconds_until(is_error(service), timeout=5)

    # then the password is still in the keyring (a typo must not cost the user their password)
    assert credentials.get(account.jid) == "not-" + account.password


@pytest.mark.asyncio
async def test_reconnect_now_after_storing_the_right_password_goes_online(
    xmpp_server: XmppServer,
) -> None:
    # given the app showing the wrong-password error
    (account,) = xmpp_server.fresh_accounts(1)
    credentials = CredentialStore()
    credentials.set(account.jid, "not-" + account.password)
    service = support_service(xmpp_server, account.jid, xmpp_server.port)
    async with running(service):
        await seconds_until(is_error(service), timeout=5)

        # when the right password is stored and the user asks to reconnect
        credentials.set(account.jid, account.password)
        await service.reconnect_now()

        # then it is online, and the error is gone
        await seconds_until(
            lambda: service.monitor.status.state is ConnectionState.ONLINE, timeout=5
        )
        assert service.status()["error"] is None
        assert service.status()["state"] == "online"


# -- certificate -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_untrusted_certificate_stops_before_anything_is_sent(
    xmpp_server: XmppServer,
) -> None:
    if xmpp_server.ca_file is None:
        pytest.skip("the test server's certificate is trusted by the system: nothing to distrust")
    # given a server whose certificate only its own CA vouches for, and no server.ca_file
    (account,) = xmpp_server.fresh_accounts(1)
    monitor = ConnectionMonitor()
    async with relay_to(xmpp_server) as relay:
        endpoint = ServerEndpoint(xmpp_server.domain, LOOPBACK, relay.port)
        connection = XmppConnection(
            account.jid,
            account.password,
            endpoint,
            StaffDirectory(),
            PresenceBook(),
            monitor,
            OwnPresence(),
        )

        # when the app connects
        await connection.start()
        try:
            await seconds_until(is_error(monitor), timeout=5)
            await asyncio.sleep(1.5)  # long enough for a (wrong) retry

            # then the user reads that the certificate is not trusted and nothing was sent
            sentence = monitor.status.describe()
            assert "certificate" in sentence
            assert "not trusted" in sentence
            assert "Nothing was sent" in sentence
            assert "server.ca_file" in sentence
            # and on the wire: one attempt, no login, no password in any form
            assert relay.connections == 1
            assert b"<auth" not in relay.client_bytes
            assert account.password.encode() not in relay.client_bytes
            assert base64.b64encode(account.password.encode()) not in relay.client_bytes
            assert monitor.status.state is ConnectionState.ERROR
        finally:
            await connection.stop()


# -- unreachable server ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_unreachable_server_says_so_and_goes_online_once_it_answers(
    xmpp_server: XmppServer,
) -> None:
    # given the server's address is a port where nothing listens
    (account,) = xmpp_server.fresh_accounts(1)
    CredentialStore().set(account.jid, account.password)
    port = closed_port()
    service = support_service(xmpp_server, account.jid, port)

    # when the app connects
    async with running(service):
        await seconds_until(is_error(service), timeout=5)

        # then the user reads that the server cannot be reached, and that we keep trying
        sentence = service.monitor.status.describe()
        assert sentence.startswith(f"Cannot reach the chat server at {LOOPBACK}:{port}")
        assert "connection refused" in sentence
        assert "keeps retrying" in sentence

        # when the server answers on that port
        async with relay_to(xmpp_server, port):
            # then the app is online by itself
            took = await seconds_until(
                lambda: service.monitor.status.state is ConnectionState.ONLINE, timeout=10
            )
        print(f"\nonline {took:.1f} s after the server became reachable")
