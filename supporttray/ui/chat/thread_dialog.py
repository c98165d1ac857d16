"""Staff: one earlier request, read-only, in a window of its own."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from supporttray.core.clock import Clock
from supporttray.core.messages import ChatMessage
from supporttray.language.catalogue import _
from supporttray.ui.chat.message_view import MessageView
from supporttray.ui.chat.time_text import local_time
from supporttray.ui.date_text import date_text


class ThreadDialog(QDialog):
    """One earlier request, read-only: its messages as bubbles (staff: "Earlier requests")."""

    link_activated = Signal(str)

    def __init__(self, peer_name: str, *, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadDialog")
        self._peer_name = peer_name
        self.setMinimumSize(360, 280)
        self.resize(560, 520)
        self.view = MessageView(peer_name=peer_name, show_sysinfo_in=True, clock=clock,
                                parent=self)
        self.view.link_activated.connect(self.link_activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

    def show_thread(self, messages: list[ChatMessage]) -> None:
        """Show these messages (oldest first) from the top: a request reads from its start."""
        started = messages[0].timestamp if messages else None
        when = ("" if started is None
                else date_text(local_time(started), _("dddd dd MMMM yyyy")))
        self.setWindowTitle(_("Earlier request from {name} — {when}").format(
            name=self._peer_name, when=when).rstrip(" —"))
        self.view.set_messages(messages)
        self.view.scroll_to_top()
