"""The account password in the keyring: round trips, and every failure as a usable sentence."""

from __future__ import annotations

import logging

import keyring
import pytest
from hypothesis import given
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError, KeyringLocked

from supporttray.config.credentials import (
    KEYRING_LOCKED,
    NO_KEYRING,
    CredentialError,
    CredentialStore,
)


class BrokenKeyring(KeyringBackend):
    """A backend whose every operation raises the exception it is given."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class EchoingKeyring(KeyringBackend):
    """A careless backend that puts the password it was given into its error message."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"could not store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        return None


def exception_chain(exc: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def test_a_password_survives_set_and_get() -> None:
    store = CredentialStore()

    store.set("alice@example.org", "s3cret")

    assert store.get("alice@example.org") == "s3cret"


def test_an_unknown_account_has_no_password() -> None:
    assert CredentialStore().get("nobody@example.org") is None


def test_a_full_or_differently_cased_jid_finds_the_same_password() -> None:
    store = CredentialStore()
    store.set("Alice@Example.org", "s3cret")

    assert store.get("alice@example.org/laptop") == "s3cret"


def test_deleting_removes_the_password_and_deleting_again_is_fine() -> None:
    store = CredentialStore()
    store.set("alice@example.org", "s3cret")

    store.delete("alice@example.org")
    store.delete("alice@example.org")

    assert store.get("alice@example.org") is None


def test_a_working_keyring_passes_the_check_and_is_named() -> None:
    store = CredentialStore()

    assert store.check() is None
    assert "InMemoryKeyring" in store.backend_name()


def test_passwords_are_kept_per_service() -> None:
    CredentialStore("supporttray-test").set("alice@example.org", "other")

    assert CredentialStore().get("alice@example.org") is None


@pytest.mark.parametrize("operation", ["get", "set", "delete"])
def test_no_keyring_backend_gives_the_install_a_keyring_sentence(operation: str) -> None:
    # Given a system without a usable password store (keyring's `fail` backend)
    keyring.set_keyring(fail.Keyring())
    store = CredentialStore()

    with pytest.raises(CredentialError) as caught:
        if operation == "set":
            store.set("alice@example.org", "s3cret")
        else:
            getattr(store, operation)("alice@example.org")

    assert str(caught.value) == NO_KEYRING
    assert str(caught.value).startswith("No password store (keyring) is available")


def test_the_check_explains_a_missing_keyring() -> None:
    keyring.set_keyring(fail.Keyring())

    assert str(CredentialStore().check()) == NO_KEYRING


def test_a_locked_keyring_says_to_unlock_it() -> None:
    keyring.set_keyring(BrokenKeyring(KeyringLocked("locked")))

    with pytest.raises(CredentialError) as caught:
        CredentialStore().get("alice@example.org")

    assert str(caught.value) == KEYRING_LOCKED


def test_any_backend_failure_becomes_a_credential_error() -> None:
    # Given a backend that fails with something keyring itself does not wrap (e.g. D-Bus gone)
    keyring.set_keyring(BrokenKeyring(ConnectionRefusedError(111, "Connection refused")))

    with pytest.raises(CredentialError) as caught:
        CredentialStore().get("alice@example.org")

    assert "could not" in str(caught.value) or "failed" in str(caught.value)
    assert "ConnectionRefusedError" in str(caught.value)


@given(suffix=st.text())
def test_no_password_ever_appears_in_an_exception(suffix: str) -> None:
    # (A marker prefix, so the password is never a mere substring of the fixed sentences.)
    password = "Zq9!" + suffix
    # Given a backend that echoes the password in its own error message
    keyring.set_keyring(EchoingKeyring())

    with pytest.raises(CredentialError) as caught:
        CredentialStore().set("alice@example.org", password)

    for exc in exception_chain(caught.value):
        assert password not in str(exc)
        assert all(password not in str(arg) for arg in exc.args)


def test_no_password_appears_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="supporttray")

    CredentialStore().set("alice@example.org", "s3cret-in-log?")
    keyring.set_keyring(EchoingKeyring())
    with pytest.raises(CredentialError):
        CredentialStore().set("alice@example.org", "s3cret-in-log?")

    assert caplog.records
    assert "s3cret-in-log?" not in caplog.text
