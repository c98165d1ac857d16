"""The on-call hours setting: a bad value is one sentence naming the key and where it was set."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.service_settings import OnCallSettingError, on_call_hours
from tests.helpers import staff_settings


def test_a_bad_value_names_the_key_the_policy_file_and_what_is_wrong() -> None:
    settings = staff_settings("Mno-Fri 08:00-18:00", source=Path("/etc/supporttray/policy.toml"))
    with pytest.raises(OnCallSettingError) as caught:
        on_call_hours(settings)
    assert str(caught.value) == (
        "presence.on_call_hours (machine policy /etc/supporttray/policy.toml, [enforced]): "
        '"Mno" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.')


def test_a_bad_value_in_the_users_settings_file_names_that_file(tmp_path: Path) -> None:
    settings = Settings(Policy.empty(), {"presence.on_call_hours": "Mon 9-17"},
                        path=tmp_path / "settings.toml")
    with pytest.raises(OnCallSettingError) as caught:
        on_call_hours(settings)
    assert str(caught.value).startswith(
        f"presence.on_call_hours (settings file {tmp_path / 'settings.toml'}): \"9-17\" is not")
