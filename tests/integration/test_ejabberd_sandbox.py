"""The sandbox ejabberd serves what SupportTray expects and takes accounts fast (how it starts and
stops, with Prosody: test_sandbox.py)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import slixmpp
from slixmpp import JID

from supporttray.sandbox.ejabberd import EjabberdMissing, EjabberdSandbox, find_ejabberd
from supporttray.sandbox.server import Account, SandboxServer

from .test_sandbox import (
    LoginFailed,
    connect,
    disconnect,
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
async def test_the_muc_service_is_rooms_of_the_domain_and_found_by_discovery(
    ejabberd_sandbox: EjabberdSandbox,
) -> None:
    # when a client looks for group chat by service discovery
    found = await conference_services(ejabberd_sandbox)
    # then the one service is rooms.<domain> (not the conference.<domain> clients might guess)
    assert found == [f"rooms.{ejabberd_sandbox.domain}"] == [ejabberd_sandbox.muc_domain]


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


# -- when it cannot run -------------------------------------------------------------------------


def test_missing_ejabberd_raises_with_the_install_command(tmp_path: Path) -> None:
    # given an ejabberdctl that does not exist
    sandbox = EjabberdSandbox(tmp_path, ejabberdctl=str(tmp_path / "no-such-ejabberdctl"))
    # when the sandbox starts, then the error says how to install ejabberd
    with pytest.raises(EjabberdMissing, match="sudo apt-get install ejabberd"):
        sandbox.start()
    assert find_ejabberd(str(tmp_path / "no-such-ejabberdctl")) is None
