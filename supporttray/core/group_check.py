"""A group check: one yes/no question to several people, and where each of them stands.

"All agreed" only when every person agreed; one objection is enough to say no; a deadline that
passes names whoever had not answered. A later answer from the same person replaces their
earlier one (they changed their mind, or pressed the other button).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from supporttray.core.answer_words import Answer
from supporttray.core.jid import bare_jid

# The check's id rides in our element and in the thread of each question (`check-<id>`), so a
# plain client that keeps the thread answers into the right check.
THREAD_PREFIX = "check-"
# "Did this fix it?" after a request is resolved rides as a check of its own kind: its id is
# this prefix and the request's id, and it is asked and answered in the request's thread.
FIX_PREFIX = "fix-"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


class Outcome(Enum):
    """Where the check stands as a whole."""

    WAITING = "waiting"  # some have not answered, no objection, deadline not passed
    ALL_AGREED = "all-agreed"
    OBJECTED = "objected"  # at least one person said no
    MISSING = "missing"  # the deadline passed with someone not answered (and nobody objected)


@dataclass(frozen=True)
class PersonAnswer:
    """One person's latest word: `answer` None while they have not answered (they may have
    written something that is not a yes or a no: `text`)."""

    person: str
    answer: Answer | None = None
    text: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class CheckChanged:
    """Event: a check was started, someone answered, or its deadline passed."""

    check_id: str
    person: str | None = None  # who answered (None: started, or the deadline passed)


def new_check_id() -> str:
    return secrets.token_hex(6)


def parse_deadline(text: str) -> timedelta:
    """"10m", "90s", "2h", "1d", "15" (minutes): ValueError for anything else or zero."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 10m, 90s or 2h")
    amount = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "m").lower()]
    if amount <= 0:
        raise ValueError(f"{text!r} is not a duration such as 10m, 90s or 2h")
    return timedelta(seconds=amount)


def resolve_people(names: Iterable[str], groups: Mapping[str, Iterable[str]]) -> list[str]:
    """JIDs and group names (as `groups.NAME` spells them, any case) -> distinct bare JIDs,
    in the order given. ValueError naming what is neither."""
    by_name = {name.casefold(): list(members) for name, members in groups.items()}
    people: list[str] = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        if "@" in name:
            members = [name]
        elif name.casefold() in by_name:
            members = by_name[name.casefold()]
        else:
            known = ", ".join(groups) or "none"
            raise ValueError(f"{name!r} is neither an address nor a group (groups: {known})")
        for jid in members:
            if bare_jid(jid) not in people:
                people.append(bare_jid(jid))
    if not people:
        raise ValueError("a check needs at least one person to ask")
    return people


@dataclass
class GroupCheck:
    """One question and everyone's answer to it. Mutable: the check changes as answers come."""

    id: str
    question: str
    people: tuple[str, ...]
    asked_at: datetime
    deadline: datetime | None = None
    answers: dict[str, PersonAnswer] = field(default_factory=dict)
    # The id of the question message each person got: a reaction (XEP-0444) names it.
    question_ids: dict[str, str] = field(default_factory=dict)
    deadline_passed: bool = False

    def __post_init__(self) -> None:
        for person in self.people:
            self.answers.setdefault(person, PersonAnswer(person))

    def asks(self, person: str) -> bool:
        return bare_jid(person) in self.answers

    def record(self, person: str, answer: Answer | None, text: str, at: datetime) -> bool:
        """Their latest word replaces the earlier one; an unclear reply after a clear answer
        is only a comment (the answer stays). False for someone this check did not ask."""
        who = bare_jid(person)
        earlier = self.answers.get(who)
        if earlier is None:
            return False
        if answer is None and earlier.answer is not None:
            return False  # "thanks for asking" after a yes does not take the yes back
        self.answers[who] = PersonAnswer(who, answer, text, at)
        return True

    def agreed(self) -> list[str]:
        return [p for p in self.people if self.answers[p].answer is Answer.AGREED]

    def objected(self) -> list[PersonAnswer]:
        return [self.answers[p] for p in self.people
                if self.answers[p].answer is Answer.OBJECTED]

    def missing(self) -> list[str]:
        return [p for p in self.people if self.answers[p].answer is None]

    def outcome(self) -> Outcome:
        if self.objected():
            return Outcome.OBJECTED
        if not self.missing():
            return Outcome.ALL_AGREED
        return Outcome.MISSING if self.deadline_passed else Outcome.WAITING

    @property
    def thread(self) -> str:
        return THREAD_PREFIX + self.id


def check_id_of_thread(thread: str | None) -> str | None:
    """The check a reply's thread names (`check-<id>`), or None."""
    if thread and thread.startswith(THREAD_PREFIX):
        return thread[len(THREAD_PREFIX):] or None
    return None
