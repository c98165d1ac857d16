"""`supporttray ask`, `status --json` (unread) and `sysinfo --json` as users and IT scripts run
them: each a child process (`python -m supporttray`) with its own HOME, a file keyring,
offscreen Qt, a `--profile` and a policy file; staff are plain XMPP clients on the test's loop.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from supporttray import __version__
from supporttray.config.sysinfo_fields import LABELS
from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer
from .test_chat_wire import PlainPeer, form_fields, form_of
from .test_cli_against_server import Cli, write_policy

FIELDS = ("os.name", "tz", "app.version")


def add_policy(path: Path, **values: object) -> None:
    """More [enforced] keys (`__` for dots) in the policy file write_policy made."""
    lines = [f"{key.replace('__', '.')} = {json.dumps(value)}" for key, value in values.items()]
    with path.open("a", encoding="utf-8") as policy:
        policy.write("\n".join(lines) + "\n")


def attached_lines(out: str) -> list[str]:
    """The "  Label: value" lines `ask --send` prints under "Attached system info:"."""
    lines = out.splitlines()
    start = lines.index("Attached system info:") + 1
    return [line for line in lines[start:] if line.startswith("  ")]


@pytest.fixture
def cli(xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path) -> Cli:
    requester, staff = xmpp_server.fresh_accounts(2)
    policy = tmp_path / "policy.toml"
    write_policy(policy, xmpp_server, [staff.jid])
    add_policy(policy, sysinfo__fields=list(FIELDS))
    endpoint = ServerEndpoint(
        xmpp_server.domain, xmpp_server.host, xmpp_server.port, ca_file=xmpp_server.ca_file
    )
    return Cli(subprocess_env, tmp_path / "profile", policy, requester, staff, endpoint, tmp_path)


@asynccontextmanager
async def app_online_with_staff(cli: Cli, xmpp_server: XmppServer) -> AsyncIterator[PlainPeer]:
    """The staff member on a plain client, and the requester's app running, online, seeing
    them available."""
    staff = PlainPeer(cli.staff, xmpp_server)
    await staff.sign_in()
    try:
        assert (await cli.login(cli.requester.password)).code == 0
        async with cli.running():
            await cli.status_when(lambda s: s["state"] == "online" and s["support"] == "available")
            yield staff
    finally:
        await staff.sign_out()


# -- ask ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_ask_send_prints_the_recipient_and_what_was_attached_and_staff_get_it(
    cli: Cli, xmpp_server: XmppServer
) -> None:
    async with app_online_with_staff(cli, xmpp_server) as staff:
        # when the user asks from the command line
        done = await cli("ask", "--send", "The", "VPN drops every 5 minutes")

        # then it says to whom it went and why, and exactly what system info went with it
        assert done.code == 0, done.err
        first = done.out.splitlines()[0]
        # ("sent": the server acknowledged it; "delivered": the staff's client did too)
        assert first in {f"To {staff.jid}: {state}. {cli.staff.username} is available"
                         for state in ("sent", "delivered")}, first
        attached = attached_lines(done.out)
        assert [line.split(":")[0].strip() for line in attached] == [LABELS[k] for k in FIELDS]
        assert f"  {LABELS['app.version']}: {__version__}" in attached

        # and the staff member gets the question with those fields, and no others
        (got,) = await staff.has(1)
        assert got.body.startswith("The VPN drops every 5 minutes\n\n")
        form = form_of(got.stanza)
        assert form is not None
        sent = form_fields(form)[1:]
        assert [key for key, _ in sent] == list(FIELDS)
        assert [f"  {LABELS[key]}: {value}" for key, value in sent] == attached


@pytest.mark.asyncio
async def test_ask_send_under_consent_never_attaches_nothing_and_says_so(
    cli: Cli, xmpp_server: XmppServer
) -> None:
    add_policy(cli.policy, sysinfo__consent="never")
    async with app_online_with_staff(cli, xmpp_server) as staff:
        done = await cli("ask", "--send", "Printer offline")

        assert done.code == 0, done.err
        assert "No system info attached." in done.out
        assert "Attached system info:" not in done.out
        (got,) = await staff.has(1)
        assert got.body == "Printer offline"
        assert form_of(got.stanza) is None


@pytest.mark.asyncio
async def test_ask_without_send_sends_nothing(cli: Cli, xmpp_server: XmppServer) -> None:
    async with app_online_with_staff(cli, xmpp_server) as staff:
        # when the user asks without --send (the ask window opens, prefilled)
        done = await cli("ask", "Printer offline")
        assert done.code == 0, done.err
        assert "press Send there" in done.out

        # then nothing was sent: the next message sent is the first the staff member gets
        assert (await cli("ask", "--send", "Now I mean it")).code == 0
        (got,) = await staff.has(1)
        assert got.body.startswith("Now I mean it")


@pytest.mark.asyncio
async def test_status_json_counts_the_staff_members_reply_as_unread(
    cli: Cli, xmpp_server: XmppServer
) -> None:
    async with app_online_with_staff(cli, xmpp_server) as staff:
        # given a question sent, and nothing unread
        assert (await cli("ask", "--send", "Printer offline")).code == 0
        (got,) = await staff.has(1)
        status = await cli.status()
        assert status is not None and status["unread"] == 0

        # when the staff member replies in the thread
        staff.send(cli.requester.jid, "On my way", thread=got.stanza["thread"])

        # then `status --json` shows one unread message
        status, _ = await cli.status_when(lambda s: s["unread"] == 1, timeout=5)
        assert status["unread"] == 1


def test_ask_with_nothing_running_exits_3_and_says_how_to_start_it(cli: Cli) -> None:
    done = subprocess.run(
        cli.argv("ask", "--send", "Printer offline"), env=cli.env, cwd=cli.workdir,
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip

    assert done.returncode == 3
    assert "SupportTray is not running" in done.stderr
    assert "supporttray run" in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


# -- sysinfo -----------------------------------------------------------------------------------


def sysinfo_json(env: dict[str, str], workdir: Path, policy_lines: Sequence[str]) -> Any:
    """`supporttray sysinfo --json` under a policy with these [enforced] lines."""
    policy = workdir / "policy.toml"
    policy.write_text("[enforced]\n" + "\n".join(policy_lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "supporttray", "sysinfo", "--json",
         "--profile", str(workdir / "profile"), "--policy", str(policy)],
        env=env, cwd=workdir, capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sysinfo_json_prints_exactly_the_policy_fields(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    # given a policy that allows four fields (not in the standard order)
    fields = ["tz", "os.name", "hw.model", "app.version"]

    # when IT asks what a new request would carry
    document = sysinfo_json(subprocess_env, tmp_path, [f"sysinfo.fields = {json.dumps(fields)}"])

    # then it is those fields, labelled, each with a value, and how long collecting took
    assert set(document) == {"consent", "attached", "fields", "collected_ms"}
    assert document["consent"] == "preview"
    assert document["attached"] is True
    assert [f["key"] for f in document["fields"]] == fields
    assert [f["label"] for f in document["fields"]] == [LABELS[k] for k in fields]
    assert all(isinstance(f["value"], str) and f["value"] for f in document["fields"])
    assert {f["key"]: f["value"] for f in document["fields"]}["app.version"] == __version__
    assert isinstance(document["collected_ms"], float | int)
    assert 0 < document["collected_ms"] < 2000


def test_sysinfo_json_under_consent_never_attaches_nothing(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    document = sysinfo_json(subprocess_env, tmp_path, ['sysinfo.consent = "never"'])

    assert document == {"consent": "never", "attached": False, "fields": [], "collected_ms": 0}


# -- staff mode: the request queue ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_staff_app_lists_a_new_request_with_who_what_and_which_machine(
    cli: Cli, xmpp_server: XmppServer
) -> None:
    # given the staff member's own SupportTray, in staff mode, and the requester's, both online
    staff_policy = cli.workdir / "staff-policy.toml"
    write_policy(staff_policy, xmpp_server, [cli.staff.jid])
    add_policy(staff_policy, support__mode="staff",
               support__auto_accept_domains=[xmpp_server.domain],
               support__staff_room=f"staff-{cli.staff.username}@{xmpp_server.muc_domain}")
    desk = Cli(cli.env, cli.workdir / "staff-profile", staff_policy, cli.staff, cli.requester,
               cli.endpoint, cli.workdir)
    assert (await desk.login(cli.staff.password)).code == 0
    assert (await cli.login(cli.requester.password)).code == 0
    async with desk.running(), cli.running():
        await desk.status_when(lambda s: s["state"] == "online")
        await cli.status_when(lambda s: s["state"] == "online" and s["support"] == "available")
        status, _ = await desk.status_when(lambda s: s["requests"] == [], timeout=5)

        # when the requester asks, with their system info
        asked = await cli("ask", "--send", "The printer on floor 3 jams\nsince this morning")
        assert asked.code == 0, asked.err

        # then the staff app lists one open request: who, which thread, which machine
        status, _ = await desk.status_when(lambda s: len(s["requests"]) == 1, timeout=5)
        (request,) = status["requests"]
        assert request["from"] == cli.requester.jid
        assert request["thread"] and request["id"] == request["thread"]
        assert request["claimed_by"] is None
        assert 0 <= request["waiting_seconds"] <= 10
        assert request["summary"]  # e.g. "Debian 12": the OS from the attached fields
        # and a follow-up in the same thread is the same request
        again = await cli("ask", "--send", "It says 'paper jam' but there is none")
        assert again.code == 0, again.err
        await asyncio.sleep(0.5)
        status = await desk.status()
        assert status is not None and len(status["requests"]) == 1
