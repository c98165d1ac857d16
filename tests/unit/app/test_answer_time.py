"""The first-reply times read from a requester's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supporttray.app.answer_time import first_reply_waits, usual_wait
from supporttray.core.history import HistoryStore
from supporttray.core.messages import ChatMessage, Delivery, Direction

STAFF = "alice@example.org"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def message(n: int, direction: Direction, at: datetime, thread: str) -> ChatMessage:
    return ChatMessage(id=f"m{n}", peer=STAFF, direction=direction, body="…", timestamp=at,
                       thread=thread, delivery=Delivery.SENT)


def test_each_request_counts_the_wait_for_its_first_reply() -> None:
    with HistoryStore(":memory:") as history:
        n = 0
        for day, minutes in ((0, 3), (1, 6), (2, 9)):
            asked = T0 + timedelta(days=day)
            for direction, offset in ((Direction.OUT, 0), (Direction.OUT, 1),
                                      (Direction.IN, minutes), (Direction.IN, minutes + 5)):
                n += 1
                history.add(message(n, direction, asked + timedelta(minutes=offset), f"t{day}"))
        history.add(message(99, Direction.OUT, T0 + timedelta(days=3), "unanswered"))
        waits = sorted(w for _asked, w in first_reply_waits(history, [STAFF]))
        assert waits == [timedelta(minutes=3), timedelta(minutes=6), timedelta(minutes=9)]
        assert usual_wait(history, [STAFF], T0 + timedelta(days=4)) == timedelta(minutes=6)
