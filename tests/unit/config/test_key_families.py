"""Key families: `groups.NAME = [JIDs]`, one key per group the person names."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.config.policy import Policy, PolicyError, load_policy
from supporttray.config.settings import Settings, SettingsError


def test_groups_are_read_from_the_policy_in_any_spelling(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        '[defaults]\ngroups.dev-team = ["ann@example.org", "bob@example.org"]\n'
        '[enforced.groups]\nops = ["cy@example.org"]\n', encoding="utf-8")
    settings = Settings(load_policy(policy_file, explicit=True))
    assert settings.get_family("groups") == {
        "dev-team": ["ann@example.org", "bob@example.org"], "ops": ["cy@example.org"]}
    assert settings.is_locked("groups.ops") and not settings.is_locked("groups.dev-team")


def test_a_users_group_adds_to_the_policys() -> None:
    settings = Settings(Policy(None, defaults={"groups.dev": ["ann@example.org"]}),
                        user={"groups.mine": ["bob@example.org"]})
    assert settings.get_family("groups") == {"dev": ["ann@example.org"],
                                             "mine": ["bob@example.org"]}


def test_a_member_that_is_not_an_address_is_refused_with_the_key(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text('[enforced]\ngroups.dev = ["ann"]\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"groups\.dev"):
        load_policy(policy_file, explicit=True)


def test_the_family_itself_is_not_a_key() -> None:
    with pytest.raises(SettingsError):
        Settings(Policy.empty(), user={"groups": ["ann@example.org"]})
