"""What doctor says about the on-call hours and where auto-away gets the idle time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.doctor import _idle_finding, _on_call_finding
from tests.helpers import staff_settings
from tests.idle_monitor_service import IdleMonitorService
from tests.notification_service import NotificationService

OFFICE = "Mon-Fri 08:00-18:00"


def test_doctor_says_the_hours_and_whether_they_hold_now() -> None:
    # "now" in the machine's local time, which is what doctor reads the hours in
    tuesday_10 = datetime(2026, 3, 3, 10, 0).astimezone()
    saturday = datetime(2026, 3, 7, 12, 0).astimezone()
    assert str(_on_call_finding(staff_settings(OFFICE), tuesday_10).sentence) == (
        "Mon-Fri 08:00-18:00 (on call now, until 18:00)")
    assert str(_on_call_finding(staff_settings(OFFICE), saturday).sentence) == (
        "Mon-Fri 08:00-18:00 (off duty now, on call from Mon 08:00)")
    off = _on_call_finding(Settings(Policy.empty()))
    assert (off.level, off.topic, str(off.sentence)) == ("OK", "on-call", "off")
    bad = _on_call_finding(staff_settings("Mon-Fri"))
    assert bad.level == "FAIL" and str(bad.sentence).startswith("presence.on_call_hours (machine")


def test_doctor_names_the_idle_source_of_a_gnome_wayland_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    settings = staff_settings("")
    with NotificationService(tmp_path, serve=False) as bus:  # a private session bus
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        missing = _idle_finding(settings)
        assert (missing.level, missing.topic) == ("WARN", "idle")
        assert str(missing.sentence).startswith("GNOME's idle monitor did not answer: ")
        with IdleMonitorService(bus.address, desktop="gnome"):
            found = _idle_finding(settings)
    assert (found.level, found.topic) == ("OK", "idle")
    assert str(found.sentence).endswith("(idle time from the GNOME idle monitor "
                                        "(org.gnome.Mutter.IdleMonitor); staff mode only)")
