"""Staff mode: new requests, the team's included, as balloons, a sound and a count badge."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from pytestqt.qtbot import QtBot

from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.desktop_notices import NoticeAction
from supporttray.ui.presence_text import requests_menu_text
from supporttray.ui.request_alerts import RequestAlerts
from tests.helpers import T0
from tests.ui.conftest import MakeStaffTray


def team_request(request_id: str, who: str = "erin") -> SupportRequest:
    return SupportRequest(id=request_id, requester=f"{who}@example.org", thread=request_id,
                          first_line="Outlook asks for my password", opened=T0,
                          summary="macOS 14.6 · MacBook Air")


def our_request(queue: RequestQueue, request_id: str, who: str = "ann") -> None:
    queue.note(ChatMessage(f"m-{request_id}", f"{who}@example.org", Direction.IN, "VPN?", T0,
                           thread=request_id))


def settle(qtbot: QtBot) -> None:
    """Let the loop run the bridge's coalesced emission."""
    qtbot.wait(1)


class Surface:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str, Callable[[], object] | None]] = []

    def show_notification(self, title: str, text: str,
                          on_click: Callable[[], object] | None = None, *,
                          chat: str | None = None, actions: Sequence[NoticeAction] = ()) -> None:
        self.shown.append((title, text, on_click))


class Bell:
    def __init__(self) -> None:
        self.rung = 0

    def play(self) -> None:
        self.rung += 1


@pytest.fixture
def setup(qtbot: QtBot) -> Iterator[tuple[RequestQueue, Surface, Bell, list[str], list[bool]]]:
    queue, surface, bell = RequestQueue(), Surface(), Bell()
    bridge = CoreBridge()
    bridge.observe_requests(queue)
    opened: list[str] = []
    busy = [False]
    alerts = RequestAlerts(bridge, surface, name_of=lambda jid: jid.split("@")[0].title(),
                           do_not_disturb=lambda: busy[0],
                           open_queue=lambda: opened.append("queue"), sound=bell)
    yield queue, surface, bell, opened, busy
    alerts.close()
    bridge.close()


def test_a_colleagues_new_request_gets_a_balloon_that_opens_the_queue_and_a_sound(
    qtbot: QtBot, setup: tuple[RequestQueue, Surface, Bell, list[str], list[bool]],
) -> None:
    queue, surface, bell, opened, _busy = setup
    queue.announced(team_request("t1"))
    settle(qtbot)
    ((title, text, on_click),) = surface.shown
    assert title == "New request: Erin"
    assert text == "Outlook asks for my password (macOS 14.6 · MacBook Air)"
    assert on_click is not None
    on_click()
    assert opened == ["queue"] and bell.rung == 1


def test_our_own_request_only_rings_the_message_notifier_shows_it(
    qtbot: QtBot, setup: tuple[RequestQueue, Surface, Bell, list[str], list[bool]],
) -> None:
    queue, surface, bell, _opened, _busy = setup
    our_request(queue, "t1")
    queue.announced(team_request("t1"))  # our own post, echoed by the room
    settle(qtbot)
    assert surface.shown == [] and bell.rung == 1


def test_what_a_restart_reads_back_and_busy_stay_silent(
    qtbot: QtBot, setup: tuple[RequestQueue, Surface, Bell, list[str], list[bool]],
) -> None:
    queue, surface, bell, _opened, busy = setup
    queue.announced(team_request("old"), live=False)
    settle(qtbot)
    busy[0] = True
    queue.announced(team_request("t2", "farid"))
    our_request(queue, "t3")
    settle(qtbot)
    assert surface.shown == [] and bell.rung == 0
    assert queue.unclaimed() == 3  # ... yet every one is counted


@pytest.mark.qt_log_ignore("does not support raise")
def test_the_tray_badge_counts_requests_nobody_took_busy_or_not(
    qtbot: QtBot, make_staff_tray: MakeStaffTray,
) -> None:
    own = OwnPresence()
    controller, chat = make_staff_tray(own)
    plain = controller.tray_icon.icon().pixmap(22).toImage()
    own.set(Availability.BUSY)
    chat.requests.announced(team_request("t1"))
    our_request(chat.requests, "t2")
    settle(qtbot)
    assert "2 requests nobody has taken yet" in controller.tooltip
    two = controller.tray_icon.icon().pixmap(22).toImage()
    assert two != plain
    chat.requests.claimed("t1", "bob@example.org")
    settle(qtbot)
    assert "1 request nobody has taken yet" in controller.tooltip
    assert controller.tray_icon.icon().pixmap(22).toImage() != two
    controller.menu.aboutToShow.emit()
    assert "Requests (2 open, 1 not taken)…" in [a.text() for a in controller.menu.actions()]
    chat.requests.claimed("t2", "dave@example.org")
    settle(qtbot)
    assert "nobody has taken" not in controller.tooltip
    assert controller.tray_icon.icon().pixmap(22).toImage() == plain


@pytest.mark.qt_log_ignore("does not support raise")
def test_a_balloon_click_runs_what_that_balloon_was_about(
    qtbot: QtBot, make_staff_tray: MakeStaffTray,
) -> None:
    controller, chat = make_staff_tray()
    chat.requests.announced(team_request("t1"))
    settle(qtbot)
    controller.tray_icon.messageClicked.emit()
    window = controller.queue_window
    assert window is not None and window.isVisible()


@pytest.mark.parametrize(("open_count", "unclaimed", "text"), [
    (0, 0, "Requests…"), (2, 2, "Requests (2 waiting)…"),
    (3, 1, "Requests (3 open, 1 not taken)…"), (1, 0, "Requests (1 open, 0 not taken)…")])
def test_requests_menu_text(open_count: int, unclaimed: int, text: str) -> None:
    assert requests_menu_text(open_count, unclaimed) == text
