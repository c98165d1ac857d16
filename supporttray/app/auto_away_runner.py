"""Auto-away on the event loop: the desktop's idle time (platform.desktop_idle) fed to core."""

from __future__ import annotations

from supporttray.app.recheck import Recheck
from supporttray.core.auto_away import AutoAway
from supporttray.platform.desktop_idle import IdleReader


class AutoAwayRunner:
    """Drives core's AutoAway from the desktop's idle time, on the event loop: it looks again
    only when AutoAway says a look could change something (no fixed polling beat)."""

    def __init__(self, auto: AutoAway, read: IdleReader) -> None:
        self._timer = Recheck(lambda: auto.update(read()))

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
