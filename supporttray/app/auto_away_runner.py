"""Auto-away on the event loop: the desktop's idle time (platform.desktop_idle) fed to core."""

from __future__ import annotations

from typing import Final

from supporttray.app.recheck import Recheck
from supporttray.core.auto_away import AutoAway
from supporttray.platform.desktop_idle import IdleReader

# A read can fail for a while (the compositor restarting, a desktop service slow to answer):
# look again later rather than give auto-away up for the rest of the session.
RETRY_AFTER_FAILED_READ_SECONDS: Final = 60.0


class AutoAwayRunner:
    """Drives core's AutoAway from the desktop's idle time, on the event loop: it looks again
    only when AutoAway says a look could change something (no fixed polling beat)."""

    def __init__(self, auto: AutoAway, read: IdleReader) -> None:
        self._auto = auto
        self._read = read
        self._timer = Recheck(self._look)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _look(self) -> float | None:
        idle = self._read()
        if idle is None:
            return RETRY_AFTER_FAILED_READ_SECONDS
        return self._auto.update(idle)
