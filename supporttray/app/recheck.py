"""One asyncio timer that looks again when the last look says it should: no fixed polling beat.

Auto-away and on-call hours both work this way: a core rule answers "look again in N seconds"
(or "never"), and this re-arms a single timer with that delay.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable


class Recheck:
    def __init__(self, check: Callable[[], float | None], *, min_wait: float = 0.0,
                 max_wait: float = math.inf) -> None:
        self._check = check
        self._min_wait = min_wait
        self._max_wait = max_wait
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Look now, and again when that look says; needs a running loop."""
        self.stop()
        self._run()

    def arm(self, delay: float | None) -> None:
        """Look again after `delay` seconds (None: not again), within the min/max wait."""
        self.stop()
        if delay is not None:
            delay = max(min(delay, self._max_wait), self._min_wait)
            self._handle = asyncio.get_running_loop().call_later(delay, self._run)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _run(self) -> None:
        self._handle = None
        self.arm(self._check())
