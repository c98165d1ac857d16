"""Test-wide setup: Qt offscreen, an in-memory keyring, and no touching of the real home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt: widget tests run offscreen (which has no system tray).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The suite reads English text: a developer's German desktop (LANG=de_DE.UTF-8) must not change
# what `app.language = "system"` picks, here or in a `supporttray` child that inherits this.
os.environ["LANGUAGE"] = "C"

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class InMemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict, for in-process tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[InMemoryKeyring]:
    backend = InMemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def english_catalogue() -> Iterator[None]:
    """A test that switches the language does not leave it switched for the next one."""
    yield
    from supporttray.language import catalogue

    catalogue.install("en")


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    """A --profile directory for one app instance."""
    path = tmp_path / "profile"
    path.mkdir()
    return path


@pytest.fixture
def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a `supporttray` child: file keyring in a temp dir, offscreen Qt."""
    env = dict(os.environ)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_RUNTIME_DIR=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("SUPPORTTRAY_HOME", None)
    env.pop("SUPPORTTRAY_POLICY", None)
    return env
