"""Idle time from GNOME's and KDE's services over a real (private) session D-Bus."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from supporttray.platform.desktop_idle import desktop_idle
from supporttray.platform.desktop_idle_dbus import CALL_TIMEOUT_S, MUTTER, DBusIdleReader
from tests.idle_monitor_service import IdleMonitorService
from tests.notification_service import NotificationService


@pytest.fixture
def bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private session bus the app finds as its own (never the machine's)."""
    with NotificationService(tmp_path, serve=False) as daemon:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.address)
        yield daemon.address


def wayland(desktop: str) -> dict[str, str]:
    return {"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": desktop}


def test_gnome_on_wayland_reads_mutters_idle_monitor(bus: str) -> None:
    with IdleMonitorService(bus, desktop="gnome") as gnome:
        gnome.idle_ms = 301_250
        idle = desktop_idle(environ=wayland("ubuntu:GNOME"))
        assert idle.description == "GNOME idle monitor (org.gnome.Mutter.IdleMonitor)"
        assert idle.read is not None
        assert idle.read() == 301.25
        gnome.idle_ms = 40
        assert idle.read() == 0.04
        assert gnome.calls[-1] == "/org/gnome/Mutter/IdleMonitor/Core GetIdletime"


def test_kde_reads_the_session_idle_time_where_plasma_gives_it(bus: str) -> None:
    with IdleMonitorService(bus, desktop="kde") as kde:
        kde.idle_ms = 61_000  # KDE answers milliseconds, not the seconds of the old spec
        idle = desktop_idle(environ=wayland("KDE"))
        assert idle.description == "KDE screen locker (org.freedesktop.ScreenSaver)"
        assert idle.read is not None and idle.read() == 61.0


def test_kde_on_wayland_counts_from_when_the_screen_locks(bus: str) -> None:
    with IdleMonitorService(bus, desktop="kde", session_idle=False) as kde:
        idle = desktop_idle(environ=wayland("KDE"))
        assert idle.description == ("KDE screen locker (org.freedesktop.ScreenSaver), "
                                    "counted from when the screen locks")
        assert idle.read is not None and idle.read() == 0.0
        kde.locked_ms = 420_000
        assert idle.read() == 420.0
        assert kde.calls[-1] == "/org/freedesktop/ScreenSaver GetActiveTime"


def test_gnome_without_mutter_on_the_bus_says_why(bus: str) -> None:
    idle = desktop_idle(environ=wayland("GNOME"))
    assert idle.read is None
    assert idle.description == (
        "GNOME's idle monitor did not answer: org.gnome.Mutter.IdleMonitor answered "
        "org.freedesktop.DBus.Error.ServiceUnknown; auto-away is off")


def test_a_hung_idle_monitor_costs_one_short_timeout_then_answers_again(bus: str) -> None:
    with IdleMonitorService(bus, desktop="gnome") as gnome:
        read = DBusIdleReader(MUTTER)
        gnome.answer = False
        started = time.monotonic()
        assert read() is None
        assert time.monotonic() - started < CALL_TIMEOUT_S + 0.2
        assert read.last_error == ("org.gnome.Mutter.IdleMonitor did not answer within "
                                   f"{CALL_TIMEOUT_S} s")
        gnome.answer, gnome.idle_ms = True, 5_000
        assert read() == 5.0
        assert read.last_error == ""
        read.close()
