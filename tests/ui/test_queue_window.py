"""Staff mode's request queue window: longest wait on top, waiting times that stay current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QSystemTrayIcon, QTreeWidget
from pytestqt.qtbot import QtBot

from supporttray.core.clock import FakeClock
from supporttray.core.connection import ConnectionMonitor
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue
from supporttray.ui.icons import IconSet
from supporttray.ui.queue_window import QueueWindow, waiting_text
from supporttray.ui.tray import TrayController

from .chat_fakes import FakeChat, Spawner
from .conftest import Calls

SYSINFO = (("os.name", "Windows 11 Pro"), ("hw.model", "Latitude 7440"))


def ask(queue: RequestQueue, who: str, text: str, at: object, thread: str) -> None:
    queue.note(ChatMessage(f"m-{thread}", f"{who}@example.org", Direction.IN, text,
                           at, thread=thread, sysinfo=SYSINFO))  # type: ignore[arg-type]


@pytest.fixture
def queue() -> RequestQueue:
    return RequestQueue()


@pytest.fixture
def window(qtbot: QtBot, queue: RequestQueue, clock: FakeClock) -> Iterator[QueueWindow]:
    opened: list[str] = []
    window = QueueWindow(queue, None, open_chat=opened.append, clock=clock)
    window.opened_chats = opened  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    yield window
    window.dispose()


def test_the_longest_waiting_is_on_top_with_what_and_which_machine(
    qtbot: QtBot, window: QueueWindow, queue: RequestQueue, clock: FakeClock
) -> None:
    assert window.rows() == []
    ask(queue, "erin", "Outlook asks for my password", clock.now - timedelta(minutes=3), "t2")
    ask(queue, "ann", "Projector: no signal\nin room 2", clock.now - timedelta(minutes=65), "t1")
    window.refresh()
    assert window.rows() == [
        ["ann@example.org", "Projector: no signal", "1 h 5 min",
         "Windows 11 Pro · Latitude 7440", "nobody yet"],
        ["erin@example.org", "Outlook asks for my password", "3 min",
         "Windows 11 Pro · Latitude 7440", "nobody yet"],
    ]


def test_waiting_times_stay_current_while_shown_and_cost_nothing_hidden(
    qtbot: QtBot, window: QueueWindow, queue: RequestQueue, clock: FakeClock
) -> None:
    ask(queue, "ann", "VPN?", clock.now - timedelta(seconds=150), "t1")
    window.show()
    assert window.live_refresh_active
    assert window.rows()[0][2] == "2 min"
    clock.advance(30)  # the minute turns: 3 min
    window.refresh()
    assert window.rows()[0][2] == "3 min"
    window.hide()
    assert not window.live_refresh_active


def test_a_new_request_shows_up_while_open_and_enter_opens_the_chat(
    qtbot: QtBot, window: QueueWindow, queue: RequestQueue, clock: FakeClock
) -> None:
    window.show()
    ask(queue, "farid", "File server unreachable", clock.now, "t3")
    assert [row[0] for row in window.rows()] == ["farid@example.org"]
    tree = window.findChild(QTreeWidget, "queueList")
    assert tree is not None
    item = tree.topLevelItem(0)
    assert item is not None
    tree.itemActivated.emit(item, 0)
    assert window.opened_chats == ["farid@example.org"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "just now"), (59, "just now"), (60, "1 min"), (3599, "59 min"), (3600, "1 h"),
    (3660, "1 h 1 min"), (86400, "1 day"), (3 * 86400, "3 days")])
def test_waiting_text(seconds: int, text: str) -> None:
    assert waiting_text(seconds) == text


@pytest.mark.qt_log_ignore("does not support raise")
def test_a_staff_left_click_opens_the_queue_and_the_menu_counts_who_waits(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor, clock: FakeClock,
    calls: Calls, icons: IconSet
) -> None:
    chat = FakeChat()
    chat.requests = RequestQueue()
    spawner = Spawner()
    controller = TrayController(book, connection, app_name="SupportTray", mode="staff",
                                on_reconnect=calls.on_reconnect, on_quit=calls.on_quit,
                                clock=clock, tray_available=lambda: False,
                                tray_retry_ms=(60_000,), icons=icons, chat=chat, spawn=spawner)
    try:
        ask(chat.requests, "ann", "VPN?", clock.now, "t1")
        controller.menu.aboutToShow.emit()
        assert "Requests (1 waiting)…" in [a.text() for a in controller.menu.actions()]
        controller.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
        window = controller.queue_window
        assert window is not None and window.isVisible()
        assert [row[0] for row in window.rows()] == ["ann"]  # the book's name for them
    finally:
        controller.close()
        spawner.close()
