"""How soon support usually answers, from the first replies to recent requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supporttray.core.answer_time import expectation, usual_first_reply

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
