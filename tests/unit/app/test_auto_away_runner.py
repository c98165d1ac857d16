"""Auto-away on the event loop, fed by a desktop's idle service over a real (private) D-Bus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supporttray.app import auto_away_runner
from supporttray.app.auto_away_runner import AutoAwayRunner
from supporttray.core import auto_away
from supporttray.core.auto_away import AutoAway
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability
from supporttray.platform.desktop_idle import desktop_idle
from tests.helpers import FakeClock
from tests.idle_monitor_service import IdleMonitorService
from tests.notification_service import NotificationService


@pytest.fixture
def bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with NotificationService(tmp_path, serve=False) as daemon:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.address)
        yield daemon.address


async def settle(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.mark.asyncio
@pytest.mark.parametrize(("desktop", "session_idle"), [("gnome", True), ("kde", True),
                                                       ("kde", False)])
async def test_away_after_the_minutes_the_desktop_reports_and_back_on_activity(
    bus: str, monkeypatch: pytest.MonkeyPatch, desktop: str, session_idle: bool,
) -> None:
    # "Back" is noticed at the next look; a short one keeps the test short.
    monkeypatch.setattr(auto_away, "WHILE_AWAY_CHECK_SECONDS", 0.2)
    with IdleMonitorService(bus, desktop="gnome" if desktop == "gnome" else "kde",
                            session_idle=session_idle) as service:
        idle = desktop_idle(environ={"WAYLAND_DISPLAY": "wayland-0",
                                     "XDG_CURRENT_DESKTOP": desktop.upper()})
        assert idle.read is not None, idle.description
        clock = FakeClock()
        own = OwnPresence()
        own.set(Availability.AVAILABLE, "At my desk")
        runner = AutoAwayRunner(AutoAway(own, away_minutes=1, xa_minutes=0, clock=clock),
                                idle.read)

        def report(ms: int) -> None:  # what the desktop says now (KDE on Wayland: locked)
            service.idle_ms = service.locked_ms = ms

        report(59_500)
        runner.start()
        await asyncio.sleep(0.3)
        assert own.current.show is Availability.AVAILABLE  # half a second short of a minute
        report(60_700)  # the desktop's count went on
        await settle(lambda: own.current.show is Availability.AWAY)
        assert own.current.status == "At my desk"
        assert own.current.idle_since is not None
        assert abs((clock.now - own.current.idle_since).total_seconds() - 60.7) < 1.0
        report(150)  # a key press
        await settle(lambda: own.current.show is Availability.AVAILABLE)
        back = own.current
        assert (back.status, back.idle_since) == ("At my desk", None)
        runner.stop()


@pytest.mark.asyncio
async def test_a_failed_read_is_tried_again_instead_of_ending_auto_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auto_away_runner, "RETRY_AFTER_FAILED_READ_SECONDS", 0.1)
    answers: list[float | None] = [None, 400.0]  # the compositor restarting, then back
    own = OwnPresence()
    own.set(Availability.AVAILABLE)
    runner = AutoAwayRunner(AutoAway(own, away_minutes=5, xa_minutes=0, clock=FakeClock()),
                            lambda: answers.pop(0) if len(answers) > 1 else answers[0])
    runner.start()
    await settle(lambda: own.current.show is Availability.AWAY)
    runner.stop()
