"""Signing in without a terminal: what the Sign-in window shows, and what signing in and out do.

The same steps as `supporttray login` (cli.py): the account is checked against the policy, the
password goes to the keyring only (through the tray's password child, so the tray never loads
keyring itself: see config/password_source), the account to the settings file; then the
running app connects at once.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from supporttray.app.findings import Finding
from supporttray.app.service import SupportService
from supporttray.config.password_source import CredentialError, PasswordKeeper
from supporttray.config.schema import InvalidValue, validate
from supporttray.config.settings import SettingLocked, Settings, SettingsError
from supporttray.core.jid import bare_jid, looks_like_bare_jid
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.app")

# doctor's account, server, TLS and login checks for an account and a typed password; blocking.
ConnectionCheck = Callable[[str, str], Sequence[Finding]]

# Labels are msgids: the window translates them where it shows them.
SERVER_FIELDS = (("server.domain", N_("Domain")), ("server.host", N_("Server")),
                 ("server.port", N_("Port")))


class SignInError(SentenceError):
    """Signing in (or out) did not work; str() is a sentence saying what to do."""


@dataclass(frozen=True)
class FormField:
    key: str  # the setting it shows
    label: str  # English msgid; the window shows _(label)
    value: str
    locked: bool  # set by the organisation's policy: shown read-only


@dataclass(frozen=True)
class SignInForm:
    account: FormField
    server: tuple[FormField, ...]


class SignIn:
    """The Sign-in window's backend (and Sign out's)."""

    def __init__(
        self,
        settings: Settings,
        passwords: PasswordKeeper,
        service: SupportService,
        check: ConnectionCheck,
        *,
        login_name: Callable[[], str] = getpass.getuser,
    ) -> None:
        self._settings = settings
        self._passwords = passwords
        self._service = service
        self._check = check
        self._login_name = login_name

    def form(self) -> SignInForm:
        """What the window shows: the account (or the policy's suggestion) and the server."""
        settings = self._settings
        account = FormField("account.jid", N_("Account"), self._suggested_account(),
                            settings.is_locked("account.jid"))
        server = tuple(FormField(key, label, str(settings.get(key) or ""),
                                 settings.is_locked(key))
                       for key, label in SERVER_FIELDS)
        return SignInForm(account, server)

    async def sign_in(self, account: str, password: str,
                      server: dict[str, str] | None = None) -> str:
        """Store the password and account, then connect at once; the signed-in account.

        SignInError (a sentence) when the account, the server details or the keyring say no;
        nothing is stored then.
        """
        jid = self._checked_account(account)
        if not password:
            raise SignInError(Sentence(N_("Enter your password.")))
        changes = self._server_changes(server or {})
        try:
            await asyncio.to_thread(self._passwords.set, jid, password)
        except CredentialError as exc:
            raise SignInError(exc.sentence) from None
        try:
            for key, value in changes.items():
                self._settings.set(key, value)
            if not self._settings.is_locked("account.jid"):
                self._settings.set("account.jid", jid)
            self._settings.save()
        except (SettingLocked, SettingsError, OSError) as exc:
            reason = exc.sentence if isinstance(exc, SentenceError) else Sentence.verbatim(str(exc))
            raise SignInError(Sentence(
                N_("The password is stored, but the account could not be saved: {reason}"),
                {"reason": reason})) from None
        log.info("signed in as %s from the Sign-in window", jid)
        await self._service.reconnect_now()
        return jid

    async def sign_out(self) -> None:
        """Forget the password in the keyring and go offline (the window then asks again)."""
        jid = bare_jid(self._service.account)
        if jid:
            try:
                await asyncio.to_thread(self._passwords.delete, jid)
            except CredentialError as exc:
                raise SignInError(exc.sentence) from None
        log.info("signed out %s", jid or "(no account)")
        await self._service.sign_out()

    async def check(self, account: str, password: str) -> list[Finding]:
        """doctor's sentences for this account and password, found on a worker thread."""
        jid = self._checked_account(account)
        return list(await asyncio.to_thread(self._check, jid, password))

    async def keyring_problem(self) -> Sentence | None:
        """None if the keyring can be used, else the sentence saying why not and how to fix it."""
        try:
            # Reading an account that never exists asks the store to open (and maybe unlock).
            await asyncio.to_thread(self._passwords.get, "sign-in-probe@supporttray.invalid")
        except CredentialError as exc:
            return exc.sentence
        return None

    def _suggested_account(self) -> str:
        jid = self._settings.get_str("account.jid")
        if jid:
            return jid
        template = self._settings.get_str("account.jid_template")
        if "{user}" not in template:
            return ""
        try:
            user = self._login_name()
        except (OSError, KeyError):  # no login name to be had (a container, a service user)
            return ""
        suggestion = template.replace("{user}", user.lower())
        return suggestion if looks_like_bare_jid(suggestion) else ""

    def _checked_account(self, account: str) -> str:
        account = account.strip()
        if not looks_like_bare_jid(account):
            raise SignInError(
                Sentence(N_("“{account}” is not a chat account; write it like you@example.org."),
                         {"account": account})
                if account else Sentence(N_("Enter your account, like you@example.org.")))
        jid = bare_jid(account)
        if self._settings.is_locked("account.jid"):
            enforced = self._settings.get_str("account.jid")
            if enforced and bare_jid(enforced) != jid:
                raise SignInError(Sentence(
                    N_("Your organisation's policy sets the account to {account}; sign in with "
                       "that one."), {"account": enforced}))
        return jid

    def _server_changes(self, server: dict[str, str]) -> dict[str, object]:
        """The server details the person changed (locked ones cannot be), checked like the
        settings file checks them."""
        changes: dict[str, object] = {}
        for key, label in SERVER_FIELDS:
            if key not in server or self._settings.is_locked(key):
                continue
            text = server[key].strip()
            value: object = text
            if key == "server.port":
                if not text.isdigit():
                    raise SignInError(Sentence(N_("{label} must be a number, like 5222."),
                                               {"label": Sentence(label)}))
                value = int(text)
            try:
                value = validate(key, value)
            except InvalidValue as exc:
                raise SignInError(Sentence("{label}: {problem}.", {
                    "label": Sentence(label), "problem": exc.sentence})) from None
            if value != self._settings.get(key):
                changes[key] = value
        return changes
