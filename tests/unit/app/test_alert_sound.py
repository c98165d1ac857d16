"""The staff alert sound: which player on which platform, at most one sound per burst."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from supporttray.app import alert_sound
from supporttray.app.alert_sound import MAC_SOUND, THEME_SOUND, AlertSound, player_command


@pytest.mark.parametrize(("platform", "tools", "files", "expected"), [
    ("linux", {"canberra-gtk-play", "paplay"}, {THEME_SOUND}, "canberra-gtk-play"),
    ("linux", {"paplay"}, {THEME_SOUND}, "paplay"),
    ("linux", {"pw-play", "paplay"}, {THEME_SOUND}, "pw-play"),
    ("linux", {"paplay"}, set(), None),  # no sound theme installed: the bell instead
    ("linux", set(), {THEME_SOUND}, None),
    ("darwin", {"afplay"}, {MAC_SOUND}, "afplay"),
    ("win32", set(), set(), None),
])
def test_the_player_for_each_platform(platform: str, tools: set[str], files: set[Path],
                                      expected: str | None) -> None:
    command = player_command(which=lambda name: f"/usr/bin/{name}" if name in tools else None,
                             exists=lambda path: path in files, platform=platform)
    assert (command[0] if command else None) == expected


def test_a_burst_is_one_sound_and_no_player_means_the_bell() -> None:
    now = [100.0]
    bells: list[str] = []
    sound = AlertSound(lambda: bells.append("bell"), command=None, clock=lambda: now[0])
    sound.play()
    now[0] += 1.0
    sound.play()  # within the burst: nothing
    now[0] += alert_sound.MIN_INTERVAL_SECONDS
    sound.play()
    assert bells == ["bell", "bell"] and sound.played == 2


def test_a_player_runs_off_the_loop_and_a_missing_one_is_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> None:
        sound = AlertSound(lambda: None, command=["/nonexistent/player", "x"])
        sound.play()
        await asyncio.sleep(0.2)

    with caplog.at_level("INFO"):
        asyncio.run(main())
    assert "could not play the alert sound" in caplog.text
