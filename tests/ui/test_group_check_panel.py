"""The group-check panel's states: waiting, all agreed, objected (with the words), and a
passed deadline naming who is missing."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from supporttray.core.answer_words import Answer
from supporttray.core.group_check import GroupCheck
from supporttray.ui.group_check_panel import GroupCheckPanel

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ANN, BOB, CY = "ann@example.org", "bob@example.org", "cy@example.org"


def panel(qtbot: QtBot) -> GroupCheckPanel:
    widget = GroupCheckPanel(lambda jid: jid.split("@")[0].capitalize())
    qtbot.addWidget(widget)
    return widget


def check() -> GroupCheck:
    return GroupCheck("c1", "Restart the dev server?", (ANN, BOB, CY), T0)


def test_a_new_check_waits_for_everyone(qtbot: QtBot) -> None:
    shown = panel(qtbot)
    shown.show_check(check())
    assert shown.question.text() == "Restart the dev server?"
    assert shown.outcome.text() == "3 of 3 have not answered yet"
    assert shown.rows() == ["… Ann has not answered yet", "… Bob has not answered yet",
                            "… Cy has not answered yet"]


def test_all_agreed_only_once_the_last_person_agreed(qtbot: QtBot) -> None:
    shown, given = panel(qtbot), check()
    given.record(ANN, Answer.AGREED, "yes", T0)
    given.record(BOB, Answer.AGREED, "ok", T0)
    shown.show_check(given)
    assert shown.outcome.text() == "1 of 3 has not answered yet"
    given.record(CY, Answer.AGREED, "👍", T0)
    shown.show_check(given)
    assert shown.outcome.text() == "All agreed"
    assert shown.rows()[2] == "✓ Cy agreed"


def test_an_objection_shows_who_and_what_they_wrote(qtbot: QtBot) -> None:
    shown, given = panel(qtbot), check()
    given.record(BOB, Answer.OBJECTED, "wait, I'm compiling", T0)
    given.record(CY, None, "what for?", T0)
    shown.show_check(given)
    assert shown.outcome.text() == "Objected: Bob"
    assert shown.rows()[1] == "✗ Bob objected: “wait, I'm compiling”"
    assert shown.rows()[2] == "… Cy has not answered yet (wrote “what for?”)"


def test_a_passed_deadline_names_who_is_missing(qtbot: QtBot) -> None:
    shown, given = panel(qtbot), check()
    given.record(ANN, Answer.AGREED, "yes", T0)
    given.deadline_passed = True
    shown.show_check(given)
    assert shown.outcome.text() == "The deadline passed without an answer from Bob, Cy"
