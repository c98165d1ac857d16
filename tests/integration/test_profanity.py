"""A staff member who does not run SupportTray: Profanity, a real third-party XMPP client in a
terminal, reads what our apps send as a person would, from the screen (tests/integration/
profanity.py drives it). SupportTray itself is real `supporttray run` processes, driven by
`ask`, `take`, `resolve` and `status --json`, as in test_claims_cli.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from supporttray.core.sysinfo import BLOCK_HEADER

from .conftest import XmppServer
from .profanity import Profanity, profanity_running, readable
from .test_chat_cli import FIELDS, add_policy, attached_lines
from .test_claims_cli import all_running, machine, requests_of
from .test_cli_against_server import Cli
from .test_staff_room import room_for

QUESTION = "The VPN drops every 5 minutes"
# What Profanity 0.13 shows for a message that carries a top-level data form: a form to fill
# in (in a window of its own, titled "<jid> config"), with the body nowhere. Our system-info
# form was top-level until it moved into a wrapper of our own (../shared/DESIGN.md, wire contract).
FORM_SIGNS = ("Configuration for", "/form submit", "(null)")
# What a plain client must never show of our elements.
RAW_SIGNS = ("<", "urn:supporttray", "jabber:x:data")


@asynccontextmanager
async def requester_and_profanity_staff(
    xmpp_server: XmppServer, env: dict[str, str], workdir: Path
) -> AsyncIterator[tuple[Cli, Profanity]]:
    """A requester's SupportTray whose policy names one staff member, who is on Profanity,
    has accepted the app's presence subscription, and shows as available to it."""
    staff_account, person = xmpp_server.fresh_accounts(2)
    asker = machine(xmpp_server, env, workdir, person, [staff_account], room=None)
    add_policy(asker.policy, sysinfo__fields=list(FIELDS))
    assert (await asker.login(person.password)).code == 0
    async with profanity_running(workdir / "profanity", xmpp_server.ca_file) as staff:
        await staff.connect(staff_account, xmpp_server)
        async with asker.running():
            # the app asks to see the staff member's presence; they accept, as a person would
            await staff.wait_for(f"Received authorization request from {person.jid}")
            staff.send(f"/sub allow {person.jid}")
            await asker.status_when(lambda s: s["state"] == "online"
                                    and s["support"] == "available")
            yield asker, staff


async def assert_no_form_or_raw_xml_anywhere(staff: Profanity) -> None:
    windows = await staff.windows()
    forms = [w for w in windows if w.title.endswith(" config")]
    assert not forms, f"Profanity opened a form to fill in: {forms}; its windows: {windows}"
    for number, screen in (await staff.every_window()).items():
        shown = [sign for sign in (*FORM_SIGNS, *RAW_SIGNS) if sign in screen]
        assert not shown, f"Profanity's window {number} shows {shown}:\n{readable(screen)}"


@pytest.mark.asyncio
async def test_profanity_shows_the_question_and_its_system_info_as_text_and_no_form(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    async with requester_and_profanity_staff(xmpp_server, subprocess_env, tmp_path) as (
        asker, staff
    ):
        # when the requester asks, with their system info
        asked = await asker("ask", "--send", QUESTION)
        assert asked.code == 0, asked.err
        attached = [line.strip() for line in attached_lines(asked.out)]
        assert attached[0].startswith("OS: "), attached

        # then the staff member's chat window shows the question and each system-info line
        await staff.show(asker.requester.jid)
        await staff.wait_for(QUESTION, BLOCK_HEADER, *attached)
        # and no window shows a form to fill in, or any of our XML
        await assert_no_form_or_raw_xml_anywhere(staff)


@pytest.mark.asyncio
async def test_a_reply_from_profanity_reaches_the_requester_and_counts_as_unread(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    async with requester_and_profanity_staff(xmpp_server, subprocess_env, tmp_path) as (
        asker, staff
    ):
        # given a question asked, and nothing unread
        assert (await asker("ask", "--send", QUESTION)).code == 0
        status = await asker.status()
        assert status is not None and status["unread"] == 0

        # when the staff member answers in their chat with the requester
        staff.send(f"/msg {asker.requester.jid} Restarting the VPN gateway, try in 2 minutes")
        await staff.wait_for("me: Restarting the VPN gateway, try in 2 minutes")

        # then the requester's app counts it as unread
        await asker.status_when(lambda s: s["unread"] >= 1, timeout=10)


@pytest.mark.asyncio
async def test_profanity_in_the_staff_room_reads_request_claim_and_resolution_as_sentences(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    # given a staff app and a colleague on Profanity, both staff by policy, and a requester
    desk_account, colleague_account, person = xmpp_server.fresh_accounts(3)
    desk = machine(xmpp_server, subprocess_env, tmp_path, desk_account,
                   [desk_account, colleague_account], room=room_for(desk_account))
    asker = machine(xmpp_server, subprocess_env, tmp_path, person, [desk_account], room=None)
    for cli in (desk, asker):
        assert (await cli.login(cli.requester.password)).code == 0

    async with profanity_running(tmp_path / "profanity", xmpp_server.ca_file) as colleague:
        await colleague.connect(colleague_account, xmpp_server)
        async with all_running([desk, asker]):
            # the staff app creates the room, makes the colleague an owner and invites them
            status, _ = await desk.status_when(
                lambda s: bool(s["staff_room"]) and s["staff_room"]["joined"])
            room = status["staff_room"]["jid"]  # on the MUC service the app found
            await colleague.wait_for("Chat room invite received", f"Use '/join {room}'")
            colleague.send(f"/join {room}")
            await colleague.wait_for("You have joined the room", "affiliation: owner")
            await colleague.show(room)
            await asker.status_when(lambda s: s["support"] == "available")

            # when a requester asks, and the staff app takes the request, then resolves it
            assert (await asker("ask", "--send", QUESTION)).code == 0
            # then the colleague reads a sentence for each, as it happens
            await colleague.wait_for(f"New request from {person.jid}: {QUESTION}")
            status, _ = await desk.status_when(lambda s: person.jid in requests_of(s))
            request = requests_of(status)[person.jid]["id"]
            assert (await desk("take", request)).code == 0
            await colleague.wait_for(
                f"{desk_account.jid} takes the request from {person.jid}: {QUESTION}")
            assert (await desk("resolve", request)).code == 0
            await colleague.wait_for(
                f"{desk_account.jid} marked the request from {person.jid} resolved: {QUESTION}")

            # and nothing else: no raw XML, no form, in the room or any other window
            await assert_no_form_or_raw_xml_anywhere(colleague)
