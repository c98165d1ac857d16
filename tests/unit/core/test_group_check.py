"""A group check's state: who agreed, who objected, who is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supporttray.core.answer_words import Answer
from supporttray.core.group_check import (
    GroupCheck,
    Outcome,
    check_id_of_thread,
    parse_deadline,
    resolve_people,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PEOPLE = ("a@example.org", "b@example.org", "c@example.org")


def check() -> GroupCheck:
    return GroupCheck("c1", "Restart the dev server?", PEOPLE, T0)


def test_all_agreed_only_when_every_person_agreed() -> None:
    given = check()
    given.record("a@example.org/laptop", Answer.AGREED, "yes", T0)
    given.record("b@example.org", Answer.AGREED, "ok", T0)
    assert given.outcome() is Outcome.WAITING
    given.record("c@example.org", Answer.AGREED, "+1", T0)
    assert given.outcome() is Outcome.ALL_AGREED


def test_one_objection_makes_the_check_objected_with_what_they_wrote() -> None:
    given = check()
    given.record("b@example.org", Answer.OBJECTED, "wait, compiling", T0)
    assert given.outcome() is Outcome.OBJECTED
    assert [(p.person, p.text) for p in given.objected()] == [("b@example.org",
                                                                "wait, compiling")]


def test_a_later_answer_replaces_the_earlier_one() -> None:
    given = check()
    given.record("a@example.org", Answer.OBJECTED, "no", T0)
    given.record("a@example.org", Answer.AGREED, "ok now", T0 + timedelta(minutes=1))
    assert given.objected() == [] and given.agreed() == ["a@example.org"]


def test_an_unclear_reply_after_an_answer_keeps_the_answer() -> None:
    given = check()
    given.record("a@example.org", Answer.AGREED, "yes", T0)
    assert not given.record("a@example.org", None, "thanks for asking", T0)
    assert given.answers["a@example.org"].answer is Answer.AGREED


def test_an_answer_from_someone_not_asked_is_ignored() -> None:
    given = check()
    assert not given.record("mallory@example.org", Answer.AGREED, "yes", T0)


def test_a_passed_deadline_names_who_is_missing() -> None:
    given = check()
    given.record("a@example.org", Answer.AGREED, "yes", T0)
    given.deadline_passed = True
    assert given.outcome() is Outcome.MISSING
    assert given.missing() == ["b@example.org", "c@example.org"]


@pytest.mark.parametrize(("text", "seconds"), [("10m", 600), ("90s", 90), ("2h", 7200),
                                               ("1d", 86400), ("15", 900), ("0.5m", 30)])
def test_deadlines_read_as_durations(text: str, seconds: int) -> None:
    assert parse_deadline(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["soon", "10 parsecs", "0", "-5m", ""])
def test_a_deadline_that_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_deadline(text)


def test_groups_and_addresses_resolve_to_distinct_people_in_order() -> None:
    groups = {"Dev team": ["a@example.org", "b@example.org"]}
    assert resolve_people(["dev team", "b@example.org", "c@example.org/x"], groups) == [
        "a@example.org", "b@example.org", "c@example.org"]


def test_an_unknown_group_is_named() -> None:
    with pytest.raises(ValueError, match="ops"):
        resolve_people(["ops"], {"dev": ["a@example.org"]})


def test_a_reply_thread_names_its_check() -> None:
    assert check_id_of_thread(check().thread) == "c1"
    assert check_id_of_thread("st-123") is None
