"""Shared pieces for the ui tests: a small staff book on a fake clock, and a controller factory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, Protocol

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook
from supporttray.core.requests import RequestQueue
from supporttray.event_loop import EventLoop
from supporttray.ui.icons import IconSet
from supporttray.ui.tray import TrayController
from tests.helpers import FakeClock

# The offscreen platform has no tray: showing a QSystemTrayIcon there (tests that pretend a tray
# exists) makes Qt try to hook the native tray window and warn. It cannot happen on a platform
# that really reports a tray, and tests/ui/test_tray_x11.py covers the real one.
OFFSCREEN_TRAY_WARNING = r"systemTrayWindowChanged"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def connection() -> ConnectionMonitor:
    monitor = ConnectionMonitor()
    monitor.set(ConnectionState.ONLINE)
    return monitor


@pytest.fixture
def book(clock: FakeClock) -> PresenceBook:
    """alice available and idle 12 min in UTC+2, bob away in UTC-5, carol offline."""
    book = PresenceBook(clock)
    book.add_staff("alice@example.org", "Alice")
    book.add_staff("bob@example.org", "Bob")
    book.add_staff("carol@example.org", "Carol")
    book.update(
        "alice@example.org/laptop",
        Availability.AVAILABLE,
        "In the office",
        idle_since=clock.now - timedelta(minutes=12),
    )
    book.set_utc_offset("alice@example.org", timedelta(hours=2))
    book.update("bob@example.org/phone", Availability.AWAY, "Back at 3")
    book.set_utc_offset("bob@example.org", timedelta(hours=-5))
    return book


@pytest.fixture(scope="session")
def icons() -> IconSet:
    return IconSet()


class Calls:
    """Counts how often the controller called back into the app."""

    def __init__(self) -> None:
        self.reconnect = 0
        self.quit = 0

    def on_reconnect(self) -> None:
        self.reconnect += 1

    def on_quit(self) -> None:
        self.quit += 1


@pytest.fixture
def calls() -> Calls:
    return Calls()


class MakeController(Protocol):
    def __call__(
        self,
        *,
        tray: bool | Callable[[], bool] = ...,
        mode: str = ...,
        retry_ms: tuple[int, ...] = ...,
        app_name: str = ...,
        **extra: Any,
    ) -> TrayController: ...


@pytest.fixture
def make_controller(
    qtbot: QtBot,
    book: PresenceBook,
    connection: ConnectionMonitor,
    clock: FakeClock,
    calls: Calls,
    icons: IconSet,
) -> Iterator[MakeController]:
    made: list[TrayController] = []

    def make(
        *,
        tray: bool | Callable[[], bool] = False,
        mode: str = "requester",
        retry_ms: tuple[int, ...] = (10,),
        app_name: str = "SupportTray",
        **extra: Any,
    ) -> TrayController:
        """`extra`: more of TrayController's keyword arguments (links, on_sign_in, ...)."""
        available = tray if callable(tray) else (lambda: tray)
        controller = TrayController(
            book,
            connection,
            app_name=app_name,
            mode=mode,
            on_reconnect=calls.on_reconnect,
            on_quit=calls.on_quit,
            clock=clock,
            tray_available=available,
            tray_retry_ms=retry_ms,
            icons=icons,
            **extra,
        )
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close()


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[EventLoop]:
    """The app's own event loop (asyncio on Qt), for tests that run coroutines on it."""
    loop = EventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()


class MakeStaffTray(Protocol):
    def __call__(self, own_presence: OwnPresence | None = None) -> tuple[TrayController, Any]: ...


@pytest.fixture
def make_staff_tray(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor, clock: FakeClock,
    calls: Calls, icons: IconSet,
) -> Iterator[MakeStaffTray]:
    """A staff-mode controller (no tray: offscreen) with a FakeChat that has a request queue."""
    from tests.ui.chat_fakes import FakeChat, Spawner

    made: list[tuple[TrayController, Spawner]] = []

    def make(own_presence: OwnPresence | None = None) -> tuple[TrayController, FakeChat]:
        chat = FakeChat()
        chat.requests = RequestQueue()
        spawner = Spawner()
        controller = TrayController(
            book, connection, app_name="SupportTray", mode="staff",
            on_reconnect=calls.on_reconnect, on_quit=calls.on_quit, clock=clock,
            tray_available=lambda: False, tray_retry_ms=(60_000,), icons=icons, chat=chat,
            spawn=spawner, own_presence=own_presence)
        made.append((controller, spawner))
        return controller, chat

    yield make
    for controller, spawner in made:
        controller.close()
        spawner.close()
