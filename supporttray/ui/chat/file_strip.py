"""The files a peer sent in this session, as cards under the conversation."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from supporttray.app.received_files import ReceivedFile, ReceivedFiles
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.chat.file_card import FileCard

Spawn = Callable[[Coroutine[Any, Any, Any]], object]
MAX_HEIGHT = 240


class FileStrip(QWidget):
    """Cards for one conversation's received files; new ones appear as they arrive."""

    def __init__(self, peer: str, files: ReceivedFiles, *, bridge: CoreBridge, spawn: Spawn,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileStrip")
        self._peer = peer
        self._files = files
        self._spawn = spawn
        self.cards: list[FileCard] = []
        # Two cards' height at most: a busy day's files must not push the messages away.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(MAX_HEIGHT)
        inner = QWidget(scroll)
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self._layout.setSpacing(4)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._scroll = scroll
        for received in files.of(peer):
            self._add(received)
        bridge.file_offered.connect(self._offered)
        self.setVisible(bool(self.cards))

    def _offered(self, received: object) -> None:
        if isinstance(received, ReceivedFile) and received.peer == self._peer:
            self._add(received)
            self.setVisible(True)

    def _add(self, received: ReceivedFile) -> None:
        card = FileCard(received.offer, self._files.transfers, spawn=self._spawn)
        self.cards.append(card)
        # Newest first, where the eye is after reading the message that carried it.
        self._layout.insertWidget(0, card)
        self._scroll.verticalScrollBar().setValue(0)
        wanted = self._layout.sizeHint().height()
        self._scroll.setMinimumHeight(min(wanted, MAX_HEIGHT))
        if self._files.start_automatically(received):
            card.download()
