"""The chat window: one tab per conversation, message bubbles, typing, delivery and composing.

Message text is someone else's text: it is always shown as plain text (see `message_text`),
and only http/https/mailto/xmpp addresses open when clicked.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Final, Protocol

from PySide6.QtCore import (
    QEvent,
    QLocale,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTime,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.chat import AskError, AskPlan
from supporttray.app.errors import DeskError
from supporttray.app.request_desk import RequestDesk
from supporttray.core import canned
from supporttray.core.clock import Clock, utc_now
from supporttray.core.conversations import ConversationChanged, Conversations
from supporttray.core.history import ThreadList
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.ui.canned_editor import CannedEditor, ask_to_discard
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.kept_window import KeptWindow, bring_to_front
from supporttray.ui.message_text import clean, is_allowed_link, shorten, to_html
from supporttray.ui.presence_text import display_name, one_line, staff_row
from supporttray.ui.requester_header import RequesterHeader
from supporttray.ui.sysinfo_panel import SysinfoPanel, secondary_color

log = logging.getLogger("supporttray.ui")

Spawn = Callable[[Coroutine[Any, Any, Any]], None]

# The peer's client is told "composing" at the first keystroke and "active" once typing has
# paused this long, so the network sees two chat states per burst of typing, not one per key.
COMPOSING_PAUSE_MS: Final = 5_000
# Bubbles are built for the newest messages only; older ones on request, this many at a time.
RENDER_BATCH: Final = 50
# "Show all" expands a body in place up to this size (~0.2 s to lay out); a bigger one opens in
# a plain-text viewer, which lays out lazily.
IN_PLACE_MAX_CHARS: Final = 50_000
BUBBLE_WIDTH_RATIO: Final = 0.78
COMPOSER_LINES: Final = 3


class ChatBackend(Protocol):
    """What the chat and ask windows need from `app.chat.ChatService` (a fake in tests)."""

    conversations: Conversations
    requests: RequestQueue | None  # staff mode: who is waiting
    desk: RequestDesk | None  # staff mode: take and resolve, shared with the team

    async def plan_ask(self, to: str | None = None, *, new_request: bool = False) -> AskPlan: ...

    async def ask(
        self, plan: AskPlan, text: str, *, sysinfo: SysinfoSnapshot | None = None
    ) -> ChatMessage: ...

    async def send(self, peer: str, text: str) -> ChatMessage: ...

    async def send_sysinfo_again(self, peer: str) -> ChatMessage: ...

    def composing(self, peer: str, active: bool) -> None: ...

    def canned_replies(self, peer: str) -> list[tuple[str, str]]: ...

    # Staff mode: the canned-reply editor (CannedRepliesError from set_canned_templates).
    def canned_templates(self) -> list[str]: ...

    def canned_templates_locked(self) -> bool: ...

    def set_canned_templates(self, templates: list[str]) -> list[str]: ...

    def fill_canned(self, peer: str, template: str) -> str: ...

    # Staff mode: the requester's earlier requests (threads) in the conversation header.
    def earlier_requests(self, peer: str) -> ThreadList: ...

    def thread_messages(self, peer: str, thread: str) -> list[ChatMessage]: ...

    def mark_read(self, peer: str) -> None: ...

    def open_conversation(self, peer: str) -> list[ChatMessage]: ...

    @property
    def unread(self) -> int: ...


def open_allowed_link(url: str) -> bool:
    """Open `url` with the desktop, only if its scheme is one we allow; the default opener."""
    if not is_allowed_link(url):
        log.warning("refused to open a link with a scheme that is not allowed")
        return False
    qurl = QUrl(url, QUrl.ParsingMode.TolerantMode)
    if qurl.scheme().lower() not in ("http", "https", "mailto", "xmpp"):
        log.warning("refused to open a link with a scheme that is not allowed")
        return False
    return QDesktopServices.openUrl(qurl)


def mix(first: QColor, second: QColor, amount: float) -> QColor:
    """`amount` of `first` over `second` (0: second, 1: first)."""
    return QColor.fromRgbF(
        first.redF() * amount + second.redF() * (1 - amount),
        first.greenF() * amount + second.greenF() * (1 - amount),
        first.blueF() * amount + second.blueF() * (1 - amount),
    )


def local_time(timestamp: datetime) -> datetime:
    """A stored (UTC) time in the user's own time zone."""
    return timestamp.astimezone()


def time_text(timestamp: datetime) -> str:
    """`14:05` (or `2:05 PM`, as the user's locale writes times)."""
    local = local_time(timestamp)
    return QLocale.system().toString(
        QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat
    )


def day_text(timestamp: datetime, now: datetime) -> str:
    """`Today`, `Yesterday`, `Monday 5 January` or `5 January 2025` for a day separator."""
    day = local_time(timestamp).date()
    today = local_time(now).date()
    delta = (today - day).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Yesterday"
    if 1 < delta < 7:
        return f"{day:%A}"
    if day.year == today.year:
        return f"{day:%A} {day.day} {day:%B}"
    return f"{day.day} {day:%B} {day.year}"


def full_time_text(timestamp: datetime) -> str:
    local = local_time(timestamp)
    return f"{local.day} {local:%B %Y, %H:%M:%S %Z}".strip()


DELIVERY_TIPS: Final = {
    Delivery.QUEUED: "Waiting to be sent — it goes out as soon as you are back online",
    Delivery.SENT: "Sent to the server",
    Delivery.DELIVERED: "Delivered to {name}",
}


def delivery_pixmap(delivery: Delivery, color: QColor, *, ratio: float = 1.0) -> QPixmap:
    """A small drawn mark: a clock (queued), a tick (sent) or two ticks (delivered).

    Drawn rather than taken from a font: not every desktop has a font with ⏳ or ✓✓.
    """
    width, height = 18, 12
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, 1.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if delivery is Delivery.QUEUED:
            painter.drawEllipse(QRectF(4.5, 0.8, 10.4, 10.4))
            painter.drawLine(QPointF(9.7, 3.2), QPointF(9.7, 6.0))
            painter.drawLine(QPointF(9.7, 6.0), QPointF(11.9, 7.4))
        else:
            ticks = (0.0,) if delivery is Delivery.SENT else (-2.6, 2.6)
            for dx in ticks:
                path = QPainterPath()
                path.moveTo(4.2 + dx, 6.2)
                path.lineTo(7.2 + dx, 9.2)
                path.lineTo(13.6 + dx, 2.6)
                painter.drawPath(path)
    finally:
        painter.end()
    return pixmap


class MessageEdit(QPlainTextEdit):
    """The message box: Enter sends, Shift+Enter starts a new line."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setObjectName("messageEdit")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if modifiers & Qt.KeyboardModifier.ShiftModifier:
                # QPlainTextEdit would insert a line separator (U+2028) for Shift+Enter.
                self.textCursor().insertText("\n")
                self.ensureCursorVisible()
                return
            if modifiers == Qt.KeyboardModifier.NoModifier:
                self.submitted.emit()
                return
        super().keyPressEvent(event)

    def set_lines(self, lines: int) -> None:
        """Make the box this many lines tall (plus its frame and margins)."""
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        height = (
            metrics.lineSpacing() * lines
            + 2 * int(self.document().documentMargin())
            + margins.top()
            + margins.bottom()
        )
        self.setFixedHeight(height)


class FullTextDialog(QDialog):
    """A whole very long message as plain text (the bubble shows its start)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        # Fixed before it is shown: a layout changing a mapped window's limits makes some
        # platforms re-negotiate (and warn).
        self.setMinimumSize(360, 240)
        self.resize(720, 560)
        view = QPlainTextEdit(self)
        view.setObjectName("fullText")
        view.setReadOnly(True)
        view.setPlainText(clean(text))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)
        self.text_view = view


class BodyLabel(QLabel):
    """A message body that is as wide as its text needs, up to the width it is allowed.

    QLabel's own size hint for wrapped text guesses a width (about 80 average characters,
    squeezed further by a ratio heuristic), which makes short chat bubbles needlessly narrow.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max_text_width = 400
        self._hint: QSize | None = None

    def set_max_text_width(self, width: int) -> None:
        if width != self._max_text_width:
            self._max_text_width = width
            self._hint = None
            self.updateGeometry()

    def setText(self, text: str) -> None:
        self._hint = None
        super().setText(text)

    def sizeHint(self) -> QSize:
        if self._hint is None:
            document = QTextDocument()
            document.setDocumentMargin(0)
            document.setDefaultFont(self.font())
            document.setHtml(self.text())
            document.setTextWidth(self._max_text_width)
            width = min(self._max_text_width, math.ceil(document.idealWidth()) + 1)
            self._hint = QSize(width, self.heightForWidth(width))
        return self._hint

    def minimumSizeHint(self) -> QSize:
        return QSize(min(60, self.sizeHint().width()), super().minimumSizeHint().height())


class MessageBubble(QFrame):
    """One message: its text, "Show all" for a long one, system info, time and delivery."""

    link_activated = Signal(str)

    def __init__(
        self,
        message: ChatMessage,
        *,
        peer_name: str,
        show_sysinfo: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._message = message
        self._peer_name = peer_name
        self._expanded = False
        outgoing = message.direction is Direction.OUT
        self.setObjectName("bubbleOut" if outgoing else "bubbleIn")
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)

        self._body = BodyLabel(self)
        self._body.setObjectName("messageBody")
        self._body.setTextFormat(Qt.TextFormat.RichText)  # our own escaped HTML, never theirs
        self._body.setWordWrap(True)
        self._body.setOpenExternalLinks(False)
        self._body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self._body.linkActivated.connect(self.link_activated)
        self._body.linkHovered.connect(self._body.setToolTip)

        self._more = QLabel(self)
        self._more.setObjectName("showAll")
        self._more.setTextFormat(Qt.TextFormat.RichText)
        self._more.linkActivated.connect(self._on_more)

        self._panel: SysinfoPanel | None = None
        if show_sysinfo and message.sysinfo:
            snapshot = SysinfoSnapshot.from_pairs(message.sysinfo, message.timestamp)
            self._panel = SysinfoPanel(
                snapshot,
                title="System info sent" if outgoing else "System info",
                expanded=not outgoing,
                parent=self,
            )

        self._time = QLabel(time_text(message.timestamp), self)
        self._time.setObjectName("messageTime")
        self._time.setToolTip(full_time_text(message.timestamp))
        small = QFont(self._time.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        self._time.setFont(small)
        self._time.setStyleSheet(f"color: {secondary_color(self._time)};")
        self._delivery = QLabel(self)
        self._delivery.setObjectName("deliveryState")
        self._delivery.setVisible(outgoing)

        meta = QHBoxLayout()
        meta.setContentsMargins(0, 0, 0, 0)
        meta.setSpacing(4)
        meta.addStretch(1)
        meta.addWidget(self._time)
        meta.addWidget(self._delivery)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(11, 7, 9, 4)
        layout.setSpacing(3)
        layout.addWidget(self._body)
        layout.addWidget(self._more)
        if self._panel is not None:
            layout.addWidget(self._panel)
        layout.addLayout(meta)

        self._render_body()
        self._render_delivery()

    @property
    def message(self) -> ChatMessage:
        return self._message

    def set_max_width(self, width: int) -> None:
        """The widest this bubble may be (a share of the view's width)."""
        self.setMaximumWidth(width)
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else self.contentsMargins()
        frame = 2 * self.frameWidth()
        self._body.set_max_text_width(max(40, width - margins.left() - margins.right() - frame))

    def update_message(self, message: ChatMessage) -> None:
        """The same message with a new delivery state."""
        old = self._message
        self._message = message
        if message.body != old.body:
            self._render_body()
        if message.delivery is not old.delivery:
            self._render_delivery()

    # -- for tests and screen readers -------------------------------------------------------
    def body_html(self) -> str:
        return self._body.text()

    def body_label(self) -> QLabel:
        return self._body

    def shortened(self) -> bool:
        return self._more.isVisibleTo(self) and not self._expanded

    def show_all(self) -> None:
        """What clicking "Show all" does."""
        self._on_more("#all")

    def delivery_tooltip(self) -> str:
        return self._delivery.toolTip()

    def time_text(self) -> str:
        return self._time.text()

    @property
    def sysinfo_panel(self) -> SysinfoPanel | None:
        return self._panel

    # -- drawing ----------------------------------------------------------------------------
    def _render_body(self) -> None:
        body = self._message.body
        self._body.setVisible(bool(body.strip()))
        if self._expanded:
            shown_text, shortened, hidden = clean(body), False, 0
        else:
            shown = shorten(body)
            shown_text, shortened, hidden = shown.text, shown.shortened, shown.hidden_chars
        self._body.setText(
            '<p style="white-space: pre-wrap; margin: 0;">' + to_html(shown_text) + "</p>"
        )
        if shortened:
            more = f"{hidden:,} more characters" if hidden > 1 else "more"
            self._more.setText(f'… <a href="#all">Show all</a> ({more})')
            self._more.setVisible(True)
        elif self._expanded:
            self._more.setText('<a href="#less">Show less</a>')
            self._more.setVisible(True)
        else:
            self._more.setVisible(False)

    def _on_more(self, href: str) -> None:
        if href == "#less":
            self._expanded = False
            self._render_body()
            return
        if len(self._message.body) > IN_PLACE_MAX_CHARS:
            who = "you" if self._message.direction is Direction.OUT else self._peer_name
            dialog = FullTextDialog(f"Message from {who}", self._message.body, self.window())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            return
        self._expanded = True
        self._render_body()

    def _render_delivery(self) -> None:
        if self._message.direction is not Direction.OUT:
            return
        delivery = self._message.delivery
        if delivery is Delivery.RECEIVED:
            delivery = Delivery.DELIVERED
        palette = self.palette()
        color = (
            palette.color(QPalette.ColorRole.Link)
            if delivery is Delivery.DELIVERED
            else palette.color(QPalette.ColorRole.PlaceholderText)
        )
        self._delivery.setPixmap(delivery_pixmap(delivery, color, ratio=self.devicePixelRatioF()))
        tip = DELIVERY_TIPS[delivery].format(name=self._peer_name)
        self._delivery.setToolTip(tip)
        self._delivery.setAccessibleName(tip)


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
        self._earlier = QPushButton("Show earlier messages")
        self._earlier.setObjectName("showEarlier")
        self._earlier.setFlat(True)
        self._earlier.setCursor(Qt.CursorShape.PointingHandCursor)
        self._earlier.clicked.connect(self.show_earlier)
        self._layout.addWidget(self._earlier, 0, Qt.AlignmentFlag.AlignHCenter)
        self._earlier.hide()
        self._empty = QLabel("No messages yet")
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

    def scroll_to_bottom(self) -> None:
        self._stick_to_bottom = True
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

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
            noun = "message" if hidden_before == 1 else "messages"
            self._earlier.setText(f"Show earlier messages ({hidden_before:,} {noun})")
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
        when = f"{local_time(started):%A %d %B %Y}" if started is not None else ""
        self.setWindowTitle(f"Earlier request from {self._peer_name} — {when}".rstrip(" —"))
        self.view.set_messages(messages)
        self.view.scroll_to_top()


class ConversationPane(QWidget):
    """One conversation: who it is with, the messages, typing, and the message box."""

    edit_replies_requested = Signal()

    def __init__(
        self,
        peer: str,
        service: ChatBackend,
        *,
        book: PresenceBook | None,
        icons: IconSet | None,
        mode: str,
        spawn: Spawn,
        clock: Clock,
        open_link: Callable[[str], object],
        composing_pause_ms: int = COMPOSING_PAUSE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.peer = bare_jid(peer)
        self._service = service
        self._book = book
        self._icons = icons
        self._spawn = spawn
        self._clock = clock
        self._open_link = open_link
        self._composing = False
        self._closed = False
        self._mode = mode
        self.name = display_name(book, self.peer)
        self._newest_thread: str | None = None
        self._threads_loaded = False
        self._thread_dialog: ThreadDialog | None = None

        self._avatar = QLabel(self)
        self._avatar.setFixedSize(24, 24)
        self._title = QLabel(self)
        self._title.setObjectName("peerName")
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self._title.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.1)
        self._title.setFont(title_font)
        self._details = QLabel(self)
        self._details.setObjectName("peerDetails")
        self._details.setTextFormat(Qt.TextFormat.PlainText)
        self._details.setStyleSheet(f"color: {secondary_color(self._details)};")
        self._details.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._sysinfo_again = QPushButton("Send system info again", self)
        self._sysinfo_again.setObjectName("sendSysinfoAgain")
        self._sysinfo_again.setToolTip(
            "Collect your computer's system info now and send it in this chat"
        )
        self._sysinfo_again.clicked.connect(self.send_sysinfo_again)
        self._sysinfo_again.setVisible(mode == "requester")

        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self._title)
        titles.addWidget(self._details)
        header = QHBoxLayout()
        header.setContentsMargins(12, 8, 10, 8)
        header.setSpacing(8)
        header.addWidget(self._avatar, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addLayout(titles, 1)
        header.addWidget(self._sysinfo_again, 0, Qt.AlignmentFlag.AlignVCenter)

        # Staff: their open request, who has it, and Take it / Resolve for the whole team.
        self._request_state = QLabel(self)
        self._request_state.setObjectName("requestState")
        self._request_state.setStyleSheet(f"color: {secondary_color(self._request_state)};")
        self.take_button = QPushButton("Take it", self)
        self.take_button.setObjectName("takeRequest")
        self.take_button.setToolTip("Mark this request as yours, for the whole team")
        self.take_button.clicked.connect(self.take_request)
        self.resolve_button = QPushButton("Resolve", self)
        self.resolve_button.setObjectName("resolveRequest")
        self.resolve_button.setToolTip(
            f"Close the request; {self.name} gets a short \"marked resolved\" message")
        self.resolve_button.clicked.connect(self.resolve_request)
        for widget in (self._request_state, self.take_button, self.resolve_button):
            header.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        requests = service.requests if mode == "staff" else None
        self._unsubscribe_requests = (
            requests.changed.subscribe(lambda _none: self._refresh_request())
            if requests is not None and service.desk is not None else None)

        # Staff: the requester's local time and earlier requests, under the name.
        self.requester_header: RequesterHeader | None = None
        if mode == "staff":
            self.requester_header = RequesterHeader(clock=clock, parent=self)
            self.requester_header.thread_chosen.connect(self.show_thread)

        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)

        self.view = MessageView(
            peer_name=self.name, show_sysinfo_in=mode == "staff", clock=clock, parent=self
        )
        self.view.link_activated.connect(self._on_link)

        self._typing = QLabel(self)
        self._typing.setObjectName("typingIndicator")
        italic = QFont(self._typing.font())
        italic.setItalic(True)
        self._typing.setFont(italic)
        self._typing.setStyleSheet(f"color: {secondary_color(self._typing)};")
        self._typing.setFixedHeight(self._typing.fontMetrics().height() + 4)

        self._error = QLabel(self)
        self._error.setObjectName("chatError")
        self._error.setWordWrap(True)
        self._error.setTextFormat(Qt.TextFormat.PlainText)
        self._error.setStyleSheet("color: #c0392b;")
        self._error.hide()

        self.edit = MessageEdit(self)
        self.edit.setPlaceholderText(f"Message {self.name} — Enter sends, Shift+Enter adds a line")
        self.edit.setAccessibleName(f"Message to {self.name}")
        self.edit.set_lines(COMPOSER_LINES)
        self.edit.submitted.connect(self.send)
        self.edit.textChanged.connect(self._on_text_changed)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)

        composer = QHBoxLayout()
        composer.setContentsMargins(0, 0, 0, 0)
        composer.setSpacing(8)
        composer.addWidget(self.edit, 1)
        if mode == "staff":
            # Canned replies: a menu next to Send, and Ctrl+1..9 for the first nine.
            self.replies_button = QToolButton(self)
            self.replies_button.setObjectName("cannedReplies")
            self.replies_button.setText("Replies")
            self.replies_button.setToolTip("Insert a canned reply (Ctrl+1 … Ctrl+9)")
            self.replies_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self.replies_menu = QMenu(self.replies_button)
            self.replies_menu.aboutToShow.connect(self._fill_replies_menu)
            self.replies_button.setMenu(self.replies_menu)
            composer.addWidget(self.replies_button, 0, Qt.AlignmentFlag.AlignBottom)
            for number in range(1, 10):
                shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda n=number: self.insert_canned_reply(n - 1))
        composer.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)

        bottom = QVBoxLayout()
        bottom.setContentsMargins(12, 0, 12, 10)
        bottom.setSpacing(4)
        bottom.addWidget(self._typing)
        bottom.addWidget(self._error)
        bottom.addLayout(composer)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        if self.requester_header is not None:
            layout.addWidget(self.requester_header)
        layout.addWidget(rule)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(composing_pause_ms)
        self._pause.timeout.connect(self._typing_paused)

        self.refresh()
        self.refresh_peer()
        self._refresh_request()

    # -- what the window calls ------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the conversation: messages, delivery states, typing."""
        conversations = self._service.conversations
        messages = conversations.messages(self.peer)
        self.view.set_messages(messages)
        typing = conversations.is_typing(self.peer)
        self._typing.setText(f"{self.name} is typing…" if typing else "")
        if self.requester_header is not None:
            self._refresh_requester(messages)

    def _refresh_requester(self, messages: list[ChatMessage]) -> None:
        header = self.requester_header
        assert header is not None
        header.set_sysinfo(canned.latest_sysinfo(messages))
        # Earlier requests change only when a new request (thread) starts: ask the history
        # then, not at every message.
        newest = next((m.thread for m in reversed(messages) if m.thread), None)
        if newest != self._newest_thread or not self._threads_loaded:
            self._newest_thread = newest
            self._threads_loaded = True
            try:
                header.set_threads(self._service.earlier_requests(self.peer))
            except Exception:
                # The header is a help, not the chat: the conversation works without it.
                log.warning("could not list earlier requests", exc_info=True)

    def show_thread(self, thread: str) -> ThreadDialog | None:
        """Show one earlier request's messages in a window of their own."""
        try:
            messages = self._service.thread_messages(self.peer, thread)
        except Exception:
            log.warning("could not read an earlier request", exc_info=True)
            self._error.setText("That earlier request could not be read from the history.")
            self._error.show()
            return None
        dialog = self._thread_dialog
        if dialog is None:
            dialog = ThreadDialog(self.name, clock=self._clock, parent=self.window())
            dialog.link_activated.connect(self._on_link)
            self._thread_dialog = dialog
        dialog.show_thread(messages)
        bring_to_front(dialog)
        return dialog

    def refresh_peer(self) -> None:
        """Their availability and local time in the header."""
        member = self._book.member(self.peer) if self._book is not None else None
        self._title.setText(self.name)
        if member is None:
            self._details.setText(self.peer)
            self._avatar.hide()
            return
        row = staff_row(member, self._clock())
        details = row.details()
        if row.local_time:
            details += " · " + row.local_time
        self._details.setText(details)
        self._details.setToolTip(f"{details}\n{self.peer}")
        if self._icons is not None:
            self._avatar.setPixmap(
                self._icons.pixmap(IconKey.for_availability(member.availability), 24)
            )
            self._avatar.show()

    def request_state(self) -> str:
        """"Nobody has taken it yet", "Taken by you", "" (no open request)."""
        return self._request_state.text() if self._request_state.isVisibleTo(self) else ""

    def take_request(self) -> None:
        desk, request = self._service.desk, self._open_request()
        if desk is None or request is None:
            return
        try:
            desk.take(request.id)
        except DeskError as exc:
            self._show_error(str(exc))

    def resolve_request(self) -> None:
        desk, request = self._service.desk, self._open_request()
        if desk is None or request is None:
            return
        self.resolve_button.setEnabled(False)

        async def resolve() -> None:
            error = await desk.try_resolve(request.id)
            if error:
                self._show_error(error)
            self._refresh_request()

        self._spawn(resolve())

    def _open_request(self) -> SupportRequest | None:
        requests = self._service.requests if self._mode == "staff" else None
        return requests.for_peer(self.peer) if requests is not None else None

    def _refresh_request(self) -> None:
        desk, request = self._service.desk, self._open_request()
        shown = desk is not None and request is not None
        for widget in (self._request_state, self.take_button, self.resolve_button):
            widget.setVisible(shown)
        if desk is None or request is None:
            return
        if request.claimed_by is None:
            state = "Nobody has taken it yet"  # (how long: the queue window, kept current)
        elif request.claimed_by == desk.me:
            state = "Taken by you"
        else:
            state = f"Taken by {display_name(self._book, request.claimed_by)}"
        if not request.asked_in(self._service.conversations.messages(self.peer)):
            # It reached a colleague: their question is not in this chat, so say it here.
            state += f" · “{one_line(request.first_line, 60)}”"
        self._request_state.setText(state)
        self._request_state.setToolTip(
            request.first_line + (f"\n{request.summary}" if request.summary else ""))
        self.take_button.setEnabled(request.claimed_by is None)
        self.resolve_button.setEnabled(True)

    def _show_error(self, text: str) -> None:
        self._error.setText(text)
        self._error.show()

    def typing_text(self) -> str:
        return self._typing.text()

    def error_text(self) -> str:
        return self._error.text() if self._error.isVisibleTo(self) else ""

    def close_pane(self) -> None:
        """The tab goes away: tell the peer we stopped typing."""
        self._closed = True
        self._pause.stop()
        if self._unsubscribe_requests is not None:
            self._unsubscribe_requests()
            self._unsubscribe_requests = None
        if self.requester_header is not None:
            self.requester_header.stop()
        if self._thread_dialog is not None:
            self._thread_dialog.close()
            self._thread_dialog.deleteLater()
            self._thread_dialog = None
        if self._composing:
            self._set_composing(False)

    # -- sending --------------------------------------------------------------------------
    def send(self) -> None:
        text = self.edit.toPlainText()
        if not text.strip():
            return
        self._pause.stop()
        self._composing = False  # the message itself tells the peer we stopped typing
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self.send_button.setEnabled(False)
        self._error.hide()
        self._spawn(self._send(text))

    async def _send(self, text: str) -> None:
        try:
            await self._service.send(self.peer, text)
        except AskError as exc:
            self._failed(str(exc), text)
        except Exception:
            log.exception("sending a chat message failed")
            self._failed("The message could not be sent. It is back in the box; try again.", text)

    def insert_canned_reply(self, index: int) -> bool:
        """Put the `index`th canned reply, filled for this person, at the cursor."""
        replies = self._service.canned_replies(self.peer)
        if not 0 <= index < len(replies):
            return False
        self.edit.insertPlainText(replies[index][1])
        self.edit.setFocus()
        return True

    def _fill_replies_menu(self) -> None:
        self.replies_menu.clear()
        replies = self._service.canned_replies(self.peer)
        if not replies:
            empty = self.replies_menu.addAction("No canned replies (staff.canned_replies)")
            empty.setEnabled(False)
        for index, (label, text) in enumerate(replies):
            shortcut = f"\tCtrl+{index + 1}" if index < 9 else ""
            action = self.replies_menu.addAction(label.replace("&", "&&") + shortcut)
            action.setToolTip(text)
            action.triggered.connect(lambda _checked=False, i=index: self.insert_canned_reply(i))
        self.replies_menu.addSeparator()
        edit = self.replies_menu.addAction("Edit replies…")
        edit.setObjectName("editReplies")
        edit.triggered.connect(self.edit_replies_requested)

    def send_sysinfo_again(self) -> None:
        self._sysinfo_again.setEnabled(False)
        self._sysinfo_again.setText("Collecting system info…")
        self._error.hide()
        self._spawn(self._send_sysinfo_again())

    async def _send_sysinfo_again(self) -> None:
        try:
            await self._service.send_sysinfo_again(self.peer)
        except AskError as exc:
            self._failed(str(exc), "")
        except Exception:
            log.exception("sending system info again failed")
            self._failed("The system info could not be sent. Try again in a moment.", "")
        finally:
            if not self._closed:
                self._sysinfo_again.setEnabled(True)
                self._sysinfo_again.setText("Send system info again")

    def _failed(self, sentence: str, text: str) -> None:
        if self._closed:
            return
        self._error.setText(sentence)
        self._error.show()
        if text:
            # Never lose what was typed: back into the box, before anything typed since.
            current = self.edit.toPlainText()
            self.edit.blockSignals(True)
            self.edit.setPlainText(text + ("\n" + current if current.strip() else ""))
            self.edit.blockSignals(False)
            self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
            self.send_button.setEnabled(True)

    # -- composing state ------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        has_text = bool(self.edit.toPlainText().strip())
        self.send_button.setEnabled(has_text)
        if not has_text:
            self._pause.stop()
            if self._composing:
                self._set_composing(False)
            return
        if not self._composing:
            self._set_composing(True)
        self._pause.start()

    def _typing_paused(self) -> None:
        if self._composing:
            self._set_composing(False)

    def _set_composing(self, active: bool) -> None:
        self._composing = active
        try:
            self._service.composing(self.peer, active)
        except Exception:
            # A chat state is a courtesy; failing to send one must not disturb typing.
            log.warning("could not send the typing state", exc_info=True)

    @property
    def composing(self) -> bool:
        return self._composing

    def _on_link(self, url: str) -> None:
        if is_allowed_link(url):
            self._open_link(url)
        else:
            log.warning("a link with a scheme that is not allowed was not opened")


class ChatWindow(KeptWindow):
    """All open conversations, one tab each; closing the window only hides it."""

    ESCAPE_CLOSES = False  # Esc belongs to the message box here (and must not lose a chat)

    def __init__(
        self,
        service: ChatBackend,
        *,
        book: PresenceBook | None,
        mode: str,
        spawn: Spawn,
        app_name: str = "SupportTray",
        icons: IconSet | None = None,
        clock: Clock = utc_now,
        open_link: Callable[[str], object] = open_allowed_link,
        composing_pause_ms: int = COMPOSING_PAUSE_MS,
        confirm_discard: Callable[[QWidget], bool] = ask_to_discard,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._composing_pause_ms = composing_pause_ms
        self._confirm_discard = confirm_discard
        self._editor: CannedEditor | None = None
        self._service = service
        self._book = book
        self._mode = mode
        self._spawn = spawn
        self._app_name = app_name
        self._icons = icons
        self._clock = clock
        self._open_link = open_link
        self._panes: dict[str, ConversationPane] = {}
        self._dirty: set[str] = set()
        self._sized = False

        self.setObjectName("chatWindow")
        self.setMinimumSize(380, 360)
        if icons is not None:
            self.setWindowIcon(icons.icon(IconKey.AVAILABLE))

        self._tabs = QTabWidget(self)
        self._tabs.setObjectName("chatTabs")
        self._tabs.setDocumentMode(True)
        self._tabs.setTabsClosable(True)
        self._tabs.setMovable(True)
        self._tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self._tabs.tabCloseRequested.connect(self._close_tab)
        self._tabs.currentChanged.connect(self._on_current_changed)

        empty_text = (
            "No conversations yet.\nMessages from people who ask for help appear here."
            if mode == "staff"
            else "No conversations yet.\nUse “Ask support…” in the tray menu to start one."
        )
        self._empty = QLabel(empty_text, self)
        self._empty.setObjectName("noConversations")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet(f"color: {secondary_color(self._empty)};")

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        close_tab = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close_tab.activated.connect(lambda: self._close_tab(self._tabs.currentIndex()))

        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        conversations = service.conversations
        self._unsubscribers = [
            conversations.changed.subscribe(self._on_changed),
            conversations.arrived.subscribe(self._on_arrived),
        ]
        # Built on first use: conversations with unread messages already have their tabs.
        for peer in conversations.peers():
            if conversations.unread(peer):
                self._pane_for(peer, load=False)
        self._update_tab_texts()
        self._update_title()

    # -- the API the controller uses ----------------------------------------------------------
    def open_chat(self, peer: str) -> ConversationPane:
        """Show the chat with `peer` (loading its history), focused on the message box."""
        pane = self._pane_for(bare_jid(peer), load=True)
        self._tabs.setCurrentWidget(pane)
        self.show_window()
        pane.edit.setFocus()
        return pane

    def show_chats(self) -> None:
        """Show the window with every conversation there is; the current tab stays."""
        for peer in self._service.conversations.peers():
            self._pane_for(peer, load=False)
        self.show_window()

    def show_window(self) -> None:
        bring_to_front(self)
        self._mark_current_read()

    def is_reading(self, peer: str) -> bool:
        """True while the person looks at this chat: window active and its tab current."""
        pane = self.current_pane()
        return (
            pane is not None
            and pane.peer == bare_jid(peer)
            and self.isVisible()
            and not self.isMinimized()
            and self.isActiveWindow()
        )

    def name_of(self, peer: str) -> str:
        return display_name(self._book, peer)

    def refresh_people(self) -> None:
        """Presence changed: headers show availability and local time."""
        for pane in self._panes.values():
            pane.refresh_peer()
        self._update_tab_icons()

    def edit_canned_replies(self, peer: str | None = None) -> CannedEditor | None:
        """Open the canned-reply editor (one at a time), previewing for `peer`'s chat (default:
        the current tab)."""
        pane = self.pane(peer) if peer is not None else self.current_pane()
        if pane is None:
            return None
        service = self._service
        preview = self._preview_for(pane.peer)
        editor = self._editor
        if editor is None:
            editor = CannedEditor(
                service.canned_templates(),
                locked=service.canned_templates_locked(),
                save=service.set_canned_templates,
                preview=preview,
                preview_name=pane.name,
                confirm_discard=self._confirm_discard,
                parent=self,
            )
            editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            editor.finished.connect(self._editor_closed)
            self._editor = editor
        else:
            editor.set_preview(preview, pane.name)
        bring_to_front(editor)
        return editor

    @property
    def canned_editor(self) -> CannedEditor | None:
        """The open canned-reply editor, if any."""
        return self._editor

    def _preview_for(self, peer: str) -> Callable[[str], str]:
        return lambda template: self._service.fill_canned(peer, template)

    def _editor_closed(self, _result: int) -> None:
        self._editor = None

    def dispose(self) -> None:
        """Stop listening to core and close for good (the app is quitting)."""
        self._disposed = True
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._flush_timer.stop()
        if self._editor is not None:
            # Quitting: unsaved edits in the editor go with the app (no question at quit).
            self._editor.deleteLater()
            self._editor = None
        for pane in self._panes.values():
            pane.close_pane()
        super().dispose()

    # -- for tests ---------------------------------------------------------------------------
    def current_pane(self) -> ConversationPane | None:
        widget = self._tabs.currentWidget()
        return widget if isinstance(widget, ConversationPane) else None

    def pane(self, peer: str) -> ConversationPane | None:
        return self._panes.get(bare_jid(peer))

    def tab_texts(self) -> list[str]:
        return [self._tabs.tabText(i) for i in range(self._tabs.count())]

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    # -- events --------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        if not self._sized:
            self._sized = True
            self.resize(QSize(600, 640))
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ActivationChange, QEvent.Type.WindowStateChange):
            self._mark_current_read()

    # -- reacting to core ------------------------------------------------------------------------
    def _on_changed(self, event: ConversationChanged) -> None:
        self._dirty.add(event.peer)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _on_arrived(self, message: ChatMessage) -> None:
        peer = bare_jid(message.peer)
        if self.is_reading(peer):
            # Read as it arrives: no badge, no notification (the notifier asks is_reading too).
            self._service.mark_read(peer)
        elif peer not in self._panes:
            # A new conversation gets its tab at once, without taking the current one away.
            self._dirty.add(peer)
            if not self._flush_timer.isActive():
                self._flush_timer.start()

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        conversations = self._service.conversations
        for peer in dirty:
            pane = self._panes.get(peer)
            if pane is not None:
                pane.refresh()
            elif conversations.unread(peer):
                self._pane_for(peer, load=False)
        self._mark_current_read()
        self._update_tab_texts()

    # -- tabs ------------------------------------------------------------------------------------
    def _pane_for(self, peer: str, *, load: bool) -> ConversationPane:
        pane = self._panes.get(peer)
        if pane is not None:
            return pane
        if load:
            self._service.open_conversation(peer)
        pane = ConversationPane(
            peer,
            self._service,
            book=self._book,
            icons=self._icons,
            mode=self._mode,
            spawn=self._spawn,
            clock=self._clock,
            open_link=self._open_link,
            composing_pause_ms=self._composing_pause_ms,
        )
        self._panes[peer] = pane
        pane.edit_replies_requested.connect(lambda p=peer: self.edit_canned_replies(p))
        index = self._tabs.addTab(pane, pane.name)
        self._tabs.setTabToolTip(index, peer)
        self._stack.setCurrentWidget(self._tabs)
        self._update_tab_texts()
        self._update_tab_icons()
        return pane

    def _close_tab(self, index: int) -> None:
        widget = self._tabs.widget(index)
        if not isinstance(widget, ConversationPane):
            return
        widget.close_pane()
        self._tabs.removeTab(index)
        self._panes.pop(widget.peer, None)
        widget.deleteLater()
        if not self._panes:
            self._stack.setCurrentWidget(self._empty)
        self._update_title()

    def _on_current_changed(self, _index: int) -> None:
        self._mark_current_read()
        self._update_title()
        pane = self.current_pane()
        if pane is not None and self.isVisible():
            pane.edit.setFocus()
        if pane is not None and self._editor is not None:
            self._editor.set_preview(self._preview_for(pane.peer), pane.name)

    def _mark_current_read(self) -> None:
        pane = self.current_pane()
        if pane is None or not self.is_reading(pane.peer):
            return
        if self._service.conversations.unread(pane.peer):
            self._service.mark_read(pane.peer)

    def _update_tab_texts(self) -> None:
        conversations = self._service.conversations
        for index in range(self._tabs.count()):
            widget = self._tabs.widget(index)
            if not isinstance(widget, ConversationPane):
                continue
            unread = conversations.unread(widget.peer)
            text = f"{widget.name} ({unread})" if unread else widget.name
            self._tabs.setTabText(index, text.replace("&", "&&"))
        self._update_title()

    def _update_tab_icons(self) -> None:
        if self._icons is None or self._book is None:
            return
        for index in range(self._tabs.count()):
            widget = self._tabs.widget(index)
            if not isinstance(widget, ConversationPane):
                continue
            member = self._book.member(widget.peer)
            icon = (
                self._icons.icon(IconKey.for_availability(member.availability))
                if member is not None
                else QIcon()
            )
            self._tabs.setTabIcon(index, icon)

    def _update_title(self) -> None:
        pane = self.current_pane()
        total = self._service.conversations.total_unread()
        title = f"{pane.name} — {self._app_name}" if pane is not None else self._app_name
        if total:
            title = f"({total}) {title}"
        self.setWindowTitle(title)
