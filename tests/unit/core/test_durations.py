"""Durations in words: the tray's idle and waiting times, and system-info values."""

from __future__ import annotations

import pytest

from supporttray.core.durations import compact_duration, duration_text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-5, ""), (0, ""), (59, ""), (60, "1 min"), (3599, "59 min"), (3600, "1 h"),
     (2 * 3600 + 5 * 60, "2 h 5 min"), (86400, "1 day"), (3 * 86400 + 7200, "3 days")],
)
def test_tray_durations_say_minutes_hours_or_days(seconds: int, text: str) -> None:
    assert duration_text(seconds) == text


def test_durations_read_in_the_two_largest_units() -> None:
    assert compact_duration(3 * 86400 + 4 * 3600 + 59) == "3 d 4 h"
    assert compact_duration(4 * 3600 + 12 * 60) == "4 h 12 min"
    assert compact_duration(12 * 60 + 30) == "12 min"
    assert compact_duration(20) == "< 1 min"
