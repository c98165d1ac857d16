r"""The policy Group Policy writes under HKLM\Software\Policies\SupportTray, read through a fake
`winreg` that keeps keys as the registry does (values with their types, subkeys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.config.machine_policy import load_machine_policy
from supporttray.config.policy import PolicyError
from supporttray.config.policy_windows import read_registry_policy
from tests.helpers import REG_DWORD, REG_MULTI_SZ, REG_SZ, FakeWinreg

POLICIES = r"Software\Policies\SupportTray"


def test_a_machine_without_the_key_has_no_registry_policy() -> None:
    policy = read_registry_policy(FakeWinreg())
    assert not policy.defaults and not policy.enforced


def test_group_policy_values_become_typed_settings_in_their_tables() -> None:
    # given what the ADMX template (and the MSI's properties) write
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Enforced", "server.domain", "example.org", REG_SZ)
    reg.set(POLICIES + r"\Enforced", "server.port", 5223, REG_DWORD)
    reg.set(POLICIES + r"\Enforced", "support.staff", ["alice@example.org", "bob@example.org"],
            REG_MULTI_SZ)
    reg.set(POLICIES + r"\Enforced", "support.mode", "staff", REG_SZ)
    reg.set(POLICIES + r"\Defaults", "app.autostart", 0, REG_DWORD)
    reg.set(POLICIES + r"\Defaults", "history.retention_days", "90", REG_SZ)  # an MSI property
    reg.set(POLICIES + r"\Defaults", "sysinfo.new_request_after_hours", "4.5", REG_SZ)

    # when the reader reads them
    policy = read_registry_policy(reg)

    # then each is the schema's type, in the table its subkey names
    assert dict(policy.enforced) == {
        "server.domain": "example.org", "server.port": 5223,
        "support.staff": ("alice@example.org", "bob@example.org"), "support.mode": "staff"}
    assert dict(policy.defaults) == {"app.autostart": False, "history.retention_days": 90,
                                     "sysinfo.new_request_after_hours": 4.5}
    # read from the 64-bit view, whatever the build
    assert all(access & FakeWinreg.KEY_WOW64_64KEY for access in reg.opened_with)


def test_a_list_written_as_one_string_is_split_at_commas_and_semicolons() -> None:
    # given an MSI property STAFF="alice@example.org; bob@example.org,carol@example.org"
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Enforced", "support.staff",
            "alice@example.org; bob@example.org,carol@example.org", REG_SZ)

    policy = read_registry_policy(reg)

    assert policy.enforced["support.staff"] == (
        "alice@example.org", "bob@example.org", "carol@example.org")


def test_a_saved_group_is_a_value_named_for_it() -> None:
    # given IT's "Dev team" for `supporttray check --to dev-team`, as Group Policy writes it
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Defaults", "groups.dev-team", "ann@example.org;ben@example.org",
            REG_SZ)

    policy = read_registry_policy(reg)

    assert policy.defaults["groups.dev-team"] == ("ann@example.org", "ben@example.org")


def test_an_empty_string_is_a_property_the_msi_was_not_given() -> None:
    # given `msiexec /i SupportTray.msi /qn DOMAIN=example.org` (no MODE, no STAFF)
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Enforced", "server.domain", "example.org", REG_SZ)
    reg.set(POLICIES + r"\Enforced", "support.mode", "", REG_SZ)
    reg.set(POLICIES + r"\Enforced", "support.staff", "", REG_SZ)

    policy = read_registry_policy(reg)

    assert dict(policy.enforced) == {"server.domain": "example.org"}


def test_branding_links_are_a_subkey_of_label_and_link() -> None:
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Enforced\branding.links", "Helpdesk portal",
            "https://help.example.org", REG_SZ)
    reg.set(POLICIES + r"\Enforced\branding.links", "Call support", "tel:+15550100", REG_SZ)

    policy = read_registry_policy(reg)

    assert dict(policy.enforced["branding.links"]) == {
        "Helpdesk portal": "https://help.example.org", "Call support": "tel:+15550100"}


def test_a_bad_value_stops_the_start_naming_the_registry_key_and_the_setting() -> None:
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Enforced", "server.port", 70000, REG_DWORD)

    with pytest.raises(PolicyError) as caught:
        read_registry_policy(reg)

    message = str(caught.value)
    assert "HKLM" in message and "Software" in message and "Policies" in message
    assert "server.port" in message


def test_a_misspelt_value_name_is_refused_with_a_suggestion() -> None:
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Defaults", "server.domian", "example.org", REG_SZ)

    with pytest.raises(PolicyError, match=r"did you mean .server\.domain."):
        read_registry_policy(reg)


def test_registry_values_win_over_the_file_and_doctor_can_say_where_each_came_from(
    tmp_path: Path,
) -> None:
    # given a policy file and Group Policy setting some of the same keys
    file = tmp_path / "policy.toml"
    file.write_text('[enforced]\nserver.domain = "file.example.org"\nserver.port = 5222\n'
                    '[defaults]\nhistory.retention_days = 30\napp.autostart = true\n',
                    encoding="utf-8")
    reg = FakeWinreg()
    reg.set(POLICIES + r"\Enforced", "server.domain", "gpo.example.org", REG_SZ)
    reg.set(POLICIES + r"\Defaults", "history.retention_days", 90, REG_DWORD)
    reg.set(POLICIES + r"\Defaults", "server.port", 5223, REG_DWORD)

    # when the app loads the machine policy on Windows
    policy = load_machine_policy(file, explicit=True, platform="win32", winreg=reg)

    # then the registry's values win, a file's lock stays a lock, and each key names its source
    assert policy.enforced["server.domain"] == "gpo.example.org"
    assert policy.defaults["history.retention_days"] == 90
    assert policy.enforced["server.port"] == 5222  # a registry preset does not unlock it
    assert policy.origin("server.domain") == r"HKLM\Software\Policies\SupportTray\Enforced"
    assert policy.origin("history.retention_days") == (
        r"HKLM\Software\Policies\SupportTray\Defaults")
    assert policy.origin("server.port") == str(file)
    assert policy.origin("app.autostart") == str(file)
    assert policy.origin("server.host") is None
