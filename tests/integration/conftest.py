"""Integration tests talk to a real XMPP server: the sandbox Prosody, or one given by env vars.

Default: one sandbox Prosody for the whole session (about a quarter of a second to start);
every test takes new accounts from `xmpp_server.fresh_accounts(n)` so no two tests share a
roster, an archive or offline messages.

Against another server (an ejabberd, a staging Prosody):
    SUPPORTTRAY_TEST_SERVER=host:port            where to connect (c2s, STARTTLS)
    SUPPORTTRAY_TEST_DOMAIN=example.org          the XMPP domain (default: the host)
    SUPPORTTRAY_TEST_CA=/path/ca.pem             extra CA to trust (optional)
    SUPPORTTRAY_TEST_MUC=conference.example.org  MUC service (default: conference.<domain>)
    SUPPORTTRAY_TEST_ACCOUNTS=a@example.org:pw,b@example.org:pw,...
Accounts are handed out once each; a test that needs more than are left fails and says how many.
Tests that exercise the sandbox itself (`prosody_sandbox`, `sandbox_factory`) always run locally.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from supporttray.sandbox.prosody import Account, ProsodyMissing, ProsodySandbox


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
    muc_domain: str
    _new_accounts: Callable[[int], list[Account]] = field(repr=False)

    def fresh_accounts(self, n: int) -> list[Account]:
        """`n` accounts no other test has been given, with empty rosters."""
        return self._new_accounts(n)


def _start_sandbox(**kwargs: Any) -> ProsodySandbox:
    sandbox = ProsodySandbox(**kwargs)
    try:
        sandbox.start()
    except ProsodyMissing as exc:
        sandbox.stop()
        pytest.fail(
            f"{exc} Or run against another server (see tests/integration/conftest.py), "
            "or leave these tests out with -m 'not integration'.",
            pytrace=False,
        )
    return sandbox


@pytest.fixture(scope="session")
def prosody_sandbox() -> Iterator[ProsodySandbox]:
    """The session's sandbox Prosody (always local, also when an external server is set)."""
    sandbox = _start_sandbox()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _external_server() -> XmppServer | None:
    address = os.environ.get("SUPPORTTRAY_TEST_SERVER")
    if not address:
        return None
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

    return XmppServer(
        host=host,
        port=int(port),
        domain=domain,
        ca_file=Path(ca) if ca else None,
        muc_domain=os.environ.get("SUPPORTTRAY_TEST_MUC") or f"conference.{domain}",
        _new_accounts=take,
    )


@pytest.fixture(scope="session")
def xmpp_server(request: pytest.FixtureRequest) -> XmppServer:
    """The server integration tests talk to: SUPPORTTRAY_TEST_SERVER, else the sandbox."""
    external = _external_server()
    if external is not None:
        return external
    sandbox: ProsodySandbox = request.getfixturevalue("prosody_sandbox")
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
        muc_domain=sandbox.muc_domain,
        _new_accounts=create,
    )


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., ProsodySandbox]]:
    """Start extra sandboxes (with groups, another domain, ...); all stopped after the test."""
    started: list[ProsodySandbox] = []
    serial = itertools.count(1)

    def make(**kwargs: Any) -> ProsodySandbox:
        kwargs.setdefault("directory", tmp_path / f"sandbox-{next(serial)}")
        sandbox = _start_sandbox(**kwargs)
        started.append(sandbox)
        return sandbox

    try:
        yield make
    finally:
        for sandbox in reversed(started):
            sandbox.stop()
