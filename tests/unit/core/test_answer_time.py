"""How soon support usually answers, from the first replies to recent requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supporttray.core.answer_time import (
    back_sentence,
    expectation,
    support_back_at,
    usual_first_reply,
)
from supporttray.core.presence import Availability, StaffMember
from supporttray.language import catalogue

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def asked(days_ago: float, minutes: float) -> tuple[datetime, timedelta]:
    return NOW - timedelta(days=days_ago), timedelta(minutes=minutes)


def test_the_median_of_recent_first_replies_is_the_usual_wait() -> None:
    waits = [asked(1, 2), asked(2, 4), asked(3, 30)]
    assert usual_first_reply(waits, NOW) == timedelta(minutes=4)


def test_two_requests_say_nothing_of_usually() -> None:
    assert usual_first_reply([asked(1, 2), asked(2, 4)], NOW) is None


def test_old_requests_do_not_count() -> None:
    assert usual_first_reply([asked(1, 2), asked(2, 4), asked(200, 1)], NOW) is None


def test_the_sentence_rounds_up_to_whole_minutes_or_hours() -> None:
    assert str(expectation(timedelta(minutes=4, seconds=10))) == (
        "Usually answered within 5 minutes")
    assert str(expectation(timedelta(seconds=5))) == "Usually answered within a minute"
    assert str(expectation(timedelta(hours=3, minutes=1))) == "Usually answered within 4 hours"


# -- when nobody is on call ----------------------------------------------------------------------

MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday
FRIDAY_EVENING = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


def staff(availability: Availability, back_at: datetime | None = None) -> StaffMember:
    return StaffMember("a@example.org", "A", availability, back_at=back_at)


def test_support_is_back_when_the_soonest_off_duty_member_is_on_call_again() -> None:
    later = MONDAY_8 + timedelta(hours=1)
    members = [staff(Availability.AWAY, later), staff(Availability.OFFLINE, MONDAY_8),
               staff(Availability.OFFLINE)]
    assert support_back_at(members, FRIDAY_EVENING) == MONDAY_8


def test_no_back_time_while_someone_is_available_or_once_it_has_passed() -> None:
    assert support_back_at([staff(Availability.AVAILABLE), staff(Availability.AWAY, MONDAY_8)],
                           FRIDAY_EVENING) is None
    assert support_back_at([staff(Availability.AWAY, MONDAY_8)], MONDAY_8) is None


def test_the_sentence_says_today_tomorrow_a_weekday_or_the_date() -> None:
    assert str(back_sentence(MONDAY_8, FRIDAY_EVENING)) == "Support is back Monday at 08:00"
    assert str(back_sentence(MONDAY_8, MONDAY_8 - timedelta(hours=3))) == (
        "Support is back today at 08:00")
    assert str(back_sentence(MONDAY_8, MONDAY_8 - timedelta(hours=12))) == (
        "Support is back tomorrow at 08:00")
    assert str(back_sentence(MONDAY_8 + timedelta(days=9), MONDAY_8)) == (
        "Support is back on 2026-12-16 at 08:00")


def test_the_sentence_is_german_in_a_german_ui() -> None:
    catalogue.install("de")
    try:
        assert back_sentence(MONDAY_8, FRIDAY_EVENING).translated() == (
            "Der Support ist Montag um 08:00 wieder da")
    finally:
        catalogue.install("en")
