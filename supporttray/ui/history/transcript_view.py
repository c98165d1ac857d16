"""A conversation read back from the history: its messages and the staff's notes, in time
order, read-only, one row each; opened at a hit, that row is selected and scrolled to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from supporttray.core.messages import ChatMessage, Direction
from supporttray.language.catalogue import _
from supporttray.ui.history.hit_text import day_and_time
from supporttray.ui.text_colors import is_dark

if TYPE_CHECKING:
    from supporttray.core.history import Note

MESSAGE_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 1
NOTE_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2
# Notes stand apart from what was said: a pale amber row (a darker one on dark themes).
NOTE_BACKGROUND: Final = ("#fff4d6", "#4a3d17")


@dataclass(frozen=True)
class _Entry:
    at: datetime
    text: str
    message_id: str | None = None
    note_id: int | None = None


class TranscriptView(QListWidget):
    """Plain text only (a body with markup shows its markup as typed)."""

    def __init__(self, name_of: Callable[[str], str], *, own_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name_of = name_of
        self._own_name = own_name
        self.setObjectName("historyTranscript")
        self.setAccessibleName(_("Conversation"))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSpacing(2)

    def show_conversation(self, messages: tuple[ChatMessage, ...], notes: tuple[Note, ...], *,
                          message_id: str | None = None, note_id: int | None = None) -> None:
        """Replace what is shown; select and scroll to the hit (a message or a note), else
        to the newest row."""
        entries = [self._message_entry(m) for m in messages]
        entries += [self._note_entry(n) for n in notes]
        # Stable: a note written the same second as a message follows it.
        entries.sort(key=lambda e: e.at)
        self.clear()
        focus: QListWidgetItem | None = None
        note_brush = QBrush(QColor(NOTE_BACKGROUND[1 if is_dark(self.palette()) else 0]))
        for entry in entries:
            item = QListWidgetItem(entry.text, self)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            if entry.message_id is not None:
                item.setData(MESSAGE_ID_ROLE, entry.message_id)
                if entry.message_id == message_id:
                    focus = item
            if entry.note_id is not None:
                item.setData(NOTE_ID_ROLE, entry.note_id)
                item.setBackground(note_brush)
                font = QFont(item.font())
                font.setItalic(True)
                item.setFont(font)
                if entry.note_id == note_id:
                    focus = item
        if focus is None and self.count():
            focus = self.item(self.count() - 1)
        if focus is not None:
            self.setCurrentItem(focus)
            self.scrollToItem(focus, QAbstractItemView.ScrollHint.PositionAtCenter)

    def show_error(self, sentence: str) -> None:
        """A sentence in place of the conversation (a hint, or why it could not be read)."""
        self.clear()
        item = QListWidgetItem(sentence, self)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)

    def _message_entry(self, message: ChatMessage) -> _Entry:
        who = self._own_name if message.direction is Direction.OUT else self._name_of(
            message.peer)
        return _Entry(message.timestamp, f"{day_and_time(message.timestamp)} — {who}\n"
                                         f"{message.body}", message_id=message.id)

    def _note_entry(self, note: Note) -> _Entry:
        header = _("Note (only you see this)")
        return _Entry(note.at, f"{day_and_time(note.at)} — {header}\n{note.body}",
                      note_id=note.id)
