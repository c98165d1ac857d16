"""`supporttray send --to JID FILE [MESSAGE]` as IT runs it: a child process talking to the
running instance (its own child), the recipient a plain XMPP client that fetches the link."""

from __future__ import annotations

import asyncio
import hashlib
import re
import ssl
import urllib.request
from pathlib import Path

import pytest

from supporttray.core.file_offer import MB
from supporttray.sandbox.server import SandboxServer

from .conftest import XmppServer
from .test_chat_cli import app_online_with_staff, cli  # noqa: F401  (the fixture)
from .test_cli_against_server import Cli

PROGRESS = re.compile(r"^ *\d{1,3}% [\d.]+ [kMG]?B of [\d.]+ [kMG]?B, [\d.]+ [kMG]?B/s, "
                      r"(\d+|\?) s left$")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.asyncio
async def test_send_prints_progress_and_exits_0_when_the_peer_can_fetch_the_file(
    cli: Cli, xmpp_server: XmppServer  # noqa: F811
) -> None:
    build = cli.workdir / "fix-1.2.msi"
    build.write_bytes(bytes(range(256)) * (20 * MB // 256))
    async with app_online_with_staff(cli, xmpp_server) as staff:
        # when IT pushes the build with a line of text
        done = await cli("send", "--to", staff.jid, str(build), "Install", "this", timeout=60)
        # then it printed progress lines up to the whole file, and where it went
        assert done.code == 0, done.err
        lines = done.out.splitlines()
        progress = [line for line in lines if "%" in line]
        assert progress and all(PROGRESS.match(line) for line in progress), lines
        assert progress[-1].startswith("100% 20 MB of 20 MB")
        assert f"Sent fix-1.2.msi (20 MB) to {staff.jid}." in lines
        assert f"SHA-256: {sha256_of(build)}" in lines
        # and the recipient's plain client shows the text and the link, which fetches the file
        (got,) = await staff.has(1)
        text, url = got.body.split("\n")
        assert text == "Install this" and url.startswith("https://")
        context = ssl.create_default_context(cafile=str(xmpp_server.ca_file))
        fetched = await asyncio.get_running_loop().run_in_executor(
            None, lambda: urllib.request.urlopen(url, timeout=30, context=context).read())
        assert fetched == build.read_bytes()


@pytest.mark.asyncio
async def test_send_over_the_servers_limit_exits_1_with_the_limit(
    cli: Cli, xmpp_server: XmppServer  # noqa: F811
) -> None:
    huge = cli.workdir / "disk.img"
    with huge.open("wb") as out:
        out.truncate(SandboxServer.upload_limit_bytes + 1)  # one byte over (sparse)
    async with app_online_with_staff(cli, xmpp_server) as staff:
        done = await cli("send", "--to", staff.jid, str(huge))
        assert done.code == 1, done.out
        assert "The server accepts files up to 2 GB." in done.err
        assert staff.messages == []


@pytest.mark.asyncio
async def test_send_a_file_that_is_not_there_exits_2(cli: Cli) -> None:  # noqa: F811
    done = await cli("send", "--to", cli.staff.jid, str(cli.workdir / "missing.zip"))
    assert done.code == 2
    assert "missing.zip is not a file." in done.err


@pytest.mark.asyncio
async def test_send_with_nothing_running_exits_3(cli: Cli) -> None:  # noqa: F811
    payload = cli.workdir / "notes.txt"
    payload.write_text("hello")
    done = await cli("send", "--to", cli.staff.jid, str(payload))
    assert done.code == 3
    assert "not running" in done.err
