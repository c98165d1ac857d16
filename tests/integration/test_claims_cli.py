"""The claim race as IT scripts and outside checks see it: two staff apps and three requester
apps, each a real `supporttray run` process, driven by `ask`, `take`, `resolve` and
`status --json` against the test server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from supporttray.sandbox.prosody import Account
from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer
from .test_chat_cli import add_policy
from .test_cli_against_server import Cli, write_policy
from .test_staff_room import room_for

DEADLINE = 1.0  # the issue: colleagues see a new request, and a claim, within a second


def machine(xmpp_server: XmppServer, env: dict[str, str], workdir: Path, me: Account,
            staff: list[Account], *, room: str | None) -> Cli:
    """One person's computer: own profile, policy (staff mode when `room` is given) and log."""
    home = workdir / me.jid.split("@")[0]
    home.mkdir()
    policy = home / "policy.toml"
    write_policy(policy, xmpp_server, [s.jid for s in staff])
    if room is not None:
        add_policy(policy, support__mode="staff", support__staff_room=room,
                   support__auto_accept_domains=[xmpp_server.domain])
    endpoint = ServerEndpoint(xmpp_server.domain, xmpp_server.host, xmpp_server.port,
                              ca_file=xmpp_server.ca_file)
    return Cli(env, home / "profile", policy, me, staff[0], endpoint, home)


async def all_status_when(clis: list[Cli], condition: Callable[[dict[str, Any]], bool],
                          timeout: float = 15) -> float:
    """Poll every app's `status --json` at once until `condition` holds for each; seconds."""
    start = time.perf_counter()
    await asyncio.gather(*(c.status_when(condition, timeout) for c in clis))
    return time.perf_counter() - start


@asynccontextmanager
async def all_running(clis: list[Cli]) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for c in clis:
            await stack.enter_async_context(c.running())
        yield


def requests_of(status: dict[str, Any]) -> dict[str, Any]:
    return {r["from"]: r for r in status["requests"]}


@pytest.mark.asyncio
async def test_two_staff_apps_and_three_requesters_race_for_claims(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    s1, s2, *people = xmpp_server.fresh_accounts(5)
    staff = [s1, s2]
    room = room_for(s1, "claims")
    desk1, desk2 = (machine(xmpp_server, subprocess_env, tmp_path, s, staff, room=room)
                    for s in staff)
    askers = [machine(xmpp_server, subprocess_env, tmp_path, p, staff, room=None)
              for p in people]
    for c in (desk1, desk2, *askers):
        assert (await c.login(c.requester.password)).code == 0
    desks = [desk1, desk2]

    async with all_running([desk1, desk2, *askers]):
        await all_status_when(desks, lambda s: s["state"] == "online"
                              and bool(s["staff_room"]) and s["staff_room"]["joined"])
        await all_status_when(askers, lambda s: s["support"] == "available")

        # a new request appears in both staff apps within a second of being sent
        asked = await askers[0]("ask", "--send", "The VPN drops every 5 minutes")
        assert asked.code == 0, asked.err
        seen = await all_status_when(desks, lambda s: people[0].jid in requests_of(s))
        assert seen < DEADLINE + 0.5, f"took {seen:.2f} s"  # + one status poll per app
        print(f"\nnew request -> both staff apps' status: {seen * 1000:.0f} ms")
        request = requests_of(await desk2.status() or {})[people[0].jid]
        assert request["claimed_by"] is None and request["summary"]

        # staff 1 takes it: staff 2 sees it taken by them within a second
        took = await desk1("take", request["id"])
        assert took.code == 0 and "You have the request" in took.out, took.err
        seen = await all_status_when(
            [desk2], lambda s: requests_of(s)[people[0].jid]["claimed_by"] == s1.jid)
        assert seen < DEADLINE + 0.25, f"took {seen:.2f} s"
        print(f"take -> colleague's status shows the owner: {seen * 1000:.0f} ms")

        # two more requests; both staff take the third at the same moment: one owner for both
        for who, text in ((1, "Outlook asks for my password"), (2, "Printer on floor 3 jams")):
            assert (await askers[who]("ask", "--send", text)).code == 0
        await all_status_when(desks, lambda s: len(s["requests"]) == 3)
        contested = requests_of(await desk1.status() or {})[people[2].jid]["id"]
        first, second = await asyncio.gather(desk1("take", contested), desk2("take", contested))
        assert sorted((first.code, second.code)) == [0, 1], (first, second)
        loser = first if first.code else second
        winner = s1.jid if first.code == 0 else s2.jid
        assert winner in loser.err  # "... took the request ... first" / "... has already taken"
        owners = [requests_of(s or {})[people[2].jid]["claimed_by"]
                  for s in await asyncio.gather(desk1.status(), desk2.status())]
        assert owners == [winner, winner]
        print(f"simultaneous takes: {winner} won, both apps show {owners[0]}")

    # staff 1 restarts: the claims are still shown, read back from the room
    async with desk1.running():
        status, _ = await desk1.status_when(
            # (before it is online a staff app's status has no staff room yet: null)
            lambda s: bool(s["staff_room"]) and s["staff_room"]["joined"]
            and len(s["requests"]) == 3)
        owners = {r["from"]: r["claimed_by"] for r in status["requests"]}
        assert owners == {people[0].jid: s1.jid, people[1].jid: None, people[2].jid: winner}


@pytest.mark.asyncio
async def test_a_staff_apps_presence_is_what_requester_apps_show(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    staff_account, person = xmpp_server.fresh_accounts(2)
    room = room_for(staff_account, "claims")
    desk = machine(xmpp_server, subprocess_env, tmp_path, staff_account, [staff_account],
                   room=room)
    asker = machine(xmpp_server, subprocess_env, tmp_path, person, [staff_account], room=None)
    for c in (desk, asker):
        assert (await c.login(c.requester.password)).code == 0

    def shows(availability: str, status: str) -> Callable[[dict[str, Any]], bool]:
        return lambda s: any(m["jid"] == staff_account.jid and m["availability"] == availability
                             and m["status"] == status for m in s["staff"])

    async with all_running([desk, asker]):
        await asker.status_when(shows("available", ""))
        assert (await desk("presence", "away", "Back at 3")).code == 0
        await asker.status_when(shows("away", "Back at 3"), timeout=3)
        assert (await desk("presence", "busy", "On a call")).code == 0
        await asker.status_when(shows("busy", "On a call"), timeout=3)
        assert (await desk("presence", "available")).code == 0
        await asker.status_when(shows("available", ""), timeout=3)


@pytest.mark.asyncio
async def test_doctor_in_staff_mode_checks_the_staff_room(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    anna, outsider = xmpp_server.fresh_accounts(2)
    room = room_for(anna, "claims")
    desk = machine(xmpp_server, subprocess_env, tmp_path, anna, [anna], room=room)
    stranger = machine(xmpp_server, subprocess_env, tmp_path, outsider, [outsider], room=room)
    for c in (desk, stranger):
        assert (await c.login(c.requester.password)).code == 0

    done = await desk("doctor")  # the first staff client: creates the room and is in it
    line = next(x for x in done.out.splitlines() if x.split()[1:2] == ["staff-room"])
    assert line.split()[0] == "OK" and f"{room}@{xmpp_server.muc_domain}" in line, done.out
    # and the services line names the MUC service discovery found
    line = next(x for x in done.out.splitlines() if x.split()[1:2] == ["services"])
    assert line.split()[0] == "OK" and f"group chat {xmpp_server.muc_domain}" in line, done.out

    # a staff account the room does not know: a warning that says why, not a failure
    done = await stranger("doctor")
    line = next(x for x in done.out.splitlines() if x.split()[1:2] == ["staff-room"])
    assert line.split()[0] == "WARN" and "not a member of the staff room" in line, done.out
