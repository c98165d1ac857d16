"""An honest expectation for someone who waits: how soon support usually answers, from the
first replies to their own recent requests (the only ones a requester's computer knows), or,
when nobody is on call, when support is back (from the staff's on-call hours)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta

from supporttray.core.presence import Availability, StaffMember
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


# Monday first, as datetime.weekday() counts.
_WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
             N_("Saturday"), N_("Sunday"))


def support_back_at(members: Iterable[StaffMember], now: datetime) -> datetime | None:
    """When support is on call again, when nobody is available now and the staff's on-call
    hours (from their presence) say so: the soonest of their `back_at` still ahead."""
    ahead = []
    for member in members:
        if member.availability is Availability.AVAILABLE:
            return None
        if member.back_at is not None and member.back_at > now:
            ahead.append(member.back_at)
    return min(ahead, default=None)


def back_sentence(back: datetime, now: datetime) -> Sentence:
    """"Support is back Monday 08:00" (today, tomorrow, a weekday within the week, else the
    date), in the zone `back` and `now` are given in (the requester's own)."""
    time = back.strftime("%H:%M")
    days = (back.date() - now.date()).days
    if days <= 0:
        when = Sentence(N_("today at {time}"), {"time": time})
    elif days == 1:
        when = Sentence(N_("tomorrow at {time}"), {"time": time})
    elif days < 7:
        when = Sentence(N_("{day} at {time}"),
                        {"day": Sentence(_WEEKDAYS[back.weekday()]), "time": time})
    else:
        when = Sentence(N_("on {date} at {time}"),
                        {"date": back.strftime("%Y-%m-%d"), "time": time})
    return Sentence(N_("Support is back {when}"), {"when": when})
