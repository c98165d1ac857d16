"""GroupChecks: which check an answer belongs to, the deadline, and what is kept as chat."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from supporttray.app.group_check import ChatKeeper, GroupCheckError, GroupChecks
from supporttray.core.answer_words import Answer
from supporttray.core.group_check import Outcome
from supporttray.core.messages import ChatMessage, Direction

ANN, BOB = "ann@example.org", "bob@example.org"


class RecordingWire:
    online = True

    def __init__(self) -> None:
        self.sent = 0

    def send_question(self, peer: str, check_id: str, question: str, body: str,
                      deadline: datetime | None, thread: str) -> str:
        self.sent += 1
        return f"q{self.sent}"

    def send_answer(self, asker: str, check_id: str, answer: Answer, body: str,
                    thread: str) -> str:
        return "a1"


def service(kept: list[ChatMessage] | None = None) -> GroupChecks:
    checks = GroupChecks("me@example.org", lambda: {"dev": [ANN, BOB]},
                         keeper=ChatKeeper(kept.append) if kept is not None else None)
    checks.attach_wire(RecordingWire())  # type: ignore[arg-type]
    return checks


@pytest.mark.asyncio
async def test_a_plain_reply_answers_the_newest_open_check_that_asked_them() -> None:
    checks = service()
    older = checks.start(["dev"], "Restart?")
    newer = checks.start([ANN], "Deploy?")
    checks.answer_received(ANN, Answer.AGREED, "ok", check_id=None, thread=None, reply_to=None)
    assert newer.agreed() == [ANN] and older.agreed() == []


@pytest.mark.asyncio
async def test_a_reaction_answers_the_check_whose_question_it_names() -> None:
    checks = service()
    older = checks.start(["dev"], "Restart?")  # ANN got q1
    checks.start([ANN], "Deploy?")
    checks.answer_received(ANN, Answer.OBJECTED, "👎", check_id=None, thread=None,
                           reply_to="q1")
    assert [a.person for a in older.objected()] == [ANN]


@pytest.mark.asyncio
async def test_a_reply_in_the_checks_thread_answers_that_check() -> None:
    checks = service()
    older = checks.start(["dev"], "Restart?")
    checks.start([ANN], "Deploy?")
    checks.answer_received(ANN, Answer.AGREED, "yes", check_id=None, thread=older.thread,
                           reply_to=None)
    assert older.agreed() == [ANN]


@pytest.mark.asyncio
async def test_the_deadline_passes_and_wakes_a_waiting_script() -> None:
    checks = service()
    check = checks.start(["dev"], "Restart?", timedelta(seconds=0.05))
    seen = checks.version(check.id)
    assert await checks.wait_change(check.id, seen, timeout=2) > seen
    assert check.outcome() is Outcome.MISSING


@pytest.mark.asyncio
async def test_the_question_is_kept_as_our_message_in_each_chat() -> None:
    kept: list[ChatMessage] = []
    checks = service(kept)
    check = checks.start(["dev"], "Restart?")
    assert [(m.peer, m.direction, m.thread) for m in kept] == [
        (ANN, Direction.OUT, check.thread), (BOB, Direction.OUT, check.thread)]
    assert kept[0].body.startswith("Restart?")


@pytest.mark.asyncio
async def test_asking_only_yourself_is_refused() -> None:
    with pytest.raises(GroupCheckError):
        service().start(["me@example.org"], "Restart?")


def test_no_loop_needed_to_refuse_an_empty_question() -> None:
    with pytest.raises(GroupCheckError):
        service().start(["dev"], "  ")


def reply(body: str, thread: str = "st-1", peer: str = ANN) -> ChatMessage:
    from datetime import UTC

    from supporttray.core.messages import Delivery

    return ChatMessage(id=body, peer=peer, direction=Direction.IN, body=body,
                       timestamp=datetime(2026, 12, 7, tzinfo=UTC), thread=thread,
                       delivery=Delivery.RECEIVED)


@pytest.mark.parametrize(("body", "closed"), [("Yes, this fixed it.", True),
                                              ("works now, thanks", True),
                                              ("thanks!", False),
                                              ("Not yet — the problem is still there.", False),
                                              ("yep all good", True)])
def test_only_a_yes_to_did_this_fix_it_keeps_the_request_closed(body: str,
                                                                 closed: bool) -> None:
    checks = service()
    checks.ask_if_fixed(ANN, "st-1", "st-1")
    assert checks.confirms_fix(reply(body)) is closed


def test_a_reply_in_a_thread_not_asked_about_opens_it_as_before() -> None:
    checks = service()
    checks.ask_if_fixed(ANN, "st-1", "st-1")
    assert not checks.confirms_fix(reply("yes", thread="st-2"))
    assert not checks.confirms_fix(reply("yes", peer=BOB))


@pytest.mark.asyncio
async def test_a_colleagues_plain_yes_to_a_running_check_is_an_answer_not_a_request() -> None:
    checks = service()
    checks.start(["dev"], "Restart?")
    assert checks.is_an_answer(reply("yes", thread=None))  # type: ignore[arg-type]
    assert not checks.is_an_answer(reply("my printer jams", thread=None))  # type: ignore[arg-type]
    assert not checks.is_an_answer(reply("yes", peer="zoe@example.org"))
