"""Accessibility across the ui package: every control of every window has a name a screen
reader can say, and the two everyday paths work from the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from supporttray.app.request_desk import RequestDesk
from supporttray.core.connection import ConnectionMonitor
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue
from supporttray.ui.ask_window import AskWindow
from supporttray.ui.chat.window import ChatWindow
from supporttray.ui.history.window import HistoryWindow
from supporttray.ui.icons import IconSet
from supporttray.ui.presence_menu import message_dialog
from supporttray.ui.queue_window import QueueWindow
from supporttray.ui.sign_in_window import SignInWindow
from supporttray.ui.tray import TrayController
from tests.helpers import FakeClock
from tests.ui.chat_fakes import FakeChat, Spawner, bridge_for
from tests.ui.conftest import MakeController
from tests.ui.history_fakes import FakeHistory
from tests.ui.test_sign_in_window import FakeSignIn

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints",
                                       "does not support raise")

ANN = "ann@example.org"
# What a person operates: the brief's list. Labels, frames and scroll bars are not controls.
CONTROLS = (QAbstractButton, QLineEdit, QTextEdit, QPlainTextEdit, QComboBox, QAbstractItemView,
            QAbstractSpinBox)


def spoken_name(widget: QWidget, buddies: set[QWidget]) -> str:
    """What a screen reader says for the control: its accessible name, else the text Qt
    itself uses as one (a button's text, the label whose buddy it is)."""
    if widget.accessibleName().strip():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text()
    return "(buddy label)" if widget in buddies else ""


def part_of_another_control(widget: QWidget, window: QWidget) -> bool:
    """A combo box's own line edit and popup list are named through the combo box, a view's
    column header through the view (screen readers read it as the columns' names)."""
    if isinstance(widget, QHeaderView) and isinstance(widget.parentWidget(), QAbstractItemView):
        return True
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(window: QWidget) -> list[str]:
    widgets = [window, *window.findChildren(QWidget)]
    buddies = {label.buddy() for label in window.findChildren(QLabel) if label.buddy()}
    return [
        f"{type(w).__name__} {w.objectName() or '(no object name)'} under "
        f"{type(w.parentWidget()).__name__} in {type(window).__name__} (tooltip {w.toolTip()!r})"
        for w in widgets
        if isinstance(w, CONTROLS) and not part_of_another_control(w, window)
        and not spoken_name(w, buddies)
    ]


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


def staff_chat() -> FakeChat:
    """A staff chat with one open request from Ann, and canned replies to edit."""
    chat = FakeChat()
    chat.templates = ["Hi {name}, on it."]
    chat.requests = RequestQueue()
    chat.desk = RequestDesk(chat.requests, "dave@example.org")
    return chat


def ask_from(chat: FakeChat, clock: FakeClock, body: str = "VPN?") -> None:
    """Ann's question arriving, as ChatService.receive does: the chat, then the queue."""
    question = ChatMessage("q1", ANN, Direction.IN, body, clock.now, thread="t1")
    chat.conversations.add(question)
    assert chat.requests is not None
    chat.requests.note(question)


def test_every_control_of_every_window_has_a_name(
    qtbot: QtBot, spawner: Spawner, book: PresenceBook, connection: ConnectionMonitor,
    icons: IconSet, clock: FakeClock, make_controller: MakeController,
) -> None:
    # Given every window, each in its fullest state (a plan with system info, an open request)
    requester = FakeChat()
    ask = AskWindow(requester, book, connection, icons, spawn=spawner, open_chat=lambda _p: None,
                    clock=clock)
    qtbot.addWidget(ask)
    ask.open("My printer")
    spawner.run()
    chat = staff_chat()
    ask_from(chat, clock)
    chats = ChatWindow(chat, bridge=bridge_for(chat), book=book, mode="staff", spawn=spawner,
                       icons=icons, clock=clock, open_link=lambda _url: True)
    qtbot.addWidget(chats)
    chats.open_chat(ANN).replies_menu.aboutToShow.emit()
    requester_chats = ChatWindow(requester, bridge=bridge_for(requester), book=book,
                                 mode="requester", spawn=spawner, icons=icons, clock=clock,
                                 open_link=lambda _url: True)
    qtbot.addWidget(requester_chats)
    requester_chats.open_chat("alice@example.org")
    edit_replies = chats.open_chat(ANN).replies_menu.findChild(QAction, "editReplies")
    assert edit_replies is not None
    edit_replies.trigger()
    assert chat.requests is not None
    queue = QueueWindow(chat.requests, book, bridge=bridge_for(chat), open_chat=lambda _p: None,
                        desk=chat.desk, spawn=spawner, clock=clock)
    qtbot.addWidget(queue)
    status = make_controller()
    status.start()
    sign_in = SignInWindow(FakeSignIn(), spawner, app_name="SupportTray")
    qtbot.addWidget(sign_in)
    dialog = message_dialog(OwnPresence())
    qtbot.addWidget(dialog)
    history = HistoryWindow(FakeHistory.sample(), name_of=str, own_name="You",
                            author="dave@example.org", staff=True)
    qtbot.addWidget(history)
    history.show_for(ANN)
    windows: list[QWidget] = [ask, chats, requester_chats, queue, status.window, sign_in, dialog,
                              history]
    assert chats.canned_editor is not None
    windows.append(chats.canned_editor)
    # When each is walked, widget by widget / Then no control is nameless
    missing = [line for window in windows for line in unnamed_controls(window)]
    assert not missing, "nameless controls:\n" + "\n".join(missing)
    for window in (ask, chats, requester_chats, queue, history):
        window.dispose()


# -- the keyboard alone ---------------------------------------------------------------------
class LocalSender:
    """The desk's way to the requester (no staff room: a claim counts on this computer)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None]] = []

    async def send(self, peer: str, text: str, *, thread: str | None = None) -> object:
        self.sent.append((peer, text, thread))
        return None


def typing_goes_to(qtbot: QtBot, window: QWidget) -> QWidget:
    """Wait until `window` has the keyboard; the widget that gets what is typed."""
    qtbot.waitUntil(window.isActiveWindow)
    focused = QApplication.focusWidget()
    assert focused is not None and focused.window() is window
    return focused


def tray(book: PresenceBook, connection: ConnectionMonitor, clock: FakeClock, icons: IconSet,
         mode: str, chat: FakeChat, spawner: Spawner) -> TrayController:
    controller = TrayController(
        book, connection, app_name="SupportTray", mode=mode, on_reconnect=lambda: None,
        on_quit=lambda: None, clock=clock, tray_available=lambda: False,
        tray_retry_ms=(60_000,), icons=icons)
    controller.attach_chat(chat, spawner)
    return controller


def test_a_requester_asks_sends_and_reads_the_answer_from_the_keyboard(
    qtbot: QtBot, spawner: Spawner, book: PresenceBook, connection: ConnectionMonitor,
    icons: IconSet, clock: FakeClock,
) -> None:
    chat = FakeChat()
    controller = tray(book, connection, clock, icons, "requester", chat, spawner)
    try:
        # Given "Ask support…" chosen: the typing goes to the question box
        controller.open_ask()
        spawner.run()
        ask = controller.ask_window
        assert ask is not None
        assert typing_goes_to(qtbot, ask) is ask.edit
        # When the question is typed and Enter pressed
        qtbot.keyClicks(ask.edit, "The printer jams")
        qtbot.keyClick(ask.edit, Qt.Key.Key_Return)
        spawner.run()
        # Then it is sent, and the chat opens with the typing in its message box
        assert [text for _plan, text, _info in chat.asked] == ["The printer jams"]
        chats = controller.chat_window
        assert chats is not None
        pane = chats.current_pane()
        assert pane is not None and typing_goes_to(qtbot, chats) is pane.edit
        # And when the answer comes, it is in the chat that has the keyboard, and Shift+Tab
        # from the message box reaches the messages (where a screen reader reads them)
        chat.receive("Open the front cover, please")
        qtbot.wait(1)
        assert pane.view.bubbles()[-1].message.body == "Open the front cover, please"
        qtbot.keyClick(pane.edit, Qt.Key.Key_Backtab)
        focused = QApplication.focusWidget()
        assert focused is not None and (focused is pane.view or pane.view.isAncestorOf(focused))
    finally:
        controller.close()


def test_staff_take_answer_and_resolve_from_the_keyboard(
    qtbot: QtBot, spawner: Spawner, book: PresenceBook, connection: ConnectionMonitor,
    icons: IconSet, clock: FakeClock,
) -> None:
    chat = staff_chat()
    assert chat.desk is not None and chat.requests is not None
    sender = LocalSender()
    chat.desk.attach(None, sender)
    controller = tray(book, connection, clock, icons, "staff", chat, spawner)
    try:
        ask_from(chat, clock, "VPN drops every hour")
        qtbot.wait(1)
        # Given the queue opened from the tray: the keyboard is on the list, on the request
        assert controller.open_queue()
        queue = controller.queue_window
        assert queue is not None
        queue_list = typing_goes_to(qtbot, queue)
        assert queue_list.objectName() == "queueList"
        assert queue.selected() is not None and queue.selected().requester == ANN
        # When Ctrl+T: it is ours
        qtbot.keyClick(queue_list, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
        qtbot.wait(1)
        assert chat.requests.for_peer(ANN) is not None
        assert chat.requests.for_peer(ANN).claimed_by == "dave@example.org"
        # When Enter: Ann's chat, the typing in its message box
        qtbot.keyClick(queue_list, Qt.Key.Key_Return)
        chats = controller.chat_window
        assert chats is not None
        pane = chats.current_pane()
        assert pane is not None and pane.peer == ANN
        assert typing_goes_to(qtbot, chats) is pane.edit
        # When the answer is typed and Enter pressed: it is sent to Ann
        qtbot.keyClicks(pane.edit, "Update the VPN client, please")
        qtbot.keyClick(pane.edit, Qt.Key.Key_Return)
        spawner.run()
        assert chat.sent == [(ANN, "Update the VPN client, please")]
        # When Ctrl+R in the chat: resolved, Ann is told in her thread, the queue is empty
        qtbot.keyClick(pane.edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        spawner.run()
        qtbot.wait(1)
        assert [(peer, thread) for peer, _text, thread in sender.sent] == [(ANN, "t1")]
        assert chat.requests.requests() == []
    finally:
        controller.close()
