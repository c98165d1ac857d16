"""The account password, kept in the system's password store (keyring) and nowhere else.

Every failure of the store becomes a CredentialError whose message is a sentence the user can
act on. No password ever appears in a message, a log line or a chained exception.
"""

from __future__ import annotations

import logging

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, NoKeyringError, PasswordDeleteError

from supporttray.config.password_source import SERVICE, CredentialError
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence

__all__ = ["SERVICE", "CredentialError", "CredentialStore"]

log = logging.getLogger("supporttray.config")

NO_KEYRING = N_(
    "No password store (keyring) is available on this system. Install and unlock a keyring "
    "such as GNOME Keyring or KWallet, or set PYTHON_KEYRING_BACKEND to a backend you trust, "
    "then try again."
)
KEYRING_LOCKED = N_(
    "The password store (keyring) is locked. Unlock it (for example by logging in to your "
    "desktop session or opening your keyring manager), then try again."
)
# What the store was asked to do, inside the sentences below.
_READ = N_("read the password")
_SAVE = N_("save the password")
_DELETE = N_("delete the password")


class CredentialStore:
    """Passwords per account, under one keyring service name.

    JIDs are stored by their bare, lower-cased form, so `Alice@Example.org/laptop` and
    `alice@example.org` name the same password.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def get(self, jid: str) -> str | None:
        """The stored password, or None if there is none."""
        account = _account(jid)
        try:
            password = keyring.get_password(self.service, account)
        except Exception as exc:  # backends raise anything (dbus, OSError, ...)
            failure = _Failure(exc, _READ, secret=None)
        else:
            return password if isinstance(password, str) else None
        raise failure.error() from failure.cause

    def set(self, jid: str, password: str) -> None:
        """Store (or replace) the password."""
        account = _account(jid)
        try:
            keyring.set_password(self.service, account, password)
        except Exception as exc:  # see get()
            failure = _Failure(exc, _SAVE, secret=password)
        else:
            log.info("password for %s stored in %s", account, self.backend_name())
            return
        # Raised outside the except block, so a backend error that quotes the password is not
        # even kept as __context__.
        raise failure.error() from failure.cause

    def delete(self, jid: str) -> None:
        """Remove the password; a password that is not there is fine."""
        account = _account(jid)
        try:
            keyring.delete_password(self.service, account)
        except PasswordDeleteError:
            # keyring's way of saying "there was nothing to delete".
            return
        except Exception as exc:  # see get()
            failure = _Failure(exc, _DELETE, secret=None)
        else:
            return
        raise failure.error() from failure.cause

    def backend_name(self) -> str:
        """Which password store is in use, e.g. for `doctor`; never raises."""
        try:
            backend = keyring.get_keyring()
        except Exception as exc:  # a diagnostic must not fail
            return f"unknown ({type(exc).__name__})"
        return _describe_backend(backend)

    def check(self) -> Sentence | None:
        """None if the password store works, else the sentence saying why not (for `doctor`)."""
        try:
            # Reading an account that never exists asks the store to open (and maybe unlock).
            self.get("doctor-probe@supporttray.invalid")
        except CredentialError as exc:
            return exc.sentence
        return None


def _account(jid: str) -> str:
    account = jid.strip().split("/", 1)[0].lower()
    if not account:
        raise ValueError("a JID is needed to look up a password")
    return account


def _describe_backend(backend: KeyringBackend) -> str:
    kind = type(backend)
    name = f"{kind.__module__}.{kind.__qualname__}"
    # The chainer tries several stores in turn; doctor should show which.
    inner = getattr(backend, "backends", None)
    if isinstance(inner, list | tuple) and inner:
        name += " [" + ", ".join(_describe_backend(b) for b in inner) + "]"
    return name


class _Failure:
    """A backend exception turned into what may leave this module: a sentence and a safe cause."""

    def __init__(self, exc: Exception, doing: str, *, secret: str | None) -> None:
        log.debug("keyring could not %s: %s", doing, type(exc).__name__)
        self._message = _sentence(exc, doing, secret)
        # Keep the original for the log's traceback, unless it might carry the password.
        leaks = secret is not None and any(secret in str(part) for part in (exc, *exc.args))
        self.cause: Exception | None = None if leaks else exc

    def error(self) -> CredentialError:
        return CredentialError(self._message)


def _sentence(exc: Exception, doing: str, secret: str | None) -> Sentence:
    if isinstance(exc, NoKeyringError):
        return Sentence(NO_KEYRING)
    if isinstance(exc, KeyringLocked):
        return Sentence(KEYRING_LOCKED)
    detail = _scrub(str(exc), secret)
    # The backend's own words, in brackets, or nothing: they stay as the backend wrote them.
    reason = f" ({detail})" if detail else ""
    if isinstance(exc, KeyringError):
        return Sentence(N_("The password store (keyring) could not {doing}{reason}. Check that "
                           "your keyring is running and unlocked, then try again."),
                        {"doing": Sentence(doing), "reason": reason})
    return Sentence(N_("The password store (keyring) failed while trying to {doing}: "
                       "{error}{reason}. Check that your keyring is running and unlocked, then "
                       "try again."),
                    {"doing": Sentence(doing), "error": type(exc).__name__, "reason": reason})


def _scrub(text: str, secret: str | None) -> str:
    """The backend's own message, unless it might carry the password; one line, bounded."""
    if secret and secret in text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."
