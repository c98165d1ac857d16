"""The Sign-in window: account, password (to the keyring only), the server, Check connection.

It opens by itself when only the person can fix the connection (no account, no stored password,
a refused one: ConnectionStatus.needs_sign_in) and from the tray menu ("Sign in…").
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.findings import Finding
from supporttray.app.sign_in import FormField, SignInError, SignInForm
from supporttray.core.connection import ConnectionStatus
from supporttray.language.catalogue import N_, _
from supporttray.language.sentence import Sentence, shown
from supporttray.ui.kept_window import KeptWindow, bring_to_front

log = logging.getLogger("supporttray.ui")

Spawn = Callable[[Coroutine[Any, Any, Any]], None]
LOCKED_NOTE = N_("Set by your organisation")


class SignInBackend(Protocol):
    """What the window needs of app/sign_in.SignIn."""

    def form(self) -> SignInForm: ...
    async def sign_in(self, account: str, password: str,
                      server: dict[str, str] | None = None) -> str: ...
    async def check(self, account: str, password: str) -> list[Finding]: ...
    async def keyring_problem(self) -> Sentence | None: ...
    async def sign_out(self) -> None: ...


class SignInWindow(KeptWindow):
    """Enter signs in, Esc closes; every failure is shown as the sentence that says what to do."""

    signed_in = Signal(str)  # the account, once stored and connecting

    def __init__(self, backend: SignInBackend, spawn: Spawn, *, app_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._backend = backend
        self._spawn = spawn
        self._busy = False
        self._asking = False  # the connection needs the person to sign in
        self.setObjectName("signInWindow")
        self.setWindowTitle(_("Sign in — {app_name}").format(app_name=app_name))
        self.setAccessibleName(_("Sign in"))

        intro = QLabel(_("Sign in to reach support. {app_name} keeps your password in this "
                         "computer's password store (keyring), never in a file."
                         ).format(app_name=app_name))
        intro.setWordWrap(True)

        self.account = QLineEdit()
        self.account.setObjectName("account")
        self.account.setPlaceholderText(_("you@example.org"))
        self.account.setAccessibleName(_("Account"))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Password"))
        form = QFormLayout()
        form.addRow(_("&Account:"), self.account)
        form.addRow(_("&Password:"), self.password)
        self.server: dict[str, QLineEdit] = {}
        self._locked_notes: dict[str, QLabel] = {}
        self._server_form = form

        # Why the keyring cannot be used, shown as soon as the window opens.
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setAccessibleName(_("Password store problem"))
        self.keyring_note.hide()
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setAccessibleName(_("Result"))
        # The sentences may be worth copying into a message to IT.
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.check_button = QPushButton(_("&Check connection"))
        self.check_button.setAccessibleName(_("Check connection"))
        self.check_button.setAccessibleDescription(
            _("Tries the server, its certificate and the login with what is typed, without saving"))
        self.check_button.clicked.connect(self.check_connection)
        self.sign_in_button = QPushButton(_("&Sign in"))
        self.sign_in_button.setAccessibleName(_("Sign in"))
        self.sign_in_button.setAccessibleDescription(
            _("Stores the password in the keyring and connects"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        # Enter in any field signs in (a QWidget has no default button of its own).
        self.account.returnPressed.connect(self.sign_in)
        self.password.returnPressed.connect(self.sign_in)
        self.setMinimumWidth(440)

    # -- the API the tray uses ------------------------------------------------------------
    @property
    def backend(self) -> SignInBackend:
        return self._backend

    def open(self) -> None:
        """Show the window filled from the settings and policy; look at the keyring meanwhile."""
        self._fill(self._backend.form())
        self.result.clear()
        bring_to_front(self)
        (self.password if self.account.text() else self.account).setFocus()
        self._spawn(self._look_at_keyring())

    def connection_changed(self, status: ConnectionStatus) -> None:
        """Open by itself when the connection starts to need the person to sign in (first
        start, a refused password, Sign out): once per such turn, not at every status."""
        if status.needs_sign_in and not self._asking:
            self.open()
        self._asking = status.needs_sign_in

    def server_values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.server.items() if not edit.isReadOnly()}

    # -- the person's actions -------------------------------------------------------------
    def sign_in(self) -> None:
        if not self._busy:
            self._set_busy(True, _("Signing in…"))
            self._spawn(self._sign_in(self.account.text(), self.password.text(),
                                      self.server_values()))

    def check_connection(self) -> None:
        if not self._busy:
            self._set_busy(True, _("Checking the connection…"))
            self._spawn(self._check(self.account.text(), self.password.text()))

    async def _sign_in(self, account: str, password: str, server: dict[str, str]) -> None:
        try:
            jid = await self._backend.sign_in(account, password, server)
        except SignInError as exc:
            self._set_busy(False, shown(exc))
            return
        except Exception:
            log.exception("signing in failed")
            self._set_busy(False, _("Signing in failed unexpectedly; the log says why. "
                                    "Try again, or ask IT."))
            return
        self.password.clear()
        self._set_busy(False, _("Signed in as {jid}; connecting.").format(jid=jid))
        self.signed_in.emit(jid)
        self.hide()

    async def _check(self, account: str, password: str) -> None:
        try:
            findings = await self._backend.check(account, password)
        except SignInError as exc:
            self._set_busy(False, shown(exc))
            return
        except Exception:
            log.exception("checking the connection failed")
            self._set_busy(False, _("The check failed unexpectedly; the log says why."))
            return
        self._set_busy(False, "\n".join(finding.translated() for finding in findings))

    async def _look_at_keyring(self) -> None:
        try:
            problem = await self._backend.keyring_problem()
        except Exception:
            log.exception("could not look at the keyring")
            return
        self.keyring_note.setText(shown(problem) if problem else "")
        self.keyring_note.setVisible(bool(problem))

    # -- internals -------------------------------------------------------------------------
    def _fill(self, form: SignInForm) -> None:
        self._show_field(self.account, form.account)
        for field in form.server:
            edit = self.server.get(field.key)
            if edit is None:
                edit = self.server[field.key] = QLineEdit()
                edit.setObjectName(field.key)
                edit.setAccessibleName(_(field.label))
                edit.returnPressed.connect(self.sign_in)
                note = QLabel(_(LOCKED_NOTE))
                note.setEnabled(False)  # greyed: a remark, not a control
                self._locked_notes[field.key] = note
                row = QHBoxLayout()
                row.addWidget(edit, 1)
                row.addWidget(note)
                self._server_form.addRow(_("{label}:").format(label=_(field.label)), row)
            self._show_field(edit, field)
            self._locked_notes[field.key].setVisible(field.locked)
        # Tab goes down the fields, then to Check connection and Sign in.
        chain: list[QWidget] = [self.account, self.password, *self.server.values(),
                                self.check_button, self.sign_in_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _show_field(edit: QLineEdit, field: FormField) -> None:
        edit.setText(field.value)
        edit.setReadOnly(field.locked)
        edit.setToolTip(_(LOCKED_NOTE) if field.locked else "")
        edit.setAccessibleDescription(_(LOCKED_NOTE) if field.locked else "")
        if field.locked and not field.value:
            edit.setPlaceholderText("")

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        self.check_button.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.result.setText(text)
