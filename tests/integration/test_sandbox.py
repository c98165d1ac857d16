"""The sandbox Prosody behaves like the server SupportTray expects, and never outlives its owner."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import tomllib
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import slixmpp
from slixmpp import JID

from supporttray.sandbox import demo_accounts
from supporttray.sandbox.ejabberd import EjabberdMissing, EjabberdSandbox
from supporttray.sandbox.prosody import (
    Account,
    ProsodyMissing,
    ProsodySandbox,
)
from supporttray.sandbox.server import SandboxServer, ServerMissing

from .conftest import XmppServer

SandboxFactory = Callable[..., ProsodySandbox]
REPO_ROOT = Path(__file__).resolve().parents[2]
UPLOAD_NS = "urn:xmpp:http:upload:0"
T = TypeVar("T")


class LoginFailed(Exception):
    pass


def settle(future: asyncio.Future[T], value: T) -> None:
    """Resolve `future` once; later events (a second message, a reconnect) are ignored."""
    if not future.done():
        future.set_result(value)


async def connect(
    account: Account,
    host: str,
    port: int,
    *,
    trust: Path | None,
    plugins: Iterable[str] = (),
) -> slixmpp.ClientXMPP:
    """A client with a session (STARTTLS, certificate verified against `trust` + system)."""
    client = slixmpp.ClientXMPP(account.jid, account.password)
    client.enable_direct_tls = False  # the sandbox offers STARTTLS only, like most servers
    client.enable_plaintext = False
    if trust is not None:
        client.ca_certs = trust
    for plugin in plugins:
        client.register_plugin(plugin)
    session: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def fail(reason: str) -> None:
        if not session.done():
            session.set_exception(LoginFailed(reason))

    client.add_event_handler("session_start", lambda _: settle(session, None))
    client.add_event_handler("ssl_invalid_chain", lambda e: fail(f"certificate not trusted: {e}"))
    client.add_event_handler("failed_all_auth", lambda _: fail("authentication failed"))
    client.add_event_handler("connection_failed", lambda e: fail(f"connection failed: {e}"))
    # A failed TLS handshake closes the transport before slixmpp reports why: give the
    # specific reason a moment to arrive before settling for the generic one.
    client.add_event_handler(
        "disconnected",
        lambda _: asyncio.get_running_loop().call_later(
            0.2, fail, "disconnected before the session"
        ),
    )
    client.connect(host, port)
    try:
        await asyncio.wait_for(session, 10)
    except BaseException:
        await disconnect(client)
        raise
    return client


async def disconnect(client: slixmpp.ClientXMPP) -> None:
    gone = client.disconnected
    await client.disconnect(wait=1.0)
    await asyncio.wait_for(gone, 5)


def process_is_gone(pid: int) -> bool:
    """No such process, or only a zombie left for a container init that never reaps."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_until(condition: Callable[[], bool], timeout: float = 6.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- logging in and talking ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_client_logs_in_over_verified_starttls_and_its_message_arrives(
    xmpp_server: XmppServer,
) -> None:
    # given two accounts, both online with a verified TLS session
    sender_account, receiver_account = xmpp_server.fresh_accounts(2)
    server = (xmpp_server.host, xmpp_server.port)
    receiver = await connect(receiver_account, *server, trust=xmpp_server.ca_file)
    sender = await connect(sender_account, *server, trust=xmpp_server.ca_file)
    try:
        received: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        receiver.add_event_handler("message", lambda msg: settle(received, str(msg["body"])))
        receiver.send_presence()
        sender.send_presence()
        # when one sends a chat message to the other's bare JID
        sender.send_message(mto=JID(receiver_account.jid), mbody="printer on fire", mtype="chat")
        # then it arrives
        assert await asyncio.wait_for(received, 5) == "printer on fire"
        assert sender.is_connected() and receiver.is_connected()
    finally:
        await disconnect(sender)
        await disconnect(receiver)


@pytest.mark.asyncio
async def test_client_that_does_not_trust_the_sandbox_ca_is_refused(
    prosody_sandbox: ProsodySandbox,
) -> None:
    # given an account on the sandbox, and a client that trusts only the system CAs
    (account,) = [prosody_sandbox.add_account(f"untrusting-{secrets.token_hex(3)}", "pw")]
    # when it connects, then TLS verification refuses the sandbox's self-made certificate
    with pytest.raises(LoginFailed, match="certificate not trusted"):
        await connect(account, prosody_sandbox.host, prosody_sandbox.c2s_port, trust=None)


@pytest.mark.asyncio
async def test_account_added_while_the_server_runs_can_log_in(
    prosody_sandbox: ProsodySandbox,
) -> None:
    # given a running server that was asked about an account before it existed
    late = Account(jid=f"late-{secrets.token_hex(3)}@{prosody_sandbox.domain}", password="pw-1")
    server = (prosody_sandbox.host, prosody_sandbox.c2s_port)
    with pytest.raises(LoginFailed, match="authentication failed"):
        await connect(late, *server, trust=prosody_sandbox.ca_file)
    # when the account is added
    added = prosody_sandbox.add_account(late.username, late.password)
    # then it logs in (Prosody did not cache the miss)
    client = await connect(added, *server, trust=prosody_sandbox.ca_file)
    await disconnect(client)
    assert added == late
    assert prosody_sandbox.account(late.username) == late


@pytest.mark.asyncio
async def test_password_with_quotes_backslashes_and_accents_logs_in(
    prosody_sandbox: ProsodySandbox,
) -> None:
    # given an account whose password would break a naively written Lua data file
    password = 'pa"ss\\wörd]];--'
    account = prosody_sandbox.add_account(f"quirky-{secrets.token_hex(3)}", password)
    # when it logs in, then it gets a session
    client = await connect(
        account, prosody_sandbox.host, prosody_sandbox.c2s_port, trust=prosody_sandbox.ca_file
    )
    await disconnect(client)


@pytest.mark.asyncio
async def test_shared_group_members_appear_in_every_users_roster_under_the_group(
    sandbox_factory: SandboxFactory,
) -> None:
    # given a server whose public group "Support" holds two staff members
    sandbox = sandbox_factory(
        accounts=[("alice", "a-pw"), ("bob", "b-pw"), ("user", "u-pw")],
        groups={"Support": ["alice", "bob"]},
    )
    # when a user outside the group fetches their roster
    client = await connect(
        sandbox.account("user"), sandbox.host, sandbox.c2s_port, trust=sandbox.ca_file
    )
    try:
        await client.get_roster()
        roster = client.client_roster
        # then both members are there, filed under the group
        members = {jid: roster[jid]["groups"] for jid in roster if jid != client.boundjid.bare}
    finally:
        await disconnect(client)
    assert members == {"alice@localhost": ["Support"], "bob@localhost": ["Support"]}


@pytest.mark.asyncio
async def test_group_chat_and_upload_services_answer_disco(
    each_sandbox: SandboxServer,
) -> None:
    # given a logged-in client
    account = each_sandbox.add_account(f"disco-{secrets.token_hex(3)}", "pw")
    client = await connect(
        account,
        each_sandbox.host,
        each_sandbox.c2s_port,
        trust=each_sandbox.ca_file,
        plugins=["xep_0030"],
    )
    try:
        # when it asks both components what they are
        disco = client.plugin["xep_0030"]
        muc = await disco.get_info(jid=JID(each_sandbox.muc_domain), timeout=5)
        upload = await disco.get_info(jid=JID(each_sandbox.upload_domain), timeout=5)
    finally:
        await disconnect(client)
    # then the MUC is a text conference with an archive, and upload speaks XEP-0363
    muc_info = muc["disco_info"]
    assert ("conference", "text") in {(i[0], i[1]) for i in muc_info["identities"]}
    assert "urn:xmpp:mam:2" in muc_info["features"]
    assert "urn:xmpp:http:upload:0" in upload["disco_info"]["features"]


@pytest.mark.asyncio
async def test_upload_slot_points_at_loopback_and_the_file_can_be_put_and_fetched(
    each_sandbox: SandboxServer,
) -> None:
    # given a logged-in client
    account = each_sandbox.add_account(f"upload-{secrets.token_hex(3)}", "pw")
    client = await connect(
        account, each_sandbox.host, each_sandbox.c2s_port, trust=each_sandbox.ca_file
    )
    data = b"screenshot bytes"
    try:
        # when it asks for an upload slot (by hand: slixmpp's xep_0363 plugin needs aiohttp)
        iq = client.make_iq_get(ito=each_sandbox.upload_domain)
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
    put_element = slot.find(f"{{{UPLOAD_NS}}}put")
    assert put_element is not None
    put_url = put_element.get("url", "")
    # The slot carries the headers the PUT must send (Prosody: an Authorization token).
    put_headers = {h.get("name", ""): h.text or "" for h in put_element}
    get_element = slot.find(f"{{{UPLOAD_NS}}}get")
    assert get_element is not None
    get_url = get_element.get("url", "")
    # then the URLs are reachable on loopback, and what is put can be fetched
    assert put_url.startswith(f"https://127.0.0.1:{each_sandbox.http_port}/")
    # over TLS that the sandbox's CA vouches for, as XMPP is
    tls = ssl.create_default_context(cafile=str(each_sandbox.ca_file))
    put = urllib.request.Request(
        put_url,
        data=data,
        method="PUT",
        headers={**put_headers, "Content-Type": "image/png"},
    )
    put.add_header("Content-Length", str(len(data)))
    loop = asyncio.get_running_loop()
    put_status = await loop.run_in_executor(
        None, lambda: urllib.request.urlopen(put, timeout=5, context=tls).status
    )
    fetched = await loop.run_in_executor(
        None, lambda: urllib.request.urlopen(get_url, timeout=5, context=tls).read()
    )
    assert put_status == 201
    assert fetched == data


@pytest.mark.asyncio
async def test_dotted_domain_accounts_are_stored_where_prosody_looks(
    sandbox_factory: SandboxFactory,
) -> None:
    # given a sandbox for a domain with dots (Prosody stores it as support%2eexample)
    sandbox = sandbox_factory(domain="support.example", accounts=[("alice", "a-pw")])
    # when alice logs in, then she gets a session, with TLS verified for that domain
    client = await connect(
        sandbox.account("alice"), sandbox.host, sandbox.c2s_port, trust=sandbox.ca_file
    )
    await disconnect(client)
    assert (sandbox.directory / "data" / "support%2eexample" / "accounts" / "alice.dat").is_file()
    assert sandbox.muc_domain == "conference.support.example"


# -- lifetime ------------------------------------------------------------------------------------


def test_ten_accounts_are_ready_well_within_two_seconds(sandbox_factory: SandboxFactory) -> None:
    # given ten accounts, when the sandbox starts
    began = time.monotonic()
    sandbox = sandbox_factory(accounts=[(f"p{i}", f"pw{i}") for i in range(10)])
    elapsed = time.monotonic() - began
    # then it answers quickly (accounts are files, not a prosodyctl run each)
    assert sandbox.running
    assert len(sandbox.accounts) == 10
    assert elapsed < 2.0, f"start took {elapsed:.2f} s"


@dataclass(frozen=True)
class Server:
    """What the lifetime and command tests need to know of each sandbox server."""

    name: str  # `--server`, the pid file's name, the test id
    kind: type[SandboxServer]
    override: str  # the variable that names its program
    missing: type[ServerMissing]

    @property
    def script_import(self) -> str:
        return f"from {self.kind.__module__} import {self.kind.__name__}\n"


SERVERS = [
    Server("prosody", ProsodySandbox, "SUPPORTTRAY_PROSODY", ProsodyMissing),
    Server("ejabberd", EjabberdSandbox, "SUPPORTTRAY_EJABBERDCTL", EjabberdMissing),
]
each_server = pytest.mark.parametrize("server", SERVERS, ids=[s.name for s in SERVERS])


def processes_in_group(group: int) -> list[int]:
    """Live processes in process group `group`: a server and any helper it started."""
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
    """Erlang's port mapper daemons: one started by a sandbox would outlive it."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                if (entry / "comm").read_text().strip() == "epmd":
                    found.add(int(entry.name))
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


def test_stop_leaves_no_process_epmd_or_port_and_removes_the_temp_directory(
    server_factory: Callable[..., SandboxServer],
) -> None:
    # given a running sandbox (each server in turn) in a temp directory of its own
    epmd_before = epmd_processes()
    sandbox = server_factory(directory=None)
    pid, directory = sandbox.pid, sandbox.directory
    ports = [sandbox.c2s_port, sandbox.http_port]
    assert pid is not None and not process_is_gone(pid)
    # when it is stopped (twice: stop is idempotent)
    sandbox.stop()
    sandbox.stop()
    # then nothing it started runs (the server, its helpers, an epmd), its ports can be listened
    # on again, and the directory is gone
    assert process_is_gone(pid)
    assert wait_until(lambda: processes_in_group(pid) == [], timeout=3), processes_in_group(pid)
    assert epmd_processes() <= epmd_before
    assert not sandbox.running
    assert all(port_is_free(port) for port in ports)
    assert not directory.exists()


@each_server
def test_killing_the_owner_leaves_no_orphan_server_and_its_files_are_swept_later(
    server: Server,
) -> None:
    # given a separate python process that owns a running sandbox in a temp directory
    owner_script = (
        "import time\n"
        f"{server.script_import}"
        f"sandbox = {server.kind.__name__}()\n"
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
        # then the kernel's parent-death signal takes the server (and its helpers) down too
        assert wait_until(lambda: process_is_gone(server_pid)), "the server outlived its owner"
        assert wait_until(lambda: processes_in_group(server_pid) == [], timeout=3)
    finally:
        owner.kill()
        owner.wait()
    # and the next sandbox anyone makes removes the abandoned directory
    sweep = f"{server.script_import}{server.kind.__name__}().stop()\n"
    subprocess.run([sys.executable, "-c", sweep], cwd=REPO_ROOT, check=True, timeout=30)
    assert not directory.exists()


def test_missing_prosody_raises_with_the_install_command(tmp_path: Path) -> None:
    # given a prosody binary that does not exist
    sandbox = ProsodySandbox(tmp_path, prosody_binary=str(tmp_path / "no-such-prosody"))
    # when the sandbox starts, then the error says how to install Prosody
    with pytest.raises(ProsodyMissing, match="sudo apt-get install prosody"):
        sandbox.start()


@each_server
def test_a_missing_program_named_by_its_variable_is_not_replaced_and_says_how_to_install(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given the variable names a program that does not exist
    monkeypatch.setenv(server.override, str(tmp_path / "no-such-program"))
    # when the sandbox starts, then it does not pick another one but says how to install it
    with pytest.raises(server.missing, match=f"sudo apt-get install {server.name}"):
        server.kind(tmp_path).start()


# -- `supporttray sandbox` -----------------------------------------------------------------------

COMMAND_SCRIPT = (
    "import sys\n"
    "from supporttray.cli import main\n"
    "sys.exit(main(['sandbox', *sys.argv[1:]]))\n"
)


@each_server
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_sandbox_command_prints_the_accounts_writes_a_policy_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals, server: Server
) -> None:
    # given `supporttray sandbox --dir DIR --server NAME` running
    directory = tmp_path / "demo"
    command = subprocess.Popen(
        [sys.executable, "-c", COMMAND_SCRIPT, "--dir", str(directory), "--server", server.name],
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
        pid = int((directory / f"{server.name}.pid").read_text())
        # when it gets the stop signal
        command.send_signal(stop_signal)
        rest, errors = command.communicate(timeout=20)
    finally:
        command.kill()
    # then it exited cleanly and took the server with it
    assert command.returncode == 0, errors
    assert "Traceback" not in errors
    assert "Sandbox stopped." in rest
    assert process_is_gone(pid)
    # and it had said which server, printed every demo account with its password, the CA to
    # trust and the group chat service
    assert f"{server.kind.name} XMPP server" in summary
    for username, password in demo_accounts.ALL:
        assert f"{username}@localhost" in summary
        assert password in summary
    assert str(directory / "certs" / "ca.pem") in summary
    muc = "conference.localhost" if server.kind is ProsodySandbox else "rooms.localhost"
    assert f"Group chat: {muc}" in summary
    # and written a policy that points a client at the server
    policy = tomllib.loads((directory / "policy.toml").read_text())["enforced"]
    assert policy["server"]["domain"] == "localhost"
    assert policy["server"]["host"] == "127.0.0.1"
    assert f"port {policy['server']['port']}" in summary
    assert Path(policy["server"]["ca_file"]).is_file()
    assert policy["support"]["staff"] == [
        "alice@localhost", "bob@localhost", "carol@localhost", "dave@localhost",
    ]  # fmt: skip
    assert policy["support"]["group"] == "Support"
    assert policy["support"]["auto_accept_domains"] == ["localhost"]


@each_server
def test_sandbox_command_without_the_server_prints_the_install_command(
    tmp_path: Path, server: Server
) -> None:
    # given no usable server program
    env = dict(os.environ, **{server.override: str(tmp_path / "no-such-program")})
    # when `supporttray sandbox --server NAME` runs
    result = subprocess.run(
        [sys.executable, "-c", COMMAND_SCRIPT, "--server", server.name],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    # then it fails with the install command and no traceback
    assert result.returncode == 1
    assert f"sudo apt-get install {server.name}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
