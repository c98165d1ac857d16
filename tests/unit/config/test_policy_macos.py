"""The policy a configuration profile installs as managed preferences of
com.supporttray.SupportTray: read through a fake of CFPreferences, and from the plist macOS
keeps in /Library/Managed Preferences (a temporary directory here)."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from supporttray.config.machine_policy import load_machine_policy
from supporttray.config.policy import PolicyError
from supporttray.config.policy_macos import DOMAIN, ManagedPlist, read_managed_policy


class FakePreferences:
    """CFPreferencesCopyKeyList / CopyAppValue / AppValueIsForced over a dict."""

    def __init__(self, values: dict[str, object], forced: set[str]) -> None:
        self._values = values
        self._forced = forced

    def names(self) -> list[str]:
        return list(self._values)

    def value(self, key: str) -> object:
        return self._values[key]

    def is_forced(self, key: str) -> bool:
        return key in self._forced


def test_forced_preferences_are_enforced_and_the_rest_are_presets() -> None:
    prefs = FakePreferences(
        {"server.domain": "example.org", "support.staff": ["alice@example.org"],
         "app.autostart": False, "history.retention_days": 90,
         "branding.links": {"Helpdesk portal": "https://help.example.org"}},
        forced={"server.domain", "support.staff", "branding.links"})

    policy = read_managed_policy(prefs)

    assert dict(policy.enforced) == {
        "server.domain": "example.org", "support.staff": ("alice@example.org",),
        "branding.links": {"Helpdesk portal": "https://help.example.org"}}
    assert dict(policy.defaults) == {"app.autostart": False, "history.retention_days": 90}
    assert policy.origin("server.domain") == f"managed preferences {DOMAIN}"


def test_the_example_configuration_profile_is_a_valid_policy() -> None:
    # given the profile IT starts from (packaging/macos), installed: every key forced
    profile = Path(__file__).resolve().parents[3] / "packaging" / "macos"
    with (profile / "SupportTray.mobileconfig").open("rb") as stream:
        payload = plistlib.load(stream)["PayloadContent"][0]

    policy = read_managed_policy(FakePreferences(payload, forced=set(payload)))

    assert policy.enforced["server.domain"] == "example.org"
    assert policy.enforced["support.staff"] == ("alice@example.org", "bob@example.org")
    assert not any(key.startswith("Payload") for key in policy.enforced)


def test_no_managed_preferences_is_no_policy() -> None:
    policy = read_managed_policy(FakePreferences({}, set()))
    assert not policy.defaults and not policy.enforced


def test_a_bad_managed_value_is_refused_naming_the_domain_and_key() -> None:
    prefs = FakePreferences({"sysinfo.consent": "sometimes"}, forced={"sysinfo.consent"})

    with pytest.raises(PolicyError) as caught:
        read_managed_policy(prefs)

    assert DOMAIN in str(caught.value) and "sysinfo.consent" in str(caught.value)


def test_the_managed_plist_of_the_device_and_of_the_user_are_both_forced(
    tmp_path: Path,
) -> None:
    # given a device profile and a user profile, as macOS writes them
    (tmp_path / "ada").mkdir()
    (tmp_path / f"{DOMAIN}.plist").write_bytes(plistlib.dumps(
        {"server.domain": "example.org", "server.port": 5222, "PayloadUUID": "x"}))
    (tmp_path / "ada" / f"{DOMAIN}.plist").write_bytes(plistlib.dumps({"server.port": 5223}))

    # when the reader reads them for user ada
    policy = read_managed_policy(ManagedPlist("ada", tmp_path))

    # then both are enforced; the user's profile wins; the profile's own keys are left out
    assert dict(policy.enforced) == {"server.domain": "example.org", "server.port": 5223}
    assert not policy.defaults


def test_an_unreadable_managed_plist_is_an_error_not_no_policy(tmp_path: Path) -> None:
    (tmp_path / f"{DOMAIN}.plist").write_bytes(b"not a plist")

    with pytest.raises(PolicyError, match="cannot read the managed preferences"):
        ManagedPlist(None, tmp_path)


def test_managed_preferences_win_over_the_policy_file(tmp_path: Path) -> None:
    file = tmp_path / "policy.toml"
    file.write_text('[defaults]\nserver.domain = "file.example.org"\n'
                    'history.retention_days = 30\n', encoding="utf-8")
    prefs = FakePreferences({"server.domain": "mdm.example.org"}, forced={"server.domain"})

    policy = load_machine_policy(file, explicit=True, platform="darwin", preferences=prefs)

    assert policy.enforced["server.domain"] == "mdm.example.org"
    assert policy.defaults["history.retention_days"] == 30
    assert policy.origin("server.domain") == f"managed preferences {DOMAIN}"
    assert policy.origin("history.retention_days") == str(file)


def test_on_linux_the_file_alone_is_the_policy(tmp_path: Path) -> None:
    file = tmp_path / "policy.toml"
    file.write_text('[enforced]\nserver.domain = "example.org"\n', encoding="utf-8")

    policy = load_machine_policy(file, explicit=True, platform="linux")

    assert dict(policy.enforced) == {"server.domain": "example.org"}
    assert policy.origin("server.domain") == str(file)
