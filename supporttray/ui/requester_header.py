"""Staff mode's header above a conversation: the requester's local time and earlier requests.

Their local time comes from the `local_time` they sent with their latest system info (the same
clock the {local_time} placeholder uses); with none known, nothing is shown rather than a
guess. It is redrawn once when the minute on their clock turns, and only while the header is on
screen: a hidden header (a background tab, a hidden window) costs no wake-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from PySide6.QtCore import QLocale, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.core import canned
from supporttray.core.clock import Clock
from supporttray.core.history import ThreadList, ThreadSummary
from supporttray.core.utc_offsets import utc_offset_of
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.date_text import date_text
from supporttray.ui.message_text import clean
from supporttray.ui.text_colors import secondary_color

# A coarse timer may fire a little early; the slack keeps it from redrawing the same minute.
MINUTE_SLACK_MS: Final = 500
# Rows of earlier requests visible before the list scrolls.
VISIBLE_ROWS: Final = 5
THREAD_ROLE: Final = Qt.ItemDataRole.UserRole + 1


def wall_time_text(moment: datetime) -> str:
    """`14:32` (or `2:32 PM`, as the user's locale writes times) of `moment` as it stands:
    not converted to the user's own time zone."""
    return QLocale.system().toString(
        QTime(moment.hour, moment.minute), QLocale.FormatType.ShortFormat
    )


def offset_text(moment: datetime) -> str:
    """`UTC−06:00`, with a real minus sign."""
    return utc_offset_of(moment).replace("-", "\u2212")


def local_time_line(theirs: datetime) -> str:
    """`Local time 14:32 (UTC−06:00)`."""
    return _("Local time {time} ({offset})").format(time=wall_time_text(theirs),
                                                   offset=offset_text(theirs))


def thread_line(summary: ThreadSummary) -> str:
    """`5 Jan 2026 · Printer jams` for one earlier request."""
    day = summary.started.astimezone()
    first = clean(summary.first_line) if summary.first_line else _("(nothing from them)")
    return f"{date_text(day, _('d MMM yyyy'))} · {first}"


class RequesterHeader(QWidget):
    """Their local time and a list of their earlier requests; `thread_chosen` on a click."""

    thread_chosen = Signal(str)

    def __init__(self, *, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requesterHeader")
        self._clock = clock
        self._sysinfo: tuple[tuple[str, str], ...] = ()
        self._threads = ThreadList((), 0)

        self._local_time = QLabel(self)
        self._local_time.setObjectName("requesterLocalTime")
        self._local_time.setTextFormat(Qt.TextFormat.PlainText)
        self._local_time.setToolTip(_("The time on their computer's clock, from their system info"))

        self._toggle = QToolButton(self)
        self._toggle.setObjectName("earlierRequests")
        self._toggle.setCheckable(True)
        self._toggle.setAutoRaise(True)
        self._toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._toggle.setArrowType(Qt.ArrowType.RightArrow)
        self._toggle.toggled.connect(self._on_toggled)

        self._list = QListWidget(self)
        self._list.setObjectName("earlierRequestList")
        self._list.setAccessibleName(_("Earlier requests"))
        self._list.setUniformItemSizes(True)
        self._list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._list.setToolTip(_("Click (or Enter) to read that request"))
        self._list.itemActivated.connect(self._on_activated)
        self._list.itemClicked.connect(self._on_activated)
        self._list.hide()

        self._more = QLabel(self)
        self._more.setObjectName("earlierRequestsMore")
        self._more.setStyleSheet(f"color: {secondary_color(self._more)};")
        self._more.hide()

        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(12)
        line.addWidget(self._local_time)
        line.addWidget(self._toggle)
        line.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 12, 6)
        layout.setSpacing(2)
        layout.addLayout(line)
        layout.addWidget(self._list)
        layout.addWidget(self._more)

        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.setTimerType(Qt.TimerType.CoarseTimer)
        self._tick.timeout.connect(self._render_time)

        self._render_time()
        self._render_threads()

    # -- what the conversation pane calls --------------------------------------------------
    def set_sysinfo(self, sysinfo: Sequence[tuple[str, str]]) -> None:
        """Their latest system info (pairs); its `local_time` sets the clock shown."""
        pairs = tuple(sysinfo)
        if pairs != self._sysinfo:
            self._sysinfo = pairs
            self._render_time()

    def set_threads(self, threads: ThreadList) -> None:
        """Their earlier requests, newest first, as the history lists them."""
        if threads != self._threads:
            self._threads = threads
            self._render_threads()

    def stop(self) -> None:
        """The pane goes away: no more redraws."""
        self._tick.stop()

    # -- for tests and screen readers ------------------------------------------------------
    def local_time_text(self) -> str:
        return self._local_time.text() if not self._local_time.isHidden() else ""

    def earlier_title(self) -> str:
        return self._toggle.text() if not self._toggle.isHidden() else ""

    def earlier_rows(self) -> list[str]:
        return [self._list.item(row).text() for row in range(self._list.count())]

    def more_text(self) -> str:
        return self._more.text() if not self._more.isHidden() else ""

    def set_expanded(self, expanded: bool) -> None:
        self._toggle.setChecked(expanded)

    def choose(self, row: int) -> None:
        """What clicking the `row`th earlier request does."""
        item = self._list.item(row)
        if item is not None:
            self._on_activated(item)

    @property
    def minute_timer(self) -> QTimer:
        return self._tick

    # -- events ----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._render_time()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        super().hideEvent(event)

    # -- drawing ---------------------------------------------------------------------------
    def _render_time(self) -> None:
        now = self._clock()
        theirs = canned.their_local_time(self._sysinfo, now)
        self._local_time.setVisible(theirs is not None)
        if theirs is None:
            self._local_time.clear()
            self._tick.stop()
            self._update_visibility()
            return
        self._local_time.setText(local_time_line(theirs))
        self._update_visibility()
        if self.isVisible():
            # The next minute on their clock (offsets are whole minutes); nothing while hidden.
            wait_ms = (60 - theirs.second) * 1000 - theirs.microsecond // 1000
            self._tick.start(wait_ms + MINUTE_SLACK_MS)
        else:
            self._tick.stop()

    def _render_threads(self) -> None:
        threads = self._threads
        self._toggle.setVisible(threads.total > 0)
        self._toggle.setText(_("Earlier requests ({count})").format(count=threads.total))
        self._list.clear()
        for summary in threads.threads:
            item = QListWidgetItem(thread_line(summary))
            item.setData(THREAD_ROLE, summary.thread)
            item.setToolTip(ngettext("{when} · {count} message", "{when} · {count} messages",
                                     summary.messages).format(
                when=date_text(summary.started.astimezone(), _("dddd dd MMMM yyyy, HH:mm")),
                count=summary.messages))
            self._list.addItem(item)
        more = threads.more
        self._more.setText(_("and {count} older").format(count=more) if more else "")
        rows = min(VISIBLE_ROWS, max(1, len(threads.threads)))
        self._list.setFixedHeight(
            rows * self._list.sizeHintForRow(0) + 2 * self._list.frameWidth()
            if threads.threads else 0
        )
        self._on_toggled(self._toggle.isChecked())

    def _on_toggled(self, expanded: bool) -> None:
        shown = expanded and self._threads.total > 0
        self._toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self._list.setVisible(shown and bool(self._threads.threads))
        self._more.setVisible(shown and self._threads.more > 0)
        self._update_visibility()

    def _update_visibility(self) -> None:
        # Nothing known: no empty strip above the conversation.
        wanted = bool(self._local_time.text()) or self._threads.total > 0
        if wanted == self.isHidden():
            self.setVisible(wanted)

    def _on_activated(self, item: QListWidgetItem) -> None:
        thread = item.data(THREAD_ROLE)
        if isinstance(thread, str):
            self.thread_chosen.emit(thread)
