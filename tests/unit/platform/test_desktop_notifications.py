"""The desktop's notification service over a real (private) session D-Bus."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from supporttray.platform.desktop_notifications import DesktopNotifications
from tests.notification_service import NotificationService


@pytest.fixture
def service(tmp_path: Path) -> Iterator[NotificationService]:
    with NotificationService(tmp_path) as service:
        yield service


@pytest_asyncio.fixture
async def desktop(service: NotificationService) -> AsyncIterator[DesktopNotifications]:
    desktop = DesktopNotifications("SupportTray", bus=service.address)
    await desktop.start()
    yield desktop
    await desktop.stop()


async def settle(condition: object, timeout: float = 5.0) -> None:
    """Let the loop run until `condition()` holds (the service answers on its own thread)."""
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)


def no_fallback() -> None:
    raise AssertionError("the desktop service took it: no balloon expected")


@pytest.mark.asyncio
async def test_a_notice_carries_its_click_its_buttons_and_the_im_category(
        service: NotificationService, desktop: DesktopNotifications) -> None:
    assert desktop.available and desktop.server == "Test 1.0"
    desktop.show("alice@example.org", "Alice", "Printer is fixed",
                 actions=[("take", "Take it")], on_action=lambda _a: None,
                 fallback=no_fallback)
    await settle(lambda: service.notified)
    shown = service.notified[0]
    assert (shown.summary, shown.body, shown.replaces_id) == ("Alice", "Printer is fixed", 0)
    assert shown.actions == {"default": "Open", "take": "Take it"}
    assert shown.hints["category"] == "im.received"


@pytest.mark.asyncio
async def test_a_second_notice_for_the_same_chat_replaces_the_first(
        service: NotificationService, desktop: DesktopNotifications) -> None:
    for body in ("one", "two"):
        desktop.show("alice@example.org", "Alice", body, on_action=lambda _a: None,
                     fallback=no_fallback)
    desktop.show("bob@example.org", "Bob", "three", on_action=lambda _a: None,
                 fallback=no_fallback)
    await settle(lambda: len(service.notified) == 3)
    first, second, bobs = service.notified
    assert second.replaces_id == first.id and second.id == first.id
    assert bobs.replaces_id == 0 and bobs.id != first.id


@pytest.mark.asyncio
async def test_a_click_and_a_button_reach_the_handler_of_that_notice(
        service: NotificationService, desktop: DesktopNotifications) -> None:
    chosen: list[tuple[str, str]] = []
    desktop.show("alice@example.org", "Alice", "hi",
                 on_action=lambda a: chosen.append(("alice", a)), fallback=no_fallback)
    desktop.show("bob@example.org", "Bob", "hi", actions=[("take", "Take it")],
                 on_action=lambda a: chosen.append(("bob", a)), fallback=no_fallback)
    await settle(lambda: len(service.notified) == 2)
    service.click(service.notified[0].id)
    service.choose(service.notified[1].id, "take")
    await settle(lambda: len(chosen) == 2)
    assert chosen == [("alice", "default"), ("bob", "take")]


@pytest.mark.asyncio
async def test_withdraw_closes_the_chats_notice_and_the_next_one_is_new(
        service: NotificationService, desktop: DesktopNotifications) -> None:
    desktop.show("alice@example.org", "Alice", "hi", on_action=lambda _a: None,
                 fallback=no_fallback)
    await settle(lambda: service.notified)
    desktop.withdraw("alice@example.org")
    await settle(lambda: service.closed)
    assert service.closed == [service.notified[0].id]
    desktop.show("alice@example.org", "Alice", "again", on_action=lambda _a: None,
                 fallback=no_fallback)
    await settle(lambda: len(service.notified) == 2)
    assert service.notified[1].replaces_id == 0


@pytest.mark.asyncio
async def test_a_notice_the_person_dismissed_is_not_replaced_but_shown_anew(
        service: NotificationService, desktop: DesktopNotifications) -> None:
    desktop.show("alice@example.org", "Alice", "hi", on_action=lambda _a: None,
                 fallback=no_fallback)
    await settle(lambda: service.notified)
    service.dismiss(service.notified[0].id)
    await asyncio.sleep(0.1)
    desktop.show("alice@example.org", "Alice", "again", on_action=lambda _a: None,
                 fallback=no_fallback)
    await settle(lambda: len(service.notified) == 2)
    assert service.notified[1].replaces_id == 0


@pytest.mark.asyncio
async def test_without_a_notification_service_the_balloon_is_used(tmp_path: Path) -> None:
    with NotificationService(tmp_path, serve=False) as bus:
        desktop = DesktopNotifications("SupportTray", bus=bus.address)
        found = await desktop.start()
        balloons: list[str] = []
        desktop.show("alice@example.org", "Alice", "hi", on_action=lambda _a: None,
                     fallback=lambda: balloons.append("Alice"))
        await desktop.stop()
    assert not desktop.available and "tray balloons" in found
    assert balloons == ["Alice"]


@pytest.mark.asyncio
async def test_without_a_session_bus_the_balloon_is_used(tmp_path: Path) -> None:
    desktop = DesktopNotifications("SupportTray", bus=f"unix:path={tmp_path / 'none'}")
    assert "no session D-Bus" in await desktop.start()
    assert not desktop.available
    await desktop.stop()


@pytest.mark.asyncio
async def test_the_desktops_do_not_disturb_is_read_and_followed(tmp_path: Path) -> None:
    with NotificationService(tmp_path, inhibited=True) as service:
        desktop = DesktopNotifications("SupportTray", bus=service.address)
        await desktop.start()
        try:
            assert desktop.inhibited
            service.set_inhibited(False)
            await settle(lambda: not desktop.inhibited)
        finally:
            await desktop.stop()


@pytest.mark.asyncio
async def test_a_server_without_do_not_disturb_is_never_inhibited(
        desktop: DesktopNotifications) -> None:
    assert desktop.available and not desktop.inhibited
