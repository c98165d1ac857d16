"""The Settings window's backend: which keys, the on-call grammar, all-or-nothing saving."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.app.settings_editor import SettingsEditor, SettingsSaveError
from supporttray.config.mode import Mode
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings


def test_staff_see_their_keys_and_requesters_only_everyone_s() -> None:
    settings = Settings(Policy.empty())
    staff = {spec.key for spec in SettingsEditor(settings, Mode.STAFF).shown()}
    requester = {spec.key for spec in SettingsEditor(settings, Mode.REQUESTER).shown()}
    assert "staff.canned_replies" in staff and "staff.canned_replies" not in requester
    assert requester < staff


def test_problems_are_the_schema_s_phrases_and_on_call_hours_follow_their_grammar() -> None:
    editor = SettingsEditor(Settings(Policy.empty()), Mode.STAFF)
    assert str(editor.problem("history.retention_days", -1)) == "must be 0 or more, got -1"
    assert editor.problem("presence.on_call_hours", "Mon-Fri 08:00-18:00") is None
    problem = editor.problem("presence.on_call_hours", "Funday 08:00-18:00")
    assert problem is not None and "Funday" in str(problem)


def test_a_save_that_cannot_be_written_changes_nothing_and_says_so(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    settings = Settings(Policy.empty(), path=blocked / "settings.toml")
    editor = SettingsEditor(settings, Mode.STAFF)
    seen: list[frozenset[str]] = []
    editor.subscribe(seen.append)
    with pytest.raises(SettingsSaveError, match=r"could not be saved to .*then save again"):
        editor.save({"staff.sound": True, "history.retention_days": 5})
    assert settings.user_values() == {}
    assert seen == []


def test_only_changed_keys_are_saved_and_announced(tmp_path: Path) -> None:
    settings = Settings(Policy(source=None, enforced={"app.autostart": True}),
                        path=tmp_path / "settings.toml")
    editor = SettingsEditor(settings, Mode.STAFF)
    seen: list[frozenset[str]] = []
    editor.subscribe(seen.append)
    assert editor.save({"staff.sound": True, "history.retention_days": 0}) == {"staff.sound"}
    assert seen == [frozenset({"staff.sound"})]
    assert settings.user_values() == {"staff.sound": True}
