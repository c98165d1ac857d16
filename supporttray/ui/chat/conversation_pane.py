"""One conversation: who it is with, the messages, typing, and the message box."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.chat import AskError
from supporttray.config.mode import Mode
from supporttray.core import canned
from supporttray.core.clock import Clock
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage
from supporttray.core.presence import PresenceBook
from supporttray.language.catalogue import _
from supporttray.language.sentence import shown
from supporttray.ui.chat.backend import ChatBackend, Spawn
from supporttray.ui.chat.message_edit import MessageEdit
from supporttray.ui.chat.message_view import MessageView
from supporttray.ui.chat.privacy_line import ConfirmDelete, PrivacyLine, ask_to_delete
from supporttray.ui.chat.request_bar import RequestBar
from supporttray.ui.chat.thread_dialog import ThreadDialog
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.kept_window import bring_to_front
from supporttray.ui.message_text import is_allowed_link
from supporttray.ui.presence_text import display_name, staff_row
from supporttray.ui.requester_header import RequesterHeader
from supporttray.ui.text_colors import error_color, secondary_color

log = logging.getLogger("supporttray.ui")


# The peer's client is told "composing" at the first keystroke and "active" once typing has
# paused this long, so the network sees two chat states per burst of typing, not one per key.
COMPOSING_PAUSE_MS: Final = 5_000


COMPOSER_LINES: Final = 3


class ConversationPane(QWidget):
    """One conversation: who it is with, the messages, typing, and the message box."""

    edit_replies_requested = Signal()
    history_requested = Signal(str)  # this person's conversations in the history window
    deleted = Signal(str)  # the conversation was deleted from this computer: close the tab

    def __init__(
        self,
        peer: str,
        service: ChatBackend,
        *,
        book: PresenceBook | None,
        icons: IconSet | None,
        mode: Mode,
        spawn: Spawn,
        clock: Clock,
        open_link: Callable[[str], object],
        composing_pause_ms: int = COMPOSING_PAUSE_MS,
        confirm_delete: ConfirmDelete = ask_to_delete,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.peer = bare_jid(peer)
        self._confirm_delete = confirm_delete
        self._service = service
        self._book = book
        self._icons = icons
        self._spawn = spawn
        self._clock = clock
        self._open_link = open_link
        self._composing = False
        self._closed = False
        self.name = display_name(book, self.peer)
        self._newest_thread: str | None = None
        self._threads_loaded = False
        self._thread_dialog: ThreadDialog | None = None

        self._avatar = QLabel(self)
        self._avatar.setFixedSize(24, 24)
        self._title = QLabel(self)
        self._title.setObjectName("peerName")
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self._title.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.1)
        self._title.setFont(title_font)
        self._details = QLabel(self)
        self._details.setObjectName("peerDetails")
        self._details.setTextFormat(Qt.TextFormat.PlainText)
        self._details.setStyleSheet(f"color: {secondary_color(self._details)};")
        self._details.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._sysinfo_again = QPushButton(_("Send system info again"), self)
        self._sysinfo_again.setObjectName("sendSysinfoAgain")
        self._sysinfo_again.setToolTip(
            _("Collect your computer's system info now and send it in this chat")
        )
        self._sysinfo_again.clicked.connect(self.send_sysinfo_again)
        self._sysinfo_again.setVisible(mode == Mode.REQUESTER)

        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self._title)
        titles.addWidget(self._details)
        header = QHBoxLayout()
        header.setContentsMargins(12, 8, 10, 8)
        header.setSpacing(8)
        header.addWidget(self._avatar, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addLayout(titles, 1)
        header.addWidget(self._sysinfo_again, 0, Qt.AlignmentFlag.AlignVCenter)

        # Staff: their open request, who has it, and Take it / Resolve for the whole team.
        self.request_bar: RequestBar | None = None
        if mode == Mode.STAFF:
            self.request_bar = RequestBar(self.peer, self.name, service, book=book, spawn=spawn,
                                          parent=self)
            self.request_bar.failed.connect(self._show_error)
            # The queue window's keys, here too: staff answer, then resolve, without the mouse.
            for keys, act in (("Ctrl+T", self.request_bar.take),
                              ("Ctrl+R", self.request_bar.resolve)):
                shortcut = QShortcut(QKeySequence(keys), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(act)
            header.addWidget(self.request_bar, 0, Qt.AlignmentFlag.AlignVCenter)

        # Staff: the requester's local time and earlier requests, under the name.
        self.requester_header: RequesterHeader | None = None
        if mode == Mode.STAFF:
            self.requester_header = RequesterHeader(clock=clock, parent=self)
            self.requester_header.thread_chosen.connect(self.show_thread)

        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)

        self.view = MessageView(
            peer_name=self.name, show_sysinfo_in=mode == Mode.STAFF, clock=clock, parent=self
        )
        self.view.link_activated.connect(self._on_link)

        self._typing = QLabel(self)
        self._typing.setObjectName("typingIndicator")
        italic = QFont(self._typing.font())
        italic.setItalic(True)
        self._typing.setFont(italic)
        self._typing.setStyleSheet(f"color: {secondary_color(self._typing)};")
        self._typing.setFixedHeight(self._typing.fontMetrics().height() + 4)

        self._error = QLabel(self)
        self._error.setObjectName("chatError")
        self._error.setWordWrap(True)
        self._error.setTextFormat(Qt.TextFormat.PlainText)
        self._error.setStyleSheet(f"color: {error_color(self._error)};")
        self._error.hide()

        self.edit = MessageEdit(self)
        self.edit.setPlaceholderText(
            _("Message {name} — Enter sends, Shift+Enter adds a line").format(name=self.name))
        self.edit.setAccessibleName(_("Message to {name}").format(name=self.name))
        self.edit.setAccessibleDescription(_("Enter sends, Shift+Enter adds a line"))
        self.edit.set_lines(COMPOSER_LINES)
        self.edit.submitted.connect(self.send)
        self.edit.textChanged.connect(self._on_text_changed)
        self.send_button = QPushButton(_("Send"), self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)

        composer = QHBoxLayout()
        composer.setContentsMargins(0, 0, 0, 0)
        composer.setSpacing(8)
        composer.addWidget(self.edit, 1)
        if mode == Mode.STAFF:
            # Canned replies: a menu next to Send, and Ctrl+1..9 for the first nine.
            self.replies_button = QToolButton(self)
            self.replies_button.setObjectName("cannedReplies")
            self.replies_button.setText(_("Replies"))
            self.replies_button.setToolTip(_("Insert a canned reply (Ctrl+1 … Ctrl+9)"))
            self.replies_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self.replies_menu = QMenu(self.replies_button)
            self.replies_menu.aboutToShow.connect(self._fill_replies_menu)
            self.replies_button.setMenu(self.replies_menu)
            composer.addWidget(self.replies_button, 0, Qt.AlignmentFlag.AlignBottom)
            for number in range(1, 10):
                shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda n=number: self.insert_canned_reply(n - 1))
        composer.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)

        bottom = QVBoxLayout()
        bottom.setContentsMargins(12, 0, 12, 10)
        bottom.setSpacing(4)
        bottom.addWidget(self._typing)
        bottom.addWidget(self._error)
        bottom.addLayout(composer)
        # Who keeps this chat, said where it is written (issue 14: privacy you can see).
        self.privacy_line = PrivacyLine(self)
        self.privacy_line.history_clicked.connect(lambda: self.history_requested.emit(self.peer))
        self.privacy_line.delete_clicked.connect(self.delete_conversation)
        bottom.addWidget(self.privacy_line)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        if self.requester_header is not None:
            layout.addWidget(self.requester_header)
        layout.addWidget(rule)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(composing_pause_ms)
        self._pause.timeout.connect(self._typing_paused)

        self.refresh()
        self.refresh_peer()

    # -- what the window calls ------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the conversation: messages, delivery states, typing."""
        conversations = self._service.conversations
        messages = conversations.messages(self.peer)
        self.view.set_messages(messages)
        self.refresh_keeping()
        typing = conversations.is_typing(self.peer)
        self._typing.setText(_("{name} is typing…").format(name=self.name) if typing else "")
        if self.requester_header is not None:
            self._refresh_requester(messages)

    def refresh_keeping(self) -> None:
        """The privacy line again (the login found whether the server archives)."""
        self.privacy_line.show_keeping(self._service.keeping())

    def delete_conversation(self) -> bool:
        """Ask (saying what stays on the server), then delete the chat from this computer."""
        archives = self._service.keeping().server_archives
        if not self._confirm_delete(self.window(), self.name, archives):
            return False
        self._spawn(self._delete())
        return True

    async def _delete(self) -> None:
        try:
            await self._service.delete_conversation(self.peer)
        except Exception:
            log.exception("deleting a conversation failed")
            self._show_error(_("The conversation could not be deleted from the history. "
                               "Try again; if it keeps failing, the log says why."))
            return
        if not self._closed:
            self.deleted.emit(self.peer)

    def _refresh_requester(self, messages: list[ChatMessage]) -> None:
        header = self.requester_header
        assert header is not None
        header.set_sysinfo(canned.latest_sysinfo(messages))
        # Earlier requests change only when a new request (thread) starts: ask the history
        # then, not at every message.
        newest = next((m.thread for m in reversed(messages) if m.thread), None)
        if newest != self._newest_thread or not self._threads_loaded:
            self._newest_thread = newest
            self._threads_loaded = True
            try:
                header.set_threads(self._service.earlier_requests(self.peer))
            except Exception:
                # The header is a help, not the chat: the conversation works without it.
                log.warning("could not list earlier requests", exc_info=True)

    def show_thread(self, thread: str) -> ThreadDialog | None:
        """Show one earlier request's messages in a window of their own."""
        try:
            messages = self._service.thread_messages(self.peer, thread)
        except Exception:
            log.warning("could not read an earlier request", exc_info=True)
            self._error.setText(_("That earlier request could not be read from the history."))
            self._error.show()
            return None
        dialog = self._thread_dialog
        if dialog is None:
            dialog = ThreadDialog(self.name, clock=self._clock, parent=self.window())
            dialog.link_activated.connect(self._on_link)
            self._thread_dialog = dialog
        dialog.show_thread(messages)
        bring_to_front(dialog)
        return dialog

    def refresh_peer(self) -> None:
        """Their availability and local time in the header."""
        member = self._book.member(self.peer) if self._book is not None else None
        self._title.setText(self.name)
        if member is None:
            self._details.setText(self.peer)
            self._avatar.hide()
            return
        row = staff_row(member, self._clock())
        details = row.details()
        if row.local_time:
            details += " · " + row.local_time
        self._details.setText(details)
        self._details.setToolTip(f"{details}\n{self.peer}")
        if self._icons is not None:
            self._avatar.setPixmap(
                self._icons.pixmap(IconKey.for_availability(member.availability), 24)
            )
            self._avatar.show()

    def request_state(self) -> str:
        """"Nobody has taken it yet", "Taken by you", "" (no open request, or not staff)."""
        return self.request_bar.state_text() if self.request_bar is not None else ""

    @property
    def take_button(self) -> QPushButton:
        assert self.request_bar is not None, "only staff take requests"
        return self.request_bar.take_button

    @property
    def resolve_button(self) -> QPushButton:
        assert self.request_bar is not None, "only staff resolve requests"
        return self.request_bar.resolve_button

    def refresh_request(self) -> None:
        """Staff: the request queue changed."""
        if self.request_bar is not None:
            self.request_bar.refresh()

    def take_request(self) -> None:
        if self.request_bar is not None:
            self.request_bar.take()

    def resolve_request(self) -> None:
        if self.request_bar is not None:
            self.request_bar.resolve()

    def _show_error(self, text: str) -> None:
        self._error.setText(text)
        self._error.show()

    def typing_text(self) -> str:
        return self._typing.text()

    def error_text(self) -> str:
        return self._error.text() if self._error.isVisibleTo(self) else ""

    def show_files(self, strip: QWidget) -> None:
        """Received files' cards (ui/chat/file_strip.py), between the messages and the box."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.view) + 1, strip)

    def close_pane(self) -> None:
        """The tab goes away: tell the peer we stopped typing."""
        self._closed = True
        self._pause.stop()
        if self.requester_header is not None:
            self.requester_header.stop()
        if self._thread_dialog is not None:
            self._thread_dialog.close()
            self._thread_dialog.deleteLater()
            self._thread_dialog = None
        if self._composing:
            self._set_composing(False)

    # -- sending --------------------------------------------------------------------------
    def send(self) -> None:
        text = self.edit.toPlainText()
        if not text.strip():
            return
        self._pause.stop()
        self._composing = False  # the message itself tells the peer we stopped typing
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self.send_button.setEnabled(False)
        self._error.hide()
        self._spawn(self._send(text))

    async def _send(self, text: str) -> None:
        try:
            await self._service.send(self.peer, text)
        except AskError as exc:
            self._failed(shown(exc), text)
        except Exception:
            log.exception("sending a chat message failed")
            self._failed(
                _("The message could not be sent. It is back in the box; try again."), text)

    def insert_canned_reply(self, index: int) -> bool:
        """Put the `index`th canned reply, filled for this person, at the cursor."""
        replies = self._service.canned_replies(self.peer)
        if not 0 <= index < len(replies):
            return False
        self.edit.insertPlainText(replies[index][1])
        self.edit.setFocus()
        return True

    def _fill_replies_menu(self) -> None:
        self.replies_menu.clear()
        replies = self._service.canned_replies(self.peer)
        if not replies:
            empty = self.replies_menu.addAction(_("No canned replies (staff.canned_replies)"))
            empty.setEnabled(False)
        for index, (label, text) in enumerate(replies):
            shortcut = f"\tCtrl+{index + 1}" if index < 9 else ""
            action = self.replies_menu.addAction(label.replace("&", "&&") + shortcut)
            action.setToolTip(text)
            action.triggered.connect(lambda _checked=False, i=index: self.insert_canned_reply(i))
        self.replies_menu.addSeparator()
        edit = self.replies_menu.addAction(_("Edit replies…"))
        edit.setObjectName("editReplies")
        edit.triggered.connect(self.edit_replies_requested)

    def send_sysinfo_again(self) -> None:
        self._sysinfo_again.setEnabled(False)
        self._sysinfo_again.setText(_("Collecting system info…"))
        self._error.hide()
        self._spawn(self._send_sysinfo_again())

    async def _send_sysinfo_again(self) -> None:
        try:
            await self._service.send_sysinfo_again(self.peer)
        except AskError as exc:
            self._failed(shown(exc), "")
        except Exception:
            log.exception("sending system info again failed")
            self._failed(_("The system info could not be sent. Try again in a moment."), "")
        finally:
            if not self._closed:
                self._sysinfo_again.setEnabled(True)
                self._sysinfo_again.setText(_("Send system info again"))

    def _failed(self, sentence: str, text: str) -> None:
        if self._closed:
            return
        self._error.setText(sentence)
        self._error.show()
        if text:
            # Never lose what was typed: back into the box, before anything typed since.
            current = self.edit.toPlainText()
            self.edit.blockSignals(True)
            self.edit.setPlainText(text + ("\n" + current if current.strip() else ""))
            self.edit.blockSignals(False)
            self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
            self.send_button.setEnabled(True)

    # -- composing state ------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        has_text = bool(self.edit.toPlainText().strip())
        self.send_button.setEnabled(has_text)
        if not has_text:
            self._pause.stop()
            if self._composing:
                self._set_composing(False)
            return
        if not self._composing:
            self._set_composing(True)
        self._pause.start()

    def _typing_paused(self) -> None:
        if self._composing:
            self._set_composing(False)

    def _set_composing(self, active: bool) -> None:
        self._composing = active
        try:
            self._service.composing(self.peer, active)
        except Exception:
            # A chat state is a courtesy; failing to send one must not disturb typing.
            log.warning("could not send the typing state", exc_info=True)

    @property
    def composing(self) -> bool:
        return self._composing

    def _on_link(self, url: str) -> None:
        if is_allowed_link(url):
            self._open_link(url)
        else:
            log.warning("a link with a scheme that is not allowed was not opened")
