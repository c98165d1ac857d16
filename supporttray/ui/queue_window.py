"""Staff mode's request queue window: who waits, for how long, with what, on which machine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supporttray.core.clock import Clock, utc_now
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.ui.kept_window import KeptWindow
from supporttray.ui.presence_text import duration_text

COLUMNS = ("Who", "Question", "Waiting", "Machine", "Taken by")
PEER_ROLE = Qt.ItemDataRole.UserRole + 1
REFRESH_SLACK_MS = 500


def waiting_text(seconds: int) -> str:
    """`just now`, `4 min`, `1 h 5 min`, `2 days`: how long someone has been waiting."""
    return duration_text(seconds) or "just now"


class QueueWindow(KeptWindow):
    """Open requests, longest waiting first; waiting times stay current while it is shown
    (one redraw when the next minute turns, none while hidden). Enter or a double-click opens
    that person's chat."""

    def __init__(self, queue: RequestQueue, book: PresenceBook | None, *,
                 open_chat: Callable[[str], object], app_name: str = "SupportTray",
                 clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        self._book = book
        self._open_chat = open_chat
        self._clock = clock
        self.setObjectName("queueWindow")
        self.setWindowTitle(f"Requests — {app_name}")
        self.setMinimumSize(560, 260)
        self.resize(820, 320)

        self._summary = QLabel(self)
        self._summary.setObjectName("queueSummary")
        self._tree = QTreeWidget(self)
        self._tree.setObjectName("queueList")
        self._tree.setColumnCount(len(COLUMNS))
        self._tree.setHeaderLabels(list(COLUMNS))
        self._tree.setRootIsDecorated(False)
        self._tree.setUniformRowHeights(True)
        self._tree.setAlternatingRowColors(True)
        header = self._tree.header()
        header.setStretchLastSection(False)
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the question
        self._tree.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.addWidget(self._summary)
        layout.addWidget(self._tree, 1)

        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.timeout.connect(self.refresh)
        self._unsubscribe = queue.opened.subscribe(lambda _request: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        now = self._clock()
        requests = self._queue.requests()  # oldest first: the longest wait on top
        self._summary.setText(
            "Nobody is waiting." if not requests else
            f"{len(requests)} open request{'s' if len(requests) != 1 else ''}; "
            "Enter or double-click opens the chat.")
        current = self._tree.currentItem()
        current_peer = current.data(0, PEER_ROLE) if current is not None else None
        self._tree.clear()
        for request in requests:
            item = QTreeWidgetItem(self._row(request, now))
            item.setData(0, PEER_ROLE, request.requester)
            item.setToolTip(0, request.requester)
            item.setToolTip(1, request.first_line)
            self._tree.addTopLevelItem(item)
            if request.requester == current_peer:
                self._tree.setCurrentItem(item)
        if requests and self.isVisible():
            # The next change of a shown waiting time; nothing runs while hidden.
            oldest = requests[0].waiting_seconds(now)
            self._tick.start((60 - oldest % 60) * 1000 + REFRESH_SLACK_MS)
        else:
            self._tick.stop()

    def rows(self) -> list[list[str]]:
        """The texts shown, row by row (for tests and screen readers)."""
        items = [self._tree.topLevelItem(r) for r in range(self._tree.topLevelItemCount())]
        return [[item.text(c) for c in range(len(COLUMNS))] for item in items if item is not None]

    @property
    def live_refresh_active(self) -> bool:
        return self._tick.isActive()

    def dispose(self) -> None:
        self._tick.stop()
        self._unsubscribe()
        super().dispose()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        super().hideEvent(event)

    def _row(self, request: SupportRequest, now: datetime) -> list[str]:
        name = (self._book.display_name(request.requester) if self._book is not None
                else request.requester)
        return [name, request.first_line, waiting_text(request.waiting_seconds(now)),
                request.summary or "—", request.claimed_by or "nobody yet"]

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        peer = item.data(0, PEER_ROLE)
        if isinstance(peer, str):
            self._open_chat(peer)
