"""One message as a bubble: its text (shortened when long), system info, time, delivery."""

from __future__ import annotations

import math
from typing import Final

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.chat.delivery_mark import DELIVERY_TIPS, delivery_pixmap
from supporttray.ui.chat.time_text import full_time_text, time_text
from supporttray.ui.message_text import clean, shorten, to_html
from supporttray.ui.sysinfo_panel import SysinfoPanel
from supporttray.ui.text_colors import secondary_color

# a plain-text viewer, which lays out lazily.
IN_PLACE_MAX_CHARS: Final = 50_000


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
                title=_("System info sent") if outgoing else _("System info"),
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
            more = (ngettext("{count} more character", "{count} more characters", hidden)
                    .format(count=f"{hidden:,}") if hidden > 1 else _("more"))
            self._more.setText(_('… <a href="#all">Show all</a> ({more})').format(more=more))
            self._more.setVisible(True)
        elif self._expanded:
            self._more.setText(_('<a href="#less">Show less</a>'))
            self._more.setVisible(True)
        else:
            self._more.setVisible(False)

    def _on_more(self, href: str) -> None:
        if href == "#less":
            self._expanded = False
            self._render_body()
            return
        if len(self._message.body) > IN_PLACE_MAX_CHARS:
            title = (_("Your message") if self._message.direction is Direction.OUT
                     else _("Message from {name}").format(name=self._peer_name))
            dialog = FullTextDialog(title, self._message.body, self.window())
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
        tip = _(DELIVERY_TIPS[delivery]).format(name=self._peer_name)
        self._delivery.setToolTip(tip)
        self._delivery.setAccessibleName(tip)
