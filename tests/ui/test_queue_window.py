"""Staff mode's request queue window: longest wait on top, waiting times that stay current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSystemTrayIcon, QTreeWidget
from pytestqt.qtbot import QtBot

from supporttray.app.request_desk import RequestDesk
from supporttray.core.listeners import Listeners
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.queue_window import QueueWindow, waiting_text
from supporttray.xmpp.staff_room import RoomStatus
from tests.helpers import FakeClock
from tests.ui.chat_fakes import Spawner
from tests.ui.conftest import MakeStaffTray

SYSINFO = (("os.name", "Windows 11 Pro"), ("hw.model", "Latitude 7440"))


def ask(queue: RequestQueue, who: str, text: str, at: object, thread: str) -> None:
    queue.note(ChatMessage(f"m-{thread}", f"{who}@example.org", Direction.IN, text,
                           at, thread=thread, sysinfo=SYSINFO))  # type: ignore[arg-type]


def settle(qtbot: QtBot) -> None:
    """Let the loop run the bridge's coalesced emission."""
    qtbot.wait(1)


def bridge_of(queue: RequestQueue, desk: RequestDesk | None = None) -> CoreBridge:
    """What the tray gives the window: the queue (and the desk's staff room) through its bridge."""
    bridge = CoreBridge()
    bridge.observe_requests(queue, desk)
    return bridge


@pytest.fixture
def queue() -> RequestQueue:
    return RequestQueue()


@pytest.fixture
def window(qtbot: QtBot, queue: RequestQueue, clock: FakeClock) -> Iterator[QueueWindow]:
    opened: list[str] = []
    window = QueueWindow(queue, None, bridge=bridge_of(queue), open_chat=opened.append,
                         clock=clock)
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
    settle(qtbot)
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
    qtbot: QtBot, make_staff_tray: MakeStaffTray, clock: FakeClock,
) -> None:
    controller, chat = make_staff_tray()
    ask(chat.requests, "ann", "VPN?", clock.now, "t1")
    controller.menu.aboutToShow.emit()
    assert "Requests (1 waiting)…" in [a.text() for a in controller.menu.actions()]
    controller.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    window = controller.queue_window
    assert window is not None and window.isVisible()
    assert [row[0] for row in window.rows()] == ["ann"]  # the book's name for them


# -- taking and resolving -------------------------------------------------------------------------

ME = "dave@example.org"


class FakeRoom:
    """The staff room as the desk sees it: posts are echoed back when `echo()` is called."""

    def __init__(self, queue: RequestQueue) -> None:
        self.queue = queue
        self.posted: list[tuple[str, str]] = []
        self.changed: Listeners[Any] = Listeners()
        self.status: Any = RoomStatus("support-staff@conference.example.org", joined=True)

    def post_request(self, r: SupportRequest) -> None:
        self.posted.append(("request", r.id))

    def post_claim(self, r: SupportRequest) -> None:
        self.posted.append(("claim", r.id))

    def post_resolved(self, r: SupportRequest) -> None:
        self.posted.append(("resolved", r.id))

    def echo(self, by: str = ME) -> None:
        for kind, request_id in self.posted:
            if kind == "claim":
                self.queue.claimed(request_id, by)
            elif kind == "resolved":
                self.queue.resolved(request_id)
        self.posted.clear()


class Sender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None]] = []

    async def send(self, peer: str, text: str, *, thread: str | None = None) -> Any:
        self.sent.append((peer, text, thread))


@pytest.fixture
def desk_window(qtbot: QtBot, queue: RequestQueue, clock: FakeClock
                ) -> Iterator[tuple[QueueWindow, RequestDesk, FakeRoom, Sender, Spawner]]:
    desk = RequestDesk(queue, ME, staff_name="Dave")
    room, sender, spawner = FakeRoom(queue), Sender(), Spawner()
    desk.attach(room, sender)
    book = PresenceBook()
    book.add_staff("bob@example.org", "Bob Okafor")
    window = QueueWindow(queue, book, bridge=bridge_of(queue, desk), open_chat=lambda _peer: None,
                         desk=desk, spawn=spawner, clock=clock)
    qtbot.addWidget(window)
    yield window, desk, room, sender, spawner
    window.dispose()
    spawner.close()


def buttons(window: QueueWindow) -> tuple[QPushButton, QPushButton]:
    take = window.findChild(QPushButton, "takeButton")
    resolve = window.findChild(QPushButton, "resolveButton")
    assert take is not None and resolve is not None
    return take, resolve


def test_take_it_posts_a_claim_and_the_row_says_you_once_the_room_has_it(
    qtbot: QtBot, desk_window: tuple[QueueWindow, RequestDesk, FakeRoom, Sender, Spawner],
    queue: RequestQueue, clock: FakeClock,
) -> None:
    window, _desk, room, _sender, _spawner = desk_window
    window.show()
    ask(queue, "ann", "VPN?", clock.now, "t1")
    settle(qtbot)
    take, _resolve = buttons(window)
    assert take.isEnabled() and window.rows()[0][4] == "nobody yet"
    assert window.room_text == "Shared with the team in support-staff@conference.example.org."
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts go to the active window
    qtbot.keyClick(window.findChild(QTreeWidget, "queueList"), Qt.Key.Key_T,
                   Qt.KeyboardModifier.ControlModifier)
    assert ("claim", "t1") in room.posted
    assert window.rows()[0][4] == "nobody yet" and "Taking it" in window.feedback
    room.echo()
    settle(qtbot)
    assert window.rows()[0][4] == "you" and window.feedback == ""
    assert not take.isEnabled() and take.toolTip() == "You have it"


def test_when_a_colleagues_claim_comes_first_the_window_says_so(
    qtbot: QtBot, desk_window: tuple[QueueWindow, RequestDesk, FakeRoom, Sender, Spawner],
    queue: RequestQueue, clock: FakeClock,
) -> None:
    window, _desk, room, _sender, _spawner = desk_window
    ask(queue, "ann", "VPN?", clock.now, "t1")
    settle(qtbot)
    window.take_selected()
    settle(qtbot)
    room.echo(by="bob@example.org")  # the room had Bob's claim before ours
    settle(qtbot)
    assert window.rows()[0][4] == "Bob Okafor"
    assert window.feedback == "Bob Okafor took it first."


def test_a_colleagues_claim_shows_their_name_and_taking_it_says_who_has_it(
    qtbot: QtBot, desk_window: tuple[QueueWindow, RequestDesk, FakeRoom, Sender, Spawner],
    queue: RequestQueue, clock: FakeClock,
) -> None:
    window, _desk, room, _sender, _spawner = desk_window
    window.show()
    ask(queue, "ann", "VPN?", clock.now, "t1")
    settle(qtbot)
    queue.claimed("t1", "bob@example.org")
    settle(qtbot)
    take, _resolve = buttons(window)
    assert window.rows()[0][4] == "Bob Okafor"
    assert not take.isEnabled() and take.toolTip() == "Bob Okafor has it"
    window.take_selected()  # e.g. the shortcut: refused with the reason, nothing posted
    settle(qtbot)
    assert ("claim", "t1") not in room.posted
    assert "bob@example.org has already taken" in window.feedback


def test_resolve_tells_the_requester_in_their_thread_and_the_row_goes(
    qtbot: QtBot, desk_window: tuple[QueueWindow, RequestDesk, FakeRoom, Sender, Spawner],
    queue: RequestQueue, clock: FakeClock,
) -> None:
    window, _desk, room, sender, spawner = desk_window
    window.show()
    ask(queue, "ann", "VPN?", clock.now, "t1")
    ask(queue, "erin", "Mail?", clock.now, "t2")
    settle(qtbot)
    window.select("t2")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.findChild(QTreeWidget, "queueList"), Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier)
    spawner.run()
    settle(qtbot)
    assert sender.sent == [("erin@example.org", sender.sent[0][1], "t2")]
    assert sender.sent[0][1].startswith("Dave marked your request resolved")
    assert window.feedback == "Resolved; erin was told."
    room.echo()
    settle(qtbot)
    assert [row[0] for row in window.rows()] == ["ann"]


def test_the_room_line_says_when_claims_are_not_shared(
    qtbot: QtBot, desk_window: tuple[QueueWindow, RequestDesk, FakeRoom, Sender, Spawner],
) -> None:
    window, _desk, room, _sender, _spawner = desk_window
    room.status = RoomStatus(room.status.jid, joined=False,
                             error="You appear offline, so you are not in the staff room.")
    room.changed.emit(room.status)
    settle(qtbot)
    assert window.room_text == "You appear offline, so you are not in the staff room."


def test_without_a_room_taking_is_local_and_said_so(qtbot: QtBot, queue: RequestQueue,
                                                     clock: FakeClock) -> None:
    desk = RequestDesk(queue, ME)
    desk.attach(None, Sender())
    window = QueueWindow(queue, None, bridge=bridge_of(queue, desk), open_chat=lambda _p: None,
                         desk=desk, clock=clock)
    qtbot.addWidget(window)
    ask(queue, "ann", "VPN?", clock.now, "t1")
    settle(qtbot)
    window.take_selected()
    settle(qtbot)
    assert window.rows()[0][4] == "you" and window.feedback == ""
    assert window.room_text.startswith("Claims stay on this computer")
    window.dispose()
