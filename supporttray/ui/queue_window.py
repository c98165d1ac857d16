"""Staff mode's request queue window: who waits, for how long, with what, on which machine, and
who of the team has taken it; "Take it" and "Resolve" act on the selected request."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.errors import DeskError
from supporttray.app.request_desk import RequestDesk
from supporttray.core.clock import Clock, utc_now
from supporttray.core.durations import duration_text
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.language.catalogue import N_, _, ngettext
from supporttray.language.sentence import shown
from supporttray.ui.bridge import CoreBridge, QueueChanged, StaffRoomChanged
from supporttray.ui.kept_window import KeptWindow

log = logging.getLogger("supporttray.ui")

COLUMNS = (N_("Who"), N_("Question"), N_("Waiting"), N_("Machine"), N_("Taken by"))
PEER_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
REFRESH_SLACK_MS = 500
NOBODY = N_("nobody yet")
Spawn = Callable[[Coroutine[Any, Any, Any]], object]


def waiting_text(seconds: int) -> str:
    """`just now`, `4 min`, `1 h 5 min`, `2 days`: how long someone has been waiting."""
    return duration_text(seconds) or _("just now")


class QueueWindow(KeptWindow):
    """Open requests, longest waiting first; waiting times stay current while it is shown
    (one redraw when the next minute turns, none while hidden). Enter or a double-click opens
    that person's chat; Ctrl+T takes the selected request, Ctrl+R resolves it."""

    def __init__(self, queue: RequestQueue, book: PresenceBook | None, *, bridge: CoreBridge,
                 open_chat: Callable[[str], object], desk: RequestDesk | None = None,
                 spawn: Spawn | None = None, app_name: str = "SupportTray",
                 clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        self._book = book
        self._open_chat = open_chat
        self._desk = desk
        self._spawn = spawn
        self._clock = clock
        self._taking: str | None = None  # the request our claim waits on (for the feedback)
        self.setObjectName("queueWindow")
        self.setWindowTitle(_("Requests — {app_name}").format(app_name=app_name))
        self.setMinimumSize(560, 260)
        self.resize(820, 320)

        self._summary = QLabel(self)
        self._summary.setObjectName("queueSummary")
        self._tree = QTreeWidget(self)
        self._tree.setObjectName("queueList")
        self._tree.setAccessibleName(_("Open requests"))
        self._tree.setAccessibleDescription(
            _("Longest waiting first. Enter opens the chat, Ctrl+T takes the request, "
            "Ctrl+R resolves it"))
        self._tree.setColumnCount(len(COLUMNS))
        self._tree.setHeaderLabels([_(title) for title in COLUMNS])
        self._tree.setRootIsDecorated(False)
        self._tree.setUniformRowHeights(True)
        self._tree.setAlternatingRowColors(True)
        header = self._tree.header()
        header.setStretchLastSection(False)
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the question
        self._tree.itemActivated.connect(self._activated)
        self._tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._room = QLabel(self)
        self._room.setObjectName("queueRoom")
        self._room.setWordWrap(True)
        self._feedback = QLabel(self)
        self._feedback.setObjectName("queueFeedback")
        self._feedback.setWordWrap(True)
        self._open_button = QPushButton(_("&Open chat"), self)
        self._open_button.clicked.connect(self._open_selected)
        self._take_button = QPushButton(_("&Take it"), self)
        self._take_button.setObjectName("takeButton")
        self._take_button.setToolTip(_("Mark the request as yours, for the whole team (Ctrl+T)"))
        self._take_button.clicked.connect(self.take_selected)
        self._resolve_button = QPushButton(_("&Resolve"), self)
        self._resolve_button.setObjectName("resolveButton")
        self._resolve_button.setToolTip(
            _("Close the request; they get a short \"marked resolved\" message (Ctrl+R)"))
        self._resolve_button.clicked.connect(self.resolve_selected)
        QShortcut(QKeySequence("Ctrl+T"), self, self.take_selected)
        QShortcut(QKeySequence("Ctrl+R"), self, self.resolve_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self._feedback, 1)
        for button in (self._open_button, self._take_button, self._resolve_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._summary)
        layout.addWidget(self._tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self._room)
        self._take_button.setVisible(desk is not None)
        self._resolve_button.setVisible(desk is not None)

        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.timeout.connect(self.refresh)
        self._bridge: CoreBridge | None = bridge
        bridge.queue_changed.connect(self._on_queue_changed)
        bridge.staff_room_changed.connect(self._on_room_changed)
        self._show_room()
        self.refresh()

    def refresh(self) -> None:
        now = self._clock()
        requests = self._queue.requests()  # oldest first: the longest wait on top
        self._summary.setText(
            _("Nobody is waiting.") if not requests else
            ngettext("{count} open request; Enter opens the chat, Ctrl+T takes it, "
                     "Ctrl+R resolves it.",
                     "{count} open requests; Enter opens the chat, Ctrl+T takes it, "
                     "Ctrl+R resolves it.", len(requests)).format(count=len(requests)))
        current = self._tree.currentItem()
        current_id = current.data(0, ID_ROLE) if current is not None else None
        self._tree.clear()
        for request in requests:
            item = QTreeWidgetItem(self._row(request, now))
            item.setData(0, PEER_ROLE, request.requester)
            item.setData(0, ID_ROLE, request.id)
            item.setToolTip(0, request.requester)
            item.setToolTip(1, request.first_line)
            if request.claimed_by is not None:
                item.setToolTip(4, request.claimed_by)
            self._tree.addTopLevelItem(item)
            if request.id == current_id:
                self._tree.setCurrentItem(item)
        self._settle_take()
        first = self._tree.topLevelItem(0)
        if self._tree.currentItem() is None and first is not None:
            self._tree.setCurrentItem(first)
        self._update_buttons()
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

    def selected(self) -> SupportRequest | None:
        item = self._tree.currentItem()
        request_id = item.data(0, ID_ROLE) if item is not None else None
        return self._queue.find(request_id) if isinstance(request_id, str) else None

    def select(self, request_id: str) -> None:
        for row in range(self._tree.topLevelItemCount()):
            item = self._tree.topLevelItem(row)
            if item is not None and item.data(0, ID_ROLE) == request_id:
                self._tree.setCurrentItem(item)

    def take_selected(self) -> None:
        """"Take it": the claim goes to the team; the row says who has it once it counts."""
        request, desk = self.selected(), self._desk
        if request is None or desk is None:
            return
        try:
            desk.take(request.id)
        except DeskError as exc:
            self._say(shown(exc))
            return
        self._taking = request.id
        self._say(_("Taking it… (the team sees it as soon as the staff room has it)"))
        self._settle_take()

    def _settle_take(self) -> None:
        """Our claim counted, or a colleague's came first: say which, once."""
        if self._taking is None or self._desk is None:
            return
        request = self._queue.find(self._taking)
        if request is not None and request.claimed_by is None:
            return
        self._taking = None
        if request is None or request.claimed_by == self._desk.me:
            self._say("")
        else:
            self._say(_("{name} took it first.").format(name=self._owner(request)))

    def resolve_selected(self) -> None:
        request, desk = self.selected(), self._desk
        if request is None or desk is None or self._spawn is None:
            return
        name = self._name(request.requester)
        self._resolve_button.setEnabled(False)

        async def resolve() -> None:
            error = await desk.try_resolve(request.id)
            self._say(error or _("Resolved; {name} was told.").format(name=name))
            self._update_buttons()

        self._spawn(resolve())

    @property
    def feedback(self) -> str:
        return self._feedback.text()

    @property
    def room_text(self) -> str:
        return self._room.text()

    def dispose(self) -> None:
        self._tick.stop()
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.queue_changed.disconnect(self._on_queue_changed)
            bridge.staff_room_changed.disconnect(self._on_room_changed)
        super().dispose()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        super().hideEvent(event)

    def _row(self, request: SupportRequest, now: datetime) -> list[str]:
        return [self._name(request.requester), request.first_line,
                waiting_text(request.waiting_seconds(now)), request.summary or "—",
                self._owner(request)]

    def _name(self, jid: str) -> str:
        return self._book.display_name(jid) if self._book is not None else jid

    def _owner(self, request: SupportRequest) -> str:
        if request.claimed_by is None:
            return _(NOBODY)
        if self._desk is not None and request.claimed_by == self._desk.me:
            return "you"
        return self._name(request.claimed_by)

    def _update_buttons(self) -> None:
        request = self.selected()
        self._open_button.setEnabled(request is not None)
        mine = request is not None and self._desk is not None and \
            request.claimed_by == self._desk.me
        self._take_button.setEnabled(request is not None and request.claimed_by is None)
        self._take_button.setToolTip(
            _("Mark the request as yours, for the whole team (Ctrl+T)") if request is None
            or request.claimed_by is None else
            _("You have it") if mine else _("{name} has it").format(name=self._owner(request)))
        self._resolve_button.setEnabled(request is not None and self._spawn is not None)

    def _on_queue_changed(self, _event: QueueChanged) -> None:
        self.refresh()

    def _on_room_changed(self, _event: StaffRoomChanged) -> None:
        self._show_room()

    def _show_room(self) -> None:
        self._room.setText(self._desk.room_line() if self._desk is not None else "")
        self._room.setVisible(self._desk is not None)

    def _say(self, text: str) -> None:
        self._feedback.setText(text)

    def _open_selected(self) -> None:
        request = self.selected()
        if request is not None:
            self._open_chat(request.requester)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        peer = item.data(0, PEER_ROLE)
        if isinstance(peer, str):
            self._open_chat(peer)
