"""The ask window: whom the question goes to, what goes with it, and that nothing is lost."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Protocol

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from supporttray.app.chat import AskError
from supporttray.core.answer_time import expectation
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import PresenceBook
from supporttray.core.routing import NOBODY_ONLINE
from supporttray.ui.ask_window import WHOEVER, AskWindow
from supporttray.ui.icons import IconSet
from tests.helpers import FakeClock
from tests.ui.chat_fakes import SNAPSHOT, FakeChat, Spawner, plan

ALICE = "alice@example.org"


class MakeWindow(Protocol):
    def __call__(self) -> AskWindow: ...


@pytest.fixture
def chat() -> FakeChat:
    return FakeChat()


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


@pytest.fixture
def chats_opened() -> list[str]:
    return []


@pytest.fixture
def make_window(
    qtbot: QtBot,
    chat: FakeChat,
    spawner: Spawner,
    book: PresenceBook,
    connection: ConnectionMonitor,
    icons: IconSet,
    clock: FakeClock,
    chats_opened: list[str],
) -> Iterator[MakeWindow]:
    made: list[AskWindow] = []

    def make() -> AskWindow:
        window = AskWindow(
            chat,
            book,
            connection,
            icons,
            spawn=spawner,
            open_chat=chats_opened.append,
            clock=clock,
        )
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.dispose()


def opened(make_window: MakeWindow, spawner: Spawner, text: str = "") -> AskWindow:
    """An open ask window whose plan has arrived."""
    window = make_window()
    window.open(text)
    spawner.run()
    return window


# -- who and why ----------------------------------------------------------------------------
def test_staff_are_listed_with_status_and_local_time(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    window.open()
    texts = window.staff_texts()
    assert texts[0] == "Alice — Available · “In the office” · idle 12 min · 14:00 local"
    assert texts[1] == "Bob — Away · “Back at 3” · 07:00 local"


def test_whoever_is_available_is_the_default_and_people_can_be_picked(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = opened(make_window, spawner)
    assert window.picker.currentText() == WHOEVER
    assert chat.planned == [(None, False)]
    items = [window.picker.itemText(i) for i in range(window.picker.count())]
    assert items == [WHOEVER, "Alice — Available", "Bob — Away", "Carol — Offline"]

    window.picker.setCurrentIndex(2)
    spawner.run()
    assert chat.planned[-1] == ("bob@example.org", False)


def test_the_route_reason_is_shown(qtbot: QtBot, make_window: MakeWindow, spawner: Spawner) -> None:
    window = opened(make_window, spawner)
    assert window.reason_text() == "Alice is available"


def test_how_soon_support_usually_answers_is_said_under_the_reason(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    chat.plan_result = dataclasses.replace(plan(), expectation=expectation(timedelta(minutes=4)))
    window = opened(make_window, spawner)
    assert window.reason_text() == "Alice is available\nUsually answered within 4 minutes"


def test_with_nobody_online_the_window_says_so_plainly(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    chat.plan_result = plan(reason=NOBODY_ONLINE, nobody_online=True)
    window = opened(make_window, spawner)
    assert window.reason_text() == (
        "No one is online — your question will be delivered and answered as soon as someone is"
    )


def test_while_we_are_offline_the_window_says_the_question_waits(
    qtbot: QtBot, make_window: MakeWindow, connection: ConnectionMonitor, spawner: Spawner
) -> None:
    connection.set(ConnectionState.OFFLINE)
    window = opened(make_window, spawner)
    assert window.offline_note_shown()


def test_new_request_plans_a_new_request(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = opened(make_window, spawner)
    window.new_request_box.click()
    spawner.run()
    assert chat.planned[-1] == (None, True)


def test_a_continued_request_says_so_and_attaches_nothing(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    chat.plan_result = plan(new_request=False, sysinfo=None)
    window = opened(make_window, spawner)
    assert not window.preview_shown()
    assert window.note_text().startswith("Continues your open request")


# -- what goes with it ----------------------------------------------------------------------
def test_preview_lists_exactly_the_fields_that_will_be_sent(
    qtbot: QtBot, make_window: MakeWindow, spawner: Spawner
) -> None:
    window = opened(make_window, spawner)
    assert window.preview_shown()
    assert window.preview.shown_keys() == [item.key for item in SNAPSHOT.items]


def test_a_removed_field_is_not_sent(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = opened(make_window, spawner, "My VPN drops")
    qtbot.mouseClick(window.preview.remove_button("user.name"), Qt.MouseButton.LeftButton)
    assert "user.name" not in window.preview.shown_keys()

    window.send_button.click()
    spawner.run()
    [(_plan, text, sysinfo)] = chat.asked
    assert text == "My VPN drops"
    assert sysinfo is not None
    assert sysinfo.get("user.name") is None
    assert [item.key for item in sysinfo.items] == [
        "os.name",
        "host.name",
        "hw.model",
        "battery.percent",
    ]


def test_removed_fields_can_be_restored(
    qtbot: QtBot, make_window: MakeWindow, spawner: Spawner
) -> None:
    window = opened(make_window, spawner)
    window.preview.remove("host.name")
    window.preview.remove("user.name")
    window.preview.restore_all()
    assert window.preview.shown_keys() == [item.key for item in SNAPSHOT.items]


def test_a_removed_field_stays_removed_when_the_plan_is_refreshed(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = opened(make_window, spawner, "question")
    window.preview.remove("user.name")
    window.new_request_box.click()  # a fresh plan, with a fresh snapshot
    spawner.run()
    assert "user.name" not in window.preview.shown_keys()


def test_consent_always_shows_a_note_instead_of_the_list(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    chat.plan_result = plan(consent="always")
    window = opened(make_window, spawner, "question")
    assert not window.preview_shown()
    assert window.note_text() == "System info is attached"
    window.send_button.click()
    spawner.run()
    assert chat.asked[0][2] is None  # the service attaches the plan's snapshot as it is


def test_consent_never_shows_nothing_about_system_info(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    chat.plan_result = plan(consent="never", sysinfo=None)
    window = opened(make_window, spawner)
    assert not window.preview_shown()
    assert window.note_text() == ""


# -- sending --------------------------------------------------------------------------------
def test_enter_sends_and_shift_enter_inserts_a_newline(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = opened(make_window, spawner)
    qtbot.keyClicks(window.edit, "line one")
    qtbot.keyClick(window.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.edit, "line two")
    assert chat.asked == []
    qtbot.keyClick(window.edit, Qt.Key.Key_Return)
    spawner.run()
    assert [text for _plan, text, _sysinfo in chat.asked] == ["line one\nline two"]


def test_send_is_disabled_while_empty_and_while_sending(
    qtbot: QtBot, make_window: MakeWindow, spawner: Spawner
) -> None:
    window = opened(make_window, spawner)
    assert not window.send_button.isEnabled()
    qtbot.keyClicks(window.edit, "help")
    assert window.send_button.isEnabled()
    window.send_button.click()
    assert window.sending
    assert not window.send_button.isEnabled()
    assert window.status_text() == "Sending…"
    spawner.run()
    assert not window.sending


def test_send_before_the_system_info_is_collected_shows_progress_then_sends(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = make_window()
    window.open("quick question")
    assert window.status_text() == "Collecting system info…"
    window.send_button.click()
    assert window.status_text() == "Collecting system info…"
    assert not window.send_button.isEnabled()
    spawner.run()
    assert [text for _plan, text, _sysinfo in chat.asked] == ["quick question"]


def test_after_sending_the_chat_with_that_person_opens(
    qtbot: QtBot, make_window: MakeWindow, spawner: Spawner, chats_opened: list[str]
) -> None:
    window = opened(make_window, spawner, "Printer on fire")
    window.send_button.click()
    spawner.run()
    assert chats_opened == [ALICE]
    assert not window.isVisible()
    assert window.edit.toPlainText() == ""


def test_an_ask_error_shows_inline_and_the_text_stays(
    qtbot: QtBot,
    make_window: MakeWindow,
    chat: FakeChat,
    spawner: Spawner,
    chats_opened: list[str],
) -> None:
    chat.ask_error = AskError("No support staff are configured. Ask IT to set support.staff.")
    window = opened(make_window, spawner, "Is anyone there?")
    window.send_button.click()
    spawner.run()
    assert window.error_text() == "No support staff are configured. Ask IT to set support.staff."
    assert window.edit.toPlainText() == "Is anyone there?"
    assert window.isVisible()
    assert chats_opened == []
    assert window.send_button.isEnabled()


def test_a_planning_error_shows_inline(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    chat.plan_result = AskError("No support staff are configured.")
    window = opened(make_window, spawner, "hello")
    assert window.error_text() == "No support staff are configured."
    assert window.edit.toPlainText() == "hello"


def test_an_unexpected_error_is_logged_and_the_text_stays(
    qtbot: QtBot,
    make_window: MakeWindow,
    chat: FakeChat,
    spawner: Spawner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat.ask_error = RuntimeError("boom")
    window = opened(make_window, spawner, "secret question text")
    window.send_button.click()
    spawner.run()
    assert "could not be sent" in window.error_text()
    assert window.edit.toPlainText() == "secret question text"
    assert "asking support failed" in caplog.text
    assert "secret question text" not in caplog.text  # never a message body in the log


def test_open_with_a_person_and_text_prefills_the_window(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    window = make_window()
    window.open("from the command line", to="bob@example.org/phone", new_request=True)
    spawner.run()
    assert window.edit.toPlainText() == "from the command line"
    assert window.chosen() == "bob@example.org"
    assert window.new_request_box.isChecked()
    assert chat.planned[-1] == ("bob@example.org", True)


def test_reopening_keeps_the_draft(qtbot: QtBot, make_window: MakeWindow, spawner: Spawner) -> None:
    window = opened(make_window, spawner)
    qtbot.keyClicks(window.edit, "half written")
    window.close()
    window.open()
    assert window.edit.toPlainText() == "half written"


def test_a_presence_change_updates_the_list_and_plans_again(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner, book: PresenceBook
) -> None:
    from supporttray.core.presence import Availability

    window = opened(make_window, spawner)
    planned = len(chat.planned)
    book.update("carol@example.org/desk", Availability.AVAILABLE, "Back from lunch")
    qtbot.waitUntil(lambda: "Carol — Available · “Back from lunch”" in window.staff_texts())
    qtbot.waitUntil(lambda: bool(spawner.pending), timeout=3_000)
    spawner.run()
    assert len(chat.planned) == planned + 1
