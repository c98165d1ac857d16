"""The status window: who of the support staff is reachable, and our own connection."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QHideEvent,
    QIcon,
    QPainter,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from supporttray.config.mode import Mode
from supporttray.core.clock import Clock
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import PresenceBook, StaffMember
from supporttray.language.catalogue import _
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.kept_window import KeptWindow
from supporttray.ui.presence_text import StaffRow, next_text_change, staff_row, summary_sentence

log = logging.getLogger("supporttray.ui")

# Idle minutes and the local clock only change by the minute; 30 s keeps them at most half a
# minute stale while costing two wake-ups a minute, and only while the window is on screen.
# Redraw this long after an idle or local time would read differently (a coarse timer may
# fire a little early; the slack keeps it from redrawing the same minute twice).
LIVE_REFRESH_SLACK_MS = 500
STAFF_ICON_SIZE = 20
HEADER_ICON_SIZE = 36
MAX_ROWS_WITHOUT_SCROLLING = 6
# Item data: the StaffRow the delegate draws; the bare JID keeps the selection across refreshes.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
JID_ROLE = Qt.ItemDataRole.UserRole + 2
RECONNECTABLE = (ConnectionState.OFFLINE, ConnectionState.ERROR)


class StaffRowDelegate(QStyledItemDelegate):
    """Two lines per person: name and local time, then availability, status and idle time.

    The item's display text stays the full one-line description, which is what screen readers
    and keyboard search use; this delegate only changes how it looks.
    """

    PADDING = 7
    GAP = 10

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = QFontMetrics(option.font)
        height = 2 * metrics.height() + 2 * self.PADDING + 2
        return QSize(STAFF_ICON_SIZE + 200, max(height, STAFF_ICON_SIZE + 2 * self.PADDING))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, StaffRow):
            super().paint(painter, option, index)
            return
        # Let the style draw the background, selection and focus frame; we draw the content.
        self.initStyleOption(option, index)
        style_option = QStyleOptionViewItem(option)
        style_option.text = ""
        style_option.icon = QIcon()
        # Without this the style keeps the icon's column out of the hover and focus background.
        style_option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        # The style would paint the current row like a selection; rows are not choices, so draw
        # keyboard focus as a thin outline instead (below).
        # Only once the keyboard moved focus, as styles do for focus frames: a mouse user opening
        # the window should not see the first row marked.
        has_focus = bool(option.state & QStyle.StateFlag.State_HasFocus) and bool(
            option.state & QStyle.StateFlag.State_KeyboardFocusChange
        )
        style_option.state &= ~(QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_Selected)
        widget = style_option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, style_option, painter, widget)

        rect: QRect = option.rect
        palette = option.palette
        text_color = palette.text().color()
        secondary = palette.placeholderText().color()

        painter.save()
        try:
            if has_focus:
                painter.setPen(palette.highlight().color())
                painter.drawRoundedRect(rect.adjusted(1, 1, -2, -2), 3, 3)
            icon = index.data(Qt.ItemDataRole.DecorationRole)
            left = rect.left() + self.PADDING
            icon_top = rect.top() + (rect.height() - STAFF_ICON_SIZE) // 2
            if icon is not None:
                icon.paint(painter, QRect(left, icon_top, STAFF_ICON_SIZE, STAFF_ICON_SIZE))
            text_left = left + STAFF_ICON_SIZE + self.GAP
            text_right = rect.right() - self.PADDING
            font: QFont = option.font
            metrics = QFontMetrics(font)
            line_height = metrics.height()
            top = rect.top() + (rect.height() - 2 * line_height - 2) // 2

            # Line 1: the name (bold) left, their local time right.
            time_width = metrics.horizontalAdvance(row.local_time) if row.local_time else 0
            if row.local_time:
                painter.setFont(font)
                painter.setPen(secondary)
                painter.drawText(
                    QRect(text_right - time_width, top, time_width, line_height),
                    int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                    row.local_time,
                )
            bold = QFont(font)
            bold.setBold(True)
            bold_metrics = QFontMetrics(bold)
            name_width = max(
                0, text_right - text_left - time_width - (self.GAP if time_width else 0)
            )
            painter.setFont(bold)
            painter.setPen(text_color)
            painter.drawText(
                QRect(text_left, top, name_width, line_height),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                bold_metrics.elidedText(row.name, Qt.TextElideMode.ElideRight, name_width),
            )

            # Line 2: availability, status message and idle time, elided to the width.
            details_width = max(0, text_right - text_left)
            painter.setFont(font)
            painter.setPen(secondary)
            painter.drawText(
                QRect(text_left, top + line_height + 2, details_width, line_height),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(row.details(), Qt.TextElideMode.ElideRight, details_width),
            )
        finally:
            painter.restore()


class StaffList(QListWidget):
    """The staff list, asking for the height of its rows rather than QListWidget's fixed 192 px."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        rows = min(max(self.count(), 1), MAX_ROWS_WITHOUT_SCROLLING)
        row_height = self.sizeHintForRow(0) if self.count() else 40
        return QSize(hint.width(), rows * row_height + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), 60)


def fill_staff_list(
    staff_list: QListWidget, members: list[StaffMember], now: datetime, icons: IconSet
) -> None:
    """One row per staff member (drawn by StaffRowDelegate), keeping the current row.

    When the same people are listed in the same order (a minute passed, someone's status
    changed), the rows are updated in place and only changed rows repaint.
    """
    if [staff_list.item(i).data(JID_ROLE) for i in range(staff_list.count())] == [
        member.jid for member in members
    ]:
        for index, member in enumerate(members):
            _set_row(staff_list.item(index), member, now, icons)
        return
    current = staff_list.currentItem()
    current_jid = current.data(JID_ROLE) if current is not None else None
    staff_list.clear()
    for member in members:
        item = QListWidgetItem()
        item.setData(JID_ROLE, member.jid)
        _set_row(item, member, now, icons)
        # Informative rows: focusable for keyboard and screen readers, nothing to edit.
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        staff_list.addItem(item)
        if member.jid == current_jid:
            staff_list.setCurrentItem(item)


def _set_row(item: QListWidgetItem, member: StaffMember, now: datetime, icons: IconSet) -> None:
    """Fill one row; a row whose text and icon are unchanged is left alone (no repaint)."""
    row = staff_row(member, now)
    if item.data(ROW_ROLE) == row:
        return
    item.setData(ROW_ROLE, row)
    item.setText(row.line())
    item.setIcon(icons.icon(IconKey.for_availability(member.availability)))
    item.setToolTip(f"{row.line()}\n{member.jid}")


class StatusWindow(KeptWindow):
    """A small normal window: the summary, the staff list, the connection and Quit.

    It is both the tray's left-click window and the fallback when there is no tray. Closing it
    hides it while a tray icon exists; without one it only minimises, because a hidden window
    with no tray would leave an app running that nobody can see or quit.
    """

    reconnect_clicked = Signal()
    quit_clicked = Signal()
    ask_clicked = Signal()
    chats_clicked = Signal()

    def __init__(
        self,
        book: PresenceBook,
        connection: ConnectionMonitor,
        icons: IconSet,
        *,
        app_name: str,
        mode: Mode,
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._book = book
        self._connection = connection
        self._icons = icons
        self._clock = clock
        self._hide_on_close = False

        self.setWindowTitle(app_name)
        self.setObjectName("statusWindow")
        # Explicit, so the layout never changes the window's size constraints after it is shown
        # (some platforms cannot take new constraints on a mapped window).
        self.setMinimumSize(400, 220)

        self._state_icon = QLabel()
        self._state_icon.setFixedSize(HEADER_ICON_SIZE, HEADER_ICON_SIZE)
        self._summary = QLabel()
        self._summary.setObjectName("summary")
        summary_font = self._summary.font()
        summary_font.setBold(True)
        summary_font.setPointSizeF(summary_font.pointSizeF() * 1.15)
        self._summary.setFont(summary_font)
        self._summary.setWordWrap(True)
        self._connection_line = QLabel()
        self._connection_line.setObjectName("connectionLine")
        self._connection_line.setWordWrap(True)
        self._connection_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What start-up had to do (the history set aside): stays for the session; selectable,
        # since it names a file to copy.
        self._notice = QLabel()
        self._notice.setObjectName("notice")
        self._notice.setWordWrap(True)
        self._notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._notice.hide()
        self._reconnect = QPushButton(_("&Reconnect now"))
        self._reconnect.setObjectName("reconnectButton")
        self._reconnect.clicked.connect(self.reconnect_clicked)

        heading = _("Your support team") if mode == Mode.STAFF else _("Support staff")
        self._list_label = QLabel(heading)
        self._list_label.setObjectName("staffHeading")
        self._staff_list = StaffList()
        self._staff_list.setObjectName("staffList")
        self._staff_list.setAccessibleName(heading)
        self._staff_list.setItemDelegate(StaffRowDelegate(self._staff_list))
        self._staff_list.setIconSize(QSize(STAFF_ICON_SIZE, STAFF_ICON_SIZE))
        # Rows inform, they are not choices: arrow keys still move a focus frame for screen readers,
        # but nothing looks "selected".
        self._staff_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._staff_list.setUniformItemSizes(True)
        self._staff_list.setFrameShape(QFrame.Shape.StyledPanel)
        self._list_label.setBuddy(self._staff_list)

        self._quit = QPushButton(_("&Quit"))
        self._quit.setObjectName("quitButton")
        self._quit.clicked.connect(self.quit_clicked)

        header_text = QVBoxLayout()
        header_text.setSpacing(2)
        header_text.addWidget(self._summary)
        header_text.addWidget(self._connection_line)
        header_text.addWidget(self._notice)
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addWidget(self._state_icon, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(header_text, 1)
        header.addWidget(self._reconnect, 0, Qt.AlignmentFlag.AlignVCenter)

        # Hidden until the controller has a chat service: without a tray they are the only way
        # to ask and to read answers.
        self._ask = QPushButton(_("&Ask support…"))
        self._ask.setObjectName("askButton")
        self._ask.clicked.connect(self.ask_clicked)
        self._ask.hide()
        self._chats = QPushButton(_("Open &chats"))
        self._chats.setObjectName("chatsButton")
        self._chats.clicked.connect(self.chats_clicked)
        self._chats.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self._ask)
        buttons.addWidget(self._chats)
        buttons.addStretch(1)
        buttons.addWidget(self._quit)

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(14, 14, 14, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self._list_label)
        layout.addWidget(self._staff_list, 1)
        layout.addLayout(buttons)

        # Visual order: the reconnect action (when shown) sits above the list, Quit below it.
        QWidget.setTabOrder(self._reconnect, self._staff_list)
        QWidget.setTabOrder(self._staff_list, self._ask)
        QWidget.setTabOrder(self._ask, self._chats)
        QWidget.setTabOrder(self._chats, self._quit)

        # Runs only while the window shows an idle or local time, once each minute it changes;
        # otherwise a visible window costs no wake-ups at all.
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._live_timer.timeout.connect(self.refresh)

        self._sized = False
        self._shown_key: IconKey | None = None
        self._render()

    # -- what the controller sets ---------------------------------------------------------
    @property
    def hide_on_close(self) -> bool:
        return self._hide_on_close

    def set_hide_on_close(self, hide: bool) -> None:
        """True while a tray icon exists to bring the window back; else closing minimises."""
        self._hide_on_close = hide

    def set_chat_actions(self, *, ask: bool, chats: bool) -> None:
        """Offer "Ask support…" (requesters) and "Open chats" (with a chat service)."""
        self._ask.setVisible(ask)
        self._chats.setVisible(chats)

    def set_unread(self, count: int) -> None:
        """The unread count on the "Open chats" button (the badge, where there is no tray)."""
        self._chats.setText(_("Open &chats ({count})").format(count=count) if count > 0
                            else _("Open &chats"))
        font = self._chats.font()
        font.setBold(count > 0)
        self._chats.setFont(font)

    def set_notice(self, text: str) -> None:
        """A sentence the person must read this session (shown under the connection line)."""
        self._notice.setText(text)
        self._notice.setVisible(bool(text))
        if self.isVisible():
            # Already on screen (there is no tray): grow to the wrapped sentence, never clip it.
            self.resize(self.width(), max(self.height(), self._height_for(self.width())))

    @property
    def ask_button(self) -> QPushButton:
        return self._ask

    @property
    def chats_button(self) -> QPushButton:
        return self._chats

    @property
    def live_refresh_active(self) -> bool:
        return self._live_timer.isActive()

    @property
    def live_refresh_interval_ms(self) -> int:
        """How long the pending redraw for a changed minute was set to wait."""
        return self._live_timer.interval()

    def refresh(self) -> None:
        """Re-read the model; skipped while hidden (showing the window refreshes it)."""
        if self.isVisible():
            self._render()

    def dispose(self) -> None:
        """Close for good (the app is quitting): no more hide-instead-of-close."""
        self._live_timer.stop()
        super().dispose()

    # -- for tests and the accessibility tree ---------------------------------------------
    def staff_texts(self) -> list[str]:
        return [self._staff_list.item(i).text() for i in range(self._staff_list.count())]

    def summary_text(self) -> str:
        return self._summary.text()

    def connection_text(self) -> str:
        return self._connection_line.text()

    def notice_text(self) -> str:
        return self._notice.text() if self._notice.isVisibleTo(self) else ""

    @property
    def reconnect_button(self) -> QPushButton:
        return self._reconnect

    @property
    def quit_button(self) -> QPushButton:
        return self._quit

    @property
    def staff_list(self) -> QListWidget:
        return self._staff_list

    # -- events ---------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        self._render()
        if not self._sized:
            # Tall enough for the staff without a scroll bar (up to a point), no empty acre below.
            self._sized = True
            width = max(440, self.sizeHint().width())
            self.resize(width, self._height_for(width))
        super().showEvent(event)

    def _height_for(self, width: int) -> int:
        """Height for this width: a wrapped connection error or notice makes the header taller."""
        layout = self._layout
        full = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        return full if full > 0 else self.sizeHint().height()

    def hideEvent(self, event: QHideEvent) -> None:
        self._live_timer.stop()
        super().hideEvent(event)

    def close_requested(self) -> None:
        if self._hide_on_close:
            self.hide()
        else:
            log.info("no system tray to return to: minimising the status window instead of closing")
            self.showMinimized()

    # -- drawing --------------------------------------------------------------------------
    def _render(self) -> None:
        now = self._clock()
        status = self._connection.status
        summary = self._book.summary()
        key = IconKey.for_tray(summary, status)
        if key != self._shown_key:
            # Only on a change: each is an SVG rendering and a repaint.
            self._shown_key = key
            self.setWindowIcon(self._icons.icon(key))
            self._state_icon.setPixmap(self._icons.pixmap(key, HEADER_ICON_SIZE))
        self._summary.setText(summary_sentence(summary))
        self._connection_line.setText(status.describe())
        self._reconnect.setVisible(status.state in RECONNECTABLE)
        members = self._book.members()
        self._fill_list(members, now)
        self._staff_list.updateGeometry()
        self._schedule_live_refresh(members, now)

    def _schedule_live_refresh(self, members: list[StaffMember], now: datetime) -> None:
        wait = next_text_change(members, now) if self.isVisible() else None
        if wait is None:
            self._live_timer.stop()
        else:
            self._live_timer.start(int(wait.total_seconds() * 1000) + LIVE_REFRESH_SLACK_MS)

    def _fill_list(self, members: list[StaffMember], now: datetime) -> None:
        fill_staff_list(self._staff_list, members, now, self._icons)
