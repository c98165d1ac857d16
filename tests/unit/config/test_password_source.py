"""The tray's password reader: the real keyring API, in a child process, over a pipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from supporttray.config.credentials import NO_KEYRING
from supporttray.config.password_source import ChildProcessPasswords, CredentialError
from supporttray.language import catalogue
from supporttray.language.sentence import shown

JID = "ann@example.org"


@pytest.fixture
def file_keyring(monkeypatch: pytest.MonkeyPatch, subprocess_env: dict[str, str]) -> dict[str, str]:
    """The reader's children inherit our environment: point it at a file keyring in tmp."""
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.setenv(name, subprocess_env[name])
    return subprocess_env


def store(env: dict[str, str], profile: Path, jid: str, password: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "supporttray", "--profile", str(profile), "login", jid,
         "--password-stdin"],
        input=password + "\n", env=env, text=True, capture_output=True, check=True, timeout=60,
    )


def test_the_stored_password_comes_back_with_and_without_prefetch(
    file_keyring: dict[str, str], profile_dir: Path
) -> None:
    store(file_keyring, profile_dir, JID, "s3cret with spaces & ünïcode")
    passwords = ChildProcessPasswords()
    passwords.prefetch("Ann@Example.org/laptop")
    assert passwords.get("Ann@Example.org/laptop") == "s3cret with spaces & ünïcode"
    assert passwords.get(JID) == "s3cret with spaces & ünïcode"


def test_no_stored_password_is_none(file_keyring: dict[str, str]) -> None:
    assert ChildProcessPasswords().get("nobody@example.org") is None


def test_a_stored_password_is_read_back_and_gone_once_forgotten(
    file_keyring: dict[str, str],
) -> None:
    # given a password stored through the child (as the Sign-in window stores it)
    passwords = ChildProcessPasswords()
    passwords.set("Ann@Example.org", "line one\nand ünïcode ")
    assert passwords.get(JID) == "line one\nand ünïcode "

    # when it is forgotten (Sign out), twice: nothing there is fine
    passwords.delete(JID)
    passwords.delete(JID)

    # then it is gone
    assert passwords.get(JID) is None


def test_storing_where_no_store_works_says_so_and_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(CredentialError) as caught:
        ChildProcessPasswords().set(JID, "hunter2")
    assert str(caught.value) == NO_KEYRING


def test_a_store_that_cannot_work_gives_the_same_sentence_as_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(CredentialError) as caught:
        ChildProcessPasswords().get(JID)
    assert str(caught.value) == NO_KEYRING


def test_the_readers_sentence_reaches_a_window_translatable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given no usable store, the child says why; the Sign-in window shows it in German
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(CredentialError) as caught:
        ChildProcessPasswords().get(JID)
    catalogue.install("de")
    try:
        assert shown(caught.value).startswith(
            "Auf diesem System ist kein Passwortspeicher (Schlüsselbund) verfügbar.")
    finally:
        catalogue.install("en")
    assert str(caught.value) == NO_KEYRING


def test_a_reader_that_cannot_start_is_a_sentence() -> None:
    with pytest.raises(CredentialError, match="Could not start the password reader"):
        ChildProcessPasswords(python="/nonexistent/python3").get(JID)


def test_a_reader_that_fails_never_has_its_output_repeated(tmp_path: Path) -> None:
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\necho 'half an answer: hunter2'\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(CredentialError) as caught:
        ChildProcessPasswords(python=str(fake)).get(JID)
    assert "hunter2" not in str(caught.value)
    assert "password reader failed" in str(caught.value)


def test_a_reader_that_hangs_is_stopped_with_a_sentence(tmp_path: Path) -> None:
    fake = tmp_path / "slow-python"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    with pytest.raises(CredentialError, match="did not answer within 1 seconds"):
        ChildProcessPasswords(python=str(fake), timeout=1).get(JID)


def test_the_tray_process_never_loads_keyring() -> None:
    """What `supporttray run` imports to show the tray and log in, in a fresh interpreter."""
    code = (
        "import sys\n"
        "import supporttray.cli, supporttray.launcher, supporttray.app.service\n"
        "import supporttray.ui.tray, supporttray.ipc.server\n"
        "from supporttray.launcher import password_source\n"
        "password_source('')\n"
        "print('keyring' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.split() == ["False"]
