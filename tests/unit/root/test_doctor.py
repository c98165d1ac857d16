"""What doctor says about the on-call hours."""

from __future__ import annotations

from datetime import datetime

from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.doctor import _on_call_finding
from tests.helpers import staff_settings

OFFICE = "Mon-Fri 08:00-18:00"


def test_doctor_says_the_hours_and_whether_they_hold_now() -> None:
    # "now" in the machine's local time, which is what doctor reads the hours in
    tuesday_10 = datetime(2026, 3, 3, 10, 0).astimezone()
    saturday = datetime(2026, 3, 7, 12, 0).astimezone()
    assert _on_call_finding(staff_settings(OFFICE), tuesday_10).sentence == (
        "Mon-Fri 08:00-18:00 (on call now, until 18:00)")
    assert _on_call_finding(staff_settings(OFFICE), saturday).sentence == (
        "Mon-Fri 08:00-18:00 (off duty now, on call from Mon 08:00)")
    off = _on_call_finding(Settings(Policy.empty()))
    assert (off.level, off.topic, off.sentence) == ("OK", "on-call", "off")
    bad = _on_call_finding(staff_settings("Mon-Fri"))
    assert bad.level == "FAIL" and bad.sentence.startswith("presence.on_call_hours (machine")
