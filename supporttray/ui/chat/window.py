"""The chat window: one tab per conversation; closing it only hides it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QIcon, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from supporttray.config.mode import Mode
from supporttray.core.clock import Clock, utc_now
from supporttray.core.jid import bare_jid
from supporttray.core.presence import PresenceBook
from supporttray.language.catalogue import _
from supporttray.ui.bridge import (
    ConversationsChanged,
    CoreBridge,
    MessagesArrived,
    QueueChanged,
    ServerArchiveChanged,
)
from supporttray.ui.canned_editor import CannedEditor, ask_to_discard
from supporttray.ui.chat.backend import ChatBackend, Spawn
from supporttray.ui.chat.conversation_pane import COMPOSING_PAUSE_MS, ConversationPane
from supporttray.ui.chat.links import open_allowed_link
from supporttray.ui.chat.privacy_line import ConfirmDelete, ask_to_delete
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.kept_window import KeptWindow, bring_to_front
from supporttray.ui.presence_text import display_name
from supporttray.ui.text_colors import secondary_color

if TYPE_CHECKING:
    from supporttray.app.received_files import ReceivedFiles


class ChatWindow(KeptWindow):
    """All open conversations, one tab each; closing the window only hides it."""

    ESCAPE_CLOSES = False  # Esc belongs to the message box here (and must not lose a chat)

    def __init__(
        self,
        service: ChatBackend,
        *,
        bridge: CoreBridge,
        book: PresenceBook | None,
        mode: Mode,
        spawn: Spawn,
        app_name: str = "SupportTray",
        icons: IconSet | None = None,
        clock: Clock = utc_now,
        open_link: Callable[[str], object] = open_allowed_link,
        composing_pause_ms: int = COMPOSING_PAUSE_MS,
        confirm_discard: Callable[[QWidget], bool] = ask_to_discard,
        confirm_delete: ConfirmDelete = ask_to_delete,
        open_history: Callable[[str], object] | None = None,
        files: ReceivedFiles | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Files peers sent, and sending ours; None (no upload service set up): no file rows.
        self.files = files
        self._confirm_delete = confirm_delete
        self._open_history = open_history
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
        self._bridge: CoreBridge | None = bridge
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
            _("No conversations yet.\nMessages from people who ask for help appear here.")
            if mode == Mode.STAFF
            else _("No conversations yet.\nUse “Ask support…” in the tray menu to start one.")
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

        bridge.conversations_changed.connect(self._on_changed)
        bridge.messages_arrived.connect(self._on_arrived)
        bridge.staff_changed.connect(self.refresh_people)
        bridge.queue_changed.connect(self._on_queue_changed)
        bridge.server_archive_changed.connect(self._on_server_archive)
        conversations = service.conversations
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
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.conversations_changed.disconnect(self._on_changed)
            bridge.messages_arrived.disconnect(self._on_arrived)
            bridge.staff_changed.disconnect(self.refresh_people)
            bridge.queue_changed.disconnect(self._on_queue_changed)
            bridge.server_archive_changed.disconnect(self._on_server_archive)
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
    def _on_changed(self, event: ConversationsChanged) -> None:
        self._refresh_chats(event.peers)

    def _on_arrived(self, event: MessagesArrived) -> None:
        new_peers: set[str] = set()
        for message in event.messages:
            peer = bare_jid(message.peer)
            if self.is_reading(peer):
                # Read as it arrives: no badge, no notification (the notifier asks too).
                self._service.mark_read(peer)
            elif peer not in self._panes:
                # A new conversation gets its tab at once, without taking the current one away.
                new_peers.add(peer)
        if new_peers:
            self._refresh_chats(new_peers)

    def _on_queue_changed(self, _event: QueueChanged) -> None:
        for pane in self._panes.values():
            pane.refresh_request()

    def _on_server_archive(self, _event: ServerArchiveChanged) -> None:
        for pane in self._panes.values():
            pane.refresh_keeping()

    def _refresh_chats(self, peers: frozenset[str] | set[str]) -> None:
        conversations = self._service.conversations
        for peer in peers:
            pane = self._panes.get(peer)
            if pane is not None:
                pane.refresh()
            elif conversations.unread(peer):
                self._pane_for(peer, load=False)
        self._mark_current_read()
        self._update_tab_texts()

    # -- files ------------------------------------------------------------------------------------
    def attach_files(self, files: ReceivedFiles) -> None:
        """Files arrived after this window was built: give every open chat its file rows."""
        if self.files is not None:
            return
        self.files = files
        for pane in self._panes.values():
            self._add_files(pane)

    def _add_files(self, pane: ConversationPane) -> None:
        if self.files is None or self._bridge is None:
            return
        from supporttray.ui.chat.file_strip import FileStrip
        from supporttray.ui.chat.outgoing_files import OutgoingFiles

        # Under the messages: files they sent, then our uploads and the attach buttons.
        pane.show_files(OutgoingFiles(pane.peer, self.files.transfers, spawn=self._spawn,
                                      host=pane, edit=pane.edit, parent=pane))
        pane.show_files(FileStrip(pane.peer, self.files, bridge=self._bridge,
                                  spawn=self._spawn, parent=pane))

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
            confirm_delete=self._confirm_delete,
        )
        self._panes[peer] = pane
        self._add_files(pane)
        pane.privacy_line.history_button.setVisible(self._open_history is not None)
        if self._open_history is not None:
            pane.history_requested.connect(self._open_history)
        pane.deleted.connect(self._close_deleted)
        pane.edit_replies_requested.connect(lambda p=peer: self.edit_canned_replies(p))
        index = self._tabs.addTab(pane, pane.name)
        self._tabs.setTabToolTip(index, peer)
        close = self._tabs.tabBar().tabButton(index, QTabBar.ButtonPosition.RightSide)
        if close is not None:
            # Qt's close button has only a tooltip; a screen reader would say "button".
            close.setAccessibleName(_("Close the chat with {name}").format(name=pane.name))
        self._stack.setCurrentWidget(self._tabs)
        self._update_tab_texts()
        self._update_tab_icons()
        return pane

    def _close_deleted(self, peer: str) -> None:
        pane = self._panes.get(peer)
        if pane is not None:
            self._close_tab(self._tabs.indexOf(pane))

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
