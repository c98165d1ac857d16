"""Issue 11, "never lose a message": 50 questions typed while the server is down, the app quit
(or killed), the server back, the app started again: the staff member gets all 50, once each,
in the order they were typed.

Everything the user does goes through the command line (`supporttray run`, `ask --send`,
`status --json`, as in test_cli_against_server); "quit" is SIGTERM, the path the tray's Quit
takes (there is no `quit` command). The app reaches the server through our fault proxy, which
resets every connection while the server is "down". The staff member is a plain slixmpp client
connected to the server directly, online throughout. The app's own record is read from its
history file once it has quit (../shared/DESIGN.md's `history` command does not exist yet).
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from supporttray.app.chat import NOT_CONNECTED
from supporttray.core.history import HistoryStore
from supporttray.core.history_file import checked_note
from supporttray.core.messages import Delivery, Direction
from supporttray.sandbox.fault_proxy import FaultProxy
from supporttray.xmpp.endpoint import ServerEndpoint

from .conftest import XmppServer
from .test_chat_wire import PlainPeer, form_of
from .test_cli_against_server import Cli, is_online, write_policy
from .test_staff_presence import seconds_until

QUEUED = 50
ARRIVED_WITHIN_S = 20.0  # after the restart, for all of them


def question(number: int) -> str:
    return f"Question {number:02d} of {QUEUED}: the VPN dropped again"


def typed_part(body: str) -> str:
    """A received body without the readable system-info block the first one carries."""
    return body.partition("\n\n")[0]


@pytest.mark.asyncio
@pytest.mark.parametrize("ending", ["quit", "kill -9"])
async def test_questions_queued_while_the_server_is_down_arrive_once_each_after_a_restart(
    ending: str, xmpp_server: XmppServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    requester, staff_account = xmpp_server.fresh_accounts(2)
    proxy = await FaultProxy(xmpp_server.host, xmpp_server.port).start()
    proxy.refusing = True  # the server is down
    policy = tmp_path / "policy.toml"
    write_policy(policy, dataclasses.replace(xmpp_server, port=proxy.port), [staff_account.jid])
    endpoint = ServerEndpoint(xmpp_server.domain, xmpp_server.host, proxy.port,
                              ca_file=xmpp_server.ca_file)
    cli = Cli(subprocess_env, tmp_path / "profile", policy, requester, staff_account, endpoint,
              tmp_path)
    staff = PlainPeer(staff_account, xmpp_server)
    typed = [question(n) for n in range(1, QUEUED + 1)]
    timings: dict[str, float] = {}
    try:
        await staff.sign_in()
        assert (await cli.login(requester.password)).code == 0

        # given the app running while the server is down
        async with cli.running() as app:
            await cli.status_when(lambda s: proxy.refused > 0 and not is_online(s))

            # when the user asks 50 times
            started = time.perf_counter()
            for body in typed:
                done = await cli("ask", "--send", body)
                # then each says it is kept until the connection is back: no error, no traceback
                assert (done.code, done.err) == (0, ""), done
                first_line = done.out.splitlines()[0]
                assert first_line == f"To {staff_account.jid}: queued. {NOT_CONNECTED}", done.out
            timings["50 asks"] = time.perf_counter() - started
            status = await cli.status()
            assert status is not None and not is_online(status)
            assert status["queued"] == QUEUED
            assert staff.messages == []

            # and the app is quit (or killed)
            if ending == "quit":
                app.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(app.wait(), 10) == 0
            else:
                app.send_signal(signal.SIGKILL)
                assert await asyncio.wait_for(app.wait(), 10) == -signal.SIGKILL

        # when the server is back and the app starts again
        proxy.refusing = False
        started = time.perf_counter()
        async with cli.running() as app:
            await staff.has(QUEUED, timeout=ARRIVED_WITHIN_S)
            timings["all arrived"] = time.perf_counter() - started
            # the server has acknowledged every one: nothing waits to go again
            await cli.status_when(lambda s: is_online(s) and s["queued"] == 0, timeout=10)
            # anything still on its way from us arrives before a question asked now
            marker = await cli("ask", "--send", "Anything else?")
            assert marker.code == 0, marker
            await seconds_until(lambda: any(m.body == "Anything else?" for m in staff.messages),
                                timeout=5)
            app.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(app.wait(), 10) == 0
        # and the app quit cleanly: the next start need not read its history whole
        history_file = cli.profile / "data" / "history.sqlite3"
        assert not Path(f"{history_file}-wal").exists()
        assert checked_note(history_file).exists()

        # then the staff member got all 50, each once, in the order typed, then the marker
        got = staff.from_(requester.jid)
        bodies = [typed_part(m.body) for m in got]
        assert bodies == [*typed, "Anything else?"], _difference(bodies, typed)
        # the first still carries the system info it was queued with
        assert form_of(got[0].stanza) is not None
        assert all(form_of(m.stanza) is None for m in got[1:])
        # and one thread: the 50 are one request
        assert len({m.stanza["thread"] for m in got}) == 1

        # and the app's history shows each once, sent (or delivered: receipts came back)
        with HistoryStore(cli.profile / "data" / "history.sqlite3", read_only=True) as history:
            mine = [m for m in history.conversation(staff_account.jid, limit=500)
                    if m.direction is Direction.OUT]
            assert [m.body for m in mine] == [*typed, "Anything else?"]
            assert {m.delivery for m in mine} <= {Delivery.SENT, Delivery.DELIVERED}
            assert history.outbox() == []
    finally:
        await staff.sign_out()
        await proxy.stop()
        print(f"\n{xmpp_server.name}, {ending}: "
              + ", ".join(f"{what} {took:.2f} s" for what, took in timings.items()))


def _difference(got: list[str], typed: list[str]) -> str:
    counts = Counter(got)
    missing = [body for body in typed if body not in counts]
    twice = sorted(body for body, n in counts.items() if n > 1)
    return f"missing {len(missing)}: {missing[:5]}; twice {len(twice)}: {twice[:5]}"
