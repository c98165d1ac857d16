""""Invite…": bring a third person (a colleague, a vendor on another company's server) into the
chat, which becomes a group chat. Offered in the chat window's corner; the same menu leaves or
closes a group chat."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.group_chat import GroupChatError, GroupChats
from supporttray.language.catalogue import _

if TYPE_CHECKING:
    from supporttray.ui.chat.window import ChatWindow

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class InviteDialog(QDialog):
    """Whom to invite into the chat with `peer`; `invited` carries the new room's address."""

    invited = Signal(str)

    def __init__(self, chats: GroupChats, peer: str, *, contacts: list[str], spawn: Spawn,
                 name_of: Callable[[str], str], offer_sysinfo: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chats = chats
        self._peer = peer
        self._spawn = spawn
        self.setWindowTitle(_("Invite someone into this chat"))
        intro = QLabel(_("The chat with {name} becomes a group chat: they and the person you "
                         "invite both see it. Anyone with a chat address can join, also on "
                         "another company's server.").format(name=name_of(peer)))
        intro.setWordWrap(True)
        self.person = QComboBox()
        self.person.setEditable(True)
        self.person.setAccessibleName(_("Person to invite"))
        self.person.addItems([c for c in contacts if c != peer])
        self.person.setCurrentText("")
        line = self.person.lineEdit()
        if line is not None:
            line.setPlaceholderText(_("A contact, or any address like vendor@example.com"))
        self.share = QCheckBox(_("Ask {name} to share their system info with them too").format(
            name=name_of(peer)))
        self.share.setVisible(offer_sysinfo)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.invite_button = self.buttons.addButton(_("Invite"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.invite)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.person)
        layout.addWidget(self.share)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def invite(self) -> None:
        person = self.person.currentText().strip()
        self.invite_button.setEnabled(False)
        self.error.hide()
        self._spawn(self._invite(person, not self.share.isHidden() and self.share.isChecked()))

    async def _invite(self, person: str, share: bool) -> None:
        try:
            room = await self._chats.invite(self._peer, person, share_sysinfo=share)
        except GroupChatError as exc:
            self.error.setText(exc.sentence.translated())
            self.error.show()
            self.invite_button.setEnabled(True)
            return
        self.invited.emit(room)
        self.accept()


class GroupChatButton(QToolButton):
    """The chat window's corner menu: Invite… in a 1:1 chat; Leave / Close in a group chat."""

    def __init__(self, chats: GroupChats, *, current_peer: Callable[[], str | None],
                 open_invite: Callable[[str], None], spawn: Spawn,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chats = chats
        self._current_peer = current_peer
        self._open_invite = open_invite
        self._spawn = spawn
        self.setText(_("Invite…"))
        self.setAccessibleName(_("Invite someone, or leave a group chat"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.menu_.aboutToShow.connect(self.fill)
        self.setMenu(self.menu_)

    def fill(self) -> None:
        self.menu_.clear()
        peer = self._current_peer()
        if peer is None:
            self.menu_.addAction(_("Open a chat first")).setEnabled(False)
        elif self._chats.is_room(peer):
            self.menu_.addAction(_("Leave this group chat")).triggered.connect(
                lambda: self._chats.leave(peer))
            self.menu_.addAction(_("Close it for everyone")).triggered.connect(
                lambda: self._spawn(self._close(peer)))
        else:
            self.menu_.addAction(_("Invite someone into this chat…")).triggered.connect(
                lambda: self._open_invite(peer))

    async def _close(self, room: str) -> None:
        try:
            await self._chats.close(room)
        except GroupChatError:
            self._chats.leave(room)  # not ours to close: at least we are out


def add_group_chat_menu(window: ChatWindow, chats: GroupChats, *, spawn: Spawn,
                        contacts: Callable[[], list[str]], name_of: Callable[[str], str],
                        offer_sysinfo: bool) -> GroupChatButton:
    """Put the Invite… menu in the chat window's tab corner (it acts on the current chat)."""

    def current_peer() -> str | None:
        pane = window.current_pane()
        return pane.peer if pane is not None else None

    def open_invite(peer: str) -> None:
        dialog = InviteDialog(chats, peer, contacts=contacts(), spawn=spawn, name_of=name_of,
                              offer_sysinfo=offer_sysinfo, parent=window)
        dialog.invited.connect(window.open_chat)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    button = GroupChatButton(chats, current_peer=current_peer, open_invite=open_invite,
                             spawn=spawn, parent=window)
    window.tabs.setCornerWidget(button, Qt.Corner.TopRightCorner)
    return button
