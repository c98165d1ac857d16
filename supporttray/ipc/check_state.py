"""A group check as the control socket reports it (`check`, `check-wait`)."""

from __future__ import annotations

from supporttray.core.group_check import GroupCheck
from supporttray.ipc.protocol import CheckAnswerState, CheckState

# How long one `check-wait` is held open before it answers unchanged: well inside the command
# line's socket timeout (CHECK_CLIENT_TIMEOUT in cli), so a long wait is a chain of requests.
CHECK_HOLD_SECONDS = 10.0


def check_state(check: GroupCheck, version: int) -> CheckState:
    people = tuple(
        CheckAnswerState(person, a.answer.value if a.answer is not None else None, a.text)
        for person in check.people for a in (check.answers[person],))
    return CheckState(id=check.id, question=check.question, outcome=check.outcome().value,
                      version=version, people=people)
