"""`history.retention_days`: messages older than that are deleted at start and once a day.

A compliance setting: IT promises that chat history on the computer is gone after N days, so
the purge must run whether or not anyone opens a window. One timer fires once a day (never a
poll: an idle app wakes for nothing else), and each run computes its cutoff from the wall
clock, so a laptop that slept through a day catches up at its next run. The search index
follows the messages by the history's triggers (see `core.history_schema`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from supporttray.core.clock import Clock, utc_now
from supporttray.core.history import HistoryError, HistoryStore

log = logging.getLogger("supporttray.app")

DAY_SECONDS: Final = 86_400.0


class HistoryRetention:
    """Deletes messages older than `days` days from `store`, now and then every `every` s.

    A history file is purged on an executor thread through a connection of its own (a first
    purge of a big history takes seconds; the store deletes in small transactions, so the
    app's own writes never wait long); an in-memory history, which is small, on the loop.
    """

    def __init__(self, store: HistoryStore, days: int, *, clock: Clock = utc_now,
                 every: float = DAY_SECONDS) -> None:
        if days <= 0:
            raise ValueError("a retention needs at least one day; 0 keeps history forever")
        self._store = store
        self._days = days
        self._clock = clock
        self._every = every
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[int] | None = None
        self._stopped = False

    @property
    def days(self) -> int:
        return self._days

    def start(self) -> None:
        """Purge now (in the background) and once a day after that; needs a running loop."""
        self._stopped = False
        self._run()

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def purge_now(self) -> int:
        """Delete what is older than the retention now; how many messages went (0 on error,
        which is logged: the next day's run tries again)."""
        cutoff = self._clock() - timedelta(days=self._days)
        path = self._store.path
        try:
            if path is None:
                return self._store.purge_older_than(cutoff)
            return await asyncio.get_running_loop().run_in_executor(
                None, _purge_file, path, cutoff)
        except (HistoryError, OSError):
            log.exception("could not delete chat history older than %d day(s); trying again "
                          "in a day", self._days)
            return 0

    def _run(self) -> None:
        self._timer = None
        if self._stopped:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.purge_now())
        self._timer = asyncio.get_running_loop().call_later(self._every, self._run)


def _purge_file(path: Path, cutoff: datetime) -> int:
    """On an executor thread: a connection of its own, since SQLite's belong to one thread."""
    store = HistoryStore(path)
    try:
        return store.purge_older_than(cutoff)
    finally:
        store.close()
