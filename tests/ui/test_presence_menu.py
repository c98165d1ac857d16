"""Staff choose what others see of them from the tray: "My status"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook
from supporttray.ui.icons import IconSet
from supporttray.ui.tray import TrayController
from tests.helpers import FakeClock
from tests.ui.conftest import Calls


@pytest.fixture
def own() -> OwnPresence:
    return OwnPresence()


def controller_for(mode: str, own: OwnPresence, book: PresenceBook,
                   connection: ConnectionMonitor, clock: FakeClock, calls: Calls,
                   icons: IconSet) -> TrayController:
    return TrayController(book, connection, app_name="SupportTray", mode=mode,
                          on_reconnect=calls.on_reconnect, on_quit=calls.on_quit, clock=clock,
                          tray_available=lambda: False, tray_retry_ms=(60_000,), icons=icons,
                          own_presence=own)


@pytest.fixture
def staff_tray(qtbot: QtBot, own: OwnPresence, book: PresenceBook,
               connection: ConnectionMonitor, clock: FakeClock, calls: Calls,
               icons: IconSet) -> Iterator[TrayController]:
    controller = controller_for("staff", own, book, connection, clock, calls, icons)
    yield controller
    controller.close()


def presence_menu(controller: TrayController) -> QMenu:
    controller.menu.aboutToShow.emit()
    menus = [a.menu() for a in controller.menu.actions() if a.menu() is not None]
    assert len(menus) == 1, "one submenu: My status"
    menu = menus[0]
    assert isinstance(menu, QMenu)
    return menu


def action(menu: QMenu, text: str) -> QAction:
    found = [a for a in menu.actions() if a.text() == text]
    assert found, f"no {text!r} in {[a.text() for a in menu.actions()]}"
    return found[0]


def test_the_staff_menu_offers_the_four_states_with_the_current_one_checked(
    qtbot: QtBot, staff_tray: TrayController
) -> None:
    menu = presence_menu(staff_tray)
    assert menu.title() == "My status: Available"
    states = [a for a in menu.actions() if a.isCheckable()]
    assert [a.text() for a in states] == [
        "&Available", "A&way", "&Busy (do not disturb)", "Appear &offline"]
    assert [a.isChecked() for a in states] == [True, False, False, False]


def test_choosing_away_then_a_recent_message_sets_what_others_see(
    qtbot: QtBot, staff_tray: TrayController, own: OwnPresence
) -> None:
    own.set(Availability.AVAILABLE, "Back at 3")
    own.set(Availability.AVAILABLE, "In a meeting")
    action(presence_menu(staff_tray), "A&way").trigger()
    assert (own.current.show, own.current.status) == (Availability.AWAY, "In a meeting")
    menu = presence_menu(staff_tray)
    assert menu.title() == "My status: Away · “In a meeting”"
    action(menu, "“Back at 3”").trigger()
    assert (own.current.show, own.current.status) == (Availability.AWAY, "Back at 3")
    action(presence_menu(staff_tray), "&Clear message").trigger()
    assert (own.current.show, own.current.status) == (Availability.AWAY, "")
    assert "&Clear message" not in [a.text() for a in presence_menu(staff_tray).actions()]


@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_the_message_dialog_keeps_the_state_and_sets_the_typed_message(
    qtbot: QtBot, staff_tray: TrayController, own: OwnPresence
) -> None:
    own.set(Availability.BUSY)
    action(presence_menu(staff_tray), "Status &message…").trigger()
    dialogs = [w for w in QApplication.topLevelWidgets()
               if w.objectName() == "statusMessageDialog" and w.isVisible()]
    assert len(dialogs) == 1, "the dialog opened"
    dialog = dialogs[0]
    assert isinstance(dialog, QInputDialog)
    dialog.setTextValue("  On a call   until 4 ")
    dialog.accept()
    assert (own.current.show, own.current.status) == (Availability.BUSY, "On a call until 4")


def test_requesters_have_no_status_menu(
    qtbot: QtBot, own: OwnPresence, book: PresenceBook, connection: ConnectionMonitor,
    clock: FakeClock, calls: Calls, icons: IconSet
) -> None:
    controller = controller_for("requester", own, book, connection, clock, calls, icons)
    try:
        controller.menu.aboutToShow.emit()
        assert [a for a in controller.menu.actions() if a.menu() is not None] == []
    finally:
        controller.close()
