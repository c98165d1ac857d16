"""The lid opens, the Wi-Fi comes back: the app is online again at once, not after its back-off,
and a link from before the sleep is checked rather than trusted.

The desktop says so the way it does on Linux: NetworkManager's State and logind's
PrepareForSleep on the system bus (a private dbus-daemon here, see system_bus.py), heard by the
real `supporttray run` (platform/system_bus_watch.py). The network itself is the
tests' fault-injecting proxy (sandbox/fault_proxy.py): refusing while "the network is gone", and a
silent death for a link that died while the machine slept.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest

from supporttray.core.connection import ConnectionState, NetworkChange
from supporttray.sandbox.fault_proxy import FaultProxy
from supporttray.xmpp import connection as xmpp_connection
from supporttray.xmpp.connection import ServerEndpoint
from tests.system_bus import NM_STATE_CONNECTED_GLOBAL, NM_STATE_DISCONNECTED, SystemBus

from .conftest import XmppServer
from .test_chat_wire import PlainPeer, build_app, online, signed_in
from .test_cli_against_server import Cli, is_online, write_policy
from .test_staff_presence import seconds_until

# Three refused attempts (after 1, 2 and 4 s) leave the app waiting ~8 s (±20%) for the next.
REFUSALS = 3
BACK_AT_ONCE_S = 4.0  # well under the 6.4 s the shortest such wait lasts
# A silent death is noticed by the ping after a wake-up: its deadline, then a fresh link.
AFTER_WAKING_S = xmpp_connection.LINK_CHECK_SECONDS + 8.0


@pytest.mark.asyncio
async def test_the_desktop_saying_network_back_or_woke_brings_the_app_online_at_once(
    xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path,
) -> None:
    proxy = await FaultProxy(xmpp_server.host, xmpp_server.port).start()
    through_proxy = dataclasses.replace(xmpp_server, port=proxy.port)
    requester, staff = xmpp_server.fresh_accounts(2)
    policy = tmp_path / "policy.toml"
    write_policy(policy, through_proxy, [staff.jid])
    endpoint = ServerEndpoint(xmpp_server.domain, xmpp_server.host, proxy.port,
                              ca_file=xmpp_server.ca_file)
    with SystemBus(tmp_path) as bus:
        env = {**subprocess_env, "DBUS_SYSTEM_BUS_ADDRESS": bus.address}
        cli = Cli(env, tmp_path / "profile", policy, requester, staff, endpoint, tmp_path)
        assert (await cli.login(requester.password)).code == 0
        try:
            async with cli.running():
                await cli.status_when(is_online, timeout=20)
                # given the Wi-Fi went away, and the app has tried in vain a few times
                bus.network(NM_STATE_DISCONNECTED)
                proxy.refusing = True
                proxy.reset()
                await seconds_until(lambda: proxy.refused >= REFUSALS, timeout=20)
                status = await cli.status()
                assert status is not None and not is_online(status)

                # when it is back and NetworkManager says so
                proxy.refusing = False
                bus.network(NM_STATE_CONNECTED_GLOBAL)

                # then the app is online within seconds, not after the wait it was in
                _, back_after = await cli.status_when(is_online, timeout=BACK_AT_ONCE_S)

                # and when the machine wakes on a link that died silently in its sleep
                links = proxy.accepted
                proxy.silent_death()
                bus.woke()

                # then the app is on a fresh link within seconds (TCP alone: minutes)
                _, woke_after = await cli.status_when(
                    lambda s: proxy.accepted > links and is_online(s), timeout=AFTER_WAKING_S)
            # and doctor tells IT what the app listens to
            done = await cli("doctor")
        finally:
            await proxy.stop()
        log = (tmp_path / "profile" / "logs" / "supporttray.log").read_text(encoding="utf-8")
        assert "network changes: from networkmanager; wake-ups: from logind" in log
        assert ("OK    network   reconnects at once on network changes: from networkmanager; "
                "wake-ups: from logind") in done.out, done.out
        print(f"\n{xmpp_server.name}: online {back_after:.2f} s after the network was back, "
              f"{woke_after:.2f} s after waking on a dead link")


@pytest.mark.asyncio
async def test_after_waking_a_link_that_still_carries_is_kept_and_nothing_is_lost(
    xmpp_server: XmppServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(xmpp_connection, "LINK_CHECK_SECONDS", 1.5)
    staff_account, colleague_account = xmpp_server.fresh_accounts(2)
    proxy = await FaultProxy(xmpp_server.host, xmpp_server.port).start()
    app = build_app(staff_account, dataclasses.replace(xmpp_server, port=proxy.port),
                    support__mode="staff", support__auto_accept_domains=[xmpp_server.domain])
    colleague = PlainPeer(colleague_account, xmpp_server, "desk")
    caplog.set_level(logging.INFO, logger="supporttray")
    try:
        async with online(app), signed_in((colleague, "")):
            links = proxy.accepted
            # when the machine wakes and the link is fine
            app.service.network_changed(NetworkChange.WOKE)
            await asyncio.sleep(2.5)  # past the check's deadline
            # then the session goes on as it was: no new link, no reconnect
            assert proxy.accepted == links
            assert app.state is ConnectionState.ONLINE
            assert "the link is dead" not in caplog.text
            assert "checking that the link to the server still carries" in caplog.text

            # and when the network changes again, on a link that died meanwhile, what a
            # colleague wrote in between arrives once the app is back
            proxy.silent_death()
            colleague.send(app.jid, "while the lid was closed")
            app.service.network_changed(NetworkChange.CHANGED)
            await seconds_until(lambda: proxy.accepted > links
                                and app.state is ConnectionState.ONLINE, timeout=10)
            await seconds_until(lambda: [m.body for m in app.shown(colleague.jid)]
                                == ["while the lid was closed"], timeout=10)
    finally:
        await proxy.stop()


@pytest.mark.asyncio
async def test_a_refused_password_stays_refused_when_the_network_changes(
    xmpp_server: XmppServer,
) -> None:
    (account,) = xmpp_server.fresh_accounts(1)
    proxy = await FaultProxy(xmpp_server.host, xmpp_server.port).start()
    wrong = dataclasses.replace(account, password=account.password + "-not")
    app = build_app(wrong, dataclasses.replace(xmpp_server, port=proxy.port))
    try:
        await app.service.start()
        await seconds_until(lambda: app.state is ConnectionState.ERROR, timeout=10)
        attempts = proxy.accepted
        # when the network changes
        app.service.network_changed(NetworkChange.REACHABLE)
        await asyncio.sleep(1.0)
        # then the app does not try the refused password again (servers lock accounts that
        # fail too often): the sentence stays until the user acts
        assert proxy.accepted == attempts
        assert app.state is ConnectionState.ERROR
    finally:
        await app.service.stop()
        app.history.close()
        await proxy.stop()
