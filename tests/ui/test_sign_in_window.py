"""The Sign-in window: keyboard (Tab order, Enter signs in, Esc closes), accessible names,
locked fields, and every failure as a sentence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from supporttray.app.findings import Finding
from supporttray.app.sign_in import FormField, SignInError, SignInForm
from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.language.sentence import Sentence
from supporttray.ui.sign_in_window import LOCKED_NOTE, SignInWindow
from tests.ui.chat_fakes import Spawner

# What the offscreen platform says when a window is shown; nothing to do with this window.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints",
                                       "does not support raise")

FORM = SignInForm(
    FormField("account.jid", "Account", "ann@example.org", False),
    (FormField("server.domain", "Domain", "example.org", True),
     FormField("server.host", "Server", "", False),
     FormField("server.port", "Port", "5222", True)),
)


class FakeSignIn:
    def __init__(self) -> None:
        self.signed_in: list[tuple[str, str, dict[str, str] | None]] = []
        self.refuse: str | None = None
        self.keyring: str | None = None
        self.opened = 0

    def form(self) -> SignInForm:
        self.opened += 1
        return FORM

    async def sign_in(self, account: str, password: str,
                      server: dict[str, str] | None = None) -> str:
        if self.refuse:
            raise SignInError(self.refuse)
        self.signed_in.append((account, password, server))
        return account

    async def check(self, account: str, password: str) -> list[Finding]:
        return [Finding("OK", "server",
                        Sentence.verbatim("xmpp.example.org:5222 accepts connections")),
                Finding("FAIL", "login",
                        Sentence.verbatim(f"The server refused the password for {account}."))]

    async def keyring_problem(self) -> Sentence | None:
        return Sentence.verbatim(self.keyring) if self.keyring else None

    async def sign_out(self) -> None:
        pass


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


@pytest.fixture
def backend() -> FakeSignIn:
    return FakeSignIn()


@pytest.fixture
def window(qtbot: QtBot, backend: FakeSignIn, spawner: Spawner) -> Iterator[SignInWindow]:
    window = SignInWindow(backend, spawner, app_name="SupportTray")
    qtbot.addWidget(window)
    window.open()
    spawner.run()
    qtbot.waitExposed(window)
    yield window
    window.dispose()


def test_it_opens_filled_with_the_account_and_the_focus_on_the_password(
    window: SignInWindow,
) -> None:
    assert window.account.text() == "ann@example.org"
    assert QApplication.focusWidget() is window.password


def test_locked_server_details_are_read_only_and_say_who_set_them(window: SignInWindow) -> None:
    domain, host, port = (window.server[k] for k in ("server.domain", "server.host",
                                                     "server.port"))
    assert domain.isReadOnly() and port.isReadOnly() and not host.isReadOnly()
    assert domain.accessibleDescription() == LOCKED_NOTE
    assert window.server_values() == {"server.host": ""}  # only what may change


def test_tab_goes_down_the_fields_then_to_check_and_sign_in(
    qtbot: QtBot, window: SignInWindow,
) -> None:
    window.account.setFocus()
    seen: list[QWidget | None] = []
    for _ in range(6):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [window.account, window.password, window.server["server.domain"],
                    window.server["server.host"], window.server["server.port"],
                    window.check_button]
    assert QApplication.focusWidget() is window.sign_in_button


def test_every_control_has_an_accessible_name(window: SignInWindow) -> None:
    controls = [window.account, window.password, *window.server.values(), window.check_button,
                window.sign_in_button, window.result]
    assert all(c.accessibleName() for c in controls)


def test_enter_in_the_password_signs_in_and_the_window_goes(
    qtbot: QtBot, window: SignInWindow, backend: FakeSignIn, spawner: Spawner,
) -> None:
    qtbot.keyClicks(window.password, "s3cret")
    with qtbot.waitSignal(window.signed_in) as signed:
        qtbot.keyClick(window.password, Qt.Key.Key_Return)
        spawner.run()
    assert signed.args == ["ann@example.org"]
    assert backend.signed_in == [("ann@example.org", "s3cret", {"server.host": ""})]
    assert window.password.text() == ""  # not kept in the widget
    assert not window.isVisible()


def test_esc_closes_without_signing_in(
    qtbot: QtBot, window: SignInWindow, backend: FakeSignIn,
) -> None:
    qtbot.keyClick(window.account, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert backend.signed_in == []


def test_a_refusal_is_shown_as_its_sentence_and_the_window_stays(
    qtbot: QtBot, window: SignInWindow, backend: FakeSignIn, spawner: Spawner,
) -> None:
    backend.refuse = "No password store (keyring) is available on this system. Install ..."
    qtbot.keyClicks(window.password, "s3cret")
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    spawner.run()
    assert window.result.text() == backend.refuse
    assert window.isVisible() and window.sign_in_button.isEnabled()


def test_check_connection_shows_doctors_sentences(
    qtbot: QtBot, window: SignInWindow, spawner: Spawner,
) -> None:
    qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    assert not window.check_button.isEnabled()  # one check at a time
    spawner.run()
    assert window.result.text().splitlines() == [
        "OK server: xmpp.example.org:5222 accepts connections",
        "FAIL login: The server refused the password for ann@example.org.",
    ]


def test_a_keyring_that_cannot_be_used_is_said_when_the_window_opens(
    qtbot: QtBot, backend: FakeSignIn, spawner: Spawner,
) -> None:
    backend.keyring = "The password store (keyring) is locked. Unlock it, then try again."
    window = SignInWindow(backend, spawner, app_name="SupportTray")
    qtbot.addWidget(window)
    window.open()
    spawner.run()
    assert window.keyring_note.isVisible()
    assert window.keyring_note.text() == backend.keyring
    window.dispose()


def test_it_opens_by_itself_once_when_only_signing_in_helps(
    qtbot: QtBot, backend: FakeSignIn, spawner: Spawner,
) -> None:
    window = SignInWindow(backend, spawner, app_name="SupportTray")
    qtbot.addWidget(window)
    window.connection_changed(ConnectionStatus(ConnectionState.CONNECTING))
    assert backend.opened == 0
    refused = ConnectionStatus(ConnectionState.ERROR, "refused", needs_sign_in=True)
    window.connection_changed(refused)
    window.hide()
    window.connection_changed(refused)  # the same turn: closed stays closed
    assert backend.opened == 1
    window.connection_changed(ConnectionStatus(ConnectionState.ONLINE))
    window.connection_changed(refused)
    assert backend.opened == 2
    spawner.run()
    window.dispose()
