"""`supporttray history` against a real server (Prosody and ejabberd), as a user or a script runs
it: what arrived while the app was closed is found by a search after it starts, once; an export
writes the conversation owner-only; with `history.enabled = false` no history file is left.

Children import this checkout's package (PYTHONPATH), whatever the virtualenv has installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from supporttray.config.paths import resolve_paths

from .conftest import XmppServer
from .test_chat_wire import PlainPeer, signed_in
from .test_cli_against_server import Cli, is_online
from .test_cli_against_server import cli as cli  # the fixture, shared
from .test_staff_presence import seconds_until

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def history_cli(cli: Cli) -> Cli:
    cli.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO),
                                                          cli.env.get("PYTHONPATH")]))
    return cli


async def search(cli: Cli, *words: str) -> list[dict[str, Any]]:
    done = await cli("history", "--json", "--search", " ".join(words))
    assert done.code == 0, done.err
    found = json.loads(done.out)
    assert isinstance(found, list)
    return found


@pytest.mark.asyncio
async def test_what_arrived_while_closed_is_found_once_and_exported(
    history_cli: Cli, xmpp_server: XmppServer,
) -> None:
    cli = history_cli
    staff = PlainPeer(cli.staff, xmpp_server, "desk")
    assert (await cli.login(cli.requester.password)).code == 0
    # given the app ran once (the account and its archive position are set up), then quit
    async with cli.running():
        await cli.status_when(is_online)

    # and while it was closed, the staff member answered
    async with signed_in((staff, "")):
        staff.send(cli.requester.jid, "The fix: hold the zebra button <b>for</b> 5 seconds")

    # when the app starts again
    async with cli.running():
        await cli.status_when(is_online)
        found: list[dict[str, Any]] = []
        for _ in range(100):  # offline storage delivers it shortly after going online
            found = await search(cli, "zebra", "button")
            if found:
                break
            await asyncio.sleep(0.1)
        # (offline storage and the archive's catch-up both carry it: give the second a moment)
        await asyncio.sleep(1.0)
        found = await search(cli, "zebra", "button")

        # then a search finds it exactly once, with the documented fields
        assert [(m["from"], m["to"], m["direction"]) for m in found] == [
            (cli.staff.jid, cli.requester.jid, "in")]
        assert found[0]["body"] == "The fix: hold the zebra button <b>for</b> 5 seconds"
        assert set(found[0]) >= {"id", "from", "to", "thread", "body", "sent_at", "direction"}

        # and an export writes the conversation, readable only by the user
        done = await cli("history", "--with", cli.staff.jid, "--export", "out.html")
        assert done.code == 0, done.err
    page = cli.workdir / "out.html"
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    text = page.read_text(encoding="utf-8")
    assert "zebra button &lt;b&gt;for&lt;/b&gt; 5 seconds" in text and "<script" not in text

    # and with the app closed, the same search reads the file itself
    assert len(await search(cli, "zebra")) == 1


@pytest.mark.asyncio
async def test_history_enabled_false_leaves_no_history_file(
    history_cli: Cli, xmpp_server: XmppServer,
) -> None:
    cli = history_cli
    with cli.policy.open("a", encoding="utf-8") as policy:
        policy.write("history.enabled = false\n")
    history_db = resolve_paths(str(cli.profile), os.environ).history_db
    staff = PlainPeer(cli.staff, xmpp_server, "desk")
    assert (await cli.login(cli.requester.password)).code == 0
    async with cli.running(), signed_in((staff, "")):
        await cli.status_when(is_online)
        # when messages go both ways
        done = await cli("ask", "--send", "--to", cli.staff.jid, "is the printer fixed?",
                         timeout=40)
        assert done.code == 0, done.err
        await seconds_until(lambda: bool(staff.from_(cli.requester.jid)), timeout=10)
        staff.send(cli.requester.jid, "yes, printer fixed")
        found: list[dict[str, Any]] = []
        for _ in range(100):
            found = await search(cli, "printer")
            if len(found) == 2:
                break
            await asyncio.sleep(0.1)
        # then the running app still shows and searches them (in memory)
        assert sorted(m["direction"] for m in found) == ["in", "out"]
        # and no history file, nor an outbox file, is on disk
        assert not history_db.exists()
        assert not any(history_db.parent.glob("history.sqlite3*"))
        assert not (history_db.parent / "outbox.json").exists()
    assert not any(history_db.parent.glob("history.sqlite3*"))
    done = await cli("history", "--json")
    assert done.code == 1 and "history.enabled is off" in done.err
