"""The words for presence, without Qt."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.presence import Availability, StaffMember, SupportSummary
from supporttray.ui.presence_text import (
    idle_text,
    local_time_text,
    menu_text,
    staff_line,
    staff_row,
    tray_tooltip,
)
from tests.helpers import T0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0, ""),
        (59, ""),
        (60, "idle 1 min"),
        (12 * 60 + 30, "idle 12 min"),
        (3600, "idle 1 h"),
        (2 * 3600 + 5 * 60, "idle 2 h 5 min"),
        (86400, "idle 1 day"),
        (3 * 86400 + 7200, "idle 3 days"),
    ],
)
def test_idle_text_rounds_down_to_the_coarsest_useful_unit(seconds: int | None, text: str) -> None:
    assert idle_text(seconds) == text


def test_local_time_is_their_wall_clock_in_24_hours() -> None:
    theirs = T0.astimezone(timezone(timedelta(hours=2, minutes=5)))
    assert local_time_text(theirs) == "14:05 local"
    assert local_time_text(None) == ""


def test_staff_line_names_availability_status_idle_and_local_time() -> None:
    member = StaffMember(
        jid="alice@example.org",
        name="Alice",
        availability=Availability.AVAILABLE,
        status="In the office",
        idle_since=T0 - timedelta(minutes=12),
        utc_offset=timedelta(hours=2),
    )
    assert staff_line(member, T0) == (
        "Alice — Available · “In the office” · idle 12 min · 14:00 local"
    )


def test_staff_row_leaves_out_what_is_unknown() -> None:
    member = StaffMember(jid="carol@example.org", name="Carol")
    row = staff_row(member, T0)
    assert row.line() == "Carol — Offline"
    assert row.details() == "Offline"


def test_tooltip_gives_the_summary_then_the_connection_problem_then_unread() -> None:
    summary = SupportSummary(Availability.AVAILABLE, available=2, away=1, busy=0, total=3)
    online = ConnectionStatus(ConnectionState.ONLINE)
    assert tray_tooltip("SupportTray", summary, online) == (
        "SupportTray — 2 of 3 support staff available"
    )
    failed = ConnectionStatus(ConnectionState.ERROR, "The server could not be reached.")
    assert tray_tooltip("SupportTray", summary, failed, unread=2) == (
        "SupportTray — 2 of 3 support staff available\n"
        "The server could not be reached.\n"
        "2 unread messages"
    )


def test_menu_text_keeps_an_ampersand_literal() -> None:
    assert menu_text("R&D desk") == "R&&D desk"
