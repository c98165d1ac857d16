""""Ask a group…" and the Yes / No window, on GroupChecks with a wire that records."""

from __future__ import annotations

from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot

from supporttray.app.group_check import AskedOfMe, GroupChecks
from supporttray.core.answer_words import Answer
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.group_check_window import CheckQuestionWindow, GroupCheckWindow


class RecordingWire:
    """Stands in for xmpp.group_check_wire.GroupCheckWire: online, keeps what was sent."""

    online = True

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.answers: list[tuple[str, Answer]] = []
        self.threads: list[str] = []

    def send_question(self, peer: str, check_id: str, question: str, body: str,
                      deadline: datetime | None, thread: str) -> str:
        self.questions.append(peer)
        return f"q-{peer}"

    def send_answer(self, asker: str, check_id: str, answer: Answer, body: str,
                    thread: str) -> str:
        self.answers.append((asker, answer))
        self.threads.append(thread)
        return "a1"


@pytest.fixture
def wire() -> RecordingWire:
    return RecordingWire()


@pytest.fixture
def checks(wire: RecordingWire) -> GroupChecks:
    groups = {"Dev team": ["ann@example.org", "bob@example.org"]}
    service = GroupChecks("me@example.org", lambda: groups)
    service.attach_wire(wire)  # type: ignore[arg-type]
    return service


@pytest.fixture
def bridge(checks: GroupChecks) -> CoreBridge:
    observer = CoreBridge()
    observer.observe_group_checks(checks)
    return observer


@pytest.fixture
def window(qtbot: QtBot, checks: GroupChecks, bridge: CoreBridge) -> GroupCheckWindow:
    shown = GroupCheckWindow(checks, bridge, name_of=str, app_name="SupportTray")
    qtbot.addWidget(shown)
    return shown


def test_the_saved_groups_are_offered(window: GroupCheckWindow) -> None:
    assert [window.to.itemText(i) for i in range(window.to.count())] == ["Dev team"]


def test_asking_a_group_sends_to_each_member_and_shows_the_panel(
    window: GroupCheckWindow, wire: RecordingWire,
) -> None:
    window.to.setCurrentText("dev team")
    window.question.setText("Restart the dev server?")
    window.ask_button.click()
    assert wire.questions == ["ann@example.org", "bob@example.org"]
    assert window.panel.isVisibleTo(window)
    assert window.panel.outcome.text() == "2 of 2 have not answered yet"


def test_the_panel_follows_answers_as_they_arrive(
    window: GroupCheckWindow, checks: GroupChecks,
) -> None:
    window.to.setCurrentText("ann@example.org")
    window.question.setText("Restart?")
    window.ask_button.click()
    checks.answer_received("ann@example.org/phone", None, "ok go ahead", check_id=None,
                           thread=None, reply_to=None)
    assert window.panel.outcome.text() == "1 of 1 has not answered yet"  # "None": not read here
    checks.answer_received("ann@example.org", Answer.AGREED, "ok", check_id=None, thread=None,
                           reply_to=None)
    assert window.panel.outcome.text() == "All agreed"


def test_an_unknown_group_is_said_in_the_window(window: GroupCheckWindow,
                                                wire: RecordingWire) -> None:
    window.to.setCurrentText("ops")
    window.question.setText("Restart?")
    window.ask_button.click()
    assert "'ops' is neither an address nor a group" in window.error.text()
    assert wire.questions == []


def test_the_yes_button_answers_and_no_changes_it(qtbot: QtBot, checks: GroupChecks,
                                                  wire: RecordingWire) -> None:
    checks.question_received("ann@example.org", "c9", "Restart the dev server?", None, "m1")
    asked: AskedOfMe = checks.asked_of_me["c9"]
    question = CheckQuestionWindow(checks, asked, name_of=str, app_name="SupportTray")
    qtbot.addWidget(question)
    question.yes.click()
    assert question.status.text() == "You answered Yes."
    question.no.click()
    assert wire.answers == [("ann@example.org", Answer.AGREED),
                            ("ann@example.org", Answer.OBJECTED)]
    assert checks.asked_of_me["c9"].answered is Answer.OBJECTED


def test_did_this_fix_it_offers_yes_and_not_yet_in_the_requests_thread(
    qtbot: QtBot, checks: GroupChecks, wire: RecordingWire,
) -> None:
    checks.question_received("alice@example.org", "fix-st-1", "Did this fix it?", None, "m2",
                             "st-1")
    question = CheckQuestionWindow(checks, checks.asked_of_me["fix-st-1"], name_of=str,
                                   app_name="SupportTray")
    qtbot.addWidget(question)
    assert question.no.text() == "Not yet"
    question.no.click()
    assert wire.answers == [("alice@example.org", Answer.OBJECTED)]
    assert wire.threads == ["st-1"]
    assert question.status.text() == "The request is open again for the team."
