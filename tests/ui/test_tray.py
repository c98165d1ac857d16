"""TrayController: the icon, tooltip and menu say who of support is reachable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import Availability, PresenceBook
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.tray import TrayController
from tests.helpers import FakeClock
from tests.ui.conftest import OFFSCREEN_TRAY_WARNING, Calls, MakeController, MakeStaffTray


def open_menu(controller: TrayController) -> list[QAction]:
    """What a right-click shows: the menu is built when it is about to show."""
    controller.menu.aboutToShow.emit()
    return controller.menu.actions()


def texts(actions: list[QAction]) -> list[str]:
    return [action.text() for action in actions if not action.isSeparator()]


def action_named(controller: TrayController, text: str) -> QAction:
    matches = [action for action in open_menu(controller) if action.text() == text]
    assert matches, f"no {text!r} in {texts(controller.menu.actions())}"
    return matches[0]


def wait_for_repaint(qtbot: QtBot, controller: TrayController) -> None:
    qtbot.waitUntil(lambda: not controller.bridge.flush_pending)


# -- icon and tooltip ---------------------------------------------------------------------
def test_all_staff_offline_shows_the_grey_icon(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook, icons: IconSet
) -> None:
    book.clear_presences()
    controller = make_controller()
    assert controller.icon_key is IconKey.OFFLINE
    assert controller.tray_icon.icon().cacheKey() == icons.icon(IconKey.OFFLINE).cacheKey()
    assert controller.tooltip == "SupportTray — No support staff online"


def test_only_someone_away_shows_the_amber_icon(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    book.update("alice@example.org/laptop", Availability.OFFLINE)
    controller = make_controller()
    assert controller.icon_key is IconKey.AWAY
    assert controller.tooltip == "SupportTray — No support staff available (1 away)"


def test_two_of_three_available_shows_green_and_counts_them(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook, icons: IconSet
) -> None:
    book.update("carol@example.org/desk", Availability.AVAILABLE)
    book.update("bob@example.org/phone", Availability.OFFLINE)
    controller = make_controller()
    assert controller.icon_key is IconKey.AVAILABLE
    assert controller.tray_icon.icon().cacheKey() == icons.icon(IconKey.AVAILABLE).cacheKey()
    assert controller.tooltip == "SupportTray — 2 of 3 support staff available"


def test_icon_follows_a_presence_change(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    controller = make_controller()
    book.update("alice@example.org/laptop", Availability.BUSY)
    book.update("bob@example.org/phone", Availability.OFFLINE)
    wait_for_repaint(qtbot, controller)
    assert controller.icon_key is IconKey.BUSY
    assert controller.tooltip == "SupportTray — No support staff available (1 busy)"


def test_connecting_shows_the_connecting_icon_and_says_so(
    qtbot: QtBot, make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    controller = make_controller()
    connection.set(ConnectionState.CONNECTING)
    wait_for_repaint(qtbot, controller)
    assert controller.icon_key is IconKey.CONNECTING
    assert controller.tooltip.splitlines()[1] == "Connecting…"


def test_a_connection_error_greys_the_icon_and_explains_in_the_tooltip(
    qtbot: QtBot, make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    controller = make_controller()
    connection.set(ConnectionState.ERROR, "The password for me@example.org was refused.")
    wait_for_repaint(qtbot, controller)
    assert controller.icon_key is IconKey.OFFLINE
    assert controller.tooltip.splitlines() == [
        "SupportTray — 1 of 3 support staff available",
        "The password for me@example.org was refused.",
    ]


def test_unread_messages_badge_the_icon_and_are_counted(
    qtbot: QtBot, make_controller: MakeController, icons: IconSet
) -> None:
    controller = make_controller()
    controller.set_unread(2)
    badged = icons.icon(IconKey.AVAILABLE, unread=True)
    assert controller.tray_icon.icon().cacheKey() == badged.cacheKey()
    assert controller.tooltip.splitlines()[-1] == "2 unread messages"
    controller.set_unread(0)
    assert controller.tray_icon.icon().cacheKey() == icons.icon(IconKey.AVAILABLE).cacheKey()


# -- the context menu ---------------------------------------------------------------------
def test_menu_lists_every_staff_member_with_status_idle_and_local_time(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    controller = make_controller()
    assert texts(open_menu(controller)) == [
        "SupportTray: Connected",
        "1 of 3 support staff available",
        "Alice — Available · “In the office” · idle 12 min · 14:00 local",
        "Bob — Away · “Back at 3” · 07:00 local",
        "Carol — Offline",
        "Open SupportTray",
        "Quit",
    ]


def test_menu_times_are_computed_when_it_opens(
    qtbot: QtBot, make_controller: MakeController, clock: FakeClock
) -> None:
    controller = make_controller()
    open_menu(controller)
    clock.advance(5 * 60)
    assert "Alice — Available · “In the office” · idle 17 min · 14:05 local" in texts(
        open_menu(controller)
    )


def test_header_lines_are_informative_not_clickable(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    header, summary = open_menu(make_controller())[:2]
    assert not header.isEnabled()
    assert not summary.isEnabled()


def test_choosing_a_staff_member_opens_the_status_window(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    controller = make_controller(tray=lambda: False)
    alice = next(a for a in open_menu(controller) if a.text().startswith("Alice"))
    alice.trigger()
    assert controller.window.isVisible()


def test_a_name_with_an_ampersand_is_shown_literally(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    book.set_name("carol@example.org", "R&D desk")
    assert "R&&D desk — Offline" in texts(open_menu(make_controller()))


@pytest.mark.parametrize("state", [ConnectionState.ONLINE, ConnectionState.CONNECTING])
def test_reconnect_is_not_offered_while_online_or_connecting(
    qtbot: QtBot,
    make_controller: MakeController,
    connection: ConnectionMonitor,
    state: ConnectionState,
) -> None:
    connection.set(state)
    assert "Reconnect now" not in texts(open_menu(make_controller()))


@pytest.mark.parametrize("state", [ConnectionState.OFFLINE, ConnectionState.ERROR])
def test_reconnect_is_offered_when_offline_and_calls_back(
    qtbot: QtBot,
    make_controller: MakeController,
    connection: ConnectionMonitor,
    calls: Calls,
    state: ConnectionState,
) -> None:
    connection.set(state, "The server could not be reached.")
    controller = make_controller()
    assert texts(open_menu(controller))[0] == "SupportTray: The server could not be reached."
    action_named(controller, "Reconnect now").trigger()
    assert calls.reconnect == 1


# A popup menu raises itself and grabs the keyboard, which the offscreen platform cannot do.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_menu_updates_while_open_when_the_connection_comes_back(
    qtbot: QtBot, make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    connection.set(ConnectionState.OFFLINE)
    controller = make_controller()
    controller.menu.popup(controller.menu.pos())
    qtbot.waitUntil(controller.menu.isVisible)
    assert "Reconnect now" in texts(controller.menu.actions())
    connection.set(ConnectionState.ONLINE)
    wait_for_repaint(qtbot, controller)
    assert "Reconnect now" not in texts(controller.menu.actions())
    controller.menu.hide()


def test_quit_calls_on_quit(qtbot: QtBot, make_controller: MakeController, calls: Calls) -> None:
    controller = make_controller()
    action_named(controller, "Quit").trigger()
    assert calls.quit == 1


# -- with and without a tray --------------------------------------------------------------
def test_without_a_tray_start_shows_the_status_window_and_keeps_looking(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    controller = make_controller(tray=False)
    controller.start()
    assert controller.window.isVisible()
    assert not controller.is_attached
    assert controller.retrying


@pytest.mark.qt_log_ignore(OFFSCREEN_TRAY_WARNING)
def test_a_tray_that_appears_later_takes_over_from_the_window(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    panel_started = False
    looks: list[bool] = []

    def tray_available() -> bool:
        looks.append(panel_started)
        return panel_started

    controller = make_controller(tray=tray_available, retry_ms=(10,))
    controller.start()
    qtbot.waitUntil(lambda: len(looks) >= 3)
    assert controller.window.isVisible()

    panel_started = True
    qtbot.waitUntil(lambda: controller.is_attached)
    assert controller.tray_icon.isVisible()
    assert not controller.window.isVisible()
    assert not controller.retrying
    calls_when_attached = len(looks)
    qtbot.wait(50)
    assert len(looks) == calls_when_attached


@pytest.mark.qt_log_ignore(OFFSCREEN_TRAY_WARNING)
def test_a_window_the_person_opened_stays_when_the_tray_appears(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    panel_started = False
    controller = make_controller(tray=lambda: panel_started, retry_ms=(10,))
    controller.start()
    qtbot.waitUntil(controller.window.isActiveWindow)
    controller.activate()  # the person chose "Open SupportTray"
    panel_started = True
    qtbot.waitUntil(lambda: controller.is_attached)
    assert controller.window.isVisible()


@pytest.mark.qt_log_ignore(OFFSCREEN_TRAY_WARNING)
def test_with_a_tray_start_shows_only_the_icon(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    controller = make_controller(tray=True)
    controller.start()
    assert controller.is_attached
    assert controller.tray_icon.isVisible()
    assert controller.tray_icon.contextMenu() is controller.menu
    assert not controller.window.isVisible()


@pytest.mark.qt_log_ignore(OFFSCREEN_TRAY_WARNING)
def test_no_timer_runs_while_idle_with_a_tray(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    controller = make_controller(tray=True)
    controller.start()
    book.update("carol@example.org/desk", Availability.AVAILABLE)
    wait_for_repaint(qtbot, controller)
    open_menu(controller)
    controller.activate()
    controller.window.close()  # hides: the tray can bring it back
    timers = controller.findChildren(QTimer) + controller.window.findChildren(QTimer)
    assert timers, "expected the bridge, retry and live-refresh timers to exist"
    assert [t.objectName() or repr(t) for t in timers if t.isActive()] == []


@pytest.mark.qt_log_ignore(OFFSCREEN_TRAY_WARNING)
def test_clicking_a_notice_balloon_opens_the_window_that_holds_it(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    # Given the icon in a tray, and a notice from start-up shown as a balloon
    notice = "Your chat history could not be opened (the file is damaged); it was moved to …"
    controller = make_controller(tray=True)
    controller.start()
    controller.show_notice(notice)
    # When the person clicks the balloon, then the status window opens with the notice in it
    controller.tray_icon.messageClicked.emit()
    assert controller.window.isVisible() and not controller.window.isMinimized()
    assert controller.window.notice_text() == notice


def test_the_tray_left_click_opens_the_status_window(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    controller = make_controller()
    controller.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert controller.window.isVisible()


def test_activate_brings_back_a_minimised_window(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    controller = make_controller(tray=False)
    controller.start()
    controller.window.showMinimized()
    controller.activate()
    assert controller.window.isVisible()
    assert not controller.window.isMinimized()


def test_close_stops_listening_and_removes_the_window(
    qtbot: QtBot,
    make_controller: MakeController,
    book: PresenceBook,
    connection: ConnectionMonitor,
) -> None:
    listeners_before = len(book.changed), len(connection.changed)
    controller = make_controller(tray=False)
    assert len(book.changed) == listeners_before[0] + 1
    controller.start()
    controller.close()
    assert (len(book.changed), len(connection.changed)) == listeners_before
    assert not controller.window.isVisible()
    assert not controller.retrying
    controller.activate()  # after close: a late second instance must not resurrect it
    assert not controller.window.isVisible()


def test_an_unknown_mode_is_refused(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor
) -> None:
    with pytest.raises(ValueError, match="requester, staff"):
        TrayController(
            book,
            connection,
            app_name="SupportTray",
            mode="admin",
            on_reconnect=lambda: None,
            on_quit=lambda: None,
        )


def test_local_times_use_each_persons_offset(
    qtbot: QtBot, make_controller: MakeController, book: PresenceBook
) -> None:
    book.set_utc_offset("carol@example.org", timedelta(hours=9, minutes=30))
    assert "Carol — Offline · 21:30 local" in texts(open_menu(make_controller()))


# -- xmpp: links (supporttray xmpp:..., through the control socket) ------------------------------


@pytest.mark.qt_log_ignore("does not support raise")
def test_a_link_opens_the_staff_chat_prefilled_but_keeps_what_was_typed(
    qtbot: QtBot, make_staff_tray: MakeStaffTray,
) -> None:
    controller, _chat = make_staff_tray()
    controller.open_chat("ann@example.org", "About your VPN")
    window = controller.chat_window
    assert window is not None and window.isVisible()
    pane = window.open_chat("ann@example.org")
    assert pane.edit.toPlainText() == "About your VPN"
    pane.edit.setPlainText("half a sentence")
    controller.open_chat("ann@example.org", "Another link")
    assert pane.edit.toPlainText() == "half a sentence"


# -- branding.links -----------------------------------------------------------------------------


def test_it_links_are_menu_entries_that_open_with_the_desktop(
    make_controller: MakeController,
) -> None:
    opened: list[str] = []
    controller = make_controller(
        app_name="Acme Help",
        links={"Helpdesk portal": "https://help.example.org", "Call support": "tel:+15550100"},
        open_link=lambda url: opened.append(url.toString()) is None,
    )
    shown = texts(open_menu(controller))
    assert shown.index("Helpdesk portal") + 1 == shown.index("Call support")
    assert shown.index("Call support") < shown.index("Open Acme Help")
    action_named(controller, "Call support").trigger()
    assert opened == ["tel:+15550100"]


def test_a_link_nothing_opens_is_said_in_a_sentence(make_controller: MakeController) -> None:
    controller = make_controller(
        app_name="Acme Help", links={"Call support": "tel:+15550100"},
        open_link=lambda _url: False,
    )
    said: list[str] = []
    controller.show_notification = lambda _title, text, on_click=None: said.append(text)  # type: ignore[method-assign]
    assert controller.open_link("tel:+15550100") is False
    assert said == ["Nothing on this computer opens tel: links, so tel:+15550100 could not "
                    "be opened. Set a default application for them in the system settings."]


def test_settings_in_the_menu_opens_the_settings_window(
    make_controller: MakeController,
) -> None:
    opened: list[bool] = []
    controller = make_controller(on_settings=lambda: opened.append(True))
    action_named(controller, "Settings…").trigger()
    assert opened == [True]


def test_copy_diagnostics_puts_the_report_on_the_clipboard_and_says_so(
    make_controller: MakeController,
) -> None:
    # given the composition root hands the tray the redacted report (tests/unit/root/
    # test_diagnostics.py shows it holds no password and no message text)
    controller = make_controller(diagnostics=lambda: "SupportTray 0.1.0 diagnostics\n")
    said: list[str] = []
    controller.show_notification = lambda _title, text, on_click=None: said.append(text)  # type: ignore[method-assign]

    # when the person chooses "Copy diagnostics"
    action_named(controller, "Copy diagnostics").trigger()

    # then it is on the clipboard, and they are told what to do with it
    assert QApplication.clipboard().text() == "SupportTray 0.1.0 diagnostics\n"
    assert said and "paste them into your message to IT" in said[0]


# -- signing in and out ----------------------------------------------------------------------------


def test_sign_in_is_offered_while_not_online_and_sign_out_once_signed_in(
    make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    controller = make_controller(on_sign_in=lambda: None, on_sign_out=lambda: None)
    # a refused password: sign in again, nothing to sign out of
    connection.set(ConnectionState.ERROR, "The password was refused.", needs_sign_in=True)
    shown = texts(open_menu(controller))
    assert "Sign in…" in shown and "Sign out" not in shown
    # online: the account is in use; Sign out is the way to another
    connection.set(ConnectionState.ONLINE)
    shown = texts(open_menu(controller))
    assert "Sign out" in shown and "Sign in…" not in shown
    # the server unreachable: both (Check connection is in the Sign-in window)
    connection.set(ConnectionState.OFFLINE, "The server cannot be reached.")
    shown = texts(open_menu(controller))
    assert "Sign in…" in shown and "Sign out" in shown


@pytest.mark.parametrize(("mode", "offered"), [("staff", True), ("requester", False)])
def test_ask_a_group_is_in_the_staff_menu_only(
    make_controller: MakeController, mode: str, offered: bool,
) -> None:
    from supporttray.app.group_chat import GroupChats
    from supporttray.app.group_check import GroupChecks
    from tests.ui.chat_fakes import FakeChat, Spawner

    chat, spawner = FakeChat(), Spawner()
    controller = make_controller(mode=mode, chat=chat, spawn=spawner)
    checks = GroupChecks("me@example.org", dict)
    chats = GroupChats(chat, checks, is_trusted_inviter=lambda _jid: False)  # type: ignore[arg-type]
    controller.attach_group_checks(checks, chats)
    assert ("Ask a group…" in texts(open_menu(controller))) is offered
    spawner.close()
