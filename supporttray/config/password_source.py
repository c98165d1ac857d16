"""Where the tray gets the account password: the keyring, read by a short-lived child process.

keyring, and what it pulls in (importlib_metadata, jaraco, more_itertools, email, ...), cost
the tray 4.3 MB for its whole life and about 50 ms of start-up on the UI thread, to read one
password at login. A child process (`python -m supporttray.config.password_child SERVICE
JID`) reads it instead, on the other core while the tray starts, and hands it back over a
pipe: the password is never in argv, the environment or a log. A desktop keyring that asks
to be unlocked asks from there.

The tray's side imports no keyring; `CredentialStore` (config/credentials.py) is the keyring
itself, used in-process by `login`, `doctor`, the demo and frozen builds.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from typing import Protocol, runtime_checkable

from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.config")

SERVICE = "supporttray"  # the keyring's service name for every SupportTray password
# A desktop keyring may wait for the person to type their keyring password.
READ_TIMEOUT_SECONDS = 300.0


class CredentialError(SentenceError):
    """The password store cannot be used; a sentence for the user, without the password: English
    in str() (`login`, `doctor`, the log), translated where a window shows it."""


class PasswordSource(Protocol):
    def get(self, jid: str) -> str | None:
        """The stored password for `jid`, None if there is none; CredentialError if the store
        cannot be used. May block (call it on a worker thread)."""
        ...


@runtime_checkable
class PasswordKeeper(PasswordSource, Protocol):
    """A password source that can also store and forget (the Sign-in window, Sign out)."""

    def set(self, jid: str, password: str) -> None:
        """Store (or replace) the password; CredentialError if the store cannot be used."""
        ...

    def delete(self, jid: str) -> None:
        """Forget the password (none stored is fine); CredentialError as for set."""
        ...


class ChildProcessPasswords:
    """Reads passwords from the keyring in a child process, one process per read."""

    def __init__(self, service: str = SERVICE, *, python: str = sys.executable,
                 timeout: float = READ_TIMEOUT_SECONDS) -> None:
        self.service = service
        self._python = python
        self._timeout = timeout
        self._lock = threading.Lock()
        self._started: dict[str, subprocess.Popen[str]] = {}

    def prefetch(self, jid: str) -> None:
        """Start reading `jid`'s password now, for a `get` that follows soon."""
        if not jid:
            return
        with self._lock:
            if jid not in self._started:
                self._started[jid] = self._start(jid)

    def get(self, jid: str) -> str | None:
        with self._lock:
            child = self._started.pop(jid, None)
        if child is None:
            child = self._start(jid)
        try:
            out, _err = child.communicate(timeout=self._timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise CredentialError(Sentence(
                N_("The password store (keyring) did not answer within {seconds} seconds. Check "
                   "that your keyring is running and unlocked, then use Reconnect."),
                {"seconds": f"{self._timeout:.0f}"})) from None
        return _answer(out, child.returncode)

    def set(self, jid: str, password: str) -> None:
        """Store the password, written to the child's stdin (the Sign-in window)."""
        self._change(jid, "--store", password)

    def delete(self, jid: str) -> None:
        """Forget the password (Sign out)."""
        with self._lock:
            stale = self._started.pop(jid, None)
        if stale is not None:
            stale.kill()
            stale.communicate()
        self._change(jid, "--forget", "")

    def _change(self, jid: str, how: str, stdin: str) -> None:
        child = self._start(jid, how)
        try:
            out, _err = child.communicate(stdin, timeout=self._timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise CredentialError(Sentence(
                N_("The password store (keyring) did not answer within {seconds} seconds. Check "
                   "that your keyring is running and unlocked, then try again."),
                {"seconds": f"{self._timeout:.0f}"})) from None
        _answer(out, child.returncode)

    def close(self) -> None:
        """Stop reads still under way (the app is quitting)."""
        with self._lock:
            started, self._started = list(self._started.values()), {}
        for child in started:
            child.kill()
            child.communicate()

    def _start(self, jid: str, *how: str) -> subprocess.Popen[str]:
        try:
            # Which password to read is no secret; the answer comes back over the pipe, and a
            # password to store goes in over stdin.
            child = subprocess.Popen(
                [self._python, "-m", "supporttray.config.password_child", self.service, jid,
                 *how],
                stdin=subprocess.PIPE if how else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8",
            )
        except OSError as exc:
            raise CredentialError(Sentence(
                N_("Could not start the password reader ({reason}). Reinstall SupportTray, or "
                   "ask IT."), {"reason": exc.strerror or exc})) from None
        return child


def _answer(out: str, returncode: int | None) -> str | None:
    try:
        answer = json.loads(out)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or returncode != 0:
        # Never echo `out`: it may hold the password.
        log.error("the password reader ended with code %s and no readable answer", returncode)
        raise CredentialError(Sentence(N_(
            "The password store (keyring) could not be read: the password reader failed. "
            "Run `supporttray doctor` for details.")))
    sentence = Sentence.from_data(answer.get("sentence"))
    error = answer.get("error")
    if sentence is not None:
        raise CredentialError(sentence)
    if isinstance(error, str):
        raise CredentialError(error)
    if answer.get("done") is True:
        return None
    password = answer.get("password")
    return password if isinstance(password, str) else None
