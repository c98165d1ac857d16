"""The status window: the fallback without a tray and the left-click window with one."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import Availability, PresenceBook
from supporttray.ui.tray import TrayController
from tests.helpers import FakeClock
from tests.ui.conftest import Calls, MakeController


def shown(make_controller: MakeController, **kwargs: object) -> TrayController:
    """A controller whose window is open (no tray: the fallback path offscreen)."""
    controller = make_controller(**kwargs)  # type: ignore[arg-type]
    controller.start()
    assert controller.window.isVisible()
    return controller


def test_window_is_titled_with_the_app_name_and_shows_the_summary(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    window = shown(make_controller).window
    assert window.windowTitle() == "SupportTray"
    assert window.summary_text() == "1 of 3 support staff available"
    assert window.connection_text() == "Connected"


def test_window_lists_staff_with_status_idle_and_local_time(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    window = shown(make_controller).window
    assert window.staff_texts() == [
        "Alice — Available · “In the office” · idle 12 min · 14:00 local",
        "Bob — Away · “Back at 3” · 07:00 local",
        "Carol — Offline",
    ]


def test_window_follows_presence_changes(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    window = shown(make_controller).window
    book.update("carol@example.org/desk", Availability.BUSY, "In a meeting")
    qtbot.waitUntil(lambda: "Carol — Busy · “In a meeting”" in window.staff_texts())
    assert window.summary_text() == "1 of 3 support staff available"


def test_relative_times_are_fresh_when_the_window_is_shown_again(
    qtbot: QtBot, make_controller: MakeController, clock: FakeClock
) -> None:
    controller = shown(make_controller, tray=False)
    window = controller.window
    window.hide()
    clock.advance(60 * 60)
    window.show()
    assert window.staff_texts()[0] == (
        "Alice — Available · “In the office” · idle 1 h 12 min · 15:00 local"
    )


def test_the_window_redraws_when_a_shown_minute_changes_and_only_while_visible(
    qtbot: QtBot, make_controller: MakeController, clock: FakeClock
) -> None:
    window = shown(make_controller).window
    # Alice is idle 12 min and both show a local time: the next change is the next minute.
    assert window.live_refresh_active
    assert window.live_refresh_interval_ms == (60 - clock.now.second) * 1000 + 500
    window.hide()
    assert not window.live_refresh_active


def test_a_window_without_idle_or_local_times_sets_no_timer_at_all(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook, clock: FakeClock
) -> None:
    book.update("alice@example.org/laptop", Availability.AVAILABLE, "In the office")
    book.set_utc_offset("alice@example.org", None)
    book.set_utc_offset("bob@example.org", None)
    window = shown(make_controller).window
    assert window.staff_texts()[:2] == [
        "Alice — Available · “In the office”", "Bob — Away · “Back at 3”"]
    assert not window.live_refresh_active
    # Bob's client now says idle for 2 min 40 s: "idle 3 min" is 20 s away.
    book.update("bob@example.org/phone", Availability.AWAY, "Back at 3",
                idle_since=clock.now - timedelta(minutes=2, seconds=40))
    qtbot.waitUntil(lambda: window.live_refresh_active)
    assert window.live_refresh_interval_ms == 20_500


def test_reconnect_button_only_when_offline_and_it_calls_back(
    qtbot: QtBot, make_controller: MakeController, connection: ConnectionMonitor, calls: Calls
) -> None:
    window = shown(make_controller).window
    assert not window.reconnect_button.isVisible()

    connection.set(ConnectionState.ERROR, "The server could not be reached.")
    qtbot.waitUntil(window.reconnect_button.isVisible)
    assert window.connection_text() == "The server could not be reached."
    qtbot.mouseClick(window.reconnect_button, Qt.MouseButton.LeftButton)
    assert calls.reconnect == 1

    connection.set(ConnectionState.CONNECTING)
    qtbot.waitUntil(lambda: not window.reconnect_button.isVisible())
    assert window.connection_text() == "Connecting…"


def test_a_start_up_notice_stays_in_the_window_under_the_connection_line(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    # Given the window, with nothing to tell at first
    controller = shown(make_controller)
    window = controller.window
    assert window.notice_text() == ""
    # When start-up had to set the history aside
    notice = ("Your chat history could not be opened (the file is damaged); it was moved to "
              "/home/ann/.local/share/supporttray/history.damaged-20260301T090000Z.sqlite3 "
              "and a new one was started. IT may be able to recover messages from it.")
    controller.show_notice(notice)
    # Then the window says so below the connection, all of it (the window grows to fit), and
    # still does when shown again
    assert window.notice_text() == notice
    assert window.connection_text() == "Connected"
    layout = window.layout()
    assert layout.totalHeightForWidth(window.width()) <= window.height()
    window.hide()
    controller.activate()
    assert window.notice_text() == notice


def test_quit_button_calls_on_quit(
    qtbot: QtBot, make_controller: MakeController, calls: Calls
) -> None:
    window = shown(make_controller).window
    qtbot.mouseClick(window.quit_button, Qt.MouseButton.LeftButton)
    assert calls.quit == 1


def test_closing_without_a_tray_minimises_instead_of_vanishing(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    window = shown(make_controller, tray=False).window
    closed_last_window: list[bool] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.lastWindowClosed.connect(lambda: closed_last_window.append(True))

    assert window.close() is False
    assert window.isVisible()
    assert window.isMinimized()
    assert closed_last_window == []


def test_escape_without_a_tray_also_keeps_the_window(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    window = shown(make_controller, tray=False).window
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible()


def test_escape_hides_the_window_when_a_tray_can_bring_it_back(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    window = shown(make_controller, tray=False).window
    window.set_hide_on_close(True)  # what attaching to a tray does
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_tab_goes_from_reconnect_to_the_staff_list_to_quit(
    qtbot: QtBot, make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    connection.set(ConnectionState.OFFLINE)
    window = shown(make_controller).window
    qtbot.waitUntil(window.isActiveWindow)
    window.reconnect_button.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [
        window.reconnect_button,
        window.staff_list,
        window.quit_button,
        window.reconnect_button,
    ]


def test_staff_mode_heads_the_list_as_the_team(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    window = shown(make_controller, mode="staff").window
    assert window.staff_list.accessibleName() == "Your support team"


def test_an_empty_book_says_no_staff_are_configured(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    for member in book.members():
        book.remove_staff(member.jid)
    window = shown(make_controller).window
    assert window.summary_text() == "No support staff configured"
    assert window.staff_texts() == []


def test_a_passing_minute_updates_the_rows_in_place(
    qtbot: QtBot, make_controller: MakeController, clock: FakeClock
) -> None:
    window = shown(make_controller).window
    first_row = window.staff_list.item(0)
    window.staff_list.setCurrentRow(1)
    clock.advance(60)
    window.refresh()
    assert window.staff_texts()[:2] == [
        "Alice — Available · “In the office” · idle 13 min · 14:01 local",
        "Bob — Away · “Back at 3” · 07:01 local",
    ]
    assert window.staff_list.item(0) is first_row  # updated, not rebuilt
    assert window.staff_list.currentRow() == 1
