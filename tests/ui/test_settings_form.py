"""Schema key -> control: every kind has one, and every user key's default goes through its
control and back unchanged (so a new key with an audience needs no hand-written row)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from supporttray.config.schema import KEYS, KeySpec, validate
from supporttray.ui.settings_form import Field, editor_for, label_for, section_of

USER_KEYS = [spec for spec in KEYS.values() if spec.audience != "policy"]


@pytest.mark.parametrize(("kind", "format", "editor"), [
    ("bool", "text", "checkbox"),
    ("choice", "text", "choice"),
    ("int", "text", "whole_number"),
    ("float", "text", "number"),
    ("str", "text", "line"),
    ("str", "jid", "line"),
    ("str_list", "text", "lines"),
    ("str_list", "jid", "lines"),
    ("str_list", "sysinfo_field", "checklist"),
    ("str_map", "link", "table"),
])
def test_each_kind_of_value_has_its_control(kind: str, format: str, editor: str) -> None:
    spec = KeySpec("x.some_key", kind, None, "doc", format=format)  # type: ignore[arg-type]
    assert editor_for(spec) == editor


def test_the_canned_replies_use_their_own_editor() -> None:
    assert editor_for(KEYS["staff.canned_replies"]) == "replies"


def test_labels_and_sections_are_read_from_the_key() -> None:
    assert label_for(KeySpec("presence.idle_grace_seconds", "int", 0, "d")) == "Idle grace seconds"
    assert label_for(KEYS["app.autostart"]) == "Start when I log in"
    assert section_of(KEYS["presence.auto_away_minutes"]) == "Presence"
    assert section_of(KeySpec("newpart.thing", "bool", False, "d")) == "Newpart"


def test_the_user_keys_are_the_ones_the_issue_names() -> None:
    assert {spec.key for spec in USER_KEYS} >= {
        "staff.sound", "sysinfo.consent", "sysinfo.fields", "app.autostart",
        "staff.canned_replies", "history.retention_days", "app.language",
        "presence.on_call_hours"}
    # What only IT decides never shows up as the person's to change.
    assert {"server.domain", "support.mode", "branding.links"}.isdisjoint(
        spec.key for spec in USER_KEYS)
    assert KEYS["app.language"].choices[0] == "system"


@pytest.mark.parametrize("spec", USER_KEYS, ids=lambda spec: spec.key)
def test_every_user_key_round_trips_through_its_control(qtbot: QtBot, spec: KeySpec) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    field = Field(spec, parent)
    default = validate(spec.key, spec.default)
    shown = list(default) if isinstance(default, tuple) else default
    field.set_value(shown)
    assert validate(spec.key, field.value()) == default
    assert field.widget.accessibleName() == label_for(spec)
    assert field.widget.toolTip() == spec.doc


@pytest.mark.parametrize(("kind", "format", "value"), [
    ("str_map", "link", {"Portal": "https://help.example.org", "Call": "tel:+15550100"}),
    ("float", "text", 2.5),
    ("str_list", "jid", ["a@example.org", "b@example.org"]),
])
def test_kinds_without_a_user_key_yet_round_trip_too(qtbot: QtBot, kind: str, format: str,
                                                     value: object) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    spec = KeySpec("x.y", kind, None, "doc", format=format)  # type: ignore[arg-type]
    field = Field(spec, parent)
    field.set_value(value)
    assert field.value() == value
