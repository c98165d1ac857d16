"""`supporttray check --to JID[,JID...|GROUP] [--deadline 10m] [--wait] QUESTION`.

Asks through the running instance (it holds the connection and hears the answers), then, with
`--wait`, prints each answer as it arrives and exits:
0 all agreed, 1 someone objected (named), 4 someone had not answered by the deadline (named);
2 bad usage (e.g. a deadline that is not a duration), 3 no running instance (the caller's).

The instance holds each `check-wait` until the check changes or CHECK_HOLD_SECONDS pass, so the
wait is a chain of short requests, each answered within the socket's timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TextIO

from supporttray.core.group_check import parse_deadline
from supporttray.ipc.check_state import CHECK_HOLD_SECONDS
from supporttray.ipc.protocol import CheckRequest, CheckState, CheckWaitRequest

EXIT_ALL_AGREED: Final = 0
EXIT_OBJECTED: Final = 1
EXIT_USAGE: Final = 2
EXIT_MISSING: Final = 4
# Asking writes one message per person; a hold is CHECK_HOLD_SECONDS: room for both.
ANSWER_TIMEOUT_S: Final = CHECK_HOLD_SECONDS + 10.0

Ask = Callable[[Any, float], dict[str, Any]]  # (request dataclass, timeout) -> result


class CheckUsageError(Exception):
    """What was typed cannot be a check (exit 2)."""


def check_request(to: str, question: str, deadline: str | None) -> CheckRequest:
    """The typed arguments as a request; CheckUsageError with a sentence if they cannot be."""
    people = tuple(part.strip() for part in to.split(",") if part.strip())
    if not people:
        raise CheckUsageError("whom to ask? e.g.: supporttray check --to dev-team "
                              "\"Restart the dev server?\"")
    if not question.strip():
        raise CheckUsageError("the question is empty")
    seconds = None
    if deadline is not None:
        try:
            seconds = parse_deadline(deadline).total_seconds()
        except ValueError as exc:
            raise CheckUsageError(f"--deadline: {exc}") from None
    return CheckRequest(to=people, question=question.strip(), deadline_seconds=seconds)


def run_check(request: CheckRequest, ask: Ask, *, wait: bool, out: TextIO) -> int:
    """Ask; with `wait`, follow the answers to the outcome. Failures of the instance come
    from `ask` (the command line's request function, raising its own errors)."""
    state = CheckState.from_wire(ask(request, ANSWER_TIMEOUT_S))
    names = ", ".join(p.person for p in state.people)
    out.write(f"Asked {len(state.people)}: {names}\n")
    out.flush()
    if not wait:
        out.write("The answers show in the tray's group-check panel; add --wait to wait "
                  "for them here.\n")
        return EXIT_ALL_AGREED
    printed: dict[str, tuple[str | None, str]] = {}
    while True:
        for person in state.people:
            said = (person.answer, person.text)
            if (person.answer is not None or person.text) and printed.get(person.person) != said:
                printed[person.person] = said
                out.write(_answer_line(person.person, person.answer, person.text) + "\n")
                out.flush()
        if state.outcome != "waiting":
            return _outcome(state, out)
        state = CheckState.from_wire(
            ask(CheckWaitRequest(id=state.id, seen=state.version), ANSWER_TIMEOUT_S))


def _answer_line(person: str, answer: str | None, text: str) -> str:
    if answer == "yes":
        return f"{person}: yes" + (f" (“{text}”)" if text and text.lower() != "yes" else "")
    if answer == "no":
        return f"{person}: no" + (f" (“{text}”)" if text and text.lower() != "no" else "")
    return f"{person} wrote “{text}” (not a yes or a no)"


def _outcome(state: CheckState, out: TextIO) -> int:
    if state.outcome == "all-agreed":
        out.write("All agreed.\n")
        return EXIT_ALL_AGREED
    if state.outcome == "objected":
        who = ", ".join(p.person for p in state.people if p.answer == "no")
        out.write(f"Objected: {who}\n")
        return EXIT_OBJECTED
    missing = ", ".join(p.person for p in state.people if p.answer is None)
    out.write(f"No answer by the deadline: {missing}\n")
    return EXIT_MISSING
