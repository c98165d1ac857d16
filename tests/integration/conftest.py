"""Integration tests talk to real XMPP servers: sandbox Prosody and ejabberd, or one by env vars.

Default: every test that takes `xmpp_server` runs twice, against one sandbox Prosody and one
sandbox ejabberd for the whole session (its id ends in [prosody] or [ejabberd]; `-k ejabberd`
picks one server). Prosody starts in about a quarter of a second, ejabberd in one to three.
Every test takes new accounts from `xmpp_server.fresh_accounts(n)` so no two tests share a
roster, an archive or offline messages.

Against another server (a staging Prosody or ejabberd), instead of both sandboxes:
    SUPPORTTRAY_TEST_SERVER=host:port            where to connect (c2s, STARTTLS)
    SUPPORTTRAY_TEST_DOMAIN=example.org          the XMPP domain (default: the host)
    SUPPORTTRAY_TEST_CA=/path/ca.pem             extra CA to trust (optional)
    SUPPORTTRAY_TEST_MUC=rooms.example.org       MUC service (default: found by service discovery)
    SUPPORTTRAY_TEST_ACCOUNTS=a@example.org:pw,b@example.org:pw,...
Accounts are handed out once each; a test that needs more than are left fails and says how many.
Tests that exercise a sandbox itself (`prosody_sandbox`, `sandbox_factory`, `ejabberd_sandbox`,
`ejabberd_factory`; `each_sandbox` and `server_factory` run a test once per server) always run
locally.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import slixmpp
from slixmpp import JID

from supporttray.sandbox.ejabberd import EjabberdSandbox
from supporttray.sandbox.prosody import ProsodySandbox
from supporttray.sandbox.server import Account, SandboxServer, ServerMissing

Sandbox = TypeVar("Sandbox", bound=SandboxServer)

# What `xmpp_server` runs against: an external server given by env vars, else both sandboxes.
SERVERS = ("external",) if os.environ.get("SUPPORTTRAY_TEST_SERVER") else ("prosody", "ejabberd")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


@dataclass
class XmppServer:
    """Where integration tests connect, and a supply of accounts nobody else uses."""

    host: str
    port: int
    domain: str
    ca_file: Path | None
    _muc_domain: str | None
    _new_accounts: Callable[[int], list[Account]] = field(repr=False)
    name: str = "external"  # "prosody", "ejabberd": which sandbox, for tests that must know

    @property
    def muc_domain(self) -> str:
        """The server's MUC service, as the sandbox or service discovery knows it."""
        if self._muc_domain is None:
            pytest.fail(
                f"{self.domain} has no MUC service (none found by service discovery); "
                "name one with SUPPORTTRAY_TEST_MUC.",
                pytrace=False,
            )
        return self._muc_domain

    def fresh_accounts(self, n: int) -> list[Account]:
        """`n` accounts no other test has been given, with empty rosters."""
        return self._new_accounts(n)


def _start_sandbox(kind: type[SandboxServer], **kwargs: Any) -> SandboxServer:
    sandbox = kind(**kwargs)
    try:
        sandbox.start()
    except ServerMissing as exc:
        sandbox.stop()
        pytest.fail(
            f"{exc} Or run against another server (see tests/integration/conftest.py), "
            "or leave these tests out with -m 'not integration'.",
            pytrace=False,
        )
    return sandbox


def _session_sandbox(kind: type[Sandbox]) -> Iterator[Sandbox]:
    sandbox = _start_sandbox(kind)
    assert isinstance(sandbox, kind)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture(scope="session")
def prosody_sandbox() -> Iterator[ProsodySandbox]:
    """The session's sandbox Prosody (always local, also when an external server is set)."""
    yield from _session_sandbox(ProsodySandbox)


@pytest.fixture(scope="session")
def ejabberd_sandbox() -> Iterator[EjabberdSandbox]:
    """The session's sandbox ejabberd (always local, also when an external server is set)."""
    yield from _session_sandbox(EjabberdSandbox)


@pytest.fixture(params=["prosody", "ejabberd"])
def each_sandbox(request: pytest.FixtureRequest) -> SandboxServer:
    """The session's sandbox of each server in turn: the test runs once per server."""
    sandbox: SandboxServer = request.getfixturevalue(f"{request.param}_sandbox")
    return sandbox


def _external_server() -> XmppServer:
    address = os.environ["SUPPORTTRAY_TEST_SERVER"]
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise pytest.UsageError(f"SUPPORTTRAY_TEST_SERVER must be host:port, not {address!r}")
    domain = os.environ.get("SUPPORTTRAY_TEST_DOMAIN") or host
    ca = os.environ.get("SUPPORTTRAY_TEST_CA")
    pool: list[Account] = []
    for entry in filter(None, os.environ.get("SUPPORTTRAY_TEST_ACCOUNTS", "").split(",")):
        jid, sep, password = entry.strip().partition(":")
        if not sep or "@" not in jid:
            raise pytest.UsageError(
                f"SUPPORTTRAY_TEST_ACCOUNTS entries are jid:password, not {entry.strip()!r}"
            )
        pool.append(Account(jid=jid, password=password))
    handed_out = 0

    def take(n: int) -> list[Account]:
        nonlocal handed_out
        left = len(pool) - handed_out
        if n > left:
            pytest.fail(
                f"This test needs {n} fresh accounts but SUPPORTTRAY_TEST_ACCOUNTS has only "
                f"{left} unused of {len(pool)}: add at least {n - left} more.",
                pytrace=False,
            )
        taken = pool[handed_out : handed_out + n]
        handed_out += n
        return taken

    ca_file = Path(ca) if ca else None
    muc = os.environ.get("SUPPORTTRAY_TEST_MUC")
    if not muc and pool:
        # Logging in and asking changes nothing the test that gets this account will see.
        muc = _discover_muc_service(host, int(port), ca_file, pool[0])
    return XmppServer(
        host=host,
        port=int(port),
        domain=domain,
        ca_file=ca_file,
        _muc_domain=muc or None,
        _new_accounts=take,
    )


def _discover_muc_service(host: str, port: int, ca_file: Path | None, account: Account) -> str:
    """The MUC service that disco#items on the domain lists (identity conference/text), or ""."""

    async def ask() -> str:
        client = slixmpp.ClientXMPP(account.jid, account.password)
        client.enable_direct_tls = False
        client.enable_plaintext = False
        if ca_file is not None:
            client.ca_certs = ca_file
        client.register_plugin("xep_0030")
        session: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def settle(error: Exception | None) -> None:
            if session.done():
                return
            if error is None:
                session.set_result(None)
            else:
                session.set_exception(error)

        refused = pytest.UsageError(f"{account.jid} (SUPPORTTRAY_TEST_ACCOUNTS) cannot log in")
        client.add_event_handler("session_start", lambda _: settle(None))
        client.add_event_handler("failed_all_auth", lambda _: settle(refused))
        client.connect(host, port)
        try:
            await asyncio.wait_for(session, 15)
            disco = client.plugin["xep_0030"]
            items = await disco.get_items(jid=JID(client.boundjid.domain), timeout=10)
            for item_jid, _node, _name in items["disco_items"]["items"]:
                info = await disco.get_info(jid=JID(item_jid), timeout=10)
                identities = {(i[0], i[1]) for i in info["disco_info"]["identities"]}
                if ("conference", "text") in identities:
                    return str(item_jid)
            return ""
        finally:
            await client.disconnect(wait=1.0)

    # Its own loop in its own thread: the session's tests own the one in this thread.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, ask()).result()


def _sandbox_server(sandbox: SandboxServer, name: str) -> XmppServer:
    counter = itertools.count(1)

    def create(n: int) -> list[Account]:
        # Fresh names per call: a test never inherits another test's roster or archive.
        return [
            sandbox.add_account(f"t{next(counter)}", secrets.token_urlsafe(12)) for _ in range(n)
        ]

    return XmppServer(
        host=sandbox.host,
        port=sandbox.c2s_port,
        domain=sandbox.domain,
        ca_file=sandbox.ca_file,
        _muc_domain=sandbox.muc_domain,
        _new_accounts=create,
        name=name,
    )


@pytest.fixture(scope="session", params=SERVERS)
def xmpp_server(request: pytest.FixtureRequest) -> XmppServer:
    """The server integration tests talk to: SUPPORTTRAY_TEST_SERVER, else each sandbox."""
    name: str = request.param
    if name == "external":
        return _external_server()
    sandbox: SandboxServer = request.getfixturevalue(f"{name}_sandbox")
    return _sandbox_server(sandbox, name)


def _factory(kind: type[SandboxServer], tmp_path: Path) -> Iterator[Callable[..., Any]]:
    started: list[SandboxServer] = []
    serial = itertools.count(1)

    def make(**kwargs: Any) -> SandboxServer:
        kwargs.setdefault("directory", tmp_path / f"sandbox-{next(serial)}")
        sandbox = _start_sandbox(kind, **kwargs)
        started.append(sandbox)
        return sandbox

    try:
        yield make
    finally:
        for sandbox in reversed(started):
            sandbox.stop()


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., ProsodySandbox]]:
    """Start extra Prosody sandboxes (with groups, another domain, ...); stopped after the test."""
    yield from _factory(ProsodySandbox, tmp_path)


@pytest.fixture
def ejabberd_factory(tmp_path: Path) -> Iterator[Callable[..., EjabberdSandbox]]:
    """Start extra ejabberd sandboxes (with groups, no MUC, ...); stopped after the test."""
    yield from _factory(EjabberdSandbox, tmp_path)


@pytest.fixture(params=["prosody", "ejabberd"])
def server_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., SandboxServer]]:
    """Start extra sandboxes of each server in turn: the test runs once per server."""
    kind = {"prosody": ProsodySandbox, "ejabberd": EjabberdSandbox}[request.param]
    yield from _factory(kind, tmp_path)
