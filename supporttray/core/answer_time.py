"""An honest expectation for someone who waits: how soon support usually answers, from the
first replies to their own recent requests (the only ones a requester's computer knows)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta

from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence

# Fewer requests than this say nothing honest about "usually".
MIN_REQUESTS = 3
RECENT_REQUESTS = 10
RECENT_DAYS = 90


def usual_first_reply(waits: Iterable[tuple[datetime, timedelta]], now: datetime
                      ) -> timedelta | None:
    """The median first-reply time of the newest RECENT_REQUESTS requests asked within
    RECENT_DAYS, given (asked at, waited) pairs; None with fewer than MIN_REQUESTS."""
    recent = sorted((pair for pair in waits if now - pair[0] <= timedelta(days=RECENT_DAYS)),
                    reverse=True)[:RECENT_REQUESTS]
    if len(recent) < MIN_REQUESTS:
        return None
    return timedelta(seconds=statistics.median(w.total_seconds() for _asked, w in recent))


def expectation(wait: timedelta) -> Sentence:
    """"Usually answered within 5 minutes": whole minutes (hours from two on), rounded up."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    if minutes == 1:
        return Sentence(N_("Usually answered within a minute"))
    if minutes < 120:
        return Sentence(N_("Usually answered within {minutes} minutes"), {"minutes": minutes})
    return Sentence(N_("Usually answered within {hours} hours"),
                    {"hours": math.ceil(minutes / 60)})
