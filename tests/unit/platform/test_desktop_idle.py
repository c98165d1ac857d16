"""Where auto-away gets the idle time, and the sentence doctor prints when it cannot."""

from __future__ import annotations

import pytest

from supporttray.platform.desktop_idle import desktop_idle


def test_a_wayland_session_says_auto_away_is_off_instead_of_pretending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")  # XWayland would only see input to X11 windows
    idle = desktop_idle()
    assert idle.read is None
    assert idle.description == ("this Wayland session gives applications no idle time; "
                                "auto-away is off")


def test_no_display_at_all_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WAYLAND_DISPLAY", "DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    idle = desktop_idle()
    assert idle.read is None
    assert idle.description == "no X11 display (DISPLAY is unset); auto-away is off"
