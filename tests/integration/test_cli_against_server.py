"""The `supporttray` command line against a real server, as IT scripts and users run it.

Every command is a child process (`python -m supporttray`) with its own temp HOME, a file
keyring, offscreen Qt, a temp `--profile` and a policy file written here that points at the
test server. Staff are plain XMPP clients in the test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from supporttray.sandbox.prosody import Account
from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer
from .test_staff_presence import StaffClient, seconds_until

PRESENCE_DEADLINE = 1.0
STATUS_KEYS = {"state", "error", "account", "mode", "support", "staff", "presence", "unread",
               "requests"}  # fmt: skip
STAFF_KEYS = {"jid", "name", "availability", "status", "idle_seconds", "local_time"}


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    """One user's machine: environment, profile, policy, their account and the staff's."""

    env: dict[str, str]
    profile: Path
    policy: Path
    requester: Account
    staff: Account
    endpoint: ServerEndpoint
    workdir: Path

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "supporttray", *args, "--profile", str(self.profile),
                "--policy", str(self.policy)]  # fmt: skip

    async def __call__(self, *args: str, stdin: str | None = None, timeout: float = 20) -> Done:
        """Run one command to its end (without blocking the loop the staff clients use)."""
        process = await asyncio.create_subprocess_exec(
            *self.argv(*args),
            env=self.env,
            cwd=self.workdir,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(
                process.communicate(stdin.encode() if stdin is not None else None), timeout
            )
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode is not None
        return Done(process.returncode, out.decode(), err.decode())

    async def login(self, password: str) -> Done:
        return await self("login", self.requester.jid, "--password-stdin", stdin=password + "\n")

    async def status(self) -> dict[str, Any] | None:
        """The running instance's `status --json`, or None while none answers."""
        done = await self("status", "--json")
        if done.code == 3:
            return None
        assert done.code == 0, done.err
        status = json.loads(done.out)
        assert isinstance(status, dict)
        return status

    async def status_when(
        self, condition: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> tuple[dict[str, Any], float]:
        """Poll `status --json` until `condition` holds; the status and how long it took."""
        start = time.perf_counter()
        last: dict[str, Any] | None = None
        while time.perf_counter() - start < timeout:
            last = await self.status()
            if last is not None and condition(last):
                return last, time.perf_counter() - start
            await asyncio.sleep(0.02)
        raise AssertionError(f"status never matched within {timeout} s; last: {last}")

    @asynccontextmanager
    async def running(self) -> AsyncIterator[asyncio.subprocess.Process]:
        """`supporttray run` in the background; terminated (then killed) if still running."""
        with open(self.workdir / "run.log", "ab") as output:
            process = await asyncio.create_subprocess_exec(
                *self.argv("run"), env=self.env, cwd=self.workdir,
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            yield process
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 5)
                except TimeoutError:
                    process.kill()
                    await process.wait()


def write_policy(path: Path, server: XmppServer, staff: list[str]) -> None:
    lines = [
        "[enforced]",
        f"server.domain = {json.dumps(server.domain)}",
        f"server.host = {json.dumps(server.host)}",
        f"server.port = {server.port}",
        f"support.staff = {json.dumps(staff)}",
    ]
    if server.ca_file is not None:
        lines.append(f"server.ca_file = {json.dumps(str(server.ca_file))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def cli(xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path) -> Cli:
    requester, staff = xmpp_server.fresh_accounts(2)
    policy = tmp_path / "policy.toml"
    write_policy(policy, xmpp_server, [staff.jid])
    endpoint = ServerEndpoint(
        xmpp_server.domain, xmpp_server.host, xmpp_server.port, ca_file=xmpp_server.ca_file
    )
    return Cli(subprocess_env, tmp_path / "profile", policy, requester, staff, endpoint, tmp_path)


def is_online(status: dict[str, Any]) -> bool:
    return bool(status["state"] == "online")


def staff_member(status: dict[str, Any], jid: str) -> dict[str, Any]:
    (member,) = [m for m in status["staff"] if m["jid"] == jid]
    assert isinstance(member, dict)
    return member


def staff_shows(status: dict[str, Any], jid: str, availability: str, text: str) -> bool:
    member = staff_member(status, jid)
    return bool(member["availability"] == availability and member["status"] == text)


# -- login and run -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_login_stores_the_password_and_run_goes_online_with_it(cli: Cli) -> None:
    # when the user logs in with the password on stdin
    done = await cli.login(cli.requester.password)

    # then it is stored (and says where)
    assert done.code == 0, done.err
    assert f"Stored {cli.requester.jid}" in done.out
    # and the tray app started afterwards goes online with it
    async with cli.running():
        status, _ = await cli.status_when(is_online)
        assert status["account"] == cli.requester.jid
        assert status["error"] is None


@pytest.mark.asyncio
async def test_login_while_the_app_waits_for_an_account_brings_it_online(cli: Cli) -> None:
    # given the app started before any account was set up (first run, autostart)
    async with cli.running():
        await cli.status_when(lambda s: s["state"] == "error")

        # when the user logs in as the app tells them to
        done = await cli.login(cli.requester.password)
        assert done.code == 0, done.err
        assert "reconnecting" in done.out

        # then the running app goes online with that account
        status, _ = await cli.status_when(is_online, timeout=3)
        assert status["account"] == cli.requester.jid


@pytest.mark.asyncio
async def test_status_json_prints_the_documented_object(cli: Cli) -> None:
    # given the app online, and the staff member away, idle for 2 minutes, in UTC+05:30
    staff = StaffClient(cli.staff, cli.endpoint, utc_offset=timedelta(hours=5, minutes=30))
    await staff.sign_in()
    staff.show("away", "Back at 3", idle_since=datetime.now(UTC) - timedelta(minutes=2))
    try:
        assert (await cli.login(cli.requester.password)).code == 0
        async with cli.running():
            # when a script asks for the status
            status, _ = await cli.status_when(
                lambda s: is_online(s) and staff_member(s, cli.staff.jid)["local_time"] is not None
            )

            # then it has every key ../shared/DESIGN.md promises, with the documented values
            assert set(status) >= STATUS_KEYS
            assert status["account"] == cli.requester.jid
            assert status["mode"] == "requester"
            assert status["support"] == "away"
            assert status["presence"] == {"show": "available", "status": ""}
            assert status["unread"] == 0
            assert status["requests"] == []
            member = staff_member(status, cli.staff.jid)
            assert set(member) == STAFF_KEYS
            assert member["name"] == cli.staff.username
            assert member["availability"] == "away"
            assert member["status"] == "Back at 3"
            assert 115 <= member["idle_seconds"] <= 135
            local = datetime.fromisoformat(member["local_time"])
            assert local.utcoffset() == timedelta(hours=5, minutes=30)
            assert abs((local - datetime.now(UTC)).total_seconds()) < 10
    finally:
        await staff.sign_out()


@pytest.mark.asyncio
async def test_status_json_follows_a_staff_presence_change_within_a_second(cli: Cli) -> None:
    # given the app running and following an available staff member
    staff = StaffClient(cli.staff, cli.endpoint)
    await staff.sign_in()
    try:
        assert (await cli.login(cli.requester.password)).code == 0
        async with cli.running():
            await cli.status_when(
                lambda s: is_online(s) and staff_shows(s, cli.staff.jid, "available", "")
            )
            latencies = []
            for show, status_text, availability in [
                ("dnd", "On a call", "busy"),
                ("away", "Lunch", "away"),
                ("", "", "available"),
            ]:
                # when the staff member changes their presence
                staff.show(show, status_text)

                # then `status --json` says so within a second
                shown = partial(
                    staff_shows, jid=cli.staff.jid, availability=availability, text=status_text
                )
                _, took = await cli.status_when(shown, timeout=5)
                latencies.append(took)
            print(
                "\npresence -> status --json: " + ", ".join(f"{t * 1000:.0f} ms" for t in latencies)
            )
            assert max(latencies) < PRESENCE_DEADLINE
    finally:
        await staff.sign_out()


@pytest.mark.asyncio
async def test_second_run_with_the_same_profile_exits_0_and_starts_nothing(cli: Cli) -> None:
    # given the app running and online
    assert (await cli.login(cli.requester.password)).code == 0
    async with cli.running() as first:
        await cli.status_when(is_online)

        # when the user starts it again with the same profile
        start = time.perf_counter()
        done = await cli("run", timeout=10)
        took = time.perf_counter() - start

        # then the second one exits 0 quickly, saying the app already runs
        assert done.code == 0, done.err
        assert "already running" in done.out
        assert took < 3, f"the second run took {took:.1f} s"
        # and the first one is still the one running, online
        assert first.returncode is None
        status = await cli.status()
        assert status is not None and is_online(status)


def test_status_with_nothing_running_exits_3_and_says_so(cli: Cli) -> None:
    # when a script asks for the status with no app running
    done = subprocess.run(
        cli.argv("status", "--json"), env=cli.env, cwd=cli.workdir, capture_output=True,
        text=True, timeout=20, check=False,
    )  # fmt: skip

    # then it exits 3 with a sentence on stderr, and prints nothing a script could misread
    assert done.returncode == 3
    assert "SupportTray is not running" in done.stderr
    assert "supporttray run" in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


@pytest.mark.asyncio
async def test_sigterm_quits_cleanly_and_staff_see_the_requester_go_offline(cli: Cli) -> None:
    # given the app online and a staff member who sees the requester's presence
    staff = StaffClient(cli.staff, cli.endpoint)
    await staff.sign_in()
    try:
        assert (await cli.login(cli.requester.password)).code == 0
        async with cli.running() as app:
            await cli.status_when(is_online)
            staff.subscribe_to(cli.requester.jid)  # the app approves staff without asking

            def requester_seen_as(presence: str) -> Callable[[], bool]:
                return lambda: any(
                    jid.startswith(cli.requester.jid + "/") and seen == presence
                    for jid, seen in staff.seen.items()
                )

            await seconds_until(requester_seen_as("available"), timeout=5)

            # when the app gets SIGTERM (logout, systemd, kill)
            app.send_signal(signal.SIGTERM)

            # then it exits 0, and staff see the requester go offline
            assert await asyncio.wait_for(app.wait(), 10) == 0
            await seconds_until(requester_seen_as("unavailable"), timeout=2)
    finally:
        await staff.sign_out()


@pytest.mark.asyncio
async def test_presence_sets_what_others_see_and_prints_it(cli: Cli) -> None:
    # given the app online and a staff member who sees the requester's presence
    staff = StaffClient(cli.staff, cli.endpoint)
    await staff.sign_in()
    try:
        assert (await cli.login(cli.requester.password)).code == 0
        async with cli.running():
            await cli.status_when(is_online)
            staff.subscribe_to(cli.requester.jid)

            def seen_as(show: str, status: str = "") -> Callable[[], bool]:
                return lambda: any(
                    jid.startswith(cli.requester.jid + "/") and seen == show
                    and staff.status_seen.get(jid, "") == status
                    for jid, seen in staff.seen.items()
                )

            await seconds_until(seen_as("available"), timeout=5)

            # when the user says they are away, with a message
            done = await cli("presence", "away", "Back", "at", "3")
            # then the command says so, and others see it
            assert (done.code, done.out, done.err) == (0, "Away: “Back at 3”\n", "")
            await seconds_until(seen_as("away", "Back at 3"), timeout=2)
            await cli.status_when(
                lambda s: s["presence"] == {"show": "away", "status": "Back at 3"})
            # and without arguments it prints the current one
            assert (await cli("presence")).out == "Away: “Back at 3”\n"

            # busy is XMPP's "dnd"; offline makes us look offline while connected
            assert (await cli("presence", "busy")).code == 0
            await seconds_until(seen_as("dnd"), timeout=2)
            assert (await cli("presence", "offline")).code == 0
            await seconds_until(seen_as("unavailable"), timeout=2)
            assert (await cli("presence", "available")).out == "Available\n"
            await seconds_until(seen_as("available"), timeout=2)
    finally:
        await staff.sign_out()


@pytest.mark.asyncio
async def test_presence_refuses_bad_input_with_a_sentence(cli: Cli) -> None:
    nap = await cli("presence", "nap")
    assert nap.code == 2 and "invalid choice: 'nap'" in nap.err and "Traceback" not in nap.err
    nobody = await cli("presence", "away")
    assert nobody.code == 3 and "SupportTray is not running" in nobody.err


# -- doctor ------------------------------------------------------------------------------------


def finding(output: str, topic: str) -> str:
    """The level of the doctor line for `topic` ("OK", "WARN" or "FAIL")."""
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] == topic:
            return parts[0]
    raise AssertionError(f"doctor printed no {topic!r} line:\n{output}")


@pytest.mark.asyncio
async def test_doctor_passes_every_check_against_a_working_server(cli: Cli) -> None:
    # given the right password is stored
    assert (await cli.login(cli.requester.password)).code == 0

    # when IT runs doctor
    done = await cli("doctor")

    # then policy, account, server, TLS, login and the server's services are fine; exit 0
    for topic in ("policy", "account", "server", "tls", "login", "services"):
        assert finding(done.out, topic) == "OK", done.out
    assert done.code == 0, done.out + done.err
    assert "All checks passed." in done.out


@pytest.mark.asyncio
async def test_doctor_fails_the_login_check_after_a_wrong_password_is_stored(cli: Cli) -> None:
    # given a wrong password is stored
    assert (await cli.login("not-" + cli.requester.password)).code == 0

    # when IT runs doctor
    done = await cli("doctor")

    # then the login check fails with the reason, the rest is fine, and it exits 1
    assert done.code == 1, done.out + done.err
    assert finding(done.out, "login") == "FAIL"
    login_line = next(line for line in done.out.splitlines() if line.split()[1:2] == ["login"])
    assert f"refused the password for {cli.requester.jid}" in login_line
    for topic in ("policy", "account", "server", "tls"):
        assert finding(done.out, topic) == "OK", done.out
    assert "1 check(s) failed." in done.out
