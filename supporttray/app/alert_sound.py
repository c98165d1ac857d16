"""A short "someone needs help" sound for staff (`staff.sound`), with what the platform has.

No audio library: Windows has MessageBeep, macOS afplay, a Linux desktop libcanberra's
`canberra-gtk-play` or PulseAudio/PipeWire's player with the freedesktop sound theme. Where
none is found, the caller's fallback (the desktop's bell) is used. Players run on a worker
thread, so a slow audio server never stalls the tray.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("supporttray.app")

THEME_SOUND = Path("/usr/share/sounds/freedesktop/stereo/message-new-instant.oga")
MAC_SOUND = Path("/System/Library/Sounds/Glass.aiff")
# A burst (offline messages at login, several colleagues posting at once) is one sound.
MIN_INTERVAL_SECONDS = 3.0


def player_command(which: Callable[[str], str | None] = shutil.which,
                   exists: Callable[[Path], bool] = Path.exists,
                   platform: str = sys.platform) -> list[str] | None:
    """The command that plays the alert here, or None (Windows needs none; see AlertSound)."""
    if platform == "darwin":
        return ["afplay", str(MAC_SOUND)] if which("afplay") and exists(MAC_SOUND) else None
    if platform.startswith("win"):
        return None
    if which("canberra-gtk-play"):
        return ["canberra-gtk-play", "--id", "message-new-instant",
                "--description", "SupportTray: new request"]
    for player in ("pw-play", "paplay"):
        if which(player) and exists(THEME_SOUND):
            return [player, str(THEME_SOUND)]
    return None


class AlertSound:
    def __init__(self, fallback: Callable[[], None], *,
                 command: list[str] | bool | None = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fallback = fallback
        self._command = player_command() if command is True else (command or None)
        self._clock = clock
        self._last = -MIN_INTERVAL_SECONDS
        self.played = 0

    def play(self) -> None:
        now = self._clock()
        if now - self._last < MIN_INTERVAL_SECONDS:
            return
        self._last = now
        self.played += 1
        if sys.platform.startswith("win"):
            import winsound

            winsound.MessageBeep(winsound.MB_ICONASTERISK)
            return
        if self._command is None:
            self._fallback()
            return
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, _run, self._command)


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("could not play the alert sound: %s", exc)
