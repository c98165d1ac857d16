"""Staff mode: on-call hours (`presence.on_call_hours`, read by service_settings) set Available
and Away on the event loop.

One timer, armed for the next boundary and re-armed each time it fires. The loop's timers run on
a monotonic clock that stands still while the laptop sleeps, so a timer for 18:00 armed at noon
would fire hours late after a nap across 18:00; the wait is therefore capped (`MAX_WAIT_SECONDS`)
and every firing recomputes from the wall clock (core's `OnCallPresence.update`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from supporttray.app.recheck import Recheck
from supporttray.core.on_call import OnCallPresence

log = logging.getLogger("supporttray.app")

MAX_WAIT_SECONDS = 600.0  # after a sleep or a clock change, at most this late at a boundary
MIN_WAIT_SECONDS = 1.0  # a timer may fire a hair early; never spin on a zero delay


class OnCallRunner:
    """Drives core's OnCallPresence from the event loop."""

    def __init__(self, rule: OnCallPresence, *, max_wait: float = MAX_WAIT_SECONDS,
                 min_wait: float = MIN_WAIT_SECONDS) -> None:
        self.rule = rule
        self._timer = Recheck(rule.update, min_wait=min_wait, max_wait=max_wait)

    def start(self, chosen_at: datetime | None = None) -> None:
        """Apply the hours now (keeping a choice made at `chosen_at` after the last boundary)
        and follow them; needs a running loop. Hours that never change (all week) arm
        nothing."""
        self._timer.arm(self.rule.start(chosen_at))

    def stop(self) -> None:
        self._timer.stop()

    def status(self) -> dict[str, Any]:
        """The `on_call` object of `status --json`: the hours and whether they hold now."""
        return {"hours": self.rule.hours.text, "now": self.rule.on_call_now()}
