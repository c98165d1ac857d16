"""Reads the first-reply times of a requester's recent requests from the history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from supporttray.core.answer_time import RECENT_REQUESTS, usual_first_reply
from supporttray.core.history import HistoryStore
from supporttray.core.messages import Direction


def first_reply_waits(history: HistoryStore, staff: Iterable[str]
                      ) -> list[tuple[datetime, timedelta]]:
    """(asked at, waited for the first reply) of the newest requests to each of `staff`;
    requests never answered are left out (they say nothing of how soon an answer comes)."""
    waits: list[tuple[datetime, timedelta]] = []
    for peer in staff:
        for thread in history.threads(peer, limit=RECENT_REQUESTS).threads:
            asked: datetime | None = None
            for message in history.thread_messages(peer, thread.thread, limit=50):
                if message.direction is Direction.OUT and asked is None:
                    asked = message.timestamp
                elif message.direction is Direction.IN and asked is not None:
                    waits.append((asked, message.timestamp - asked))
                    break
    return waits


def usual_wait(history: HistoryStore, staff: Iterable[str], now: datetime) -> timedelta | None:
    return usual_first_reply(first_reply_waits(history, staff), now)
