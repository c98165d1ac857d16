"""Auto-away: after N minutes without keyboard or mouse, Away; after M, extended away; back to
what the person had chosen on the first sign of activity.

Only an Available person is made away: Busy and Offline were chosen on purpose and stay. A
choice the person makes while auto-away wins, and auto-away lets go of it. Qt-free; whoever
drives it asks `update` how long to wait before the next look, so nothing polls on a fixed
beat: a minute before away is due at the earliest, and every few seconds only while away
(to notice the person is back).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from supporttray.core.clock import Clock, utc_now
from supporttray.core.own_presence import OwnPresence, PresenceChoice
from supporttray.core.presence import Availability

WHILE_AWAY_CHECK_SECONDS = 5.0  # how soon "back" is noticed
MIN_CHECK_SECONDS = 1.0


class AutoAway:
    def __init__(self, own: OwnPresence, *, away_minutes: int, xa_minutes: int,
                 clock: Clock = utc_now) -> None:
        self._own = own
        self._away = away_minutes * 60.0
        self._xa = xa_minutes * 60.0
        self._clock = clock
        self._chosen: PresenceChoice | None = None  # what to go back to; None = not auto-away
        self._set_by_us: PresenceChoice | None = None

    @property
    def enabled(self) -> bool:
        return self._away > 0 or self._xa > 0

    @property
    def active(self) -> bool:
        """True while the presence others see was set by auto-away."""
        return self._chosen is not None

    def update(self, idle_seconds: float | None) -> float | None:
        """Apply the rule for `idle_seconds` of inactivity (None: unknown, nothing changes).
        Returns how many seconds until looking again is useful; None when never."""
        if idle_seconds is None or not self.enabled:
            return None
        if self._chosen is not None and self._own.current != self._set_by_us:
            self._chosen = None  # the person chose something while away: theirs wins
        first = min(t for t in (self._away, self._xa) if t > 0)
        if self._chosen is None:
            if self._own.current.show is not Availability.AVAILABLE:
                return max(MIN_CHECK_SECONDS, first)  # Busy/Offline/Away: look again later
            if idle_seconds < first:
                return max(MIN_CHECK_SECONDS, first - idle_seconds)
            self._chosen = self._own.current
        elif idle_seconds < first:
            chosen, self._chosen = self._chosen, None
            self._own.restore(chosen)
            return max(MIN_CHECK_SECONDS, first - idle_seconds)
        extended = self._xa > 0 and idle_seconds >= self._xa
        since = self._clock() - timedelta(seconds=idle_seconds)
        current = self._own.current
        if not (current.show is Availability.AWAY and current.extended == extended
                and current.idle_since is not None):
            self._own.set_idle(_whole_seconds(since), extended=extended)
        self._set_by_us = self._own.current
        if not extended and self._xa > 0:
            return max(MIN_CHECK_SECONDS, min(WHILE_AWAY_CHECK_SECONDS, self._xa - idle_seconds))
        return WHILE_AWAY_CHECK_SECONDS


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)
