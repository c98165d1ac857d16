"""The messages of one conversation as a scrolling list of bubbles, built newest first."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from supporttray.core.clock import Clock
from supporttray.core.messages import ChatMessage, Direction
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.chat.bubble import MessageBubble
from supporttray.ui.chat.time_text import day_text
from supporttray.ui.text_colors import secondary_color

# Bubbles are built for the newest messages only; older ones on request, this many at a time.
RENDER_BATCH: Final = 50


BUBBLE_WIDTH_RATIO: Final = 0.78


def mix(first: QColor, second: QColor, amount: float) -> QColor:
    """`amount` of `first` over `second` (0: second, 1: first)."""
    return QColor.fromRgbF(
        first.redF() * amount + second.redF() * (1 - amount),
        first.greenF() * amount + second.greenF() * (1 - amount),
        first.blueF() * amount + second.blueF() * (1 - amount),
    )


class _Row(QWidget):
    """A bubble pushed to the right (ours) or the left (theirs)."""

    def __init__(self, bubble: MessageBubble, outgoing: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.bubble = bubble
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if outgoing:
            layout.addStretch(1)
            layout.addWidget(bubble)
        else:
            layout.addWidget(bubble)
            layout.addStretch(1)


class MessageView(QScrollArea):
    """The messages of one conversation as bubbles, newest at the bottom.

    Bubbles are built for the newest RENDER_BATCH messages only ("Show earlier messages" adds
    more), and each body is shortened before it is laid out: a chat with hundreds of messages
    or a megabyte body opens as fast as a short one.
    """

    link_activated = Signal(str)

    def __init__(
        self,
        *,
        peer_name: str,
        show_sysinfo_in: bool,
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self._peer_name = peer_name
        self._show_sysinfo_in = show_sysinfo_in
        self._clock = clock
        self._limit = RENDER_BATCH
        self._bubbles: dict[str, MessageBubble] = {}
        self._order: list[str] = []
        self._hidden_before = 0
        self._last_day: str | None = None
        self._stick_to_bottom = True

        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._content = QWidget()
        self._content.setObjectName("messageList")
        self._layout = QVBoxLayout(self._content)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.setSpacing(6)
        # Messages sit at the bottom, next to the message box, until they fill the view.
        self._layout.addStretch(1)
        self._earlier = QPushButton(_("Show earlier messages"))
        self._earlier.setObjectName("showEarlier")
        self._earlier.setFlat(True)
        self._earlier.setCursor(Qt.CursorShape.PointingHandCursor)
        self._earlier.clicked.connect(self.show_earlier)
        self._layout.addWidget(self._earlier, 0, Qt.AlignmentFlag.AlignHCenter)
        self._earlier.hide()
        self._empty = QLabel(_("No messages yet"))
        self._empty.setObjectName("emptyConversation")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet(f"color: {secondary_color(self._empty)};")
        self._layout.addWidget(self._empty)
        self.setWidget(self._content)
        self._apply_style()

        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)
        self._messages: list[ChatMessage] = []

    # -- what the pane calls ----------------------------------------------------------------
    def set_messages(self, messages: list[ChatMessage]) -> None:
        """Show these messages (oldest first): new ones are appended, changed ones updated."""
        self._messages = messages
        ids = [m.id for m in messages]
        if self._order and self._order[0] in set(ids):
            start = ids.index(self._order[0])
            tail = messages[start:]
            if [m.id for m in tail[: len(self._order)]] == self._order:
                self._update_and_append(tail, hidden_before=start)
                return
        self._rebuild()

    def show_earlier(self) -> None:
        """Build bubbles for the next RENDER_BATCH older messages, keeping the view in place."""
        anchor = self._bubbles.get(self._order[0]) if self._order else None
        bar = self.verticalScrollBar()
        anchor_offset = (
            anchor.mapTo(self._content, anchor.rect().topLeft()).y() - bar.value()
            if anchor is not None
            else 0
        )
        self._limit = len(self._order) + RENDER_BATCH
        self._stick_to_bottom = False
        self._rebuild()
        if anchor is not None:
            new_anchor = self._bubbles.get(anchor.message.id)
            if new_anchor is not None:
                self._content.adjustSize()
                top = new_anchor.mapTo(self._content, new_anchor.rect().topLeft()).y()
                self.verticalScrollBar().setValue(top - anchor_offset)

    def scroll_to_top(self) -> None:
        self._stick_to_bottom = False
        self._content.adjustSize()
        self.verticalScrollBar().setValue(0)

    # -- for tests ----------------------------------------------------------------------------
    def bubbles(self) -> list[MessageBubble]:
        return [self._bubbles[i] for i in self._order]

    def bubble(self, message_id: str) -> MessageBubble | None:
        return self._bubbles.get(message_id)

    @property
    def hidden_before(self) -> int:
        """How many older messages have no bubble yet."""
        return self._hidden_before

    # -- internals ----------------------------------------------------------------------------
    def _rebuild(self) -> None:
        # Everything after the stretch, the "earlier" button and the empty note goes.
        while self._layout.count() > 3:
            taken = self._layout.takeAt(3)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._bubbles.clear()
        self._order.clear()
        self._last_day = None
        messages = self._messages
        start = max(0, len(messages) - self._limit)
        self._update_and_append(messages[start:], hidden_before=start)

    def _update_and_append(self, tail: list[ChatMessage], *, hidden_before: int) -> None:
        self._hidden_before = hidden_before
        self._earlier.setVisible(hidden_before > 0)
        if hidden_before:
            self._earlier.setText(ngettext(
                "Show earlier messages ({count} message)",
                "Show earlier messages ({count} messages)", hidden_before
            ).format(count=f"{hidden_before:,}"))
        appended_outgoing = False
        for message in tail:
            bubble = self._bubbles.get(message.id)
            if bubble is not None:
                if bubble.message != message:
                    bubble.update_message(message)
                continue
            self._append(message)
            appended_outgoing = appended_outgoing or message.direction is Direction.OUT
        self._empty.setVisible(not self._order)
        if appended_outgoing:
            # Whoever sends wants to see what they sent, wherever they had scrolled to.
            self._stick_to_bottom = True

    def _append(self, message: ChatMessage) -> None:
        day = day_text(message.timestamp, self._clock())
        position = self._layout.count()
        if day != self._last_day:
            self._last_day = day
            separator = QLabel(day, self._content)
            separator.setObjectName("daySeparator")
            separator.setAlignment(Qt.AlignmentFlag.AlignCenter)
            separator.setStyleSheet(f"color: {secondary_color(separator)}; padding: 6px 0 2px 0;")
            self._layout.insertWidget(position, separator)
            position += 1
        outgoing = message.direction is Direction.OUT
        bubble = MessageBubble(
            message,
            peer_name=self._peer_name,
            show_sysinfo=outgoing or self._show_sysinfo_in,
        )
        bubble.link_activated.connect(self.link_activated)
        bubble.set_max_width(self._bubble_width())
        row = _Row(bubble, outgoing, self._content)
        self._layout.insertWidget(position, row)
        self._bubbles[message.id] = bubble
        self._order.append(message.id)

    def _bubble_width(self) -> int:
        return max(160, int(self.viewport().width() * BUBBLE_WIDTH_RATIO))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = self._bubble_width()
        for bubble in self._bubbles.values():
            bubble.set_max_width(width)

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.verticalScrollBar().setValue(maximum)

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 8

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_style()

    def _apply_style(self) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        window = palette.color(QPalette.ColorRole.Window)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        incoming = mix(window, base, 0.55)
        outgoing = mix(highlight, base, 0.16)
        border = mix(palette.color(QPalette.ColorRole.Mid), base, 0.45)
        self.setStyleSheet(
            f"""
            QWidget#messageList {{ background: {base.name()}; }}
            QFrame#bubbleIn {{
                background: {incoming.name()}; border: 1px solid {border.name()};
                border-radius: 12px; border-top-left-radius: 4px;
            }}
            QFrame#bubbleOut {{
                background: {outgoing.name()}; border: 1px solid {mix(highlight, base, 0.3).name()};
                border-radius: 12px; border-top-right-radius: 4px;
            }}
            QFrame#sysinfoPanel {{
                background: {base.name()}; border: 1px solid {border.name()}; border-radius: 8px;
            }}
            """
        )
