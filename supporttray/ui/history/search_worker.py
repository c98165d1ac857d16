"""The history window's queries, run on a thread of their own with their own reader connection.

A search over a million messages, or the first page of conversations, is sqlite work that may
take tens of milliseconds (seconds on a slow disk); on the UI thread that is a tray that does
not answer. The window asks by signal, the worker answers page by page by signal, and every
request carries a generation: an answer to a query the person has typed past is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QObject, QThread, Signal, Slot

from supporttray.app.history_query import HistoryQuery, export_history
from supporttray.core.history_schema import NO_THREAD
from supporttray.core.messages import ChatMessage
from supporttray.core.transcript_export import ExportFormat
from supporttray.language.catalogue import _

if TYPE_CHECKING:
    from supporttray.core.history import ConversationSummary, HistoryStore, Note, SearchHit

log = logging.getLogger("supporttray.ui")

# Rows per page: enough to fill a tall window, few enough that the first arrives at once.
PAGE_SIZE = 50
# Messages shown either side of a hit, and of a conversation opened from the list.
AROUND = 50


class HistoryReader(Protocol):
    """The read side of `core.history.HistoryStore` the window uses (a fake in tests)."""

    def conversations(self, *, peer: str | None = None, before: datetime | None = None,
                      limit: int = 50, me: str = "") -> Sequence[ConversationSummary]: ...

    def find(self, query: str, *, peer: str | None = None, since: datetime | None = None,
             limit: int = 50, offset: int = 0, me: str = "") -> Sequence[SearchHit]: ...

    def around(self, peer: str, message_id: str, *, before: int = 50,
               after: int = 50) -> Sequence[ChatMessage]: ...

    def thread_messages(self, peer: str, thread: str, *, limit: int = 1000
                        ) -> Sequence[ChatMessage]: ...

    def conversation(self, peer: str, *, limit: int = 200,
                     before: datetime | None = None) -> Sequence[ChatMessage]: ...

    def notes(self, peer: str, thread: str | None = None) -> Sequence[Note]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ListQuery:
    """One page of the list: conversations (`text` empty) or search hits for `text`."""

    generation: int
    text: str = ""
    peer: str | None = None  # only the conversations with this person
    before: datetime | None = None  # conversations: older than the last row shown
    offset: int = 0  # search: hits already shown


@dataclass(frozen=True)
class Page:
    """One page of rows for the query of `generation`; `more` when another page may follow."""

    generation: int
    rows: tuple[ConversationSummary | SearchHit, ...]
    more: bool
    first: bool  # the query's first page: the list starts again with it
    error: str = ""


@dataclass(frozen=True)
class TranscriptQuery:
    """One conversation to read: a request (thread), or the messages around one hit."""

    generation: int
    peer: str
    thread: str | None
    message_id: str | None = None  # the hit to show, scrolled to
    note_id: int | None = None  # a hit in a note


@dataclass(frozen=True)
class Transcript:
    generation: int
    query: TranscriptQuery
    messages: tuple[ChatMessage, ...]
    notes: tuple[Note, ...]
    error: str = ""


@dataclass(frozen=True)
class ExportJob:
    """Write one conversation (a request, or everything with the person) to a file."""

    peer: str
    thread: str | None
    target: Path
    fmt: ExportFormat
    redact: frozenset[str]
    exported_at: datetime


@dataclass(frozen=True)
class ExportDone:
    job: ExportJob
    messages: int  # how many it holds
    error: str = ""  # a sentence when it could not be written


def write_export(reader: HistoryReader, job: ExportJob, *, me: str) -> int:
    """history-core's writer (as `history --export`: 0600, atomically), on the calling
    thread; how many messages the file holds."""
    # The reader is a HistoryStore (a fake in tests has the same methods).
    store = cast("HistoryStore", reader)
    return export_history(store, HistoryQuery(with_=job.peer, thread=job.thread), job.target,
                          me=me, redact=job.redact, now=job.exported_at)


class HistoryWorker(QObject):
    """Lives on the history thread; opens its reader there on first use."""

    page_ready = Signal(object)  # Page
    transcript_ready = Signal(object)  # Transcript
    export_done = Signal(object)  # ExportDone

    def __init__(self, open_reader: Callable[[], HistoryReader], *, me: str,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self._open_reader = open_reader
        self._me = me  # our account: our side of a conversation, named as "answered by"
        self._page_size = page_size
        self._reader: HistoryReader | None = None
        # The newest generations the window asked for: set from the UI thread, read here, so a
        # queued request already superseded is skipped without touching the database.
        self.wanted_list = 0
        self.wanted_transcript = 0

    def _read(self) -> HistoryReader:
        if self._reader is None:
            self._reader = self._open_reader()
        return self._reader

    @Slot(object)
    def list_page(self, query: ListQuery) -> None:
        if query.generation < self.wanted_list:
            return
        size = self._page_size
        try:
            reader = self._read()
            rows: Sequence[ConversationSummary | SearchHit]
            if query.text.strip():
                rows = reader.find(query.text, peer=query.peer, limit=size,
                                   offset=query.offset, me=self._me)
            else:
                rows = reader.conversations(peer=query.peer, before=query.before, limit=size,
                                            me=self._me)
        except Exception:
            log.warning("the history could not be read for the history window", exc_info=True)
            self.page_ready.emit(Page(query.generation, (), False, True, _(
                "The history could not be read. Close the window and try again; if it keeps "
                "failing, the log says why.")))
            return
        first = query.before is None and query.offset == 0
        self.page_ready.emit(Page(query.generation, tuple(rows), len(rows) >= size, first))

    @Slot(object)
    def transcript(self, query: TranscriptQuery) -> None:
        if query.generation < self.wanted_transcript:
            return
        try:
            reader = self._read()
            messages: Sequence[ChatMessage]
            if query.message_id is not None:
                messages = reader.around(query.peer, query.message_id, before=AROUND,
                                         after=AROUND)
            elif query.thread is not None:
                messages = reader.thread_messages(query.peer, query.thread)
            else:
                messages = reader.conversation(query.peer)
            # A conversation without a thread has the notes written on it, not every note.
            notes = reader.notes(query.peer,
                                 NO_THREAD if query.thread is None else query.thread)
        except Exception:
            log.warning("a conversation could not be read for the history window",
                        exc_info=True)
            self.transcript_ready.emit(Transcript(query.generation, query, (), (), _(
                "This conversation could not be read from the history.")))
            return
        self.transcript_ready.emit(Transcript(query.generation, query, tuple(messages),
                                              tuple(notes)))

    @Slot(object)
    def export(self, job: ExportJob) -> None:
        try:
            messages = write_export(self._read(), job, me=self._me)
        except OSError as error:
            log.warning("an export could not be written", exc_info=True)
            self.export_done.emit(ExportDone(job, 0, _(
                "{file} could not be written ({reason}). Choose another folder or name."
            ).format(file=job.target, reason=error.strerror or error)))
            return
        except Exception:
            log.warning("an export failed", exc_info=True)
            self.export_done.emit(ExportDone(job, 0, _(
                "The conversation could not be exported; the log says why.")))
            return
        log.info("exported %d message(s) as %s", messages, job.fmt.value)
        self.export_done.emit(ExportDone(job, messages))

    def close_reader(self) -> None:
        """After the thread has stopped: the reader is not used anywhere else then."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()


class HistoryQueries(QObject):
    """The UI thread's side: asks the worker by signal and numbers each question."""

    _list_wanted = Signal(object)
    _transcript_wanted = Signal(object)
    _export_wanted = Signal(object)

    def __init__(self, open_reader: Callable[[], HistoryReader], *, me: str,
                 page_size: int = PAGE_SIZE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._list_generation = 0
        self._transcript_generation = 0
        self._thread = QThread()
        self._thread.setObjectName("supporttray-history")
        self.worker = HistoryWorker(open_reader, me=me, page_size=page_size)
        self.worker.moveToThread(self._thread)
        self._list_wanted.connect(self.worker.list_page)
        self._transcript_wanted.connect(self.worker.transcript)
        self._export_wanted.connect(self.worker.export)
        self.page_ready = self.worker.page_ready
        self.transcript_ready = self.worker.transcript_ready
        self.export_done = self.worker.export_done
        self._stopped = False
        self._thread.start()

    def new_list(self) -> int:
        """A new list (another search): pages of every older one are stale from now on."""
        self._list_generation += 1
        self.worker.wanted_list = self._list_generation
        return self._list_generation

    @property
    def list_generation(self) -> int:
        return self._list_generation

    def new_transcript(self) -> int:
        """Another conversation to read: the one asked for before is not wanted any more."""
        self._transcript_generation += 1
        self.worker.wanted_transcript = self._transcript_generation
        return self._transcript_generation

    @property
    def transcript_generation(self) -> int:
        return self._transcript_generation

    def ask_list(self, query: ListQuery) -> None:
        self._list_wanted.emit(query)

    def ask_transcript(self, query: TranscriptQuery) -> None:
        self._transcript_wanted.emit(query)

    def ask_export(self, job: ExportJob) -> None:
        self._export_wanted.emit(job)

    def stop(self) -> None:
        """Stop the thread (waiting for a query in progress) and close the reader; once."""
        if self._stopped:
            return
        self._stopped = True
        # Whatever is still queued is skipped.
        self.worker.wanted_list = self.worker.wanted_transcript = 2**62
        self._thread.quit()
        self._thread.wait()
        self.worker.close_reader()
