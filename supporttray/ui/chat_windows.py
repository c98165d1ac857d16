"""The chat side's windows (ask, chats, queue, history), each built the first time it is
wanted and disposed at quit: the idle tray's memory is budgeted, and a window nobody opens
costs its modules, widgets and fonts all the same (about 100 ms and 3.6 MB for ask and chat).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from supporttray.config.mode import Mode
from supporttray.core.clock import Clock
from supporttray.core.connection import ConnectionMonitor
from supporttray.core.presence import PresenceBook
from supporttray.language.catalogue import _
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.icons import IconSet
from supporttray.ui.presence_text import display_name

if TYPE_CHECKING:
    from supporttray.app.received_files import ReceivedFiles
    from supporttray.app.transfers import FileTransfers
    from supporttray.ui.ask_window import AskWindow
    from supporttray.ui.chat.backend import ChatBackend, Spawn
    from supporttray.ui.chat.window import ChatWindow
    from supporttray.ui.history.window import HistoryWindow
    from supporttray.ui.queue_window import QueueWindow


class ChatWindows:
    """Builds on first use; `built_*` tell without building."""

    def __init__(self, chat: ChatBackend, spawn: Spawn, *, book: PresenceBook,
                 connection: ConnectionMonitor, bridge: CoreBridge, icons: IconSet, mode: Mode,
                 app_name: str, clock: Clock, open_chat: Callable[[str], None],
                 open_history: Callable[[str], object]) -> None:
        self._chat = chat
        self._spawn = spawn
        self._book = book
        self._connection = connection
        self._bridge = bridge
        self._icons = icons
        self._mode = mode
        self._app_name = app_name
        self._clock = clock
        self._open_chat = open_chat
        self._open_history = open_history
        self.built_ask: AskWindow | None = None
        self.built_chat: ChatWindow | None = None
        self.built_queue: QueueWindow | None = None
        self.built_history: HistoryWindow | None = None
        # Called with the chat window once it is built (the group-chat menu adds itself).
        self.chat_built: list[Callable[[ChatWindow], object]] = []
        self.files: FileTransfers | None = None  # set once the service is up (attach_files)
        self.received: ReceivedFiles | None = None

    def ask(self) -> AskWindow | None:
        """The ask window; None in staff mode."""
        if self.built_ask is None and self._mode == Mode.REQUESTER:
            from supporttray.ui.ask_window import AskWindow

            self.built_ask = AskWindow(
                self._chat, self._book, self._connection, self._icons, spawn=self._spawn,
                open_chat=self._open_chat, app_name=self._app_name, clock=self._clock,
                files=self.files)
        return self.built_ask

    def queue(self) -> QueueWindow | None:
        """Staff mode's request queue; None otherwise."""
        requests = self._chat.requests
        if self.built_queue is None and requests is not None:
            from supporttray.ui.queue_window import QueueWindow

            self.built_queue = QueueWindow(
                requests, self._book, bridge=self._bridge, open_chat=self._open_chat,
                desk=self._chat.desk, spawn=self._spawn, app_name=self._app_name,
                clock=self._clock)
        return self.built_queue

    def chats(self) -> ChatWindow:
        if self.built_chat is None:
            from supporttray.ui.chat.window import ChatWindow

            self.built_chat = ChatWindow(
                self._chat, bridge=self._bridge, book=self._book, mode=self._mode,
                spawn=self._spawn, app_name=self._app_name, icons=self._icons,
                clock=self._clock, open_history=self._open_history, files=self.received)
            for hook in self.chat_built:
                hook(self.built_chat)
        return self.built_chat

    def history(self) -> HistoryWindow:
        if self.built_history is None:
            # Its modules too: most days nobody looks back.
            from supporttray.ui.history.window import HistoryWindow

            book = self._book
            self.built_history = HistoryWindow(
                self._chat.history, name_of=lambda jid: display_name(book, jid),
                own_name=_("You"), author=self._chat.account_jid,
                staff=self._mode == Mode.STAFF, app_name=self._app_name, clock=self._clock)
            window = self.built_history
            self._bridge.conversations_changed.connect(lambda _event: window.stored_changed())
        return self.built_history

    def conversation_peers(self) -> list[str]:
        """Everyone we have a chat with (the invite dialog offers them)."""
        return list(self._chat.conversations.peers())

    def close(self) -> None:
        """Dispose of every window built (the app is quitting)."""
        for window in (self.built_ask, self.built_chat, self.built_queue, self.built_history):
            if window is not None:
                window.dispose()
                window.deleteLater()
