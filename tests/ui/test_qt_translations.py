"""With `app.language = "de"` the windows speak German, plurals included, Qt's own buttons too,
and so do the sentences made below them (settings validation, the keyring, doctor's findings)
and the dates; the command line and the log stay English."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from supporttray.app.chat import NOT_SIGNED_IN, AskPlan
from supporttray.app.errors import AskError
from supporttray.app.request_desk import RequestDesk
from supporttray.app.service import SupportService
from supporttray.app.settings_editor import SettingsEditor
from supporttray.app.sign_in import SignIn
from supporttray.config.credentials import NO_KEYRING, CredentialError, CredentialStore
from supporttray.config.mode import Mode
from supporttray.config.policy import Policy
from supporttray.config.schema import InvalidValue, validate
from supporttray.config.settings import Settings
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.on_call import OnCallHoursError, parse_on_call_hours
from supporttray.core.presence import Availability, PresenceBook, StaffMember
from supporttray.core.requests import RequestQueue
from supporttray.core.routing import route
from supporttray.doctor import sign_in_findings
from supporttray.language.catalogue import _
from supporttray.language.sentence import Sentence, shown
from supporttray.service_settings import support_config
from supporttray.ui.ask_window import AskWindow
from supporttray.ui.chat.time_text import day_text
from supporttray.ui.date_text import date_text
from supporttray.ui.icons import IconSet
from supporttray.ui.qt_translations import choose_language
from supporttray.ui.settings_window import SettingsWindow
from supporttray.ui.sign_in_window import SignInWindow
from supporttray.xmpp import errors
from supporttray.xmpp.staff_room import StaffRoom
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


# -- config's and doctor's sentences: German in the windows, English on the command line ------


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign_in_window(qtbot: QtBot, settings: Settings, spawner: Spawner) -> SignInWindow:
    """The Sign-in window over the real backend, the real keyring wrapper and doctor's checks."""
    store = CredentialStore()
    backend = SignIn(settings, store, SupportService(support_config(settings), store),
                     lambda jid, password: sign_in_findings(settings, jid, password))
    window = SignInWindow(backend, spawner, app_name="SupportTray")
    qtbot.addWidget(window)
    window.open()
    spawner.run()
    return window


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_bad_on_call_hours_are_german_under_their_row_and_english_for_doctor(
    qtbot: QtBot, german: str
) -> None:
    settings = Settings(Policy(source=None))
    window = SettingsWindow(SettingsEditor(settings, Mode.STAFF), app_name="SupportTray")
    qtbot.addWidget(window)
    window.open_window()
    hours = window.fields["presence.on_call_hours"].widget
    assert isinstance(hours, QLineEdit)
    hours.setText("Mon-Fri 25:00-18:00")

    assert not window.save()

    assert window.errors["presence.on_call_hours"].text().endswith(
        "ist keine Uhrzeit (00:00 bis 23:59, oder 24:00 als Ende).")
    with pytest.raises(OnCallHoursError) as caught:
        parse_on_call_hours("Mon-Fri 25:00-18:00")
    assert str(caught.value) == '"25:00" is not a time of day (00:00 to 23:59, or 24:00 as an end)'


@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_a_server_name_the_schema_refuses_is_german_in_the_sign_in_window(
    qtbot: QtBot, german: str, spawner: Spawner
) -> None:
    window = sign_in_window(qtbot, Settings(Policy(source=None)), spawner)
    window.account.setText("ann@example.org")
    window.password.setText("s3cret")
    window.server["server.host"].setText("chat server")

    window.sign_in()
    spawner.run()

    assert window.result.text() == (
        'Server: "chat server" ist kein Domainname wie example.org.')
    # The settings file's and the policy's errors (the command line, the log) stay English.
    with pytest.raises(InvalidValue) as caught:
        validate("server.host", "chat server")
    assert str(caught.value) == '"chat server" is not a domain name like example.org'


@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_a_missing_keyring_is_german_in_the_sign_in_window_and_english_for_login(
    qtbot: QtBot, german: str, spawner: Spawner
) -> None:
    keyring.set_keyring(fail.Keyring())  # a system without a usable password store

    window = sign_in_window(qtbot, Settings(Policy(source=None)), spawner)

    assert window.keyring_note.text().startswith(
        "Auf diesem System ist kein Passwortspeicher (Schlüsselbund) verfügbar.")
    # What `supporttray login` and `doctor` print stays English.
    with pytest.raises(CredentialError) as caught:
        CredentialStore().get("ann@example.org")
    assert str(caught.value) == NO_KEYRING


@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_check_connection_shows_doctors_findings_in_german_and_doctor_prints_english(
    qtbot: QtBot, german: str, spawner: Spawner
) -> None:
    port = closed_port()
    settings = Settings(Policy(source=None, defaults={
        "server.domain": "example.org", "server.host": "127.0.0.1", "server.port": port}))
    window = sign_in_window(qtbot, settings, spawner)
    window.account.setText("ann@example.org")

    window.check_connection()
    spawner.run()

    lines = window.result.text().splitlines()
    assert lines[1] == ("WARNUNG Anmeldung: kein Passwort eingegeben, daher wurde die "
                        "Anmeldung selbst nicht versucht")
    assert lines[2].startswith(f"FEHLER Server: 127.0.0.1:{port} ist nicht erreichbar: ")
    # The same checks, as `supporttray doctor` prints them.
    findings = sign_in_findings(settings, "ann@example.org", "")
    assert [str(f.sentence) for f in findings[1:2]] == [
        "no password typed, so the login itself was not tried"]
    assert str(findings[2].sentence).startswith(f"cannot reach 127.0.0.1:{port}: ")


def test_dates_name_their_days_and_months_in_german(german: str) -> None:
    monday = datetime(2026, 12, 7, 12, 0).astimezone()
    assert date_text(monday, _("d MMM yyyy")) == "7. Dez. 2026"
    assert date_text(monday, "ddd") == "Mo."
    # A day separator in a chat, three days later: its weekday, in the window's language.
    assert day_text(monday, monday + timedelta(days=3)) == "Montag"
    assert day_text(monday, monday + timedelta(days=10)) == "Montag, 7. Dezember"


def test_dates_are_english_again_in_english(german: str) -> None:
    choose_language("en")
    monday = datetime(2026, 12, 7, 12, 0).astimezone()
    assert date_text(monday, _("d MMM yyyy")) == "7 Dec 2026"
    assert day_text(monday, monday + timedelta(days=10)) == "Monday 7 December"


def test_the_staff_room_line_is_german_in_the_queue_window_and_english_in_status_json(
    german: str
) -> None:
    room = StaffRoom("support-staff@conference.example.org", "me@example.org", RequestQueue(),
                     staff=lambda: [])
    room.presence_sent(offline=True)  # "appear offline" takes us out of the room
    desk = RequestDesk(RequestQueue(), "me@example.org")
    desk.attach(room, sender=None)  # type: ignore[arg-type]  # nothing is sent here

    assert desk.room_line() == "Sie erscheinen offline und sind daher nicht im Team-Raum."
    assert room.status.as_status()["error"] == (
        "You appear offline, so you are not in the staff room.")


def test_where_a_question_goes_is_german_in_the_ask_window_and_english_for_ask(
    qtbot: QtBot, german: str, book: PresenceBook, connection: ConnectionMonitor,
    icons: IconSet, clock: FakeClock, spawner: Spawner,
) -> None:
    bob = StaffMember(jid="bob@example.org", name="Bob", availability=Availability.AWAY)
    decision = route([bob], last_talked={}, now=clock.now)
    assert decision is not None
    chat = FakeChat()
    chat.plan_result = AskPlan(decision.to, decision.reason, False, "st-1", True, "never", None)
    window = AskWindow(chat, book, connection, icons, spawn=spawner,
                       open_chat=lambda _jid: None, clock=clock)
    qtbot.addWidget(window)
    try:
        window.open()
        spawner.run()
        assert window.reason_text() == (
            "Gerade ist niemand verfügbar — Bob ist abwesend und wird sie sehen")
    finally:
        window.dispose()
    # What `supporttray ask` prints.
    assert str(decision.reason) == "No one is available right now — Bob is away and will see it"
