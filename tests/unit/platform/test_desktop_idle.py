"""Where auto-away gets the idle time, and the sentence doctor prints when it cannot."""

from __future__ import annotations

import sys

import pytest

from supporttray.platform.desktop_idle import desktop_idle
from supporttray.platform.desktop_idle_dbus import seconds_from_milliseconds
from supporttray.platform.desktop_idle_macos import seconds_from_nanoseconds


def test_a_wayland_desktop_without_an_idle_service_says_auto_away_is_off() -> None:
    # XWayland's DISPLAY would only see input to X11 windows: it is not taken instead.
    idle = desktop_idle(environ={"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0",
                                 "XDG_CURRENT_DESKTOP": "sway"})
    assert idle.read is None
    assert idle.description == ("this Wayland desktop (sway) offers no idle time an application "
                                "can read (only GNOME and KDE do); auto-away is off")


def test_gnome_on_wayland_without_a_session_bus_says_why() -> None:
    idle = desktop_idle(environ={"XDG_SESSION_TYPE": "wayland",
                                 "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"})
    assert idle.read is None
    assert idle.description == (
        "GNOME's idle monitor did not answer: there is no session D-Bus "
        "(DBUS_SESSION_BUS_ADDRESS is unset); auto-away is off")


def test_no_display_at_all_says_so() -> None:
    idle = desktop_idle(environ={})
    assert idle.read is None
    assert idle.description == "no X11 display (DISPLAY is unset); auto-away is off"


@pytest.mark.skipif(sys.platform == "darwin", reason="on a Mac IOKit is there to be read")
def test_macos_is_read_from_iokit_and_says_so_where_it_is_missing() -> None:
    idle = desktop_idle(platform="darwin", environ={"DISPLAY": ":0"})
    assert idle.read is None
    assert idle.description == ("macOS idle time could not be read (the IOKit framework was "
                                "not found); auto-away is off")


def test_mutter_and_kde_milliseconds_become_seconds() -> None:
    assert seconds_from_milliseconds((90_500,)) == 90.5
    assert seconds_from_milliseconds((0,)) == 0.0
    for odd in ((-1,), ("90",), (True,), (1, 2), (), 5):
        assert seconds_from_milliseconds(odd) is None


def test_iokit_nanoseconds_become_seconds_as_number_or_as_data() -> None:
    assert seconds_from_nanoseconds(301_000_000_000) == 301.0
    as_data = (2_500_000_000).to_bytes(8, sys.byteorder)  # older macOS: CFData
    assert seconds_from_nanoseconds(as_data) == 2.5
    assert seconds_from_nanoseconds(b"\x00" * 4) is None
    assert seconds_from_nanoseconds(-1) is None
