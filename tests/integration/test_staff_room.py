"""Two staff clients share one request queue through the staff room, on a real server.

Each staff side is the app's real stack (XmppConnection + ChatWire + StaffRoom + RequestDesk on
the test's loop); requesters are simulated people sending SupportTray's wire format.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slixmpp.xmlstream import ET

from supporttray.app.request_desk import RequestDesk
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.messages import ArchivePosition, ChatMessage
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.core.staff_directory import StaffDirectory
from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot
from supporttray.sandbox.prosody import Account
from supporttray.sandbox.server import SandboxServer
from supporttray.xmpp.connection import XmppConnection
from supporttray.xmpp.endpoint import ServerEndpoint
from supporttray.xmpp.simulated_person import PersonScript, SimulatedPerson
from supporttray.xmpp.staff_room import StaffRoom
from supporttray.xmpp.stanzas import NS_REQUEST as NS

from .conftest import XmppServer
from .test_chat_wire import PlainPeer
from .test_staff_presence import endpoint_of, seconds_until

DEADLINE = 1.0  # the issue: a colleague sees a new request, or a claim, within a second


def room_for(account: Account, kind: str = "staff") -> str:
    """A room of this test's own (tests share the server, never a room), by name: on the MUC
    service that the app finds by discovery, as `support.staff_room = "name"` says."""
    return f"{kind}-{account.username}"


class QueueSink:
    """The chat side a staff client needs here: incoming questions open requests."""

    def __init__(self, queue: RequestQueue) -> None:
        self.queue = queue
        self.received: list[ChatMessage] = []

    def receive(self, message: ChatMessage) -> None:
        self.received.append(message)
        self.queue.note(message)

    def delivered(self, message_id: str) -> None:
        pass

    def sent(self, message_id: str) -> None:
        pass

    def peer_typing(self, peer: str, typing: bool) -> None:
        pass

    # The archive of our chats (read after each fresh login): this test keeps no history.
    def archive_position(self) -> ArchivePosition | None:
        return None

    def set_archive_position(self, position: ArchivePosition) -> None:
        pass

    def newest_time(self) -> datetime | None:
        return None


class NoSender:
    async def send(self, peer: str, text: str, *, thread: str | None = None) -> Any:
        raise AssertionError("not used here")


@dataclass
class Desk:
    account: Account
    queue: RequestQueue
    room: StaffRoom
    desk: RequestDesk
    own: OwnPresence
    connection: XmppConnection

    def owners(self) -> dict[str, str | None]:
        return {r.id: r.claimed_by for r in self.queue.requests()}


@asynccontextmanager
async def staff_desk(account: Account, server: XmppServer | SandboxServer,
                     staff: Sequence[Account], room_jid: str) -> AsyncIterator[Desk]:
    """One staff member's SupportTray, online and in the staff room."""
    where: ServerEndpoint = endpoint_of(server)
    queue = RequestQueue()
    others = [a.jid for a in staff if a.jid != account.jid]
    room = StaffRoom(room_jid, account.jid, queue, staff=lambda: others)
    desk = RequestDesk(queue, account.jid)
    desk.attach(room, NoSender())
    directory = StaffDirectory(staff=tuple(others), staff_mode=True,
                               auto_accept_domains=(server.domain,))
    own = OwnPresence()
    monitor = ConnectionMonitor()
    connection = XmppConnection(account.jid, account.password, where, directory, PresenceBook(),
                                monitor, own, chat=QueueSink(queue), staff_room=room)
    await connection.start()
    try:
        await seconds_until(lambda: monitor.status.state is ConnectionState.ONLINE)
        yield Desk(account, queue, room, desk, own, connection)
    finally:
        await connection.stop()


@asynccontextmanager
async def requesters(server: XmppServer, accounts: Sequence[Account]
                     ) -> AsyncIterator[list[SimulatedPerson]]:
    people = [SimulatedPerson(PersonScript(a.jid, a.password, approve_domain=server.domain),
                              server.host, server.port, server.ca_file) for a in accounts]
    try:
        await asyncio.gather(*(p.start() for p in people))
        yield people
    finally:
        await asyncio.gather(*(p.stop() for p in people), return_exceptions=True)


def machine(os_name: str) -> SysinfoSnapshot:
    now = datetime.now(UTC)
    return SysinfoSnapshot((SysinfoItem("os.name", os_name), SysinfoItem("hw.model", "T14")), now)


async def both_in_room(a: Desk, b: Desk) -> None:
    # The second to arrive may have to wait for the first to let it in (members-only room).
    await seconds_until(lambda: a.room.status.joined and b.room.status.joined, timeout=15)


@pytest.mark.asyncio
async def test_two_staff_and_three_requesters_share_requests_and_claims(
    xmpp_server: XmppServer,
) -> None:
    anna, ben, *asking = xmpp_server.fresh_accounts(5)
    room = room_for(anna)
    async with staff_desk(anna, xmpp_server, [anna, ben], room) as a, \
            staff_desk(ben, xmpp_server, [anna, ben], room) as b, \
            requesters(xmpp_server, asking) as people:
        await both_in_room(a, b)

        # a new request reaches Anna (routing picked her); Ben's queue shows it within 1 s
        people[0].ask(anna.jid, "The VPN drops every 5 minutes", machine("Windows 11 Pro"))
        seen_by_ben = await seconds_until(lambda: len(b.queue.requests()) == 1, timeout=5)
        assert seen_by_ben < DEADLINE
        print(f"\nrequest to Anna -> in Ben's queue: {seen_by_ben * 1000:.1f} ms")
        (request,) = b.queue.requests()
        assert (request.requester, request.first_line) == (asking[0].jid,
                                                           "The VPN drops every 5 minutes")
        assert request.summary.startswith("Windows 11")
        assert [r.id for r in a.queue.requests()] == [request.id]
        # with the whole question and its system info, for whoever takes it over
        assert request.question == "The VPN drops every 5 minutes"
        assert ("os.name", "Windows 11 Pro") in request.sysinfo

        # Anna takes it: Ben sees it taken by her within 1 s
        a.desk.take(request.id)
        taken = await seconds_until(lambda: b.owners() == {request.id: anna.jid}, timeout=5)
        assert taken < DEADLINE
        print(f"Anna takes it -> Ben sees her as the owner: {taken * 1000:.1f} ms")
        await seconds_until(lambda: a.owners() == {request.id: anna.jid}, timeout=1)

        # two more requests, one to each; both claim the same one at once: one owner, the same
        people[1].ask(anna.jid, "Outlook asks for my password", machine("macOS 14.6"))
        people[2].ask(ben.jid, "Printer jams on floor 3", machine("Ubuntu 24.04"))
        await seconds_until(lambda: len(a.queue.requests()) == 3 == len(b.queue.requests()))
        contested = next(r for r in a.queue.requests() if r.requester == asking[2].jid)
        a.desk.take(contested.id)
        b.desk.take(contested.id)
        await seconds_until(lambda: a.owners().get(contested.id) is not None
                            and b.owners().get(contested.id) is not None)
        await asyncio.sleep(0.3)  # both claims have been echoed to both by now
        assert a.owners() == b.owners()
        assert a.owners()[contested.id] in (anna.jid, ben.jid)


@pytest.mark.asyncio
async def test_a_claim_is_still_shown_after_the_claimant_restarts(
    xmpp_server: XmppServer,
) -> None:
    anna, ben, asker = xmpp_server.fresh_accounts(3)
    room = room_for(anna)
    async with staff_desk(ben, xmpp_server, [anna, ben], room) as b, \
            requesters(xmpp_server, [asker]) as people:
        async with staff_desk(anna, xmpp_server, [anna, ben], room) as a:
            await both_in_room(a, b)
            people[0].ask(anna.jid, "Laptop will not wake from sleep", machine("Windows 10"))
            await seconds_until(lambda: len(b.queue.requests()) == 1)
            (request,) = a.queue.requests()
            a.desk.take(request.id)
            await seconds_until(lambda: b.owners() == {request.id: anna.jid})
        # Anna's app quits and starts again with an empty queue: the room's archive refills it
        async with staff_desk(anna, xmpp_server, [anna, ben], room) as again:
            await seconds_until(lambda: again.room.status.joined)
            await seconds_until(lambda: again.owners() == {request.id: anna.jid}, timeout=5)
            (restored,) = again.queue.requests()
            assert restored.first_line == "Laptop will not wake from sleep"
            assert restored.opened == request.opened


@pytest.mark.asyncio
async def test_resolving_closes_the_request_for_everyone_and_a_reply_opens_it_again(
    xmpp_server: XmppServer,
) -> None:
    anna, ben, asker = xmpp_server.fresh_accounts(3)
    room = room_for(anna)
    async with staff_desk(anna, xmpp_server, [anna, ben], room) as a, \
            staff_desk(ben, xmpp_server, [anna, ben], room) as b, \
            requesters(xmpp_server, [asker]) as people:
        await both_in_room(a, b)
        people[0].ask(anna.jid, "Teams has no sound", machine("Windows 11 Pro"))
        await seconds_until(lambda: len(b.queue.requests()) == 1)
        (request,) = a.queue.requests()
        sent: list[tuple[str, str, str | None]] = []

        class Sender:
            async def send(self, peer: str, text: str, *, thread: str | None = None) -> Any:
                sent.append((peer, text, thread))

        b.desk.attach(b.room, Sender())
        await b.desk.resolve(request.id)
        assert sent and sent[0][0] == asker.jid and sent[0][2] == request.thread
        assert "marked your request resolved" in sent[0][1]
        await seconds_until(lambda: not a.queue.requests() and not b.queue.requests())

        # the requester writes again in the same thread: the request is open again, unclaimed
        people[0].ask(anna.jid, "Sorry, it is back", None, thread=request.thread)
        await seconds_until(lambda: len(b.queue.requests()) == 1)
        assert b.owners() == {request.id: None}


@pytest.mark.asyncio
async def test_appearing_offline_leaves_the_room_and_coming_back_rejoins(
    xmpp_server: XmppServer,
) -> None:
    anna, ben = xmpp_server.fresh_accounts(2)
    room = room_for(anna)
    async with staff_desk(anna, xmpp_server, [anna, ben], room) as a:
        await seconds_until(lambda: a.room.status.joined)
        a.own.set(Availability.OFFLINE)
        await seconds_until(lambda: not a.room.status.joined)
        assert "appear offline" in str(a.room.status.error)
        a.own.set(Availability.AVAILABLE)
        await seconds_until(lambda: a.room.status.joined)


@pytest.mark.asyncio
async def test_a_staff_member_the_room_does_not_know_is_told_why(
    xmpp_server: XmppServer,
) -> None:
    anna, outsider = xmpp_server.fresh_accounts(2)
    room = room_for(anna)
    async with staff_desk(anna, xmpp_server, [anna], room) as a:
        await seconds_until(lambda: a.room.status.joined)
        async with staff_desk(outsider, xmpp_server, [outsider], room) as o:
            await seconds_until(lambda: bool(o.room.status.error), timeout=10)
            assert not o.room.status.joined
            assert "not a member of the staff room" in str(o.room.status.error)


@pytest.mark.asyncio
async def test_the_demos_simulated_colleague_takes_a_request_and_writes_to_the_person(
    xmpp_server: XmppServer,
) -> None:
    # what `demo --staff` does: alice, a simulated colleague in the staff room, takes the
    # first request the team gets and writes to the person who asked
    anna, alice, asker = xmpp_server.fresh_accounts(3)
    room = room_for(anna)
    colleague = SimulatedPerson(
        PersonScript(alice.jid, alice.password, approve_domain=xmpp_server.domain,
                     staff_room=room, colleagues=(anna.jid,), claims=1, claim_after=0.2),
        xmpp_server.host, xmpp_server.port, xmpp_server.ca_file)
    person = PlainPeer(asker, xmpp_server)
    async with staff_desk(anna, xmpp_server, [anna, alice], room) as a:
        await seconds_until(lambda: a.room.status.joined)
        await colleague.start()
        await person.sign_in()
        try:
            assert colleague.room is not None
            await seconds_until(lambda: colleague.room is not None
                                and colleague.room.status.joined)
            person.send(anna.jid, "My laptop will not charge")
            await seconds_until(lambda: a.owners() != {} and None not in a.owners().values())
            assert list(a.owners().values()) == [alice.jid]
            (said,) = await person.has(1)
            assert said.stanza["from"].bare == alice.jid
            assert "I've taken your request" in said.stanza["body"]
        finally:
            await person.sign_out()
            await colleague.stop()


@pytest.mark.asyncio
async def test_what_the_team_did_while_a_client_was_away_is_applied_when_it_is_back(
    xmpp_server: XmppServer,
) -> None:
    anna, ben, asker, other = xmpp_server.fresh_accounts(4)
    room = room_for(anna)
    async with staff_desk(anna, xmpp_server, [anna, ben], room) as a, \
            staff_desk(ben, xmpp_server, [anna, ben], room) as b, \
            requesters(xmpp_server, [asker, other]) as people:
        await both_in_room(a, b)
        people[0].ask(anna.jid, "Teams has no sound", machine("Windows 11 Pro"))
        await seconds_until(lambda: len(b.queue.requests()) == 1)
        (first,) = a.queue.requests()

        # Ben's laptop goes to sleep (the connection ends) ...
        await b.connection.stop()
        assert not b.room.status.joined
        # ... meanwhile Anna takes the first request and a second one arrives
        a.desk.take(first.id)
        people[1].ask(anna.jid, "Printer jams", machine("Ubuntu 24.04"))
        await seconds_until(lambda: len(a.queue.requests()) == 2
                            and a.owners()[first.id] == anna.jid)

        # Ben is back: his queue catches up from the room's archive, without a balloon storm
        arrived: list[str] = []
        b.queue.arrived.subscribe(lambda r: arrived.append(r.id))
        await b.connection.start()
        await seconds_until(lambda: b.room.status.joined)
        await seconds_until(lambda: b.owners() == a.owners(), timeout=5)
        assert len(b.queue.requests()) == 2 and arrived == []


@pytest.mark.asyncio
async def test_in_a_room_open_to_anyone_only_the_staffs_events_count(
    xmpp_server: XmppServer,
) -> None:
    anna, stranger_account = xmpp_server.fresh_accounts(2)
    room = f"{room_for(anna, 'open')}@{xmpp_server.muc_domain}"
    stranger = await PlainPeer(stranger_account, xmpp_server).sign_in()
    try:
        # the room exists already, open to anyone (an "instant room": the default config)
        client = stranger.client
        assert client is not None
        client.register_plugin("xep_0045")
        muc = client.plugin["xep_0045"]
        await muc.join_muc_wait(room, stranger_account.jid, maxstanzas=0, timeout=10)
        form = client.plugin["xep_0004"].make_form(ftype="submit")
        await muc.set_room_config(room, form, timeout=10)
        async with staff_desk(anna, xmpp_server, [anna], room) as a:
            await seconds_until(lambda: a.room.status.joined)

            def post(element: ET.Element, body: str) -> None:
                message = client.make_message(mto=room, mtype="groupchat", mbody=body)
                message.xml.append(element)
                message.send()

            request = ET.Element(f"{{{NS}}}request", {
                "id": "fake", "from": stranger_account.jid,
                "opened": "2026-11-24T09:00:00+00:00"})
            post(request, "a request the stranger made up")
            claim = ET.Element(f"{{{NS}}}claim", {"request": "fake", "by": anna.jid})
            post(claim, "a claim in Anna's name")
            # Anna's own post counts; the stranger's came before it and did not
            a.room.post_request(SupportRequest(
                id="real", requester=stranger_account.jid, thread="real", first_line="Help",
                opened=datetime.now(UTC), summary=""))
            await seconds_until(lambda: a.queue.find("real") is not None)
            assert a.queue.find("fake") is None
    finally:
        await stranger.sign_out()


@pytest.mark.asyncio
async def test_on_a_server_without_any_muc_service_claims_stay_on_this_computer_and_say_why(
    server_factory: Any,
) -> None:
    sandbox: SandboxServer = server_factory(muc=False,
                                            accounts=[("anna", "a-pw"), ("asker", "q-pw")])
    anna, asker = sandbox.account("anna"), sandbox.account("asker")
    person = SimulatedPerson(PersonScript(asker.jid, asker.password, approve_domain=sandbox.domain),
                             sandbox.host, sandbox.c2s_port, sandbox.ca_file)
    # support.staff_room = "": a room on whatever MUC service discovery finds; there is none
    async with staff_desk(anna, sandbox, [anna], "support-staff") as a:
        await person.start()
        try:
            await seconds_until(lambda: a.room.status.missing, timeout=15)
            assert str(a.room.status.error).startswith(
                f"The server has no group chat (MUC) service ({sandbox.domain} has no "
                "conference/text service), so claims stay on this computer.")
            assert not a.desk.shared
            person.ask(anna.jid, "Printer jams", machine("Windows 10"))
            await seconds_until(lambda: len(a.queue.requests()) == 1)
            (request,) = a.queue.requests()
            a.desk.take(request.id)  # works here, at once
            assert a.owners() == {request.id: anna.jid}
        finally:
            await person.stop()


@pytest.mark.asyncio
async def test_without_a_muc_service_claims_stay_on_this_computer_and_say_why(
    xmpp_server: XmppServer,
) -> None:
    anna, asker = xmpp_server.fresh_accounts(2)
    room = f"staff@no-muc-here.{xmpp_server.domain}"
    async with staff_desk(anna, xmpp_server, [anna], room) as a, \
            requesters(xmpp_server, [asker]) as people:
        await seconds_until(lambda: a.room.status.missing, timeout=10)
        # (the sandbox has no server-to-server links: "not allowed"; elsewhere: "not found")
        assert "so claims stay on this computer" in str(a.room.status.error)
        assert not a.desk.shared
        people[0].ask(anna.jid, "Printer jams", machine("Windows 10"))
        await seconds_until(lambda: len(a.queue.requests()) == 1)
        (request,) = a.queue.requests()
        a.desk.take(request.id)  # works here, at once
        assert a.owners() == {request.id: anna.jid}


@pytest.mark.asyncio
async def test_a_room_named_without_a_service_is_on_the_muc_service_discovery_finds(
    xmpp_server: XmppServer,
) -> None:
    (anna,) = xmpp_server.fresh_accounts(1)
    async with staff_desk(anna, xmpp_server, [anna], room_for(anna)) as a:
        await seconds_until(lambda: a.room.status.joined)
        assert a.room.status.jid == f"{room_for(anna)}@{xmpp_server.muc_domain}"
        assert a.desk.shared


@pytest.mark.asyncio
async def test_a_colleague_on_a_plain_client_is_invited_with_a_sentence_it_can_show(
    xmpp_server: XmppServer,
) -> None:
    anna, ben_account = xmpp_server.fresh_accounts(2)
    ben = await PlainPeer(ben_account, xmpp_server).sign_in()
    try:
        async with staff_desk(anna, xmpp_server, [anna, ben_account], room_for(anna)) as a:
            await seconds_until(lambda: a.room.status.joined)
            (invite,) = await ben.has(1, timeout=10)
            assert invite.body.startswith(
                f"You are invited to the support team's staff room {a.room.status.jid}")
            assert invite.stanza.xml.find("{jabber:x:conference}x").get("jid") == \
                a.room.status.jid
    finally:
        await ben.sign_out()
