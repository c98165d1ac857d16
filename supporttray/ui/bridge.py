"""CoreBridge: core's listener events re-emitted as Qt signals, bursts coalesced into one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from supporttray.core.connection import ConnectionMonitor, ConnectionStatus
from supporttray.core.presence import BookChanged, PresenceBook

log = logging.getLogger("supporttray.ui")


class CoreBridge(QObject):
    """Subscribes to a PresenceBook and a ConnectionMonitor and tells Qt views when to repaint.

    Core listeners fire once per presence stanza; at login a server may deliver hundreds in one
    go. Each event only marks the bridge dirty and arms a zero-delay single-shot timer, so the
    views repaint once, after the loop has drained the burst. The timer runs only after a change:
    an idle app never wakes up.

    Core must call in from the GUI thread (qasync runs slixmpp on Qt's loop), as QTimer requires.
    """

    # frozenset[str]: the bare JIDs changed since the last emission (the union over the burst).
    staff_changed = Signal(object)
    # ConnectionStatus: the latest status; intermediate states of a burst are dropped.
    connection_changed = Signal(object)

    def __init__(
        self, book: PresenceBook, connection: ConnectionMonitor, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._pending_jids: set[str] = set()
        self._pending_status: ConnectionStatus | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        self._unsubscribers: list[Callable[[], None]] = [
            book.changed.subscribe(self._on_book_changed),
            connection.changed.subscribe(self._on_connection_changed),
        ]

    @property
    def flush_pending(self) -> bool:
        """True while a coalesced emission is waiting for the loop."""
        return self._flush_timer.isActive()

    def close(self) -> None:
        """Unsubscribe from core and drop anything not yet emitted; safe to call twice."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._flush_timer.stop()
        self._pending_jids.clear()
        self._pending_status = None

    def _on_book_changed(self, event: BookChanged) -> None:
        self._pending_jids |= event.jids
        self._schedule()

    def _on_connection_changed(self, status: ConnectionStatus) -> None:
        self._pending_status = status
        self._schedule()

    def _schedule(self) -> None:
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        status, self._pending_status = self._pending_status, None
        jids, self._pending_jids = frozenset(self._pending_jids), set()
        # Connection first: a view may repaint the staff list differently while offline.
        if status is not None:
            self.connection_changed.emit(status)
        if jids:
            self.staff_changed.emit(jids)
