"""With `app.language = "de"` the windows speak German, plurals included, Qt's own buttons too."""

from __future__ import annotations

import errno
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from supporttray.app.chat import NOT_SIGNED_IN
from supporttray.app.errors import AskError
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import Availability, PresenceBook
from supporttray.language.sentence import Sentence, shown
from supporttray.ui.ask_window import AskWindow
from supporttray.ui.icons import IconSet
from supporttray.ui.qt_translations import choose_language
from supporttray.xmpp import errors
from tests.helpers import FakeClock
from tests.ui.chat_fakes import FakeChat, Spawner
from tests.ui.conftest import MakeController


@pytest.fixture
def german() -> Iterator[str]:
    """The root's call with the user's setting `app.language = "de"`."""
    settings = Settings(Policy(source=None), {"app.language": "de"})
    yield choose_language(settings.get_str("app.language"))
    choose_language("en")


def menu_texts(controller: object) -> list[str]:
    menu = controller.menu  # type: ignore[attr-defined]
    menu.aboutToShow.emit()
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def test_the_setting_chooses_german(german: str) -> None:
    assert german == "de"


def test_the_tray_menu_is_german_with_one_of_three_available(
    qtbot: QtBot, german: str, make_controller: MakeController
) -> None:
    controller = make_controller()
    assert menu_texts(controller) == [
        "SupportTray: Verbunden",
        "1 von 3 im Support-Team ist verfügbar",
        "Alice — Verfügbar · “In the office” · inaktiv seit 12 Min. · 14:00 Ortszeit",
        "Bob — Abwesend · “Back at 3” · 07:00 Ortszeit",
        "Carol — Offline",
        "SupportTray öffnen",
        "Beenden",
    ]


def test_two_available_take_the_plural(
    qtbot: QtBot, german: str, make_controller: MakeController, book: PresenceBook
) -> None:
    book.update("carol@example.org/desk", Availability.AVAILABLE)
    controller = make_controller()
    assert "2 von 3 im Support-Team sind verfügbar" in menu_texts(controller)
    assert controller.tooltip == "SupportTray — 2 von 3 im Support-Team sind verfügbar"


def test_the_ask_window_is_german(
    qtbot: QtBot, german: str, book: PresenceBook, connection: ConnectionMonitor,
    icons: IconSet, clock: FakeClock,
) -> None:
    spawner = Spawner()
    window = AskWindow(FakeChat(), book, connection, icons, spawn=spawner,
                       open_chat=lambda _jid: None, clock=clock)
    qtbot.addWidget(window)
    try:
        window.open()
        assert window.windowTitle() == "Support fragen – SupportTray"
        assert window.send_button.text() == "&Senden"
        assert window.staff_texts()[0].startswith("Alice — Verfügbar")
    finally:
        window.dispose()
        spawner.close()


def test_qt_own_buttons_come_with_it(german: str) -> None:
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"


def test_back_to_english_the_menu_is_english(
    qtbot: QtBot, make_controller: MakeController
) -> None:
    choose_language("de")
    choose_language("en")
    assert menu_texts(make_controller())[1] == "1 of 3 support staff available"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"



# -- sentences made below the windows: German on screen, English for status --json -----------


def test_a_refused_password_is_german_in_the_window_and_tooltip_english_for_json(
    qtbot: QtBot, german: str, make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    controller = make_controller()
    controller.start()
    connection.set(ConnectionState.ERROR, errors.auth_sentence("bob@example.org"),
                   needs_sign_in=True)
    german_text = ("Der Server hat das Passwort für bob@example.org abgelehnt. Wählen Sie "
                   "„Anmelden…“ im Tray-Menü und geben Sie das richtige ein (oder führen Sie "
                   "aus: supporttray login bob@example.org).")
    qtbot.waitUntil(lambda: controller.window.connection_text() == german_text)
    assert german_text in controller.tooltip
    # What status --json and doctor print stays English.
    assert str(connection.status.error) == (
        "The server refused the password for bob@example.org. Choose “Sign in…” in the tray "
        "menu and enter the right one (or run: supporttray login bob@example.org).")


def test_an_unreachable_server_is_german_down_to_the_reason_and_english_for_json(
    qtbot: QtBot, german: str, make_controller: MakeController, connection: ConnectionMonitor
) -> None:
    controller = make_controller()
    controller.start()
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    connection.set(ConnectionState.ERROR,
                   errors.unreachable_sentence("chat.example.org", 5222, refused))
    german_text = ("Der Chat-Server unter chat.example.org:5222 ist nicht erreichbar "
                   "(Verbindung abgelehnt). Prüfen Sie Ihre Netzwerkverbindung; SupportTray "
                   "versucht es weiter.")
    qtbot.waitUntil(lambda: controller.window.connection_text() == german_text)
    assert german_text in controller.tooltip
    assert str(connection.status.error) == (
        "Cannot reach the chat server at chat.example.org:5222 (connection refused). "
        "Check your network connection; SupportTray keeps retrying.")


def test_an_ask_error_is_german_shown_and_english_in_str(german: str) -> None:
    error = AskError(Sentence(NOT_SIGNED_IN))
    assert shown(error).startswith("Sie sind noch nicht angemeldet")
    assert str(error) == NOT_SIGNED_IN
