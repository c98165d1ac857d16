"""The desktop's notifications acting on the app: a real private session bus, a notification
service of the test's own, and the tray controller that decides what a click or a button does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from supporttray.app.request_desk import RequestDesk
from supporttray.core.connection import ConnectionMonitor
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook
from supporttray.core.requests import RequestQueue
from supporttray.event_loop import EventLoop
from supporttray.platform.desktop_notifications import DesktopNotifications
from supporttray.ui.tray import TrayController
from tests.helpers import incoming
from tests.notification_service import NotificationService, Notified
from tests.ui.chat_fakes import FakeChat, Spawner
from tests.ui.conftest import Calls

ME = "dave@example.org"
ANN = "ann@example.org"
BOB = "bob@example.org"


class Sender:
    async def send(self, peer: str, text: str, *, thread: str | None = None) -> Any:
        return None


def until(loop: EventLoop, condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Run the app's loop (Qt and asyncio) until `condition()` holds."""
    async def wait() -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)

    loop.run_until_complete(wait())


def notice(loop: EventLoop, service: NotificationService, count: int) -> Notified:
    """The `count`-th notification the service got, once it has come."""
    until(loop, lambda: len(service.notified) >= count)
    return service.notified[count - 1]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[NotificationService]:
    with NotificationService(tmp_path) as service:
        yield service


@pytest.fixture
def desktop(loop: EventLoop, service: NotificationService) -> Iterator[DesktopNotifications]:
    desktop = DesktopNotifications("SupportTray", bus=service.address)
    loop.run_until_complete(desktop.start())
    yield desktop
    loop.run_until_complete(desktop.stop())


@pytest.fixture
def make_tray(qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor, calls: Calls,
              desktop: DesktopNotifications) -> Iterator[Callable[..., TrayController]]:
    made: list[tuple[TrayController, Spawner]] = []

    def make(chat: FakeChat, *, mode: str = "requester",
             own_presence: OwnPresence | None = None) -> TrayController:
        spawner = Spawner()
        controller = TrayController(
            book, connection, app_name="SupportTray", mode=mode,
            on_reconnect=calls.on_reconnect, on_quit=calls.on_quit,
            tray_available=lambda: False, tray_retry_ms=(60_000,), chat=chat, spawn=spawner,
            own_presence=own_presence, desktop_notifications=desktop)
        made.append((controller, spawner))
        return controller

    yield make
    for controller, spawner in made:
        controller.close()
        spawner.close()


def staff_chat() -> tuple[FakeChat, RequestQueue]:
    chat = FakeChat()
    queue = chat.requests = RequestQueue()
    chat.desk = RequestDesk(queue, ME)
    chat.desk.attach(None, Sender())  # no staff room: a claim counts on this computer
    return chat, queue


def ask(chat: FakeChat, queue: RequestQueue, text: str) -> None:
    """Ann's first message reaches us: a chat message and a request in the queue."""
    question = incoming(text, peer=ANN, thread="t1")
    chat.conversations.add(question)
    queue.note(question)


def test_a_click_on_a_message_notification_opens_that_chat(
        loop: EventLoop, service: NotificationService,
        make_tray: Callable[..., TrayController]) -> None:
    chat = FakeChat()
    tray = make_tray(chat)
    chat.receive("your laptop is ready", peer=BOB)
    shown = notice(loop, service, 1)
    assert (shown.summary, shown.body) == ("Bob", "your laptop is ready")
    assert shown.hints["category"] == "im.received" and "default" in shown.actions
    service.click(shown.id)
    until(loop, lambda: tray.chat_window is not None and tray.chat_window.isVisible())
    assert tray.chat_window is not None
    pane = tray.chat_window.current_pane()
    assert pane is not None and pane.peer == BOB


def test_the_next_message_replaces_the_chats_notification_which_goes_once_read(
        loop: EventLoop, service: NotificationService,
        make_tray: Callable[..., TrayController]) -> None:
    chat = FakeChat()
    tray = make_tray(chat)
    chat.receive("first", peer=BOB)
    until(loop, lambda: service.notified)
    chat.receive("second", peer=BOB)
    second = notice(loop, service, 2)
    assert second.replaces_id == service.notified[0].id and second.body == "second"
    tray.open_chat(BOB)
    until(loop, lambda: service.closed)
    assert service.closed == [second.id]


def test_staff_take_a_new_request_from_its_notification(
        loop: EventLoop, service: NotificationService,
        make_tray: Callable[..., TrayController]) -> None:
    chat, queue = staff_chat()
    tray = make_tray(chat, mode="staff")
    ask(chat, queue, "VPN is down")
    shown = notice(loop, service, 1)
    assert set(shown.actions.values()) == {"Open", "Take it"}
    take = next(key for key, label in shown.actions.items() if label == "Take it")
    service.choose(shown.id, take)
    until(loop, lambda: tray.chat_window is not None and tray.chat_window.isVisible())
    request = queue.find("t1")
    assert request is not None and request.claimed_by == ME
    assert tray.chat_window is not None
    pane = tray.chat_window.current_pane()
    assert pane is not None and pane.peer == ANN


def test_a_request_someone_else_took_offers_no_take_it(
        loop: EventLoop, service: NotificationService,
        make_tray: Callable[..., TrayController]) -> None:
    chat, queue = staff_chat()
    make_tray(chat, mode="staff")
    ask(chat, queue, "VPN is down")
    queue.claimed("t1", "erin@example.org")
    shown = notice(loop, service, 1)
    assert "Take it" not in shown.actions.values()


def test_busy_and_the_desktops_do_not_disturb_both_keep_it_quiet(
        loop: EventLoop, service: NotificationService, desktop: DesktopNotifications,
        make_tray: Callable[..., TrayController]) -> None:
    chat, _queue = staff_chat()
    own = OwnPresence()
    tray = make_tray(chat, mode="staff", own_presence=own)
    own.set(Availability.BUSY)
    chat.receive("while busy", peer=ANN)
    until(loop, lambda: tray.unread == 1)
    own.set(Availability.AVAILABLE)
    service.set_inhibited(True)
    until(loop, lambda: desktop.inhibited)
    chat.receive("while do-not-disturb", peer=BOB)
    until(loop, lambda: tray.unread == 2)
    loop.run_until_complete(asyncio.sleep(0.1))
    assert service.notified == []
    service.set_inhibited(False)
    until(loop, lambda: not desktop.inhibited)
    chat.receive("now", peer=BOB)
    assert (notice(loop, service, 1)).body == "now"
