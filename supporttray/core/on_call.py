"""On-call hours (`presence.on_call_hours`) and the rule that sets a staff member's presence
from them.

The value: one or more ranges separated by `;` or `,`, each `DAYS START-END`, e.g.
`"Mon-Fri 08:00-18:00; Sat 10:00-14:00"`. DAYS is a day (Mon..Sun or the full name, any case)
or a range of days (`Mon-Fri`; `Fri-Mon` wraps over the weekend). Times are 24 h `H:MM` or
`HH:MM`; END may be `24:00`. An END before START runs into the next day: `Fri 22:00-06:00` is
Friday night to Saturday 06:00, `Sun 22:00-06:00` ends on Monday morning. Ranges that overlap
or touch merge into one. An empty value means no on-call hours.

Times are the machine's local wall time: 08:00 stays 08:00 across a daylight-saving change,
because the arithmetic is done on wall time and only its result becomes an instant.

The rule (`OnCallPresence`), kept simple on purpose:
- At the start of on-call hours presence becomes Available with no status message, unless the
  person chose one during the off-duty time that just ended (that one stays).
- At the end presence becomes Away with "Off duty (on call Mon-Fri 08:00-18:00)".
- Between two boundaries the schedule changes nothing: whatever the person chooses (Busy at
  10:00) wins until the next boundary (18:00), where the schedule applies again.
- At start (with the person's saved choice and when it was made): a choice made after the most
  recent boundary is kept; an older one (or none) gives way to what the schedule says now.
- Auto-away treats the schedule's Available like a chosen one: idle makes it Away, activity
  brings it back. A schedule change while auto-away is active replaces what auto-away would
  have restored (auto-away sees that someone else set the presence and lets go).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from supporttray.core.clock import Clock, utc_now
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.core")

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXAMPLE = '"Mon-Fri 08:00-18:00"'
_TIMES = re.compile(r"([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})")
_FIRST_DIGIT = re.compile(r"[0-9]")


class OnCallHoursError(SentenceError, ValueError):
    """Text that is not on-call hours; the message says what is wrong, without naming the key
    (English in str() for doctor and the log, translated in the Settings window)."""


def _error(msgid: str, **params: object) -> OnCallHoursError:
    return OnCallHoursError(Sentence(msgid, params))


@dataclass(frozen=True)
class OnCallPeriod:
    """A stretch of time that is all on call or all off duty, between two boundaries."""

    on_call: bool
    since: datetime | None  # the boundary that began it; None when the hours never change
    until: datetime | None  # the next boundary; None when the hours never change


@dataclass(frozen=True)
class OnCallHours:
    """Parsed on-call hours: minute-of-week spans, Monday 00:00 being minute 0."""

    text: str  # canonical spelling, e.g. "Mon-Fri 08:00-18:00; Sat 10:00-14:00"
    spans: tuple[tuple[int, int], ...]  # sorted, merged [start, end) within [0, MINUTES_PER_WEEK]
    boundaries: tuple[int, ...]  # sorted minutes of the week where on call begins or ends

    def is_on_call(self, at: datetime, zone: tzinfo | None = None) -> bool:
        """Whether `at` falls in on-call hours, read in `zone` (None: the machine's local time)."""
        wall = _wall(at, zone)
        minute = (wall.weekday() * MINUTES_PER_DAY + wall.hour * 60 + wall.minute
                  + (wall.second + wall.microsecond / 1e6) / 60)
        return any(start <= minute < end for start, end in self.spans)

    def next_change(self, after: datetime, zone: tzinfo | None = None) -> datetime | None:
        """The first boundary strictly after `after`; None if the hours never change."""
        wall = _wall(after, zone)
        monday = _monday(wall)
        for week in (0, 1):
            for minute in self.boundaries:
                candidate = monday + timedelta(weeks=week, minutes=minute)
                if candidate > wall:
                    return _instant(candidate, zone)
        return None

    def previous_change(self, at: datetime, zone: tzinfo | None = None) -> datetime | None:
        """The last boundary at or before `at`; None if the hours never change."""
        wall = _wall(at, zone)
        monday = _monday(wall)
        for week in (0, -1):
            for minute in reversed(self.boundaries):
                candidate = monday + timedelta(weeks=week, minutes=minute)
                if candidate <= wall:
                    return _instant(candidate, zone)
        return None

    def period_at(self, at: datetime, zone: tzinfo | None = None) -> OnCallPeriod:
        return OnCallPeriod(self.is_on_call(at, zone), self.previous_change(at, zone),
                            self.next_change(at, zone))

    def off_duty_message(self) -> str:
        """The status message while off duty, readable by anyone who sees it."""
        return f"Off duty (on call {self.text})"

    def describe_now(self, at: datetime, zone: tzinfo | None = None) -> str:
        """`on call now, until 18:00` or `off duty now, on call from Mon 08:00`."""
        period = self.period_at(at, zone)
        if period.until is None:
            return "on call all week" if period.on_call else "never on call"
        when = _when(period.until, at, zone)
        return f"on call now, until {when}" if period.on_call else (
            f"off duty now, on call from {when}")


def parse_on_call_hours(text: str) -> OnCallHours | None:
    """The hours `text` describes; None for an empty value (no on-call hours).

    OnCallHoursError (a phrase for a human) for anything that is not on-call hours.
    """
    if not text.strip():
        return None
    spans: list[tuple[int, int]] = []
    canonical: list[str] = []
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if not part:
            continue  # "Mon 08:00-12:00;" or "a; ; b": a stray separator harms nobody
        days, days_text, start, end = _parse_range(part)
        canonical.append(f"{days_text} {_hhmm(start)}-{_hhmm(end)}")
        length = (end - start) % MINUTES_PER_DAY or MINUTES_PER_DAY
        for day in days:
            begin = day * MINUTES_PER_DAY + start
            finish = begin + length
            if finish <= MINUTES_PER_WEEK:
                spans.append((begin, finish))
            else:  # Sunday night into Monday: the week wraps
                spans.append((begin, MINUTES_PER_WEEK))
                spans.append((0, finish - MINUTES_PER_WEEK))
    if not spans:
        raise _error(N_("has no hours in it; write them like {example}"), example=_EXAMPLE)
    merged = _merge(spans)
    points = {start for start, _ in merged} | {end % MINUTES_PER_WEEK for _, end in merged}
    if merged[0][0] == 0 and merged[-1][1] == MINUTES_PER_WEEK:
        points.discard(0)  # on call through Sunday midnight: no change there
    return OnCallHours("; ".join(canonical), tuple(merged), tuple(sorted(points)))


def _parse_range(part: str) -> tuple[list[int], str, int, int]:
    """`Mon-Fri 08:00-18:00` -> (days, canonical days, start minute, end minute of the day)."""
    digit = _FIRST_DIGIT.search(part)
    if digit is None:
        raise _error(N_("{part} has no times; write them like {example}"),
                     part=_quote(part), example=_EXAMPLE)
    days_text, times_text = part[: digit.start()].strip(), part[digit.start():].strip()
    if not days_text:
        raise _error(N_("{part} has no days; start it with days like {example}"),
                     part=_quote(part), example=_EXAMPLE)
    days, canonical_days = _parse_days(days_text)
    start, end = _parse_times(times_text)
    return days, canonical_days, start, end


def _parse_days(text: str) -> tuple[list[int], str]:
    names = [name.strip() for name in text.split("-")]
    if len(names) > 2 or not all(names):
        raise _error(N_("{text} is not a day or a range of days like \"Mon-Fri\""),
                     text=_quote(text))
    first = _day(names[0])
    if len(names) == 1:
        return [first], DAY_NAMES[first]
    last = _day(names[1])
    count = (last - first) % 7 + 1  # Fri-Mon: Fri, Sat, Sun, Mon
    days = [(first + i) % 7 for i in range(count)]
    return days, DAY_NAMES[first] if count == 1 else f"{DAY_NAMES[first]}-{DAY_NAMES[last]}"


def _day(name: str) -> int:
    lowered = name.lower()
    for index, (short, full) in enumerate(zip(DAY_NAMES, _FULL_DAY_NAMES, strict=True)):
        if lowered in (short.lower(), full):
            return index
    raise _error(N_("{name} is not a day; use {days} or {last}"),
                 name=_quote(name), days=", ".join(DAY_NAMES[:-1]), last=DAY_NAMES[-1])


def _parse_times(text: str) -> tuple[int, int]:
    match = _TIMES.fullmatch(text)
    if match is None:
        raise _error(N_("{text} is not a time range like \"08:00-18:00\""), text=_quote(text))
    start = _minute_of_day(match.group(1), match.group(2), may_be_24=False)
    end = _minute_of_day(match.group(3), match.group(4), may_be_24=True)
    if start == end:
        raise _error(N_("{text} starts and ends at the same time; for a whole day write "
                        "00:00-24:00"), text=_quote(text))
    return start, end


def _minute_of_day(hours: str, minutes: str, *, may_be_24: bool) -> int:
    h, m = int(hours), int(minutes)
    if may_be_24 and (h, m) == (24, 0):
        return MINUTES_PER_DAY
    if h > 23 or m > 59:
        if (h, m) == (24, 0):
            raise _error(N_("24:00 can only end a range; start it at 00:00"))
        raise _error(N_("{time} is not a time of day (00:00 to 23:59, or 24:00 as an end)"),
                     time=_quote(f"{hours}:{minutes}"))
    return h * 60 + m


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _quote(text: str) -> str:
    # repr() escapes control characters, so the message stays one line whatever was typed.
    shown = text if len(text) <= 40 else text[:37] + "..."
    return '"' + repr(shown)[1:-1].replace('"', '\\"') + '"'


def _wall(at: datetime, zone: tzinfo | None) -> datetime:
    """`at` as a naive wall-clock time in `zone` (None: the machine's local time zone)."""
    return at.astimezone(zone).replace(tzinfo=None)


def _instant(wall: datetime, zone: tzinfo | None) -> datetime:
    """A wall-clock time in `zone` as an aware datetime."""
    if zone is None:
        return wall.astimezone()  # a naive datetime is read as the machine's local time
    return wall.replace(tzinfo=zone)


def _monday(wall: datetime) -> datetime:
    return datetime.combine(wall.date() - timedelta(days=wall.weekday()), time())


def _when(moment: datetime, now: datetime, zone: tzinfo | None) -> str:
    """`18:00` later today, else `Sat 14:00` (a boundary is never a week or more away)."""
    wall, today = _wall(moment, zone), _wall(now, zone)
    clock = f"{wall.hour:02d}:{wall.minute:02d}"
    return clock if wall.date() == today.date() else f"{DAY_NAMES[wall.weekday()]} {clock}"


class OnCallPresence:
    """Applies on-call hours to the person's own presence (the rule in the module docstring).

    Qt-free and timer-free: whoever drives it calls `start` once and `update` when the returned
    number of seconds has passed (or whenever it likes: `update` recomputes from the clock, so a
    late or early call after the laptop slept, or the clock jumped, does the right thing).
    """

    def __init__(self, hours: OnCallHours, own: OwnPresence, *, clock: Clock = utc_now,
                 zone: tzinfo | None = None) -> None:
        self.hours = hours
        self._own = own
        self._clock = clock
        self._zone = zone
        self._started = False
        self._followed: datetime | None = None  # the boundary of the period already handled
        self._chosen_at: datetime | None = None  # the person's latest own choice
        own.chosen.subscribe(self._remember_choice)

    def on_call_now(self) -> bool:
        return self.hours.is_on_call(self._clock(), self._zone)

    def describe_now(self) -> str:
        return self.hours.describe_now(self._clock(), self._zone)

    def start(self, chosen_at: datetime | None = None) -> float | None:
        """Begin following the hours. `chosen_at`: when the person made the (saved) choice
        the presence starts with; kept if made after the latest boundary. Returns the seconds
        until `update` should be called; None for never."""
        if chosen_at is not None and (self._chosen_at is None or chosen_at > self._chosen_at):
            self._chosen_at = chosen_at
        now = self._clock()
        period = self.hours.period_at(now, self._zone)
        self._started = True
        if self._chose_since(period.since):
            log.info("on-call: keeping the presence chosen after the last boundary")
            self._followed = period.since
        else:
            self._apply(period)
        return self._seconds_until(period, now)

    def update(self) -> float | None:
        """Apply the hours if a boundary has passed since the last look; seconds until the next
        look (None: never)."""
        if not self._started:
            return self.start()
        now = self._clock()
        period = self.hours.period_at(now, self._zone)
        if period.since != self._followed:
            self._apply(period)
        return self._seconds_until(period, now)

    def _remember_choice(self, _choice: object) -> None:
        self._chosen_at = self._clock()

    def _chose_since(self, moment: datetime | None) -> bool:
        """Whether the person chose their presence at or after `moment` (None: ever)."""
        return self._chosen_at is not None and (moment is None or self._chosen_at >= moment)

    def _apply(self, period: OnCallPeriod) -> None:
        self._followed = period.since
        current = self._own.current
        off_duty = self.hours.off_duty_message()
        if period.on_call:
            # A message the person chose during the off-duty time that just ended stays (it is
            # news: "Back from holiday"); anything older, and our own off-duty text, goes.
            before = (self.hours.previous_change(period.since - timedelta(microseconds=1),
                                                 self._zone)
                      if period.since is not None else None)
            fresh = before is not None and self._chose_since(before)
            status = current.status if fresh and current.status != off_duty else ""
            log.info("on-call: on call now (%s): available", self.hours.text)
            self._own.set_scheduled(Availability.AVAILABLE, status)
        else:
            log.info("on-call: off duty now (%s): away", self.hours.text)
            self._own.set_scheduled(Availability.AWAY, off_duty, back_at=period.until)

    @staticmethod
    def _seconds_until(period: OnCallPeriod, now: datetime) -> float | None:
        if period.until is None:
            return None
        # Timestamps, not datetime subtraction: two datetimes in the same zone subtract as wall
        # time, which is an hour off across a daylight-saving change.
        return max(0.0, period.until.timestamp() - now.timestamp())
