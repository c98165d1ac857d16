"""Every chat says who keeps it and for how long, and deleting it says what stays elsewhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from supporttray.core.presence import PresenceBook
from supporttray.ui.chat.privacy_line import ask_to_delete
from supporttray.ui.chat.window import ChatWindow
from tests.ui.chat_fakes import FakeChat, Spawner, bridge_for, message

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints",
                                       "does not support raise")

ALICE = "alice@example.org"
SERVER_KEEPS = ("Your company's server keeps its own copy; SupportTray cannot delete it "
                "(XEP-0313 has no delete).")


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


class Asked:
    """Stands in for the confirmation: records what it was told, answers `answer`."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.told: list[tuple[str, bool | None]] = []

    def __call__(self, _parent: QWidget, name: str, archives: bool | None) -> bool:
        self.told.append((name, archives))
        return self.answer


def window(qtbot: QtBot, chat: FakeChat, book: PresenceBook, spawner: Spawner,
           confirm: Asked | None = None, opened: list[str] | None = None) -> ChatWindow:
    chats = ChatWindow(chat, bridge=bridge_for(chat), book=book, mode="requester",
                       spawn=spawner, open_link=lambda _url: True,
                       confirm_delete=confirm or Asked(False),
                       open_history=opened.append if opened is not None else None)
    qtbot.addWidget(chats)
    return chats


def test_the_line_says_how_long_here_and_that_the_server_keeps_a_copy(
        qtbot: QtBot, book: PresenceBook, spawner: Spawner) -> None:
    # Given 90 days' retention, and a login that has not yet asked the server
    chat = FakeChat()
    chat.retention_days = 90
    chats = window(qtbot, chat, book, spawner)
    pane = chats.open_chat(ALICE)
    assert pane.privacy_line.text() == ("Kept on this computer for 90 days · the server's "
                                        "archive: unknown")
    # When discovery finds that the server archives our chats
    chat.server_archive.found(True)
    # Then the line says so, without any message arriving
    qtbot.waitUntil(lambda: pane.privacy_line.text() == (
        "Kept on this computer for 90 days · also in your company's server archive"))
    chats.dispose()


def test_no_limit_and_no_server_archive(qtbot: QtBot, book: PresenceBook,
                                        spawner: Spawner) -> None:
    chat = FakeChat()
    chat.server_archive.found(False)
    pane = window(qtbot, chat, book, spawner).open_chat(ALICE)
    assert pane.privacy_line.text() == ("Kept on this computer · not kept in a server "
                                        "archive")


def test_deleting_asks_first_and_a_no_keeps_everything(
        qtbot: QtBot, book: PresenceBook, spawner: Spawner) -> None:
    chat = FakeChat()
    chat.server_archive.found(True)
    chat.conversations.add(message("hello"))
    confirm = Asked(False)
    chats = window(qtbot, chat, book, spawner, confirm)
    pane = chats.open_chat(ALICE)
    # When "Delete this conversation…" is clicked and the answer is No
    pane.privacy_line.delete_button.click()
    spawner.run()
    # Then the question named the person and that the server keeps its copy; nothing went
    assert confirm.told == [("Alice", True)]
    assert chat.deleted == [] and chats.pane(ALICE) is pane
    chats.dispose()


def test_a_confirmed_delete_removes_the_chat_from_this_computer(
        qtbot: QtBot, book: PresenceBook, spawner: Spawner) -> None:
    chat = FakeChat()
    chat.conversations.add(message("hello"))
    chats = window(qtbot, chat, book, spawner, Asked(True))
    chats.open_chat(ALICE).privacy_line.delete_button.click()
    spawner.run()
    qtbot.waitUntil(lambda: chats.pane(ALICE) is None)
    assert chat.deleted == [ALICE]
    assert chat.conversations.messages(ALICE) == []
    chats.dispose()


def test_the_confirmation_explains_what_stays_on_the_server(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []

    def answer_no() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend((box.text(), box.informativeText()))
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, answer_no)
    assert ask_to_delete(parent, "Alice", True) is False
    assert seen[0].startswith("Delete the conversation with Alice from this computer?")
    assert seen[1] == SERVER_KEEPS


def test_history_opens_that_persons_conversations(
        qtbot: QtBot, book: PresenceBook, spawner: Spawner) -> None:
    opened: list[str] = []
    chats = window(qtbot, FakeChat(), book, spawner, opened=opened)
    chats.open_chat(ALICE).privacy_line.history_button.click()
    assert opened == [ALICE]
    chats.dispose()
