"""The sandbox ejabberd serves what SupportTray expects, takes accounts fast, and leaves nothing."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import slixmpp
from slixmpp import JID

from supporttray.sandbox import demo_accounts
from supporttray.sandbox.ejabberd import EjabberdMissing, EjabberdSandbox, find_ejabberd
from supporttray.sandbox.server import Account, SandboxServer

from .test_sandbox import (
    REPO_ROOT,
    UPLOAD_NS,
    LoginFailed,
    connect,
    disconnect,
    process_is_gone,
    wait_until,
)

EjabberdFactory = Callable[..., EjabberdSandbox]


async def signed_in(sandbox: SandboxServer, account: Account) -> slixmpp.ClientXMPP:
    return await connect(
        account, sandbox.host, sandbox.c2s_port, trust=sandbox.ca_file, plugins=["xep_0030"]
    )


async def conference_services(sandbox: SandboxServer) -> list[str]:
    """What a client finds by disco#items on the domain + disco#info: the MUC services."""
    account = sandbox.add_account(f"disco-{secrets.token_hex(3)}", "pw")
    client = await signed_in(sandbox, account)
    try:
        disco = client.plugin["xep_0030"]
        items = await disco.get_items(jid=JID(sandbox.domain), timeout=5)
        found = []
        for jid, _node, _name in items["disco_items"]["items"]:
            info = await disco.get_info(jid=JID(jid), timeout=5)
            if ("conference", "text") in {(i[0], i[1]) for i in info["disco_info"]["identities"]}:
                found.append(str(jid))
        return found
    finally:
        await disconnect(client)


def processes_in_group(group: int) -> list[int]:
    """Live processes whose process group is `group` (the server and any helper it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(entry.name))
    return found


def epmd_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "epmd":
                    found.add(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


# -- accounts ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_thirty_accounts_added_while_it_runs_take_well_under_a_second_and_log_in(
    ejabberd_sandbox: EjabberdSandbox,
) -> None:
    # given a running ejabberd
    prefix = f"many-{secrets.token_hex(3)}"
    # when thirty accounts are added (what a test run does on demand)
    began = time.monotonic()
    accounts = [ejabberd_sandbox.add_account(f"{prefix}-{i}", f"pw-{i}") for i in range(30)]
    elapsed = time.monotonic() - began
    # then it was quick (an admin API call each, not an ejabberdctl run each) and they log in
    assert elapsed < 1.0, f"30 accounts took {elapsed:.2f} s"
    client = await signed_in(ejabberd_sandbox, accounts[-1])
    await disconnect(client)


@pytest.mark.asyncio
async def test_account_refused_before_it_exists_logs_in_once_added(
    ejabberd_sandbox: EjabberdSandbox,
) -> None:
    # given a running server that was asked about an account before it existed
    late = Account(jid=f"late-{secrets.token_hex(3)}@{ejabberd_sandbox.domain}", password="pw-1")
    with pytest.raises(LoginFailed, match="authentication failed"):
        await signed_in(ejabberd_sandbox, late)
    # when the account is added, then it logs in (ejabberd did not cache the miss)
    added = ejabberd_sandbox.add_account(late.username, late.password)
    client = await signed_in(ejabberd_sandbox, added)
    await disconnect(client)
    assert ejabberd_sandbox.account(late.username) == late


@pytest.mark.asyncio
async def test_adding_an_account_again_changes_its_password(
    ejabberd_sandbox: EjabberdSandbox,
) -> None:
    # given an account, when it is added again with a password JSON or Erlang could mangle
    username = f"again-{secrets.token_hex(3)}"
    old = ejabberd_sandbox.add_account(username, "first-pw")
    new = ejabberd_sandbox.add_account(username, 'pa"ss\\wörd]];--')
    # then the new password logs in and the old one no longer does
    client = await signed_in(ejabberd_sandbox, new)
    await disconnect(client)
    with pytest.raises(LoginFailed, match="authentication failed"):
        await signed_in(ejabberd_sandbox, old)


@pytest.mark.asyncio
async def test_accounts_of_a_kept_directory_survive_a_restart_with_new_passwords(
    ejabberd_factory: EjabberdFactory,
) -> None:
    # given a sandbox in a kept directory that already ran with alice
    sandbox = ejabberd_factory(accounts=[("alice", "old-pw")])
    sandbox.stop()
    # when it starts again and alice is given a new password
    sandbox.add_account("alice", "new-pw")
    sandbox.start()
    # then she logs in with it: her account was kept and re-passworded
    client = await signed_in(sandbox, sandbox.account("alice"))
    await disconnect(client)


# -- what clients find ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_shared_group_shows_its_members_with_display_names_to_every_user(
    ejabberd_factory: EjabberdFactory,
) -> None:
    # given a server whose shared group "Support" holds two staff members, one with a name
    sandbox = ejabberd_factory(
        accounts=[("alice", "a-pw"), ("bob", "b-pw"), ("user", "u-pw")],
        groups={"Support": ["alice=Alice Martin", "bob"]},
    )
    # when a user outside the group, and a member, fetch their rosters
    rosters = {}
    for username in ("user", "bob"):
        client = await signed_in(sandbox, sandbox.account(username))
        try:
            await client.get_roster()
            roster = client.client_roster
            rosters[username] = {
                jid: (roster[jid]["name"], roster[jid]["groups"])
                for jid in roster
                if jid != client.boundjid.bare
            }
        finally:
            await disconnect(client)
    # then the user sees both members under the group, alice by her name; bob sees alice
    assert rosters["user"] == {
        "alice@localhost": ("Alice Martin", ["Support"]),
        "bob@localhost": ("", ["Support"]),
    }
    assert rosters["bob"] == {"alice@localhost": ("Alice Martin", ["Support"])}


@pytest.mark.asyncio
async def test_the_muc_service_is_rooms_of_the_domain_found_by_discovery_with_an_archive(
    ejabberd_sandbox: EjabberdSandbox,
) -> None:
    # when a client looks for group chat by service discovery
    found = await conference_services(ejabberd_sandbox)
    # then the one service is rooms.<domain> (not the conference.<domain> clients might guess)
    assert found == [f"rooms.{ejabberd_sandbox.domain}"] == [ejabberd_sandbox.muc_domain]
    account = ejabberd_sandbox.add_account(f"mam-{secrets.token_hex(3)}", "pw")
    client = await signed_in(ejabberd_sandbox, account)
    try:
        info = await client.plugin["xep_0030"].get_info(jid=JID(found[0]), timeout=5)
    finally:
        await disconnect(client)
    assert "urn:xmpp:mam:2" in info["disco_info"]["features"]


@pytest.mark.asyncio
async def test_a_server_started_without_muc_lists_no_group_chat_service(
    server_factory: Callable[..., SandboxServer],
) -> None:
    # given a sandbox (each server in turn) started with muc=False
    sandbox = server_factory(muc=False)
    # when a client looks for group chat, then there is none
    assert sandbox.muc_domain is None
    assert await conference_services(sandbox) == []


@pytest.mark.asyncio
async def test_upload_slot_points_at_loopback_and_the_file_can_be_put_and_fetched(
    ejabberd_sandbox: EjabberdSandbox,
) -> None:
    # given a logged-in client
    account = ejabberd_sandbox.add_account(f"upload-{secrets.token_hex(3)}", "pw")
    client = await signed_in(ejabberd_sandbox, account)
    data = b"screenshot bytes"
    try:
        # when it asks for an upload slot
        iq = client.make_iq_get(ito=ejabberd_sandbox.upload_domain)
        iq.xml.append(
            ET.fromstring(
                f"<request xmlns='{UPLOAD_NS}' filename='screen.png' size='{len(data)}' "
                "content-type='image/png'/>"
            )
        )
        result = await iq.send(timeout=5)  # type: ignore[no-untyped-call]
    finally:
        await disconnect(client)
    slot = result.xml.find(f"{{{UPLOAD_NS}}}slot")
    assert slot is not None, str(result)
    put_url = slot.find(f"{{{UPLOAD_NS}}}put").get("url", "")  # type: ignore[union-attr]
    get_url = slot.find(f"{{{UPLOAD_NS}}}get").get("url", "")  # type: ignore[union-attr]
    # then the URLs are on loopback, and what is put can be fetched
    assert put_url.startswith(f"http://127.0.0.1:{ejabberd_sandbox.http_port}/upload/")
    put = urllib.request.Request(
        put_url, data=data, method="PUT", headers={"Content-Type": "image/png"}
    )
    loop = asyncio.get_running_loop()
    put_status = await loop.run_in_executor(
        None, lambda: urllib.request.urlopen(put, timeout=5).status
    )
    fetched = await loop.run_in_executor(
        None, lambda: urllib.request.urlopen(get_url, timeout=5).read()
    )
    assert put_status == 201
    assert fetched == data


@pytest.mark.asyncio
async def test_a_deep_directory_still_gets_a_working_admin_socket(
    ejabberd_factory: EjabberdFactory, tmp_path: Path
) -> None:
    # given a kept directory too deep for a Unix socket path (108 bytes)
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    # when the sandbox starts there and an account is added while it runs
    sandbox = ejabberd_factory(directory=deep)
    account = sandbox.add_account("deep", "pw")
    # then it logs in
    client = await signed_in(sandbox, account)
    await disconnect(client)


# -- lifetime ------------------------------------------------------------------------------------


def test_stop_leaves_no_process_epmd_or_port_and_removes_the_temp_directory(
    ejabberd_factory: EjabberdFactory,
) -> None:
    # given a running sandbox in a temp directory of its own
    epmd_before = epmd_processes()
    sandbox = ejabberd_factory(directory=None)
    pid, directory = sandbox.pid, sandbox.directory
    ports = (sandbox.c2s_port, sandbox.http_port)
    assert pid is not None and not process_is_gone(pid)
    # when it is stopped (twice: stop is idempotent)
    sandbox.stop()
    sandbox.stop()
    # then nothing it started runs (the VM, its port helpers, an epmd), its ports are free,
    # and the directory is gone
    assert process_is_gone(pid)
    assert wait_until(lambda: processes_in_group(pid) == [], timeout=3), processes_in_group(pid)
    assert epmd_processes() <= epmd_before
    assert not sandbox.running
    assert all(port_is_free(port) for port in ports)
    assert not directory.exists()


def test_killing_the_owner_leaves_no_orphan_ejabberd_and_its_files_are_swept_later() -> None:
    # given a separate python process that owns a running ejabberd sandbox in a temp directory
    owner_script = (
        "import time\n"
        "from supporttray.sandbox.ejabberd import EjabberdSandbox\n"
        "sandbox = EjabberdSandbox()\n"
        "sandbox.start()\n"
        "print(sandbox.pid, sandbox.directory, flush=True)\n"
        "time.sleep(60)\n"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", owner_script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        pid_text, directory_text = owner.stdout.readline().split(maxsplit=1)
        server_pid, directory = int(pid_text), Path(directory_text.strip())
        assert not process_is_gone(server_pid)
        # when the owner is killed without a chance to clean up
        owner.send_signal(signal.SIGKILL)
        owner.wait(5)
        # then the kernel's parent-death signal takes the VM and its helpers down too
        assert wait_until(lambda: process_is_gone(server_pid)), "ejabberd outlived its owner"
        assert wait_until(lambda: processes_in_group(server_pid) == [], timeout=3)
    finally:
        owner.kill()
        owner.wait()
    # and the next sandbox anyone makes removes the abandoned directory
    sweep = "from supporttray.sandbox.ejabberd import EjabberdSandbox\nEjabberdSandbox().stop()\n"
    subprocess.run([sys.executable, "-c", sweep], cwd=REPO_ROOT, check=True, timeout=30)
    assert not directory.exists()


def test_missing_ejabberd_raises_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given an ejabberdctl that does not exist
    sandbox = EjabberdSandbox(tmp_path, ejabberdctl=str(tmp_path / "no-such-ejabberdctl"))
    # when the sandbox starts, then the error says how to install ejabberd
    with pytest.raises(EjabberdMissing, match="sudo apt-get install ejabberd"):
        sandbox.start()
    # and an explicit SUPPORTTRAY_EJABBERDCTL that is missing is not silently replaced
    monkeypatch.setenv("SUPPORTTRAY_EJABBERDCTL", str(tmp_path / "no-such-ejabberdctl"))
    assert find_ejabberd() is None
    with pytest.raises(EjabberdMissing, match="sudo apt-get install ejabberd"):
        EjabberdSandbox(tmp_path).start()


# -- `supporttray sandbox --server ejabberd` -----------------------------------------------------

COMMAND_SCRIPT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from supporttray.cli import main\n"
    "sys.exit(main(['sandbox', '--server', 'ejabberd', *sys.argv[1:]]))\n"
)


def test_sandbox_command_runs_ejabberd_with_the_demo_people_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    # given `supporttray sandbox --server ejabberd --dir DIR` running
    directory = tmp_path / "demo"
    command = subprocess.Popen(
        [sys.executable, "-c", COMMAND_SCRIPT, "--dir", str(directory)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert command.stdout is not None
        printed = []
        for line in command.stdout:
            printed.append(line)
            if "Ctrl-C" in line:
                break
        summary = "".join(printed)
        pid = int((directory / "ejabberd.pid").read_text())
        # when it gets Ctrl-C
        command.send_signal(signal.SIGINT)
        rest, errors = command.communicate(timeout=20)
    finally:
        command.kill()
    # then it exited cleanly and took the server with it
    assert command.returncode == 0, errors
    assert "Traceback" not in errors
    assert "Sandbox stopped." in rest
    assert process_is_gone(pid)
    # and it had said which server, its group chat service and every demo account
    assert "an ejabberd XMPP server" in summary
    assert "Group chat: rooms.localhost" in summary
    for username, password in demo_accounts.ALL:
        assert f"{username}@localhost" in summary
        assert password in summary
    policy = tomllib.loads((directory / "policy.toml").read_text())["enforced"]
    assert f"port {policy['server']['port']}" in summary


def test_sandbox_command_without_ejabberd_prints_the_install_command(tmp_path: Path) -> None:
    # given no usable ejabberd
    env = dict(os.environ, SUPPORTTRAY_EJABBERDCTL=str(tmp_path / "no-such-ejabberdctl"))
    # when `supporttray sandbox --server ejabberd` runs
    result = subprocess.run(
        [sys.executable, "-c", COMMAND_SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    # then it fails with the install command and no traceback
    assert result.returncode == 1
    assert "sudo apt-get install ejabberd" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
