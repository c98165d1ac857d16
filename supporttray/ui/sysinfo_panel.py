"""System info as people read it: the staff-side panel and the ask window's removable preview."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.core.sysinfo import UNAVAILABLE, SysinfoItem, SysinfoSnapshot
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.message_text import clean
from supporttray.ui.text_colors import secondary_color

log = logging.getLogger("supporttray.ui")

COPIED_FEEDBACK_MS = 1_500


def copy_text(snapshot: SysinfoSnapshot) -> str:
    """What "Copy" puts on the clipboard: the same readable block the message body carries."""
    return snapshot.text_block().strip()


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the width it gets; the tooltip has all of it."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._full = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setText(text)
        self.setToolTip(text if len(text) > 20 else "")

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(20, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            metrics = QFontMetrics(self.font())
            rect = self.contentsRect()
            shown = metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, rect.width())
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown
            )
        finally:
            painter.end()


def _value_label(item: SysinfoItem, *, elide: bool, parent: QWidget) -> QLabel:
    value = clean(item.value)
    label: QLabel
    if elide:
        label = ElidedLabel(value, parent)
    else:
        label = QLabel(parent)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a received value is someone else's text
        label.setText(value)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setObjectName(f"value:{item.key}")
    if item.value == UNAVAILABLE:
        font = QFont(label.font())
        font.setItalic(True)
        label.setFont(font)
        label.setStyleSheet(f"color: {secondary_color(label)};")
    return label


def _name_label(item: SysinfoItem, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(clean(item.label))
    label.setStyleSheet(f"color: {secondary_color(label)};")
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class SysinfoPanel(QFrame):
    """The system info a message carries: a collapsible label/value grid with Copy.

    Staff see it instead of the readable block in the body; a requester sees what they sent.
    """

    toggled = Signal(bool)

    def __init__(
        self,
        snapshot: SysinfoSnapshot,
        *,
        title: str = "System info",
        expanded: bool = True,
        clipboard_text: Callable[[str], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sysinfoPanel")
        self._snapshot = snapshot
        self._set_clipboard = clipboard_text or _set_clipboard_text

        self._toggle = QToolButton(self)
        self._toggle.setObjectName("sysinfoToggle")
        # Not checkable: a checked tool button is drawn pressed in, which reads as a fault.
        self._expanded = expanded
        self._toggle.setAutoRaise(True)
        self._toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._toggle.setText(title)
        bold = QFont(self._toggle.font())
        bold.setBold(True)
        self._toggle.setFont(bold)
        self._toggle.clicked.connect(lambda: self.set_expanded(not self._expanded))

        summary_text = snapshot.summary()
        count = len(snapshot.items)
        fields = ngettext("{count} field", "{count} fields", count).format(count=count)
        self._summary = ElidedLabel(f"{summary_text} · {fields}" if summary_text else fields, self)
        self._summary.setObjectName("sysinfoSummary")
        self._summary.setStyleSheet(f"color: {secondary_color(self._summary)};")

        self._copy = QToolButton(self)
        self._copy.setObjectName("sysinfoCopy")
        self._copy.setText(_("Copy"))
        self._copy.setToolTip(_("Copy the system info to the clipboard as text"))
        self._copy.setAutoRaise(True)
        self._copy.clicked.connect(self.copy_to_clipboard)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(6)
        header.addWidget(self._toggle)
        header.addWidget(self._summary, 1)
        header.addWidget(self._copy)

        self._body = QWidget(self)
        grid = QGridLayout(self._body)
        grid.setContentsMargins(8, 2, 4, 4)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(3)
        for row, item in enumerate(snapshot.items):
            grid.addWidget(_name_label(item, self._body), row, 0)
            grid.addWidget(_value_label(item, elide=False, parent=self._body), row, 1)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self._body)

        self._copied_timer = QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_FEEDBACK_MS)
        self._copied_timer.timeout.connect(lambda: self._copy.setText(_("Copy")))

        self._show_expanded()

    @property
    def snapshot(self) -> SysinfoSnapshot:
        return self._snapshot

    @property
    def expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        if expanded != self._expanded:
            self._expanded = expanded
            self._show_expanded()
            self.toggled.emit(expanded)

    @property
    def toggle_button(self) -> QToolButton:
        return self._toggle

    @property
    def copy_button(self) -> QToolButton:
        return self._copy

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) as shown, for tests and screen readers."""
        return [(item.label, clean(item.value)) for item in self._snapshot.items]

    def copy_to_clipboard(self) -> None:
        self._set_clipboard(copy_text(self._snapshot))
        self._copy.setText(_("Copied"))
        self._copied_timer.start()
        log.info("system info copied to the clipboard (%d fields)", len(self._snapshot.items))

    def _show_expanded(self) -> None:
        expanded = self._expanded
        self._toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._body.setVisible(expanded)
        self._toggle.setToolTip(_("Hide the details") if expanded else _("Show the details"))
        self._toggle.setAccessibleDescription(_("expanded") if expanded else _("collapsed"))


def _set_clipboard_text(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


class SysinfoPreview(QWidget):
    """The ask window's list of exactly the fields that will be sent, each removable with ×."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sysinfoPreview")
        # Drawn like a list (the scroll area around it has the frame).
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self._snapshot: SysinfoSnapshot | None = None
        self._removed: set[str] = set()
        self._buttons: dict[str, QToolButton] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(6, 4, 2, 4)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(0)
        self._grid.setColumnStretch(1, 1)

    def set_snapshot(self, snapshot: SysinfoSnapshot | None) -> None:
        """Show these fields; a field removed earlier stays removed (a fresh plan, same wish)."""
        self._snapshot = snapshot
        self._rebuild()

    def removed_keys(self) -> frozenset[str]:
        """Every field the person removed (also from an earlier snapshot: the wish stands)."""
        return frozenset(self._removed)

    def removed_count(self) -> int:
        """How many of this snapshot's fields are removed."""
        if self._snapshot is None:
            return 0
        return sum(1 for item in self._snapshot.items if item.key in self._removed)

    def to_send(self) -> SysinfoSnapshot | None:
        """The snapshot minus the removed fields: exactly what goes with the message."""
        if self._snapshot is None:
            return None
        return self._snapshot.without(self._removed)

    def shown_keys(self) -> list[str]:
        if self._snapshot is None:
            return []
        return [item.key for item in self._snapshot.items if item.key not in self._removed]

    def remove_button(self, key: str) -> QToolButton:
        return self._buttons[key]

    def remove(self, key: str) -> None:
        if key not in self._removed:
            self._removed.add(key)
            self._rebuild()
            self.changed.emit()

    def restore_all(self) -> None:
        if self._removed:
            self._removed.clear()
            self._rebuild()
            self.changed.emit()

    def _rebuild(self) -> None:
        focus_row = self._focused_row()
        while self._grid.count():
            taken = self._grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._buttons.clear()
        items: Iterable[SysinfoItem] = self._snapshot.items if self._snapshot else ()
        row = 0
        for item in items:
            if item.key in self._removed:
                continue
            name = _name_label(item, self)
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            value = _value_label(item, elide=True, parent=self)
            button = QToolButton(self)
            button.setObjectName(f"remove:{item.key}")
            button.setText("×")
            button.setAutoRaise(True)
            button.setToolTip(_("Don't send {field}").format(field=item.label))
            button.setAccessibleName(_("Remove {field}").format(field=item.label))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, key=item.key: self.remove(key))
            for column, widget in enumerate((name, value, button)):
                self._grid.addWidget(widget, row, column)
                # Now, not when Qt gets round to it: the ask window sizes the list right after.
                widget.show()
            self._buttons[item.key] = button
            row += 1
        if focus_row is not None and self._buttons:
            # Keyboard users removing fields one by one stay on the list, at the next field.
            keys = list(self._buttons)
            self._buttons[keys[min(focus_row, len(keys) - 1)]].setFocus()

    def _focused_row(self) -> int | None:
        for index, button in enumerate(self._buttons.values()):
            if button.hasFocus():
                return index
        return None
