"""The requester sees the support staff's presence as it changes, on a real server.

The app side is the real stack (XmppConnection -> PresenceBook / ConnectionMonitor /
OwnPresence) on the test's event loop; the staff are plain slixmpp clients, as a colleague on
any XMPP client would be.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import slixmpp

from supporttray.app.service import SupportService
from supporttray.config.credentials import CredentialStore
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.answer_time import back_sentence
from supporttray.core.auto_away import AutoAway
from supporttray.core.connection import ConnectionMonitor, ConnectionState, ConnectionStatus
from supporttray.core.on_call import OnCallPresence, parse_on_call_hours
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook, StaffMember
from supporttray.core.staff_directory import StaffDirectory
from supporttray.sandbox.prosody import Account, ProsodySandbox
from supporttray.sandbox.server import SandboxServer
from supporttray.service_settings import support_config
from supporttray.xmpp import entity_time
from supporttray.xmpp.connection import XmppConnection
from supporttray.xmpp.endpoint import ServerEndpoint
from supporttray.xmpp.simulated_person import PersonScript, SimulatedPerson

from .conftest import XmppServer

SandboxFactory = Callable[..., ProsodySandbox]

# How fast a presence change must reach what the user sees.
PRESENCE_DEADLINE = 1.0


# -- helpers -----------------------------------------------------------------------------------


def endpoint_of(server: XmppServer | SandboxServer) -> ServerEndpoint:
    """Where the app connects, for the shared test server or an extra sandbox."""
    if isinstance(server, SandboxServer):
        return ServerEndpoint(server.domain, server.host, server.c2s_port, ca_file=server.ca_file)
    return ServerEndpoint(server.domain, server.host, server.port, ca_file=server.ca_file)


async def seconds_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> float:
    """How long until `condition()` holds (polled every 5 ms); fails after `timeout`."""
    start = time.perf_counter()
    while not condition():
        elapsed = time.perf_counter() - start
        if elapsed > timeout:
            raise AssertionError(f"still not true after {elapsed:.1f} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


class StaffClient:
    """A support person on a plain XMPP client: approves subscriptions from one domain.

    With `utc_offset` the client answers entity-time queries (XEP-0202) with a clock in that
    offset, as a colleague abroad would.
    """

    def __init__(
        self,
        account: Account,
        where: ServerEndpoint,
        resource: str = "desk",
        *,
        utc_offset: timedelta | None = None,
    ) -> None:
        self.account = account
        self.full_jid = f"{account.jid}/{resource}"
        self._where = where
        self._utc_offset = utc_offset
        self._client: slixmpp.ClientXMPP | None = None
        # What this person sees of others: full JID -> presence type or show.
        self.seen: dict[str, str] = {}  # full JID -> presence type (show)
        self.status_seen: dict[str, str] = {}  # full JID -> status message
        self.idle_seen: dict[str, datetime | None] = {}  # full JID -> idle since (XEP-0319)
        # Whose presence we were allowed to see (bare JIDs that sent "subscribed").
        self.approved_by: set[str] = set()

    async def sign_in(self, show: str = "", status: str = "", timeout: float = 10.0) -> None:
        """Log in (the client is built on the running loop) and show `show`/`status`."""
        client = slixmpp.ClientXMPP(self.full_jid, self.account.password)
        client.enable_direct_tls = False
        client.enable_plaintext = False
        if self._where.ca_file is not None:
            client.ca_certs = self._where.ca_file
        client.roster.auto_authorize = None  # type: ignore[assignment]  # None = ask us
        client.roster.auto_subscribe = False
        client.register_plugin("xep_0319")  # idle in presence
        if self._utc_offset is not None:
            client.register_plugin("xep_0202")
            zone = timezone(self._utc_offset)
            entity_time.install_time_responder(client, lambda: datetime.now(zone))
        session: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def on_session(_event: object) -> None:
            await client.get_roster(timeout=10)
            self._client = client
            self.show(show, status)
            if not session.done():
                session.set_result(None)

        def on_failure(reason: object) -> None:
            if not session.done():
                session.set_exception(AssertionError(f"{self.full_jid} could not log in: {reason}"))

        client.add_event_handler("session_start", on_session)
        client.add_event_handler("failed_all_auth", on_failure)
        client.add_event_handler("ssl_invalid_chain", on_failure)
        client.add_event_handler("connection_failed", on_failure)
        client.add_event_handler("presence_subscribe", self._approve_same_domain)
        client.add_event_handler("presence", self._remember)
        client.add_event_handler(
            "presence_subscribed", lambda p: self.approved_by.add(p["from"].bare)
        )
        client.connect(self._where.host, self._where.port)
        try:
            await asyncio.wait_for(session, timeout)
        except BaseException:
            client.abort()
            raise

    def show(self, show: str = "", status: str = "", idle_since: datetime | None = None) -> None:
        """Broadcast a presence: show "" (available), "away", "xa" or "dnd"."""
        assert self._client is not None, "sign_in() first"
        presence = self._client.make_presence(pshow=show or None, pstatus=status or None)
        if idle_since is not None:
            presence["idle"]["since"] = idle_since
        presence.send()

    def subscribe_to(self, jid: str) -> None:
        assert self._client is not None, "sign_in() first"
        self._client.send_presence_subscription(pto=jid, ptype="subscribe")

    async def sign_out(self) -> None:
        """Quit as a client does: unavailable presence, close the stream, await the end."""
        client, self._client = self._client, None
        if client is None or client.transport is None:
            return
        client.send_presence(ptype="unavailable")
        gone = client.disconnected
        client.disconnect(wait=1.0)
        await asyncio.wait_for(gone, 5)

    def _approve_same_domain(self, presence: Any) -> None:
        sender = presence["from"]
        if self._client is not None and sender.domain == self.account.jid.partition("@")[2]:
            self._client.send_presence(pto=sender.bare, ptype="subscribed")

    def _remember(self, presence: Any) -> None:
        ptype = presence["type"]
        if ptype in ("available", "away", "xa", "dnd", "chat", "unavailable"):
            self.seen[presence["from"].full] = ptype
            self.status_seen[presence["from"].full] = presence["status"]
            idle = presence["idle"]["since"] if presence.xml.find(
                "{urn:xmpp:idle:1}idle") is not None else None
            self.idle_seen[presence["from"].full] = idle


def shows(
    app: Session, jid: str, availability: Availability, status: str | None = None
) -> Callable[[], bool]:
    """A condition: the book shows `jid` with `availability` (and `status`, if given)."""

    def check() -> bool:
        member = app.book.member(jid)
        return (
            member is not None
            and member.availability is availability
            and (status is None or member.status == status)
        )

    return check


@dataclass
class Session:
    """What the app has while one account is connected."""

    book: PresenceBook
    monitor: ConnectionMonitor
    own: OwnPresence
    connection: XmppConnection

    def member(self, jid: str) -> StaffMember:
        member = self.book.member(jid)
        assert member is not None, f"{jid} is not in the book"
        return member

    @property
    def state(self) -> ConnectionState:
        return self.monitor.status.state


@asynccontextmanager
async def connected(
    account: Account, where: ServerEndpoint, directory: StaffDirectory
) -> AsyncIterator[Session]:
    """The app's connection for `account`, online; stopped (goodbye sent) afterwards."""
    book, monitor, own = PresenceBook(), ConnectionMonitor(), OwnPresence()
    connection = XmppConnection(account.jid, account.password, where, directory, book, monitor, own)
    await connection.start()
    session = Session(book, monitor, own, connection)
    try:
        await seconds_until(lambda: session.state is ConnectionState.ONLINE)
        yield session
    finally:
        await connection.stop()


@asynccontextmanager
async def staff_online(*clients: StaffClient) -> AsyncIterator[None]:
    try:
        for client in clients:
            await client.sign_in()
        yield
    finally:
        for client in clients:
            await client.sign_out()


@pytest.fixture
def latencies() -> Iterator[list[float]]:
    """Collects presence -> book delays; printed (run with -s) for the record."""
    measured: list[float] = []
    yield measured
    if measured:
        print(
            f"\npresence -> PresenceBook: {len(measured)} changes, "
            f"median {sorted(measured)[len(measured) // 2] * 1000:.1f} ms, "
            f"max {max(measured) * 1000:.1f} ms"
        )


# -- following presence ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_book_follows_each_staff_presence_change_within_a_second(
    xmpp_server: XmppServer, latencies: list[float]
) -> None:
    # given three staff members, online, and the requester following them
    requester, *accounts = xmpp_server.fresh_accounts(4)
    where = endpoint_of(xmpp_server)
    staff = [StaffClient(account, where) for account in accounts]
    directory = StaffDirectory(staff=tuple(a.jid for a in accounts))
    async with staff_online(*staff), connected(requester, where, directory) as app:
        await seconds_until(
            lambda: all(m.availability is Availability.AVAILABLE for m in app.book.members())
        )
        steps = [
            ("away", "At lunch, back 14:00", Availability.AWAY),
            ("dnd", "In a meeting", Availability.BUSY),
            ("", "Back at my desk", Availability.AVAILABLE),
        ]
        for person in staff:
            for show, status, availability in steps:
                # when they change their presence
                person.show(show, status)
                # then the book says so (timed; asserted below)
                follows = shows(app, person.account.jid, availability, status)
                latencies.append(await seconds_until(follows, timeout=5))
        for person in staff:
            # when they quit their client
            leaving = asyncio.ensure_future(person.sign_out())
            # then they are offline in the book
            gone = shows(app, person.account.jid, Availability.OFFLINE)
            latencies.append(await seconds_until(gone, timeout=5))
            await leaving
        assert app.book.summary().availability is Availability.OFFLINE
    assert max(latencies) < PRESENCE_DEADLINE, [f"{s * 1000:.0f} ms" for s in latencies]


@pytest.mark.asyncio
async def test_staff_member_with_two_clients_shows_the_best_and_falls_back_when_it_leaves(
    xmpp_server: XmppServer,
) -> None:
    # given one staff member on two clients: the desktop away, the phone available
    requester, account = xmpp_server.fresh_accounts(2)
    where = endpoint_of(xmpp_server)
    desk, phone = StaffClient(account, where, "desk"), StaffClient(account, where, "phone")
    async with (
        staff_online(desk, phone),
        connected(requester, where, StaffDirectory(staff=(account.jid,))) as app,
    ):
        desk.show("away", "Getting coffee")

        def both_clients_known() -> bool:
            resources = {r.resource: r.availability for r in app.member(account.jid).resources}
            return resources == {"desk": Availability.AWAY, "phone": Availability.AVAILABLE}

        await seconds_until(both_clients_known, timeout=5)
        # then the person shows as available: the best of their clients
        assert app.member(account.jid).availability is Availability.AVAILABLE

        # when the available client goes away
        await phone.sign_out()

        # then the person shows as away, with the remaining client's status
        await seconds_until(shows(app, account.jid, Availability.AWAY, "Getting coffee"), timeout=2)
        assert [r.resource for r in app.member(account.jid).resources] == ["desk"]


@pytest.mark.asyncio
async def test_staff_named_by_policy_are_listed_offline_before_any_presence(
    xmpp_server: XmppServer,
) -> None:
    # given a policy naming two staff members who are not online, and the requester's password
    requester, alice, bob = xmpp_server.fresh_accounts(3)
    enforced: dict[str, object] = {
        "server.domain": xmpp_server.domain,
        "server.host": xmpp_server.host,
        "server.port": xmpp_server.port,
        "support.staff": [alice.jid, bob.jid],
    }
    if xmpp_server.ca_file is not None:
        enforced["server.ca_file"] = str(xmpp_server.ca_file)
    settings = Settings(Policy(source=None, enforced=enforced), {"account.jid": requester.jid})
    credentials = CredentialStore()
    credentials.set(requester.jid, requester.password)
    service = SupportService(support_config(settings), credentials)

    # then before connecting both are listed, offline
    def listed() -> dict[str, Availability]:
        return {m.jid: m.availability for m in service.book.members()}

    everyone_offline = {alice.jid: Availability.OFFLINE, bob.jid: Availability.OFFLINE}
    assert listed() == everyone_offline

    # when the requester is online
    await service.start()
    try:
        await seconds_until(lambda: service.monitor.status.state is ConnectionState.ONLINE)
        await asyncio.sleep(0.2)  # room for any (wrong) presence to arrive

        # then they are still listed, offline, and support says so
        assert listed() == everyone_offline
        assert service.status()["support"] == "offline"
        assert [m["name"] for m in service.status()["staff"]] == [alice.username, bob.username]
    finally:
        await service.stop()


@pytest.mark.asyncio
async def test_members_of_the_support_roster_group_become_staff_and_their_presence_arrives(
    server_factory: Callable[..., SandboxServer],
) -> None:
    # given a server with a shared roster group "Support Desk" of two people, and no staff list
    sandbox = server_factory(
        accounts=[("requester", "r-pw"), ("alice", "a-pw"), ("bob", "b-pw"), ("carol", "c-pw")],
        groups={"Support Desk": ["alice", "bob"]},
    )
    where = endpoint_of(sandbox)
    alice = StaffClient(sandbox.account("alice"), where)
    directory = StaffDirectory(group="Support Desk")

    # when the requester comes online with alice online
    async with (
        staff_online(alice),
        connected(sandbox.account("requester"), where, directory) as app,
    ):
        # then alice and bob are staff and alice's presence arrives
        await seconds_until(shows(app, alice.account.jid, Availability.AVAILABLE), timeout=5)
        staff = {m.jid: m.availability for m in app.book.members()}
        assert staff == {
            f"alice@{sandbox.domain}": Availability.AVAILABLE,
            f"bob@{sandbox.domain}": Availability.OFFLINE,
        }
        # when alice changes her presence, it arrives as well
        alice.show("xa", "On holiday")
        await seconds_until(
            shows(app, alice.account.jid, Availability.AWAY, "On holiday"),
            timeout=PRESENCE_DEADLINE,
        )


# -- the staff side: who may see us ------------------------------------------------------------


async def ask_for_presence(
    staff_jid: str, requester: StaffClient, caplog: pytest.LogCaptureFixture
) -> bool:
    """The requester asks for the staff member's presence; True if it was approved."""
    requester.subscribe_to(staff_jid)
    # The staff app decides the moment the request arrives and logs which way it went: that
    # line is the earliest point where "no answer yet" can only mean "not approved".
    await seconds_until(
        lambda: any(
            r.name == "supporttray.xmpp"
            and f"presence subscription from {requester.account.jid}" in r.getMessage()
            for r in caplog.records
        ),
        timeout=5,
    )
    try:
        await seconds_until(lambda: staff_jid in requester.approved_by, timeout=0.3)
    except AssertionError:
        return False
    return True


@pytest.mark.asyncio
async def test_staff_app_approves_presence_requests_from_the_policy_domains(
    xmpp_server: XmppServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="supporttray.xmpp")
    # given a staff member's app that approves requesters from our domain
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    where = endpoint_of(xmpp_server)
    requester = StaffClient(requester_account, where, "laptop")
    directory = StaffDirectory(staff_mode=True, auto_accept_domains=(xmpp_server.domain,))
    async with connected(staff_account, where, directory) as _staff_app, staff_online(requester):
        # when a requester asks for the staff member's presence
        approved = await ask_for_presence(staff_account.jid, requester, caplog)

        # then it is approved and the requester sees the staff member online
        assert approved
        await seconds_until(
            lambda: any(
                jid.startswith(staff_account.jid + "/") and show == "available"
                for jid, show in requester.seen.items()
            ),
            timeout=PRESENCE_DEADLINE,
        )


@pytest.mark.asyncio
async def test_staff_app_leaves_presence_requests_from_unlisted_domains_unanswered(
    xmpp_server: XmppServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="supporttray.xmpp")
    # given a staff member's app whose policy lists no domain to approve
    staff_account, stranger_account = xmpp_server.fresh_accounts(2)
    where = endpoint_of(xmpp_server)
    stranger = StaffClient(stranger_account, where, "laptop")
    directory = StaffDirectory(staff_mode=True, auto_accept_domains=())
    async with connected(staff_account, where, directory) as _staff_app, staff_online(stranger):
        # when someone asks for the staff member's presence
        approved = await ask_for_presence(staff_account.jid, stranger, caplog)

        # then it is not approved, and they never see the staff member online
        assert not approved
        seen = {
            jid: show for jid, show in stranger.seen.items() if jid.startswith(staff_account.jid)
        }
        assert set(seen.values()) <= {"unavailable"}, seen


# -- what else we know about staff -------------------------------------------------------------


@pytest.mark.asyncio
async def test_local_time_and_idle_of_a_staff_member_are_known(xmpp_server: XmppServer) -> None:
    # given a staff member in India (UTC+05:30) whose client says idle for 7 minutes
    requester, account = xmpp_server.fresh_accounts(2)
    where = endpoint_of(xmpp_server)
    person = SimulatedPerson(
        PersonScript(
            account.jid,
            account.password,
            idle_minutes=7,
            approve_domain=xmpp_server.domain,
            utc_offset_hours=5.5,
        ),
        where.host,
        where.port,
        where.ca_file,  # type: ignore[arg-type]
    )
    await person.start()
    try:
        # when the requester follows them
        async with connected(requester, where, StaffDirectory(staff=(account.jid,))) as app:
            await seconds_until(lambda: app.member(account.jid).utc_offset is not None, timeout=5)

            # then their local time is shown in their offset, and how long they have been idle
            member = app.member(account.jid)
            now = datetime.now(UTC)
            local = member.local_time(now)
            assert local is not None
            assert local.utcoffset() == timedelta(hours=5, minutes=30)
            assert local == now
            idle = member.idle_seconds(now)
            assert idle is not None
            assert 7 * 60 - 5 <= idle <= 7 * 60 + 5
    finally:
        await person.stop()


# -- our own connection ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_lost_connection_shows_everyone_offline_then_reconnects_by_itself(
    sandbox_factory: SandboxFactory,
) -> None:
    # given the requester online, following a staff member who is available
    sandbox = sandbox_factory(accounts=[("requester", "r-pw"), ("alice", "a-pw")])
    where = endpoint_of(sandbox)
    alice_jid = sandbox.account("alice").jid
    alice = StaffClient(sandbox.account("alice"), where)
    await alice.sign_in()
    try:
        async with connected(
            sandbox.account("requester"), where, StaffDirectory(staff=(alice_jid,))
        ) as app:
            await seconds_until(shows(app, alice_jid, Availability.AVAILABLE))
            changes: list[ConnectionStatus] = []
            app.monitor.changed.subscribe(changes.append)

            # when the server goes away (in a thread: the loop must keep serving the clients)
            await asyncio.to_thread(sandbox.stop)

            # then we say the connection was lost, and nobody is known to be online any more
            await seconds_until(lambda: bool(changes), timeout=2)
            assert changes[0].state is ConnectionState.OFFLINE
            assert "connection to the chat server was lost" in changes[0].describe()
            assert app.member(alice_jid).availability is Availability.OFFLINE
            assert app.book.summary().availability is Availability.OFFLINE

            # when the server is back (same data, same port) and alice logs in again
            await asyncio.to_thread(sandbox.start)
            server_back = time.perf_counter()
            assert sandbox.c2s_port == where.port, "the sandbox came back on another port"
            alice = StaffClient(sandbox.account("alice"), where)
            await alice.sign_in()

            # then we are online again without anyone asking, and see alice
            back_with_alice = shows(app, alice_jid, Availability.AVAILABLE)
            await seconds_until(
                lambda: app.state is ConnectionState.ONLINE and back_with_alice(), timeout=10
            )
            took = time.perf_counter() - server_back
            print(f"\nback online and following alice {took:.1f} s after the server returned")
    finally:
        await alice.sign_out()


@pytest.mark.asyncio
async def test_the_kernel_watches_an_idle_link_so_the_app_sets_no_keepalive_timer(
    xmpp_server: XmppServer,
) -> None:
    # given the app online
    (account,) = xmpp_server.fresh_accounts(1)
    async with connected(account, endpoint_of(xmpp_server), StaffDirectory()) as app:
        client = app.connection._client  # the xmpp layer's own test may look at its socket
        assert client is not None and client.transport is not None
        sock = client.transport.get_extra_info("socket")
        # then TCP keepalive is on: probes after 2 min of silence, 3 of them 10 s apart, and
        # data never acknowledged fails the link after the same 2.5 min
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 120
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 10
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 150_000
        # and no XMPP ping is scheduled by the app
        assert not [name for name in client.scheduled_events if "keepalive" in name.lower()]


@pytest.mark.asyncio
async def test_auto_away_is_seen_as_away_then_xa_with_idle_time_and_back(
    xmpp_server: XmppServer,
) -> None:
    # given the app online and a staff colleague who sees its presence
    account, colleague_account = xmpp_server.fresh_accounts(2)
    where = endpoint_of(xmpp_server)
    colleague = StaffClient(colleague_account, where)
    await colleague.sign_in()
    try:
        async with connected(account, where,
                             StaffDirectory(staff=(colleague_account.jid,))) as app:
            colleague.subscribe_to(account.jid)

            def seen(show: str, idle: bool) -> Callable[[], bool]:
                return lambda: any(
                    jid.startswith(account.jid + "/") and kind == show
                    and (colleague.idle_seen.get(jid) is not None) == idle
                    for jid, kind in colleague.seen.items()
                )

            await seconds_until(seen("available", idle=False))
            auto = AutoAway(app.own, away_minutes=5, xa_minutes=20)
            # when the desktop has been idle 6 minutes, then 21
            auto.update(6 * 60)
            await seconds_until(seen("away", idle=True), timeout=2)
            auto.update(21 * 60)
            await seconds_until(seen("xa", idle=True), timeout=2)
            since = next(v for k, v in colleague.idle_seen.items()
                         if k.startswith(account.jid + "/"))
            assert since is not None
            assert 20 * 60 <= (datetime.now(UTC) - since).total_seconds() <= 22 * 60
            # and then someone touches the keyboard
            auto.update(1)
            await seconds_until(seen("available", idle=False), timeout=2)
    finally:
        await colleague.sign_out()


@pytest.mark.asyncio
async def test_a_requester_learns_when_off_duty_support_is_back(
    xmpp_server: XmppServer,
) -> None:
    # given a staff member whose on-call hours are one morning, two days from now
    staff_account, requester_account = xmpp_server.fresh_accounts(2)
    where = endpoint_of(xmpp_server)
    now = datetime.now(UTC)
    day = (now + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    hours = parse_on_call_hours(f"{day.strftime('%a')} 08:00-09:00")
    assert hours is not None
    directory = StaffDirectory(staff=(staff_account.jid,))
    staff_side = StaffDirectory(staff_mode=True, auto_accept_domains=(xmpp_server.domain,))
    async with connected(staff_account, where, staff_side) as staff, \
            connected(requester_account, where, directory) as requester:
        # when their app follows the hours (off duty now)
        OnCallPresence(hours, staff.own, zone=UTC).start()
        # then the requester's app knows them away, and when they are on call again
        def back() -> datetime | None:
            member = requester.book.member(staff_account.jid)
            return member.back_at if member is not None else None

        await seconds_until(lambda: back() == day)
        member = requester.book.member(staff_account.jid)
        assert member is not None and member.availability is Availability.AWAY
        assert member.status.startswith("Off duty (on call")  # what a plain client shows
        assert str(back_sentence(day, now)) == (
            f"Support is back {day.strftime('%A')} at 08:00")
