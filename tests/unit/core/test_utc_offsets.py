"""UTC offsets as text, for people and for the entity-time wire format."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from supporttray.core.utc_offsets import offset_text, utc_offset_of, utc_offset_text


def test_utc_offsets_have_a_sign_hours_and_minutes() -> None:
    assert utc_offset_text(3600) == "UTC+01:00"
    assert utc_offset_text(-(3 * 3600 + 30 * 60)) == "UTC-03:30"
    assert utc_offset_text(0) == "UTC+00:00"


def test_wire_offsets_are_the_same_text_without_the_utc() -> None:
    assert offset_text(5.5 * 3600) == "+05:30"
    assert offset_text(-(45 * 60)) == "-00:45"


def test_a_moment_gives_the_offset_it_carries() -> None:
    assert utc_offset_of(datetime(2026, 1, 1, tzinfo=timezone(-timedelta(hours=6)))) == "UTC-06:00"
    assert utc_offset_of(datetime(2026, 1, 1)) == "UTC+00:00"
