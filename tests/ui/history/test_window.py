"""The history window: the list, type-to-search with highlighted hits, opening at a hit, the
keyboard path, notes, and a loop that keeps turning while the history thread works."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from supporttray.core.history import HistoryStore
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.transcript_export import ExportFormat
from supporttray.ui.history.export_dialog import AskExport, ExportChoice, RedactDialog
from supporttray.ui.history.list_model import HTML_ROLE
from supporttray.ui.history.transcript_view import MESSAGE_ID_ROLE, NOTE_ID_ROLE
from supporttray.ui.history.window import HistoryWindow
from tests.helpers import T0
from tests.ui.history_fakes import ANN, BEN, HOSTILE, FakeHistory, chat

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints",
                                       "does not support raise")

MakeWindow = Callable[..., HistoryWindow]
NAMES = {ANN: "Ann", BEN: "Ben", "alice@example.org": "Alice"}


def name_of(jid: str) -> str:
    return NAMES.get(jid, jid)


@pytest.fixture
def history() -> FakeHistory:
    return FakeHistory.sample()


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[MakeWindow]:
    made: list[HistoryWindow] = []

    def make(history: FakeHistory | HistoryStore, *, staff: bool = False,
             note: str | None = None, export: AskExport | None = None,
             page_size: int = 50) -> HistoryWindow:
        window = HistoryWindow(history, name_of=name_of, own_name="Me",
                               author="dave@example.org", staff=staff, debounce_ms=0,
                               page_size=page_size,
                               ask_note=lambda _parent, _name: note,
                               ask_export=export or (lambda _p, _f, _n: None))
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.dispose()


def rows(window: HistoryWindow) -> list[str]:
    model = window.model
    return [str(model.index(i).data()) for i in range(model.rowCount())]


def search(qtbot: QtBot, window: HistoryWindow, text: str) -> None:
    window.search.setText(text)
    qtbot.waitUntil(lambda: (window.model.rowCount() > 0 and text in rows(window)[0].lower())
                    or window.status_text().startswith("Nothing"))


def test_opening_lists_conversations_newest_first_with_who_answered(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    # Given Ann's printer request and Ben's later VPN request, answered and resolved
    window = make_window(history)
    # When the window opens
    window.open()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    # Then Ben's comes first, with its first line, who answered and that it was resolved
    first, second = rows(window)
    assert first.startswith("Ben") and "VPN drops every hour" in first
    assert "answered by Alice" in first and "resolved" in first
    assert second.startswith("Ann") and "no answer yet" in second
    # And the queries ran on the history thread, not this one
    assert history.threads_used and threading.get_ident() not in history.threads_used


def test_typing_searches_and_highlights_the_hit_words(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history)
    window.open()
    # When "jams" is typed
    search(qtbot, window, "jams")
    # Then the one hit is listed, the word highlighted inside escaped text
    assert window.model.rowCount() == 1
    html = str(window.model.index(0).data(HTML_ROLE))
    assert '<span style="background-color: #f6d55c; color: #000000">jams</span>' in html


def test_a_hostile_body_stays_text_in_the_list(
        qtbot: QtBot, make_window: MakeWindow) -> None:
    # Given a body full of markup
    history = FakeHistory([chat(1, ANN, HOSTILE)])
    window = make_window(history)
    window.open()
    # When it is found
    search(qtbot, window, "printer")
    # Then its markup is escaped: the document shows the characters as typed
    document = QTextDocument()
    document.setHtml(str(window.model.index(0).data(HTML_ROLE)))
    assert HOSTILE in document.toPlainText()
    assert "<img" not in str(window.model.index(0).data(HTML_ROLE))


def test_nothing_found_says_so(qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history)
    window.open()
    search(qtbot, window, "zebra")
    assert window.model.rowCount() == 0
    assert window.status_text() == "Nothing in the history matches “zebra”."


def test_enter_on_a_hit_opens_the_conversation_scrolled_to_it(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history)
    window.open()
    window.resize(800, 400)
    search(qtbot, window, "jams")
    # When Down moves into the list and Enter opens the hit
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    qtbot.keyClick(window.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.shown is not None)
    # Then the transcript holds the messages around it, the hit selected and in view
    transcript = window.transcript
    current = transcript.currentItem()
    assert current is not None and current.data(MESSAGE_ID_ROLE) == "m60"
    assert "the printer jams again" in current.text()
    assert transcript.count() == 101
    rect = transcript.visualItemRect(current)
    assert transcript.viewport().rect().intersects(rect)


def test_escape_clears_the_search_then_closes(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history)
    window.open()
    qtbot.waitUntil(window.isVisible)
    search(qtbot, window, "jams")
    # When Esc: the search is cleared and every conversation is back
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert window.isVisible()
    # When Esc again: the window closes (hides: it is kept for next time)
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_the_loop_keeps_turning_while_a_slow_query_runs(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    # Given a history that takes 400 ms to answer
    history.delay_s = 0.4
    window = make_window(history)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        # When the window opens and the query runs
        window.open()
        qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5_000)
    finally:
        timer.stop()
    # Then the 10 ms timer kept firing all along (a blocked loop would have fired it ~once)
    assert len(ticks) >= 15


def test_staff_add_a_note_that_shows_as_only_theirs(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history, staff=True, note="replaced the RAID card, vendor ticket 4411")
    window.open()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    window.list.setCurrentIndex(window.model.index(0))
    window.open_current()
    qtbot.waitUntil(lambda: window.note_button.isEnabled())
    # When a note is added to Ben's request
    note = window.add_note()
    # Then it is kept with the request and shown, marked as private, selected
    assert note is not None and history.notes_kept == [note]
    assert (note.peer, note.thread, note.author) == (BEN, "t2", "dave@example.org")
    qtbot.waitUntil(lambda: window.transcript.currentItem() is not None
                    and window.transcript.currentItem().data(NOTE_ID_ROLE) == note.id)
    text = window.transcript.currentItem().text()
    assert "Note (only you see this)" in text and "vendor ticket 4411" in text


def test_a_requester_has_no_notes(history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history, staff=False)
    assert window.note_button.isHidden()


def test_a_chat_opens_the_history_of_that_person(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history)
    window.show_for(ANN)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert rows(window)[0].startswith("Ann")


def test_export_writes_the_request_shown_leaving_out_the_fields_ticked(
        qtbot: QtBot, tmp_path: Path, make_window: MakeWindow) -> None:
    # Given a real history with Ann's question carrying system info, opened in the window
    store = HistoryStore(":memory:")
    store.add(ChatMessage("q1", ANN, Direction.IN, "Printer jams", T0, "t1", Delivery.RECEIVED,
                          (("os.name", "Debian 12"), ("net.addresses", "10.1.2.3"))))
    store.add(ChatMessage("a1", ANN, Direction.OUT, "On my way", T0 + timedelta(minutes=1),
                          "t1", Delivery.SENT))
    asked: list[list[str]] = []
    target = tmp_path / "ann.md"

    def choose(_parent: QWidget, fields: list[str], _name: str) -> ExportChoice:
        asked.append(fields)
        return ExportChoice(target, ExportFormat.MARKDOWN, frozenset({"net.addresses"}))

    window = make_window(store, export=choose)
    window.show_for(ANN)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.open_current()
    qtbot.waitUntil(lambda: window.export_button.isEnabled())
    # When Export… is chosen
    window.export()
    qtbot.waitUntil(lambda: window.status_text().startswith("Exported"))
    # Then the fields the conversation holds were offered, and the file holds the request
    # without the address, owner-only
    assert asked == [["net.addresses", "os.name"]]
    assert window.status_text() == f"Exported 2 messages to {target}."
    text = target.read_text()
    assert "Printer jams" in text and "Debian 12" in text and "10.1.2.3" not in text
    assert target.stat().st_mode & 0o777 == 0o600
    window.dispose()
    store.close()


def test_the_redaction_dialog_leaves_addresses_out_unless_unticked(qtbot: QtBot) -> None:
    dialog = RedactDialog(["net.addresses", "os.name"])
    qtbot.addWidget(dialog)
    assert dialog.left_out() == {"net.addresses"}
    dialog.boxes["os.name"].setChecked(True)
    dialog.boxes["net.addresses"].setChecked(False)
    assert dialog.left_out() == {"os.name"}


def test_only_the_last_of_quickly_typed_searches_is_shown(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    # Given a history that answers slowly, and two searches typed one after the other
    history.delay_s = 0.15
    window = make_window(history)
    window.open()
    window.search.setText("jams")
    window.run_query()
    window.search.setText("vpn")
    window.run_query()
    # When the answers are in / Then the list holds the last search's hits only
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and "VPN" in rows(window)[0])
    qtbot.wait(400)
    assert [row.split(" · ")[-1] for row in rows(window)] == ["VPN drops every hour"]


def test_the_list_arrives_page_by_page_as_it_is_scrolled(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    # Given three conversations and pages of two
    history.messages.append(chat(500, "carol@example.org", "Access to the finance share?",
                                 thread="t3"))
    window = make_window(history, page_size=2)
    # When the window opens: the view asks for more while it has room to show them
    window.open()
    # Then the next, older page follows the first
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    assert [row.split(" · ")[0] for row in rows(window)] == ["carol@example.org", "Ben", "Ann"]
    assert not window.model.canFetchMore(QModelIndex())


def test_the_keyboard_goes_from_the_search_to_the_list_and_back(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    # Given the window opened: the typing goes to the search field
    window = make_window(history)
    window.open()
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is window.search
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    # When Down: the list has the keyboard, on its first row
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.list
    assert window.list.currentIndex().row() == 0
    # When Up on the first row: back in the search field
    qtbot.keyClick(window.list, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is window.search
    # When Enter there: the first row opens, and the transcript has the keyboard
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.shown is not None)
    assert window.shown.peer == BEN
    assert QApplication.focusWidget() is window.transcript


def test_a_message_stored_while_the_window_is_open_shows_and_the_selection_stays(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    # Given the window open on Ben's and Ann's conversations, Ann's selected
    window = make_window(history)
    window.show()
    window.open()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    window.list.setCurrentIndex(window.model.index(1))
    # When a message from Alice is stored meanwhile
    history.messages.append(chat(500, "alice@example.org", "Is the wifi down?", thread="t3"))
    window.stored_changed()
    # Then, after a short pause, her conversation is listed first, and Ann's is still selected
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=3000)
    assert rows(window)[0].startswith("Alice")
    selected = window.model.row_at(window.list.currentIndex().row())
    assert selected is not None and selected.peer == ANN


def test_a_closed_window_reads_nothing_until_it_opens(
        qtbot: QtBot, history: FakeHistory, make_window: MakeWindow) -> None:
    window = make_window(history)
    window.stored_changed()
    qtbot.wait(50)
    assert history.readers_opened <= 1 and not history.threads_used
