"""Settings as the user and the settings dialog see them: layers, locks and the settings file."""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supporttray.config.paths import Paths, resolve_paths
from supporttray.config.policy import Policy
from supporttray.config.schema import KEYS
from supporttray.config.settings import (
    SettingLocked,
    Settings,
    SettingsError,
    load_settings,
)
from supporttray.config.tomlfile import dump_settings, toml_string


def paths_in(directory: Path) -> Paths:
    return resolve_paths(str(directory), {})


# -- layering -----------------------------------------------------------------------------------


def test_with_nothing_set_the_built_in_default_applies() -> None:
    settings = Settings(Policy.empty())

    assert settings.get_int("server.port") == 5222
    assert settings.source("server.port") == "default"
    assert not settings.is_locked("server.port")


def test_a_policy_default_overrides_the_built_in_default() -> None:
    settings = Settings(Policy(source=None, defaults={"server.port": 5223}))

    assert settings.get_int("server.port") == 5223
    assert settings.source("server.port") == "policy-default"
    assert not settings.is_locked("server.port")


def test_the_user_overrides_a_policy_default() -> None:
    settings = Settings(Policy(source=None, defaults={"app.autostart": False}))

    settings.set("app.autostart", True)

    assert settings.get_bool("app.autostart") is True
    assert settings.source("app.autostart") == "user"


def test_an_enforced_setting_wins_over_the_user_and_is_locked() -> None:
    policy = Policy(
        source=None,
        defaults={"server.host": "a.example.org"},
        enforced={"server.host": "b.example.org"},
    )
    settings = Settings(policy, {"server.host": "mine.example.org"})

    assert settings.get_str("server.host") == "b.example.org"
    assert settings.source("server.host") == "policy-enforced"
    assert settings.is_locked("server.host")


def test_changing_a_locked_setting_is_refused_and_changes_nothing() -> None:
    settings = Settings(Policy(source=None, enforced={"server.host": "xmpp.example.org"}))

    with pytest.raises(SettingLocked) as caught:
        settings.set("server.host", "evil.example.net")

    assert str(caught.value) == (
        "'server.host' is set by your organisation's policy and cannot be changed here."
    )
    assert settings.get("server.host") == "xmpp.example.org"
    assert settings.user_values() == {}


def test_resetting_a_setting_brings_back_the_policy_default() -> None:
    settings = Settings(Policy(source=None, defaults={"branding.name": "Help Desk"}))
    settings.set("branding.name", "Mine")

    settings.reset("branding.name")

    assert settings.get_str("branding.name") == "Help Desk"


def test_as_dict_gives_every_effective_value() -> None:
    settings = Settings(Policy(source=None, enforced={"support.mode": "staff"}))

    values = settings.as_dict()

    assert set(values) == set(KEYS)
    assert values["support.mode"] == "staff"
    assert values["sysinfo.fields"] == list(KEYS["sysinfo.fields"].default)  # type: ignore[call-overload]


# -- changing values ----------------------------------------------------------------------------


def test_setting_an_invalid_value_is_refused_with_the_key() -> None:
    settings = Settings(Policy.empty())

    with pytest.raises(SettingsError) as caught:
        settings.set("server.port", 70000)

    assert str(caught.value) == "must be from 1 to 65535, got 70000 (key 'server.port')"
    assert settings.get("server.port") == 5222


def test_setting_an_unknown_key_is_refused_with_a_suggestion() -> None:
    settings = Settings(Policy.empty())

    with pytest.raises(SettingsError) as caught:
        settings.set("branding.nmae", "x")

    assert caught.value.key == "branding.nmae"
    assert "did you mean 'branding.name'?" in str(caught.value)


def test_a_list_handed_out_cannot_change_the_setting() -> None:
    settings = Settings(Policy.empty(), {"support.staff": ["alice@example.org"]})

    settings.get_str_list("support.staff").append("mallory@example.net")

    assert settings.get("support.staff") == ["alice@example.org"]


def test_asking_for_the_wrong_type_of_a_setting_is_a_programming_error() -> None:
    settings = Settings(Policy.empty())

    with pytest.raises(TypeError):
        settings.get_int("server.host")


def test_a_whole_number_set_for_a_fractional_setting_reads_back_as_float() -> None:
    settings = Settings(Policy.empty())

    settings.set("sysinfo.new_request_after_hours", 2)

    assert settings.get_float("sysinfo.new_request_after_hours") == 2.0


# -- the settings file --------------------------------------------------------------------------


def test_user_settings_survive_save_and_load(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    policy = Policy(source=None, defaults={"branding.name": "Help Desk"})
    settings = load_settings(paths, policy)
    settings.set("support.staff", ["alice@example.org", "bob@example.org"])
    settings.set("sysinfo.new_request_after_hours", 1.5)
    settings.set("app.autostart", False)

    settings.save()
    reloaded = load_settings(paths, policy)

    assert reloaded.user_values() == settings.user_values()
    assert reloaded.as_dict() == settings.as_dict()


def test_the_settings_file_holds_only_the_user_layer(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    policy = Policy(
        source=None, defaults={"branding.name": "Help Desk"}, enforced={"server.port": 5223}
    )
    settings = load_settings(paths, policy)
    settings.set("server.host", "xmpp.example.org")

    settings.save()

    written = tomllib.loads(paths.settings_file.read_text(encoding="utf-8"))
    assert written == {"server": {"host": "xmpp.example.org"}}


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_settings_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    settings = load_settings(paths, Policy.empty())
    settings.set("account.jid", "alice@example.org")

    settings.save()

    assert stat.S_IMODE(paths.settings_file.stat().st_mode) == 0o600


def test_saving_leaves_no_temporary_files_behind(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    settings = load_settings(paths, Policy.empty())
    settings.set("branding.name", "first")
    settings.save()
    settings.set("branding.name", "second")

    settings.save()

    assert [p.name for p in paths.config_dir.iterdir()] == ["settings.toml"]
    assert load_settings(paths, Policy.empty()).get("branding.name") == "second"


def test_in_memory_settings_write_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(Policy.empty())
    settings.set("branding.name", "x")

    settings.save()

    assert list(tmp_path.iterdir()) == []


def test_a_user_file_value_for_an_enforced_key_is_not_an_error_and_has_no_effect(
    tmp_path: Path,
) -> None:
    paths = paths_in(tmp_path)
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text("server.port = 5280\n", encoding="utf-8")
    policy = Policy(source=None, enforced={"server.port": 5222})

    settings = load_settings(paths, policy)

    assert settings.get("server.port") == 5222
    assert settings.source("server.port") == "policy-enforced"


def test_no_settings_file_means_no_user_values(tmp_path: Path) -> None:
    settings = load_settings(paths_in(tmp_path), Policy.empty())

    assert settings.user_values() == {}


@pytest.mark.parametrize(
    ("text", "line", "key", "expected"),
    [
        ('branding.name = "x"\nserver.prot = 1\n', 2, "server.prot", "did you mean 'server.port'?"),
        ('[server]\nhost = "a.example.org"\nport = "x"\n', 3, "server.port", "whole number"),
        ("server.port = = 1\n", 1, None, "TOML syntax error"),
        ("[enforced]\nserver.port = 1\n", 2, "enforced.server.port", "unknown setting"),
    ],
)
def test_a_bad_settings_file_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str | None, expected: str
) -> None:
    paths = paths_in(tmp_path)
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text(text, encoding="utf-8")

    with pytest.raises(SettingsError) as caught:
        load_settings(paths, Policy.empty())

    error = caught.value
    assert (error.path, error.line, error.key) == (paths.settings_file, line, key)
    assert str(error).startswith(f"{paths.settings_file}:{line}: ")
    assert expected in str(error)


# -- the TOML writer ----------------------------------------------------------------------------


@given(st.text())
def test_any_string_survives_the_toml_writer(text: str) -> None:
    assert tomllib.loads(f"k = {toml_string(text)}")["k"] == text


@given(
    name=st.text(),
    staff=st.lists(st.from_regex(r"[a-z0-9._-]{1,8}@[a-z0-9-]{1,8}\.[a-z]{2,4}", fullmatch=True)),
    hours=st.floats(min_value=1e-9, max_value=1e12, allow_nan=False),
    port=st.integers(min_value=1, max_value=65535),
)
def test_any_valid_user_values_survive_dump_and_parse(
    name: str, staff: list[str], hours: float, port: int
) -> None:
    values = {
        "branding.name": name,
        "support.staff": staff,
        "sysinfo.new_request_after_hours": hours,
        "server.port": port,
        "app.autostart": False,
    }

    parsed = tomllib.loads(dump_settings(values, header="a header\nof two lines"))

    assert parsed == {
        "branding": {"name": name},
        "support": {"staff": staff},
        "sysinfo": {"new_request_after_hours": hours},
        "server": {"port": port},
        "app": {"autostart": False},
    }


@settings(deadline=None, max_examples=30)
@given(st.text(min_size=1))
def test_any_branding_name_survives_save_and_load(name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        paths = paths_in(Path(directory))
        settings = load_settings(paths, Policy.empty())
        settings.set("branding.name", name)
        settings.save()

        assert load_settings(paths, Policy.empty()).get("branding.name") == name


def test_links_read_as_a_fresh_table_and_save_as_an_inline_table(tmp_path: Path) -> None:
    settings = Settings(Policy.empty(), path=tmp_path / "settings.toml")
    settings.set("branding.links", {"Call \"support\"": "tel:+15550100"})
    settings.get_str_map("branding.links")["x"] = "changed"
    assert settings.get_str_map("branding.links") == {"Call \"support\"": "tel:+15550100"}
    settings.save()
    text = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert 'branding.links = { "Call \\"support\\"" = "tel:+15550100" }' in text
