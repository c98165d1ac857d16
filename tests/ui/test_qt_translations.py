"""With `app.language = "de"` the windows speak German, plurals included, Qt's own buttons too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.connection import ConnectionMonitor
from supporttray.core.presence import Availability, PresenceBook
from supporttray.ui.ask_window import AskWindow
from supporttray.ui.icons import IconSet
from supporttray.ui.qt_translations import choose_language
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

