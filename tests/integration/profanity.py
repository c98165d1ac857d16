"""Profanity, a plain terminal XMPP client, driven through tmux: the staff member who does not
run SupportTray, in integration tests.

One directory holds everything: the socket of a tmux server of its own (never a user's tmux),
Profanity's HOME and XDG directories (config, data, chat logs) and the CA it trusts, so a test
never touches the real home. The test reads what a person would read: the text on the screen.

    async with profanity_running(tmp_path / "profanity", xmpp_server.ca_file) as staff:
        await staff.connect(account, xmpp_server)
        staff.send(f"/msg {requester.jid} On my way")
        await staff.wait_for("On my way")
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from supporttray.sandbox.prosody import Account

from .conftest import XmppServer

# Generous: a loaded 2-core machine runs two apps, Prosody and Profanity at once.
DEADLINE = 15.0
_POLL = 0.05
# Wide and tall, so a question with its system-info block fits one screen without wrapping.
WIDTH, HEIGHT = 200, 60
# A Unix socket's path must fit sun_path (108 bytes, with its NUL).
_SOCKET_PATH_MAX = 107
_DEAD = "pane_dead="

ScreenCondition = Callable[[str], bool]
# The status bar ends with the window numbers, the one in front as "-2-", the others "[1]".
_WINDOW_NUMBERS = re.compile(r"((?:\[\d+\]|-\d+-)+)\s*$")
_WINDOW_LIST = "Active windows:"
_WINDOW_LINE = re.compile(r"^\d\d:\d\d:\d\d - (?P<number>\d+): (?P<title>.*)$", re.M)

# Profanity saves nothing by itself (only /save does), so this file is all it knows.
_PROFRC = """\
[ui]
# No roster or occupants panel: they narrow the message area (more wrapping) and list names
# that a wait for text would find there instead of in a message.
roster=false
occupants=false
splash=false
# Network events are handled between key reads; the default blocking grows to a second when
# idle, which a test would wait out on every message.
inpblock=50
inpblock.dynamic=false

[notifications]
# Desktop notifications need a D-Bus session bus, which a test machine may not have.
message=false
room=false
invite=false
sub=false
"""

# The tmux server's own settings (instead of the user's ~/.tmux.conf).
_TMUX_CONF = """\
# Profanity gets the whole screen; no tmux status line in what we capture.
set -g status off
# A crashed Profanity leaves its last screen to show in the failure message.
set -g remain-on-exit on
"""


@dataclass(frozen=True)
class Window:
    """One line of Profanity's `/wins`: its number and what the line says."""

    number: int
    title: str


class Profanity:
    """One Profanity in a detached tmux session of a fixed size, on a private tmux server."""

    def __init__(self, directory: Path, ca_file: Path | None, *, width: int = WIDTH,
                 height: int = HEIGHT) -> None:
        self.directory = directory
        self.ca_file = ca_file
        self.width = width
        self.height = height
        self.home = directory / "home"
        self.socket = directory / "tmux.sock"
        self.session = "profanity"
        self._reporting = False

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Write Profanity's config and start it (returns before it has drawn anything)."""
        missing = [name for name in ("profanity", "tmux") if shutil.which(name) is None]
        if missing:
            pytest.fail(f"This test drives Profanity in tmux, and {' and '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} not installed. Run "
                        f"scripts/bootstrap, or: sudo apt-get install -y {' '.join(missing)}",
                        pytrace=False)
        if len(os.fsencode(self.socket)) > _SOCKET_PATH_MAX:
            pytest.fail(f"The tmux socket path is too long for a Unix socket: {self.socket}. "
                        "Give pytest a shorter --basetemp.", pytrace=False)
        config = self.home / ".config" / "profanity"
        config.mkdir(parents=True)
        (config / "profrc").write_text(_PROFRC + self._trust_section(), encoding="utf-8")
        (self.directory / "tmux.conf").write_text(_TMUX_CONF, encoding="utf-8")
        self._tmux("-f", str(self.directory / "tmux.conf"), "new-session", "-d",
                   "-s", self.session, "-x", str(self.width), "-y", str(self.height),
                   "profanity")

    def stop(self) -> None:
        """End Profanity and the tmux server (safe to call when either is gone already)."""
        subprocess.run(self._tmux_argv("kill-server"), env=self._env(), capture_output=True,
                       timeout=10, check=False)

    def _trust_section(self) -> str:
        """Trust the test server's CA: libstrophe verifies against a directory of certificates
        named by their subject hash (OpenSSL's CApath), which `openssl rehash` makes."""
        if self.ca_file is None:
            return ""  # a server with a publicly trusted certificate: the system store does
        trusted = self.directory / "trusted-cas"
        trusted.mkdir()
        shutil.copy(self.ca_file, trusted / "test-server-ca.pem")
        subprocess.run(["openssl", "rehash", str(trusted)], capture_output=True, timeout=20,
                       check=True)
        return f"\n[connection]\ntls.certpath={trusted}\n"

    # -- what a person does ---------------------------------------------------------------------
    def send(self, line: str) -> None:
        """Type one line (a message or a /command) and press Enter."""
        # -l: the text as typed, never read as tmux key names ("Enter", "C-c").
        self._tmux("send-keys", "-t", self.session, "-l", line)
        self._tmux("send-keys", "-t", self.session, "Enter")

    async def connect(self, account: Account, server: XmppServer) -> None:
        """Log in as `account`, to the test server's address, with TLS required and verified."""
        self.send(f"/connect {account.jid} server {server.host} port {server.port} tls force")
        await self.wait_for("Enter password:")
        self.send(account.password)
        # The TLS failure is Profanity's prompt to accept the certificate by hand.
        await self.wait_for("logged in successfully",
                            fail_on=("Login failed", "TLS certificate verification failed"))

    async def show(self, window: int | str) -> str:
        """Bring a window to the front (its number, or a JID or room its `/wins` line names)
        and return its screen."""
        number = window if isinstance(window, int) else await self.window_of(window)
        self.send(f"/win {number}")
        return await self.wait_until(lambda s: front_window(s) == number,
                                     f"window {number} in front")

    async def window_of(self, jid: str) -> int:
        """The number of the window `/wins` lists for this chat or room."""
        windows = await self.windows()
        for window in windows:
            if jid in window.title.split():
                return window.number
        raise AssertionError(f"Profanity has no window for {jid}; its windows: {windows}")

    async def windows(self) -> list[Window]:
        """Profanity's open windows as `/wins` lists them (in the console, which this clears
        and leaves in front)."""
        self.send("/win 1")
        self.send("/clear")
        # An earlier list gone, so the one read is this one. (Not "the console is empty":
        # a presence or an invitation may be shown there at any moment.)
        await self.wait_until(lambda s: front_window(s) == 1 and _WINDOW_LIST not in s,
                              "a cleared console")
        self.send("/wins")
        listed = (await self.wait_for(_WINDOW_LIST)).rpartition(_WINDOW_LIST)[2]
        return [Window(int(m["number"]), m["title"].strip())
                for m in _WINDOW_LINE.finditer(listed)]

    async def every_window(self) -> dict[int, str]:
        """Each open window's screen, by number: what someone going through them all sees."""
        return {window.number: await self.show(window.number) for window in await self.windows()}

    # -- what is on the screen ------------------------------------------------------------------
    def screen(self) -> str:
        """The text on the screen now, one line per row, trailing blanks cut."""
        return self._snapshot()[0]

    async def wait_for(self, *texts: str, timeout: float = DEADLINE,
                       fail_on: Sequence[str] = ()) -> str:
        """Wait until every text is on the screen at once; the screen then.

        `fail_on`: texts that mean they will never come (a refused login): fail at once."""
        def condition(screen: str) -> bool:
            refused = next((text for text in fail_on if text in screen), None)
            if refused is not None:
                raise AssertionError(f"Profanity shows {refused!r} while waiting for "
                                     f"{list(texts)}. The screen:\n{readable(screen)}")
            return all(text in screen for text in texts)

        return await self.wait_until(condition, f"{list(texts)}", timeout)

    async def wait_until(self, condition: ScreenCondition, what: str,
                         timeout: float = DEADLINE) -> str:
        """Wait until `condition(screen)` holds; the screen then. A failure shows the screen
        and every other window's, so it says what Profanity showed instead."""
        start = time.monotonic()
        while True:
            screen, ended = self._snapshot()
            if condition(screen):
                return screen
            if ended:
                raise AssertionError(f"Profanity exited ({ended}) while waiting for {what}. "
                                     f"Its last screen:\n{readable(screen)}")
            if time.monotonic() - start > timeout:
                others = await self._other_windows(front_window(screen))
                raise AssertionError(f"Profanity did not show {what} within {timeout:g} s. "
                                     f"The screen:\n{readable(screen)}{others}")
            await asyncio.sleep(_POLL)

    async def _other_windows(self, front: int | None) -> str:
        """For a failure message: the other windows' screens ("" if that fails too, or while
        collecting them already)."""
        if self._reporting:
            return ""
        self._reporting = True
        try:
            screens = await self.every_window()
        except AssertionError:
            return ""
        finally:
            self._reporting = False
        return "".join(f"\n\nWindow {number}:\n{readable(screen)}"
                       for number, screen in screens.items() if number != front)

    def _snapshot(self) -> tuple[str, str]:
        """The screen and, once Profanity has exited, how it ended ("" while it runs)."""
        # One tmux call for both: the screen and the pane's state belong to the same moment.
        out = self._tmux("capture-pane", "-p", "-t", self.session, ";",
                         "display-message", "-p", "-t", self.session,
                         f"{_DEAD}#{{pane_dead}} #{{pane_dead_status}}")
        screen, _, state = out.rstrip("\n").rpartition("\n")
        dead, _, status = state.removeprefix(_DEAD).partition(" ")
        lines = [line.rstrip() for line in screen.splitlines()]
        return "\n".join(lines), f"exit status {status}" if dead == "1" else ""

    # -- tmux -----------------------------------------------------------------------------------
    def _tmux_argv(self, *args: str) -> list[str]:
        return ["tmux", "-S", str(self.socket), *args]

    def _env(self) -> dict[str, str]:
        """The tmux server's environment, which it passes on to Profanity: every home under
        our directory."""
        data = self.home / ".local" / "share"
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(data),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_RUNTIME_DIR": str(self.directory),
            # UTF-8 for tmux and Profanity alike, whatever the caller's locale.
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }

    def _tmux(self, *args: str) -> str:
        """Run one tmux command on our server; its output. A tmux call takes milliseconds, so
        it runs in place rather than as an asyncio subprocess."""
        done = subprocess.run(self._tmux_argv(*args), env=self._env(), capture_output=True,
                              text=True, timeout=10, check=False)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout


@asynccontextmanager
async def profanity_running(directory: Path, ca_file: Path | None) -> AsyncIterator[Profanity]:
    """Profanity started in `directory` and showing its console; ended on the way out."""
    directory.mkdir(parents=True, exist_ok=True)
    client = Profanity(directory, ca_file)
    try:
        client.start()
        await client.wait_for("Type '/help'")
        yield client
    finally:
        client.stop()


def front_window(screen: str) -> int | None:
    """The number of the window in front, from the status bar (the last row)."""
    rows = screen.rstrip("\n").splitlines()
    numbers = _WINDOW_NUMBERS.search(rows[-1]) if rows else None
    front = re.search(r"-(\d+)-", numbers[1]) if numbers else None
    return int(front[1]) if front else None


def readable(screen: str) -> str:
    """A screen for a failure message: without the empty rows between the text and the bars."""
    return "\n".join(row for row in screen.splitlines() if row.strip())
