"""The Settings window: locked keys read-only and saying why, a bad value's sentence with
nothing saved, comments kept on save, keyboard (Enter saves, Esc cancels, Tab order), and a
change reaching the running services without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from supporttray.app.settings_editor import SettingsEditor
from supporttray.config.mode import Mode
from supporttray.config.paths import resolve_paths
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings, load_settings
from supporttray.core.own_presence import OwnPresence
from supporttray.event_loop import EventLoop
from supporttray.launcher import build_chat
from supporttray.root_windows import live_settings
from supporttray.ui.settings_window import LOCKED_TEXT, SAVED_NOTHING, SettingsWindow

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints",
                                       "does not support raise")

USER_FILE = """\
# Kept by hand. 90 days: what legal asked for.
history.retention_days = 90  # not longer

[sysinfo]
# Ask me first, always.
consent = "preview"
"""


def window_for(qtbot: QtBot, settings: Settings, mode: Mode = Mode.STAFF) -> SettingsWindow:
    window = SettingsWindow(SettingsEditor(settings, mode), app_name="SupportTray")
    qtbot.addWidget(window)
    window.open_window()
    return window


def user_settings(tmp_path: Path, policy: Policy, text: str = USER_FILE) -> Settings:
    paths = resolve_paths(str(tmp_path / "profile"), {})
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(text, encoding="utf-8")
    return load_settings(paths, policy)


def test_a_locked_key_is_read_only_and_says_it_is_set_by_the_organisation(
        qtbot: QtBot) -> None:
    settings = Settings(Policy(source=None, enforced={"app.autostart": False}))
    window = window_for(qtbot, settings)

    box = window.fields["app.autostart"].widget
    assert isinstance(box, QCheckBox)
    assert not box.isEnabled() and not box.isChecked()
    assert window.locked_notes["app.autostart"].isVisible()
    assert window.locked_notes["app.autostart"].text() == LOCKED_TEXT == "Set by your organisation"
    assert box.accessibleDescription().startswith(LOCKED_TEXT)
    # A key the policy only presets stays the person's to change.
    assert window.fields["staff.sound"].widget.isEnabled()
    assert not window.locked_notes["staff.sound"].isVisible()
    assert window.save()  # saving with a locked key shown is no attempt to change it


def test_a_bad_value_gets_its_sentence_and_nothing_is_saved(qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    settings = user_settings(tmp_path, Policy.empty())
    assert settings.path is not None
    before = settings.path.read_text(encoding="utf-8")
    window = window_for(qtbot, settings)
    hours = window.fields["presence.on_call_hours"].widget
    assert isinstance(hours, QLineEdit)
    hours.setText("Mon-Fri 25:00-18:00")
    sound = window.fields["staff.sound"].widget
    assert isinstance(sound, QCheckBox)
    sound.setChecked(True)  # a good change in the same save: not kept either

    assert not window.save()

    error = window.errors["presence.on_call_hours"]
    assert error.isVisible()
    assert error.text().startswith("On-call hours: ") and error.text().endswith(".")
    assert "25:00" in error.text()
    assert window.summary.text() == SAVED_NOTHING and window.summary.isVisible()
    assert settings.path.read_text(encoding="utf-8") == before
    assert settings.get_bool("staff.sound") is False
    assert window.isVisible()


def test_saving_keeps_the_comments_a_person_wrote(qtbot: QtBot, tmp_path: Path) -> None:
    settings = user_settings(tmp_path, Policy.empty())
    assert settings.path is not None
    window = window_for(qtbot, settings, Mode.REQUESTER)
    days = window.fields["history.retention_days"].widget
    consent = window.fields["sysinfo.consent"].widget
    assert isinstance(days, QSpinBox) and isinstance(consent, QComboBox)
    days.setValue(30)
    consent.setCurrentIndex(consent.findData("never"))

    assert window.save()

    text = settings.path.read_text(encoding="utf-8")
    assert "# Kept by hand. 90 days: what legal asked for." in text
    assert "history.retention_days = 30  # not longer" in text
    assert '# Ask me first, always.\nconsent = "never"' in text
    reread = load_settings(resolve_paths(str(tmp_path / "profile"), {}), Policy.empty())
    assert reread.get_int("history.retention_days") == 30
    assert reread.get_str("sysinfo.consent") == "never"
    # Keys left as they were are not written out as if chosen.
    assert "app.language" not in text


def test_enter_saves_and_escape_cancels(qtbot: QtBot) -> None:
    settings = Settings(Policy.empty())
    window = window_for(qtbot, settings)
    language = window.fields["app.language"].widget
    assert isinstance(language, QComboBox)
    assert language.itemText(0) == "System default"
    language.setCurrentIndex(language.findData("en"))
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert settings.get_str("app.language") == "system"

    window.open_window()
    assert language.currentData() == "system"  # Cancel threw the change away
    language.setCurrentIndex(language.findData("en"))
    days = window.fields["history.retention_days"].widget
    days.setFocus()
    qtbot.keyClick(days, Qt.Key.Key_Return)
    assert not window.isVisible()
    assert settings.get_str("app.language") == "en"


def test_tab_goes_down_the_rows_then_to_save_and_every_control_has_a_name(
        qtbot: QtBot) -> None:
    window = window_for(qtbot, Settings(Policy.empty()))
    rows = [f.widget.focusProxy() or f.widget for f in window.fields.values()]
    stops = [*rows, *window.buttons.buttons()]
    # Qt's focus chain, from the first row once round, keeping only the controls Tab stops at.
    chain: list[QWidget] = []
    widget: QWidget = rows[0]
    for _ in range(1000):
        if widget in stops and widget not in chain:
            chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is rows[0]:
            break
    assert chain == stops
    assert chain[len(rows)] is window.buttons.button(window.buttons.StandardButton.Save)
    for field in window.fields.values():
        assert field.widget.accessibleName()
        assert field.widget.accessibleDescription()


def test_a_requester_sees_no_staff_keys(qtbot: QtBot) -> None:
    window = window_for(qtbot, Settings(Policy.empty()), Mode.REQUESTER)
    assert "staff.sound" not in window.fields
    assert "app.autostart" in window.fields and "sysinfo.fields" in window.fields


class FakeTray:
    def __init__(self) -> None:
        self.sound: list[bool] = []

    def set_alert_sound(self, on: bool) -> None:
        self.sound.append(on)


def test_a_change_reaches_the_running_services_without_a_restart(
        qtbot: QtBot, tmp_path: Path, loop: EventLoop) -> None:
    settings = user_settings(tmp_path, Policy(source=None, enforced={"support.mode": "staff"}))
    paths = resolve_paths(str(tmp_path / "profile"), {})
    chat = build_chat(paths, settings, lambda: None)
    tray = FakeTray()
    live = live_settings(paths, settings, chat, tray,  # type: ignore[arg-type]
                          OwnPresence(), chat._history)
    editor = SettingsEditor(settings, Mode.STAFF)
    editor.subscribe(live.changed)
    window = SettingsWindow(editor, app_name="SupportTray")
    qtbot.addWidget(window)
    window.open_window()
    consent = window.fields["sysinfo.consent"].widget
    assert isinstance(consent, QComboBox)
    consent.setCurrentIndex(consent.findData("never"))
    window.fields["staff.sound"].widget.setChecked(True)  # type: ignore[attr-defined]
    window.fields["history.retention_days"].widget.setValue(7)  # type: ignore[attr-defined]
    window.fields["presence.on_call_hours"].widget.setText(  # type: ignore[attr-defined]
        "Mon-Sun 00:00-23:59")

    async def save_while_running() -> bool:
        # Retention and on-call run timers on the app's loop, as in the tray.
        return window.save()

    try:
        assert loop.run_until_complete(save_while_running())

        assert chat.config.sysinfo_consent == "never"
        assert tray.sound == [True]
        retention = live.running("retention")
        assert retention is not None and retention.days == 7  # type: ignore[attr-defined]
        assert live.running("on_call") is not None
        # The canned replies are read where they are used: the chat service sees the edit.
        assert chat.canned_templates() == settings.get_str_list("staff.canned_replies")
    finally:
        live.stop()


def test_the_language_row_says_it_takes_effect_at_the_next_start(qtbot: QtBot) -> None:
    window = window_for(qtbot, Settings(Policy.empty()))
    later = window.findChild(QLabel, "next-start:app.language")
    assert later is not None and later.isVisible()
    assert later.text() == "Takes effect the next time SupportTray starts."
    # Every other change applies at once: no such line elsewhere.
    assert window.findChild(QLabel, "next-start:staff.sound") is None
