"""The Sign-in window's backend: what it suggests, what it refuses, where the password goes."""

from __future__ import annotations

import pytest

from supporttray.app.service import SupportService
from supporttray.app.sign_in import SignIn, SignInError
from supporttray.config.password_source import CredentialError
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.service_settings import support_config


class MemoryKeyring:
    def __init__(self, error: str | None = None) -> None:
        self.passwords: dict[str, str] = {}
        self.error = error

    def get(self, jid: str) -> str | None:
        if self.error:
            raise CredentialError(self.error)
        return self.passwords.get(jid)

    def set(self, jid: str, password: str) -> None:
        if self.error:
            raise CredentialError(self.error)
        self.passwords[jid] = password

    def delete(self, jid: str) -> None:
        self.passwords.pop(jid, None)


def sign_in_for(enforced: dict[str, object] | None = None,
                defaults: dict[str, object] | None = None,
                keyring: MemoryKeyring | None = None) -> tuple[SignIn, Settings, MemoryKeyring]:
    settings = Settings(Policy(source=None, enforced=enforced or {}, defaults=defaults or {}))
    keyring = keyring or MemoryKeyring()
    service = SupportService(support_config(settings), keyring)
    backend = SignIn(settings, keyring, service, lambda _j, _p: [], login_name=lambda: "Ann")
    return backend, settings, keyring


def test_the_account_is_built_from_the_login_name_by_the_policy_template() -> None:
    backend, _, _ = sign_in_for(defaults={"account.jid_template": "{user}@example.org"})
    assert backend.form().account.value == "ann@example.org"


def test_the_policy_account_wins_over_the_template_and_is_locked() -> None:
    backend, _, _ = sign_in_for(enforced={"account.jid": "it-ann@example.org",
                                          "server.domain": "example.org"},
                                defaults={"account.jid_template": "{user}@example.org"})
    form = backend.form()
    assert (form.account.value, form.account.locked) == ("it-ann@example.org", True)
    assert [f.locked for f in form.server] == [True, False, False]


@pytest.mark.asyncio
async def test_signing_in_stores_the_password_in_the_keyring_and_the_account_in_settings() -> None:
    backend, settings, keyring = sign_in_for()
    assert await backend.sign_in(" Ann@Example.org ", "s3cret") == "ann@example.org"
    assert keyring.passwords == {"ann@example.org": "s3cret"}
    assert settings.get_str("account.jid") == "ann@example.org"
    assert "s3cret" not in str(settings.user_values())


@pytest.mark.asyncio
async def test_another_account_than_the_policy_sets_is_refused_and_nothing_is_stored() -> None:
    backend, _, keyring = sign_in_for(enforced={"account.jid": "ann@example.org"})
    with pytest.raises(SignInError, match=r"policy sets the account to ann@example\.org"):
        await backend.sign_in("bob@example.org", "s3cret")
    assert keyring.passwords == {}


@pytest.mark.asyncio
async def test_no_usable_keyring_is_the_keyrings_sentence_and_no_file_is_written() -> None:
    broken = MemoryKeyring(error="No password store (keyring) is available on this system.")
    backend, settings, _ = sign_in_for(keyring=broken)
    with pytest.raises(SignInError, match="No password store"):
        await backend.sign_in("ann@example.org", "s3cret")
    assert settings.user_values() == {}
    assert str(await backend.keyring_problem()) == broken.error


@pytest.mark.asyncio
async def test_a_bad_port_is_a_sentence_before_anything_is_stored() -> None:
    backend, _, keyring = sign_in_for()
    with pytest.raises(SignInError, match="Port must be a number"):
        await backend.sign_in("ann@example.org", "s3cret", {"server.port": "52x"})
    assert keyring.passwords == {}


@pytest.mark.asyncio
async def test_signing_out_forgets_the_password_and_asks_to_sign_in_again() -> None:
    backend, _, keyring = sign_in_for(enforced={"account.jid": "ann@example.org"})
    keyring.passwords["ann@example.org"] = "s3cret"
    await backend.sign_out()
    assert keyring.passwords == {}
    assert backend._service.monitor.status.needs_sign_in
