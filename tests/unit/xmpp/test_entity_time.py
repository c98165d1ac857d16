"""Entity time (XEP-0202) offsets on the wire: read leniently, written so they read back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supporttray.xmpp.entity_time import format_tzo, parse_tzo


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Z", timedelta(0)), ("+05:30", timedelta(hours=5, minutes=30)),
     ("-05:00", timedelta(hours=-5)), ("+00:00", timedelta(0))],
)
def test_entity_time_offsets_are_read(text: str, expected: timedelta) -> None:
    assert parse_tzo(text) == expected


@pytest.mark.parametrize("text", ["", "5", "+5:30", "+25:00", "+05:75", "<b>", None, "+05:30x"])
def test_malformed_entity_time_offsets_give_none_not_an_exception(text: str | None) -> None:
    assert parse_tzo(text) is None


@given(st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_entity_time_offsets_round_trip(minutes: int) -> None:
    offset = timedelta(minutes=minutes)
    assert parse_tzo(format_tzo(offset)) == offset
