"""The history list as a Qt model: conversations or search hits, page by page as they arrive,
drawn as rich text by `RowDelegate` (the markup is ours; the text is escaped: hit_text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from supporttray.core.history import SearchHit
from supporttray.ui.history.hit_text import NameOf, hit_html, hit_text, summary_html, summary_text

if TYPE_CHECKING:
    from typing import TypeAlias

    from supporttray.core.history import ConversationSummary

    Row: TypeAlias = ConversationSummary | SearchHit

HTML_ROLE: Final = Qt.ItemDataRole.UserRole + 1
ROW_ROLE: Final = Qt.ItemDataRole.UserRole + 2
# The highlight of a hit's words: a background that reads in light and dark themes alike.
MARK_STYLE: Final = "background-color: #f6d55c; color: #000000"
ROW_PADDING: Final = 6

_Index = QModelIndex | QPersistentModelIndex


class HistoryListModel(QAbstractListModel):
    """Rows of the current list; `more_wanted` when the view scrolls near the end of them."""

    more_wanted = Signal()

    def __init__(self, name_of: NameOf, *, secondary: str = "#666666") -> None:
        super().__init__()
        self._name_of = name_of
        self._secondary = secondary
        self._rows: list[Row] = []
        self._more = False
        self._loading = False

    # -- filled by the window ---------------------------------------------------------------
    def start(self) -> None:
        """A new list is on its way: nothing more is fetched for the old one."""
        self._loading = True
        self._more = False

    def show_page(self, rows: tuple[Row, ...], *, first: bool, more: bool) -> None:
        if first:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
        elif rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._more = more
        self._loading = False

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def last(self) -> Row | None:
        return self._rows[-1] if self._rows else None

    # -- QAbstractListModel ---------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if isinstance(row, SearchHit):
                return hit_text(row, self._name_of)
            return summary_text(row, self._name_of)
        if role == HTML_ROLE:
            if isinstance(row, SearchHit):
                return hit_html(row, self._name_of, mark=MARK_STYLE, secondary=self._secondary)
            return summary_html(row, self._name_of, secondary=self._secondary)
        if role == ROW_ROLE:
            return row
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._loading = True
            self.more_wanted.emit()


class RowDelegate(QStyledItemDelegate):
    """Paints a row's rich text (HTML_ROLE) over the style's own selection background."""

    def _document(self, option: QStyleOptionViewItem, index: _Index) -> QTextDocument:
        document = QTextDocument()
        document.setDocumentMargin(ROW_PADDING)
        document.setDefaultFont(option.font)
        document.setHtml(str(index.data(HTML_ROLE) or ""))
        width = option.rect.width()
        if width <= 0 and isinstance(option.widget, QAbstractItemView):
            width = option.widget.viewport().width()  # sizeHint's option has no rect yet
        document.setTextWidth(width if width > 0 else 400)
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        text_less = QStyleOptionViewItem(option)
        text_less.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_less, painter, widget)
        document = self._document(option, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text,
                                 option.palette.color(group))
        painter.save()
        rect = option.rect
        painter.translate(rect.topLeft())
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()))
