"""The chat history at start and at quit: read through off the UI thread before it is opened
(core/history_file.py), checked later when start-up trusted it, closed cleanly at quit so the
next start may trust it; memory only under `history.enabled = false`. The history's own modules
are imported inside each function: the tray icon goes up first.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from supporttray import root_services
from supporttray.config.paths import Paths

if TYPE_CHECKING:
    from pathlib import Path

    from supporttray.core.history import HistoryStore
    from supporttray.core.history_file import HistoryCheck

# When a start-up that trusted the history (unchanged since a clean close) checks it after all:
# once the login and the archive catch-up are over.
HISTORY_CHECK_DELAY_S = 60.0


def unkept_history(paths: Paths) -> HistoryStore:
    """`history.enabled = false`: history in memory, an outbox file only while one waits."""
    from supporttray.app.unkept_history import OutboxOnlyHistory, remove_history_file

    remove_history_file(paths.history_db)
    return OutboxOnlyHistory(paths.outbox_file)


def close_history_at_quit(store: HistoryStore) -> None:
    from supporttray.core.history_file import close_history

    close_history(store)


async def check_history_later(path: Path) -> None:
    """The whole-file check start-up skipped (the file was as we left it), made once the app
    has settled, on a worker thread: it reads the whole file."""
    from supporttray.core.history_file import check_in_background

    await asyncio.sleep(HISTORY_CHECK_DELAY_S)
    await asyncio.get_running_loop().run_in_executor(None, check_in_background, path)
    root_services.free_memory()  # its page cache, freed when its connection closed


def check_history_file(paths: Paths) -> HistoryCheck:
    """On a worker thread: imported there too, out of the way of the icon."""
    from supporttray.core.history_file import check_history

    return check_history(paths.history_db)
