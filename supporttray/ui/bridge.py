"""CoreBridge: the one way the UI observes core; its events re-emitted as typed Qt signals,
each burst coalesced into one emission.

No other ui module subscribes to a core listener (tests/unit/test_layers.py fails if one does):
widgets connect to these signals, and ask the models for current state when they repaint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from supporttray.app.request_desk import RequestDesk
from supporttray.core.connection import ConnectionMonitor, ConnectionStatus
from supporttray.core.conversations import ConversationChanged, Conversations
from supporttray.core.group_check import CheckChanged
from supporttray.core.messages import ChatMessage
from supporttray.core.own_presence import OwnPresence, PresenceChoice
from supporttray.core.presence import BookChanged, PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.core.server_archive import ServerArchive

if TYPE_CHECKING:  # loaded with the connection, after the icon is up
    from supporttray.app.group_check import GroupChecks
    from supporttray.app.received_files import ReceivedFiles

log = logging.getLogger("supporttray.ui")


@dataclass(frozen=True)
class ConversationsChanged:
    """Something changed in these chats (bare JIDs): messages, delivery, typing, unread."""

    peers: frozenset[str]


@dataclass(frozen=True)
class MessagesArrived:
    """New messages from others, in the order they arrived."""

    messages: tuple[ChatMessage, ...]


@dataclass(frozen=True)
class QueueChanged:
    """Staff: the request queue changed; how many requests are open and not taken now."""

    open_requests: int
    unclaimed: int


@dataclass(frozen=True)
class RequestsOpened:
    """Staff: requests that reached us (their first message came to this account)."""

    requests: tuple[SupportRequest, ...]


@dataclass(frozen=True)
class RequestsAnnounced:
    """Staff: requests that reached a colleague (posted in the staff room)."""

    requests: tuple[SupportRequest, ...]


@dataclass(frozen=True)
class StaffRoomChanged:
    """Staff: whether the queue is shared with the team right now, as one sentence."""

    line: str


@dataclass(frozen=True)
class ServerArchiveChanged:
    """What the login's discovery found: does the server keep its own copy of our chats."""

    archives: bool | None


class Coalescer(QObject):
    """Calls `flush` once the loop has drained the current burst of `schedule()` calls.

    A zero-delay single-shot timer that runs only after a change: an idle app never wakes up.
    Must be used from the GUI thread (qasync runs slixmpp on Qt's loop), as QTimer requires.
    """

    def __init__(self, flush: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(flush)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


class CoreBridge(QObject):
    """Subscribes to the core models the UI shows and tells Qt views what changed.

    Core listeners fire once per stanza; at login a server may deliver hundreds in one go. Each
    event is only noted, and one emission per signal follows after the loop has drained the
    burst: sets of what changed are unions, states are the latest, arrivals keep their order.

    Presence and connection are observed from the start; own presence when given; the chat side
    and the request queue when `observe_chat` and `observe_requests` attach them.
    """

    staff_changed = Signal(BookChanged)  # the union of the burst's members
    connection_changed = Signal(ConnectionStatus)  # the latest; intermediate states dropped
    own_presence_changed = Signal(PresenceChoice)  # the latest
    conversations_changed = Signal(ConversationsChanged)
    messages_arrived = Signal(MessagesArrived)
    queue_changed = Signal(QueueChanged)
    requests_opened = Signal(RequestsOpened)
    requests_announced = Signal(RequestsAnnounced)
    staff_room_changed = Signal(StaffRoomChanged)
    server_archive_changed = Signal(ServerArchiveChanged)  # the latest
    # Group checks: a handful of events a minute at most, so each is passed on as it comes
    # (the panel shows every answer; nothing to coalesce).
    group_check_changed = Signal(CheckChanged)
    group_check_asked = Signal(object)  # app.group_check.AskedOfMe: a question to us
    # A file a peer offered (app.received_files.ReceivedFile): each one, not coalesced.
    file_offered = Signal(object)

    def __init__(
        self,
        book: PresenceBook | None = None,
        connection: ConnectionMonitor | None = None,
        *,
        own_presence: OwnPresence | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._coalescer = Coalescer(self._flush, self)
        self._queue: RequestQueue | None = None
        self._desk: RequestDesk | None = None
        self._pending_jids: set[str] = set()
        self._pending_status: ConnectionStatus | None = None
        self._pending_choice: PresenceChoice | None = None
        self._pending_peers: set[str] = set()
        self._pending_arrivals: list[ChatMessage] = []
        self._queue_dirty = False
        self._pending_opened: list[SupportRequest] = []
        self._pending_announced: list[SupportRequest] = []
        self._room_dirty = False
        self._pending_archive: ServerArchiveChanged | None = None
        self._unsubscribers: list[Callable[[], None]] = []
        if book is not None:
            self._unsubscribers.append(book.changed.subscribe(self._on_book_changed))
        if connection is not None:
            self._unsubscribers.append(connection.changed.subscribe(self._on_connection_changed))
        if own_presence is not None:
            self._unsubscribers.append(own_presence.changed.subscribe(self._on_own_changed))

    def observe_chat(self, conversations: Conversations,
                     server_archive: ServerArchive | None = None) -> None:
        """Also observe the chats, once they exist (attached after the icon is up), and what
        the login finds of the server's archive."""
        self._unsubscribers += [
            conversations.changed.subscribe(self._on_conversation_changed),
            conversations.arrived.subscribe(self._on_arrived),
        ]
        if server_archive is not None:
            self._unsubscribers.append(server_archive.changed.subscribe(self._on_archive_found))

    def observe_requests(self, queue: RequestQueue, desk: RequestDesk | None = None) -> None:
        """Staff: also observe the request queue (and the desk's staff room), once they exist."""
        self._queue = queue
        self._unsubscribers += [
            queue.changed.subscribe(self._on_queue_changed),
            queue.opened.subscribe(self._on_opened),
            queue.arrived.subscribe(self._on_announced),
        ]
        if desk is not None:
            self._desk = desk
            self._unsubscribers.append(desk.room_changed.subscribe(self._on_room_changed))

    def observe_group_checks(self, checks: GroupChecks) -> None:
        """Also observe the group checks we ask and are asked."""
        self._unsubscribers += [
            checks.changed.subscribe(self._on_check_changed),
            checks.question_arrived.subscribe(self._on_check_asked),
        ]

    def _on_check_changed(self, event: CheckChanged) -> None:
        self.group_check_changed.emit(event)

    def _on_check_asked(self, asked: object) -> None:
        self.group_check_asked.emit(asked)
    def observe_files(self, files: ReceivedFiles) -> None:
        """Also hear of each file a peer sends, once files are set up."""
        self._unsubscribers.append(files.offered.subscribe(self.file_offered.emit))

    @property
    def flush_pending(self) -> bool:
        """True while a coalesced emission is waiting for the loop."""
        return self._coalescer.pending

    def close(self) -> None:
        """Unsubscribe from core and drop anything not yet emitted; safe to call twice."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._coalescer.stop()
        self._take_pending()
        self._take_archive()

    # -- noting what changed ------------------------------------------------------------------
    def _on_book_changed(self, event: BookChanged) -> None:
        self._pending_jids |= event.jids
        self._coalescer.schedule()

    def _on_connection_changed(self, status: ConnectionStatus) -> None:
        self._pending_status = status
        self._coalescer.schedule()

    def _on_own_changed(self, choice: PresenceChoice) -> None:
        self._pending_choice = choice
        self._coalescer.schedule()

    def _on_conversation_changed(self, event: ConversationChanged) -> None:
        self._pending_peers.add(event.peer)
        self._coalescer.schedule()

    def _on_arrived(self, message: ChatMessage) -> None:
        self._pending_arrivals.append(message)
        self._coalescer.schedule()

    def _on_queue_changed(self, _nothing: None) -> None:
        self._queue_dirty = True
        self._coalescer.schedule()

    def _on_opened(self, request: SupportRequest) -> None:
        self._pending_opened.append(request)
        self._coalescer.schedule()

    def _on_announced(self, request: SupportRequest) -> None:
        self._pending_announced.append(request)
        self._coalescer.schedule()

    def _on_room_changed(self, _nothing: None) -> None:
        self._room_dirty = True
        self._coalescer.schedule()

    def _on_archive_found(self, archives: bool | None) -> None:
        self._pending_archive = ServerArchiveChanged(archives)
        self._coalescer.schedule()

    # -- emitting ------------------------------------------------------------------------------
    def _take_pending(self) -> tuple[
        ConnectionStatus | None, frozenset[str], PresenceChoice | None, frozenset[str],
        tuple[ChatMessage, ...], bool, tuple[SupportRequest, ...], tuple[SupportRequest, ...],
        bool,
    ]:
        taken = (
            self._pending_status, frozenset(self._pending_jids), self._pending_choice,
            frozenset(self._pending_peers), tuple(self._pending_arrivals), self._queue_dirty,
            tuple(self._pending_opened), tuple(self._pending_announced), self._room_dirty,
        )
        self._pending_status = self._pending_choice = None
        self._pending_jids, self._pending_peers = set(), set()
        self._pending_arrivals, self._pending_opened, self._pending_announced = [], [], []
        self._queue_dirty = self._room_dirty = False
        return taken

    def _take_archive(self) -> ServerArchiveChanged | None:
        archive, self._pending_archive = self._pending_archive, None
        return archive

    def _flush(self) -> None:
        (status, jids, choice, peers, arrivals, queue_dirty, opened, announced,
         room_dirty) = self._take_pending()
        # Connection first: a view may repaint the staff list differently while offline.
        if status is not None:
            self.connection_changed.emit(status)
        if jids:
            self.staff_changed.emit(BookChanged(jids))
        if choice is not None:
            self.own_presence_changed.emit(choice)
        # Arrivals before changes: a chat being read marks them read before the badge counts.
        if arrivals:
            self.messages_arrived.emit(MessagesArrived(arrivals))
        if peers:
            self.conversations_changed.emit(ConversationsChanged(peers))
        if queue_dirty and self._queue is not None:
            self.queue_changed.emit(
                QueueChanged(len(self._queue.requests()), self._queue.unclaimed()))
        if opened:
            self.requests_opened.emit(RequestsOpened(opened))
        if announced:
            self.requests_announced.emit(RequestsAnnounced(announced))
        if room_dirty and self._desk is not None:
            self.staff_room_changed.emit(StaffRoomChanged(self._desk.room_line()))
        archive = self._take_archive()
        if archive is not None:
            self.server_archive_changed.emit(archive)
