"""A staff member's chosen presence survives a restart of the real app, on a real server.

The app is `supporttray run` in staff mode (a child process, as in test_cli_against_server);
the colleague is a plain XMPP client who follows the staff member's presence.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer
from .test_cli_against_server import Cli, is_online, write_policy
from .test_staff_presence import StaffClient, seconds_until

MEETING = "In a meeting until 3"


@pytest.fixture
def staff_cli(xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path) -> Cli:
    """`cli.requester` is the staff member running the app; `cli.staff` their colleague."""
    member, colleague = xmpp_server.fresh_accounts(2)
    policy = tmp_path / "policy.toml"
    write_policy(policy, xmpp_server, [member.jid, colleague.jid])
    with policy.open("a", encoding="utf-8") as extra:
        extra.write('support.mode = "staff"\n'
                    f"support.auto_accept_domains = {json.dumps([xmpp_server.domain])}\n"
                    f"support.staff_room = \"staff-{member.username}@{xmpp_server.muc_domain}\"\n")
    endpoint = ServerEndpoint(
        xmpp_server.domain, xmpp_server.host, xmpp_server.port, ca_file=xmpp_server.ca_file
    )
    return Cli(subprocess_env, tmp_path / "profile", policy, member, colleague, endpoint, tmp_path)


@pytest.mark.asyncio
async def test_busy_with_a_message_comes_back_after_a_restart(staff_cli: Cli) -> None:
    cli = staff_cli
    colleague = StaffClient(cli.staff, cli.endpoint)
    await colleague.sign_in()
    try:
        assert (await cli.login(cli.requester.password)).code == 0

        def seen_as(show: str, status: str = "") -> Callable[[], bool]:
            return lambda: any(
                jid.startswith(cli.requester.jid + "/") and seen == show
                and colleague.status_seen.get(jid, "") == status
                for jid, seen in colleague.seen.items()
            )

        # given the staff member chose Busy "In a meeting until 3", then quit
        async with cli.running() as app:
            await cli.status_when(is_online)
            colleague.subscribe_to(cli.requester.jid)
            await seconds_until(seen_as("available"), timeout=5)
            assert (await cli("presence", "busy", MEETING)).code == 0
            await seconds_until(seen_as("dnd", MEETING), timeout=2)
            app.send_signal(signal.SIGTERM)
            assert await app.wait() == 0
            await seconds_until(seen_as("unavailable"), timeout=2)
        assert json.loads((cli.profile / "data" / "presence.json").read_text("utf-8"))[
            "show"] == "busy"

        client = colleague._client
        assert client is not None
        sent_after_restart: list[str] = []
        client.add_event_handler("presence", lambda p: sent_after_restart.append(p["type"])
                                 if p["from"].bare == cli.requester.jid else None)

        # when the app starts again (a restart, a reboot)
        async with cli.running():
            # then the colleague sees them busy with that message, the first thing they send
            await seconds_until(seen_as("dnd", MEETING), timeout=10)
            assert sent_after_restart[0] == "dnd", sent_after_restart
            status, _ = await cli.status_when(is_online)
            assert status["presence"] == {"show": "busy", "status": MEETING}
            assert status["on_call"] == {"hours": "", "now": False}
            done = await cli("presence")
            assert done.out == f"Busy: “{MEETING}”\n"
    finally:
        await colleague.sign_out()
