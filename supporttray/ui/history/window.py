"""The history window: conversations by person and request, newest first; type to search them
all; Enter opens one, at the hit, in a read-only transcript. Keyboard-first.

Every query runs on the history thread (search_worker); this window only asks and shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Protocol

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from supporttray.core.clock import Clock, utc_now
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.history.export_dialog import AskExport, ask_export
from supporttray.ui.history.list_model import HistoryListModel, RowDelegate
from supporttray.ui.history.search_worker import (
    PAGE_SIZE,
    ExportDone,
    ExportJob,
    HistoryQueries,
    HistoryReader,
    ListQuery,
    Page,
    Transcript,
    TranscriptQuery,
)
from supporttray.ui.history.transcript_view import TranscriptView
from supporttray.ui.kept_window import KeptWindow, bring_to_front
from supporttray.ui.text_colors import error_color, secondary_color

if TYPE_CHECKING:
    from datetime import datetime

    from supporttray.core.history import Note
    from supporttray.core.messages import ChatMessage

log = logging.getLogger("supporttray.ui")

# Type-to-search waits this long after the last key, so a word is one query, not five.
SEARCH_DEBOUNCE_MS: Final = 200
# Messages stored while the window is open show after this pause (a burst: one re-read).
REFRESH_MS: Final = 1000
# An answer slower than this is announced ("Searching…").
SLOW_ANSWER_MS: Final = 300


class HistoryAccess(Protocol):
    """What the window needs of `core.history.HistoryStore` (the app's own connection)."""

    def open_reader(self) -> HistoryReader: ...

    def add_note(self, peer: str, thread: str | None, body: str, *, author: str,
                 at: datetime) -> Note: ...


AskNote = Callable[[QWidget, str], "str | None"]


def ask_for_note(parent: QWidget, name: str) -> str | None:
    """The note's text, or None when the person cancelled."""
    text, ok = QInputDialog.getMultiLineText(
        parent, _("Add note"),
        _("A note on this request with {name}. Only you see it: it is kept on this computer "
          "and never sent.").format(name=name))
    return text if ok and text.strip() else None


def _export_name(name: str, now: datetime) -> str:
    """A file name to start from: "conversation-ann-lee-2026-11-15"."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())
    return f"{_('conversation')}-{slug or 'chat'}-{now:%Y-%m-%d}"


def _own_as(name_of: Callable[[str], str], own_jid: str, own_name: str
            ) -> Callable[[str], str]:
    return lambda jid: own_name if jid == own_jid else name_of(jid)


class HistoryWindow(KeptWindow):
    """Find a conversation and read it back; staff add private notes."""

    ESCAPE_CLOSES = False  # Esc clears the search first (keyPressEvent)

    def __init__(
        self,
        store: HistoryAccess,
        *,
        name_of: Callable[[str], str],
        own_name: str,
        author: str,
        staff: bool,
        app_name: str = "SupportTray",
        clock: Clock = utc_now,
        debounce_ms: int = SEARCH_DEBOUNCE_MS,
        refresh_ms: int = REFRESH_MS,
        page_size: int = PAGE_SIZE,
        ask_note: AskNote = ask_for_note,
        ask_export: AskExport = ask_export,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        # Our own account reads as "You" wherever a row names who wrote or answered.
        name_of = _own_as(name_of, author, own_name)
        self._name_of = name_of
        self._author = author
        self._staff = staff
        self._clock = clock
        self._ask_note = ask_note
        self._ask_export = ask_export
        self._page_size = page_size
        self._messages_shown: tuple[ChatMessage, ...] = ()
        self._peer: str | None = None  # the list shows only this person's conversations
        self._query = ListQuery(0)
        self._shown: TranscriptQuery | None = None
        self._sized = False

        self.setObjectName("historyWindow")
        self.setWindowTitle(_("History — {app_name}").format(app_name=app_name))
        self.setMinimumSize(480, 360)

        self.search = QLineEdit(self)
        self.search.setObjectName("historySearch")
        self.search.setAccessibleName(_("Search the history"))
        self.search.setPlaceholderText(_("Type to search every conversation…"))
        self.search.textChanged.connect(self._typed)
        self.search.installEventFilter(self)

        self._filter = QLabel(self)
        self._filter.setObjectName("historyFilter")
        self._filter.setTextFormat(Qt.TextFormat.PlainText)
        self._show_all = QPushButton(_("All conversations"), self)
        self._show_all.setObjectName("historyShowAll")
        self._show_all.clicked.connect(lambda: self.show_for(None))
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(0, 0, 0, 0)
        filter_row.addWidget(self._filter, 1)
        filter_row.addWidget(self._show_all)

        self._status = QLabel(self)
        self._status.setObjectName("historyStatus")
        self._status.setTextFormat(Qt.TextFormat.PlainText)
        self._status.setWordWrap(True)
        self._status.setStyleSheet(f"color: {secondary_color(self._status)};")
        self._status.hide()

        self.model = HistoryListModel(name_of, secondary=secondary_color(self))
        self.model.more_wanted.connect(self._fetch_more)
        self.list = QListView(self)
        self.list.setObjectName("historyList")
        self.list.setAccessibleName(_("Conversations and search results"))
        self.list.setModel(self.model)
        self.list.setItemDelegate(RowDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setWordWrap(True)
        # Rows are as tall as their wrapped text at the list's width: laid out again on resize.
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSpacing(1)
        self.list.activated.connect(self._open_index)
        self.list.doubleClicked.connect(self._open_index)
        self.list.installEventFilter(self)

        self.transcript = TranscriptView(name_of, own_name=own_name, parent=self)
        self.transcript.installEventFilter(self)
        self.transcript.show_error(_("Choose a conversation or a search result: Enter or a "
                                     "double-click opens it here."))

        self.export_button = QPushButton(_("Export…"), self)
        self.export_button.setObjectName("historyExport")
        self.export_button.setToolTip(_("Save this conversation as a Markdown or HTML file"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.note_button = QPushButton(_("Add note…"), self)
        self.note_button.setObjectName("historyAddNote")
        self.note_button.setToolTip(_("A private note on this request; never sent"))
        self.note_button.setEnabled(False)
        self.note_button.setVisible(staff)
        self.note_button.clicked.connect(self.add_note)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list)
        splitter.addWidget(self.transcript)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.note_button)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addLayout(filter_row)
        layout.addWidget(self._status)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.run_query)
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(refresh_ms)
        self._refresh.timeout.connect(self._reread)
        self._reselect: tuple[object, ...] | None = None  # the row to select again after it
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(SLOW_ANSWER_MS)
        self._status_timer.timeout.connect(
            lambda: self._say(_("Searching…") if self._query.text else _("Loading…")))

        self._queries = HistoryQueries(store.open_reader, me=author, page_size=page_size,
                                       parent=self)
        self._queries.page_ready.connect(self._on_page)
        self._queries.transcript_ready.connect(self._on_transcript)
        self._queries.export_done.connect(self._on_exported)
        # A window deleted without dispose() (a test that failed half-way) must not take a
        # running thread with it: Qt aborts the process for that.
        queries = self._queries
        self.destroyed.connect(lambda _obj=None: queries.stop())
        self._update_filter()

    # -- what the tray and the chats call ------------------------------------------------------
    def open(self) -> None:
        """Show the window, newest conversations first, the typing in the search field."""
        if self.model.rowCount() == 0 or not self.isVisible():
            self.run_query()  # what was kept since it was last open
        self._present()

    def show_for(self, peer: str | None) -> None:
        """Only the conversations with `peer` (None: everyone's), the typing in the search."""
        self._peer = peer
        self._update_filter()
        self.run_query()
        self._present()

    def stored_changed(self) -> None:
        """Messages were stored or changed: an open window reads its list again shortly (a
        closed one does when it opens)."""
        if self.isVisible():
            self._refresh.start()

    def _reread(self) -> None:
        if self._debounce.isActive() or self.model.rowCount() > self._page_size:
            # Typing goes on, or the person is reading older pages: do not pull the list
            # from under them (it is read again at the next search or opening).
            return
        current = self.model.row_at(self.list.currentIndex().row())
        self._reselect = None if current is None else _key_of(current)
        self.run_query()

    def _present(self) -> None:
        bring_to_front(self)
        self.search.setFocus()
        self.search.selectAll()

    def dispose(self) -> None:
        self._debounce.stop()
        self._refresh.stop()
        self._status_timer.stop()
        self._queries.stop()
        super().dispose()

    @property
    def shown(self) -> TranscriptQuery | None:
        """The conversation in the transcript, if any."""
        return self._shown

    def status_text(self) -> str:
        return self._status.text()

    def _say(self, text: str, *, error: bool = False) -> None:
        """The line over the list: what is going on, nothing found, or what failed."""
        self._status.setText(text)
        color = error_color(self._status) if error else secondary_color(self._status)
        self._status.setStyleSheet(f"color: {color};")
        self._status.setVisible(bool(text))

    # -- the list -------------------------------------------------------------------------------
    def _typed(self, _text: str) -> None:
        self._debounce.start()

    def run_query(self) -> None:
        """Ask for the first page of what the search field says (now, not after the pause)."""
        self._debounce.stop()
        generation = self._queries.new_list()
        self._query = ListQuery(generation, self.search.text().strip(), self._peer)
        self.model.start()
        # Said only if the answer takes a while (a blink of "Searching…" at every key is noise).
        self._status_timer.start()
        self._queries.ask_list(self._query)

    def _fetch_more(self) -> None:
        last = self.model.last
        query = self._query
        if query.text:
            query = ListQuery(query.generation, query.text, query.peer,
                              offset=self.model.rowCount())
        elif last is not None:
            query = ListQuery(query.generation, "", query.peer,
                              before=getattr(last, "last_at", None))
        self._queries.ask_list(query)

    def _on_page(self, page: Page) -> None:
        if page.generation != self._queries.list_generation:
            return  # the person has typed on since
        self._status_timer.stop()
        if page.error:
            self.model.show_page((), first=True, more=False)
            self._say(page.error, error=True)
            return
        self.model.show_page(page.rows, first=page.first, more=page.more)
        if not page.first:
            return
        reselect, self._reselect = self._reselect, None
        if reselect is not None:
            again = next((i for i, row in enumerate(page.rows) if _key_of(row) == reselect),
                         None)
            if again is not None:
                self.list.setCurrentIndex(self.model.index(again))
        if page.rows and self.list.currentIndex().row() < 0 and self.list.hasFocus():
            self.list.setCurrentIndex(self.model.index(0))
        if page.rows:
            self._say("")
        elif self._query.text:
            self._say(_("Nothing in the history matches “{query}”.").format(
                query=self._query.text))
        else:
            self._say(_("No conversations are kept on this computer yet."))

    def _update_filter(self) -> None:
        filtered = self._peer is not None
        self._filter.setVisible(filtered)
        self._show_all.setVisible(filtered)
        if self._peer is not None:
            self._filter.setText(_("Conversations with {name}").format(
                name=self._name_of(self._peer)))

    # -- the transcript -------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is None:
            return
        query = TranscriptQuery(
            self._queries.new_transcript(), row.peer, row.thread,
            message_id=getattr(row, "message_id", None), note_id=getattr(row, "note_id", None))
        self._queries.ask_transcript(query)

    def open_current(self) -> None:
        """Enter: open the selected row (the first, when none is)."""
        index = self.list.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0)
            self.list.setCurrentIndex(index)
        if index.isValid():
            self._open_index(index)

    def _on_transcript(self, transcript: Transcript) -> None:
        if transcript.generation != self._queries.transcript_generation:
            return
        query = transcript.query
        self._messages_shown = transcript.messages
        if transcript.error:
            self._shown = None
            self.transcript.show_error(transcript.error)
        else:
            self._shown = query
            self.transcript.show_conversation(transcript.messages, transcript.notes,
                                              message_id=query.message_id,
                                              note_id=query.note_id)
        self.note_button.setEnabled(self._shown is not None)
        self.export_button.setEnabled(self._shown is not None)
        if self.list.hasFocus() or self.search.hasFocus():
            self.transcript.setFocus()

    def add_note(self) -> Note | None:
        """Staff: a private note on the conversation shown, kept with it and searchable."""
        shown = self._shown
        if shown is None or not self._staff:
            return None
        body = self._ask_note(self, self._name_of(shown.peer))
        if body is None:
            return None
        try:
            note = self._store.add_note(shown.peer, shown.thread, body.strip(),
                                        author=self._author, at=self._clock())
        except Exception:
            log.warning("a note could not be saved", exc_info=True)
            self._say(_("The note could not be saved in the history. Try again."), error=True)
            return None
        # Read back with it, the note selected.
        self._queries.ask_transcript(TranscriptQuery(
            self._queries.new_transcript(), shown.peer, shown.thread, note_id=note.id,
            message_id=None))
        return note

    def export(self) -> ExportJob | None:
        """Export… the conversation shown: the fields to leave out, the file, then written
        on the history thread."""
        shown = self._shown
        if shown is None:
            return None
        fields = sorted({key for message in self._messages_shown
                         for key, _value in message.sysinfo})
        suggested = _export_name(self._name_of(shown.peer), self._clock())
        choice = self._ask_export(self, fields, suggested)
        if choice is None:
            return None
        job = ExportJob(shown.peer, shown.thread, choice.target, choice.fmt, choice.redact,
                        self._clock())
        self.export_button.setEnabled(False)
        self._say(_("Exporting…"))
        self._queries.ask_export(job)
        return job

    def _on_exported(self, done: ExportDone) -> None:
        self.export_button.setEnabled(self._shown is not None)
        if done.error:
            self._say(done.error, error=True)
        else:
            self._say(ngettext("Exported {count} message to {file}.",
                               "Exported {count} messages to {file}.", done.messages
                               ).format(count=done.messages, file=done.job.target))

    # -- the keyboard ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self._escape()
            return True
        if watched is self.search:
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.list.setFocus()
                if not self.list.currentIndex().isValid():
                    self.list.setCurrentIndex(self.model.index(0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._debounce.isActive():
                    self.run_query()
                else:
                    self.open_current()
                return True
        elif watched is self.list and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
            return True
        elif watched is self.list and key == Qt.Key.Key_Up and self.list.currentIndex().row() <= 0:
            self.search.setFocus()  # back up to the search from the first row
            return True
        elif watched is self.transcript and key == Qt.Key.Key_Left:
            self.list.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _escape(self) -> None:
        """Esc clears the search (back to the list); on an empty search it closes."""
        if self.search.text():
            self.search.clear()
            self.run_query()
            self.search.setFocus()
        else:
            self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._escape()
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._sized:
            self._sized = True
            self.resize(QSize(860, 560))
        super().showEvent(event)


def _key_of(row: object) -> tuple[object, ...]:
    """What names a row across two readings of the list (a conversation, or one hit)."""
    return (getattr(row, "peer", None), getattr(row, "thread", None),
            getattr(row, "message_id", None), getattr(row, "note_id", None))
