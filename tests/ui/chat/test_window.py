"""The chat window: sending, what a message looks like, delivery, typing and reading."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Protocol

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from supporttray.app.chat import AskError
from supporttray.app.request_desk import RequestDesk
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.ui.chat.bubble import FullTextDialog, MessageBubble
from supporttray.ui.chat.conversation_pane import ConversationPane
from supporttray.ui.chat.message_view import RENDER_BATCH
from supporttray.ui.chat.time_text import time_text
from supporttray.ui.chat.window import ChatWindow
from supporttray.ui.icons import IconSet
from tests.helpers import FakeClock
from tests.ui.chat_fakes import SNAPSHOT, T0, FakeChat, Spawner, bridge_for, message

ALICE = "alice@example.org"


@pytest.fixture
def chat() -> FakeChat:
    return FakeChat()


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


class Opened:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return True


@pytest.fixture
def opened() -> Opened:
    return Opened()


class MakeWindow(Protocol):
    def __call__(self, mode: str = ..., pause_ms: int = ...) -> ChatWindow: ...


@pytest.fixture
def make_window(
    qtbot: QtBot,
    chat: FakeChat,
    spawner: Spawner,
    book: PresenceBook,
    icons: IconSet,
    clock: FakeClock,
    opened: Opened,
) -> Iterator[MakeWindow]:
    made: list[ChatWindow] = []

    def make(mode: str = "requester", pause_ms: int = 5_000) -> ChatWindow:
        window = ChatWindow(
            chat,
            bridge=bridge_for(chat),
            book=book,
            mode=mode,
            spawn=spawner,
            icons=icons,
            clock=clock,
            open_link=opened,
            composing_pause_ms=pause_ms,
        )
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.dispose()


def settle(qtbot: QtBot) -> None:
    """Let the loop run the bridge's coalesced emission."""
    qtbot.wait(1)


def open_alice(make_window: MakeWindow, qtbot: QtBot, **kwargs: object) -> ConversationPane:
    window = make_window(**kwargs)  # type: ignore[arg-type]
    pane = window.open_chat(ALICE)
    qtbot.waitUntil(window.isActiveWindow)
    return pane


def only_bubble(pane: ConversationPane) -> MessageBubble:
    bubbles = pane.view.bubbles()
    assert len(bubbles) == 1
    return bubbles[0]


def plain(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText().replace("\u200b", "")


# -- sending ------------------------------------------------------------------------------
def test_enter_sends_and_shift_enter_inserts_a_newline(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    pane = open_alice(make_window, qtbot)
    qtbot.keyClicks(pane.edit, "first line")
    qtbot.keyClick(pane.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(pane.edit, "second line")
    assert pane.edit.toPlainText() == "first line\nsecond line"
    assert chat.sent == []

    qtbot.keyClick(pane.edit, Qt.Key.Key_Return)
    spawner.run()
    assert chat.sent == [(ALICE, "first line\nsecond line")]
    assert pane.edit.toPlainText() == ""


def test_enter_in_an_empty_box_sends_nothing(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    pane = open_alice(make_window, qtbot)
    assert not pane.send_button.isEnabled()
    qtbot.keyClicks(pane.edit, "   ")
    qtbot.keyClick(pane.edit, Qt.Key.Key_Enter)
    spawner.run()
    assert chat.sent == []
    assert not pane.send_button.isEnabled()


def test_a_failed_send_says_why_and_puts_the_text_back(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.send_error = AskError("The message could not be stored; the disk is full.")
    qtbot.keyClicks(pane.edit, "Is the printer fixed?")
    pane.send_button.click()
    spawner.run()
    assert pane.error_text() == "The message could not be stored; the disk is full."
    assert pane.edit.toPlainText() == "Is the printer fixed?"


def test_the_sent_message_appears_as_a_bubble_with_its_delivery_state(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    pane = open_alice(make_window, qtbot)
    qtbot.keyClicks(pane.edit, "Thanks!")
    qtbot.keyClick(pane.edit, Qt.Key.Key_Return)
    spawner.run()
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    bubble = only_bubble(pane)
    assert bubble.objectName() == "bubbleOut"
    assert plain(bubble.body_html()) == "Thanks!"
    assert bubble.delivery_tooltip() == "Sent to the server"


# -- what a message looks like ----------------------------------------------------------------
def test_script_and_markup_are_shown_literally(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.receive("<script>alert('x')</script><b>not bold</b><img src=x>")
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    html = only_bubble(pane).body_html()
    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert plain(html) == "<script>alert('x')</script><b>not bold</b><img src=x>"


def test_only_allowed_schemes_are_links_and_only_they_open(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, opened: Opened
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.receive("Try https://wiki.example.org/vpn or javascript:alert(1) or file:///etc/passwd")
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    bubble = only_bubble(pane)
    html = bubble.body_html()
    assert html.count("<a ") == 1
    assert '<a href="https://wiki.example.org/vpn">' in html

    label = bubble.body_label()
    label.linkActivated.emit("https://wiki.example.org/vpn")
    label.linkActivated.emit("javascript:alert(1)")  # even if a label ever offered one
    label.linkActivated.emit("file:///etc/passwd")
    assert opened.urls == ["https://wiki.example.org/vpn"]


def test_the_default_opener_refuses_other_schemes() -> None:
    from supporttray.ui.chat.links import open_allowed_link

    assert open_allowed_link("javascript:alert(1)") is False
    assert open_allowed_link("data:text/html,hi") is False


def test_a_right_to_left_override_does_not_reorder_the_message(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.receive("open invoice\u202egpj.exe now")
    chat.receive("next message")
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 2)
    first, second = pane.view.bubbles()
    assert "\u202e" not in first.body_html()
    assert plain(first.body_html()) == "open invoicegpj.exe now"
    assert plain(second.body_html()) == "next message"


def test_control_characters_are_not_shown(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.receive("bell\x07 escape\x1b[2J null\x00 end")
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    assert plain(only_bubble(pane).body_html()) == "bell escape[2J null end"


def test_a_megabyte_body_renders_shortened_quickly_with_show_all(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    for i in range(99):
        chat.receive(f"message {i}", minutes=i / 10)
    body = "lorem ipsum " * 90_000  # about 1 MB
    chat.conversations.add(message(body, minutes=20))
    started = time.thread_time()  # CPU time of the UI thread: what the user would wait for
    pane.refresh()
    qtbot.wait(1)  # and let it lay out
    elapsed = time.thread_time() - started
    print(f"100 messages with a 1 MB body rendered in {elapsed * 1000:.0f} ms")
    assert elapsed < 0.5, f"{elapsed:.3f} s"

    bubble = pane.view.bubbles()[-1]
    assert bubble.shortened()
    assert len(plain(bubble.body_html())) <= 4_000
    assert len(pane.view.bubbles()) == RENDER_BATCH  # older ones wait behind "Show earlier"
    assert pane.view.hidden_before == 100 - RENDER_BATCH


def test_show_all_opens_a_huge_body_in_a_viewer(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    body = "x" * 200_000 + " the end"
    chat.receive(body)
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    only_bubble(pane).show_all()
    dialogs = [w for w in pane.window().findChildren(FullTextDialog)]
    assert len(dialogs) == 1
    assert dialogs[0].text_view.toPlainText() == body
    dialogs[0].close()


def test_show_all_expands_a_long_body_in_place(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    body = "word " * 2_000 + "the end"
    chat.receive(body)
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    bubble = only_bubble(pane)
    assert bubble.shortened()
    bubble.show_all()
    assert not bubble.shortened()
    assert plain(bubble.body_html()).endswith("the end")


def test_show_earlier_messages_builds_the_older_bubbles(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    for i in range(RENDER_BATCH + 5):
        chat.receive(f"message {i}", minutes=i)
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == RENDER_BATCH)
    pane.view.show_earlier()
    assert len(pane.view.bubbles()) == RENDER_BATCH + 5
    assert plain(pane.view.bubbles()[0].body_html()) == "message 0"


def test_times_are_shown_in_local_time(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.receive("hello", at=T0)
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    assert only_bubble(pane).time_text() == time_text(T0)
    local = T0.astimezone()
    assert f"{local.minute:02d}" in time_text(T0)


# -- delivery, typing, composing --------------------------------------------------------------
def test_delivery_state_follows_queued_sent_delivered(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    sent = message("hi", direction=Direction.OUT, delivery=Delivery.QUEUED)
    chat.conversations.add(sent)
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    bubble = only_bubble(pane)
    assert bubble.delivery_tooltip().startswith("Waiting to be sent")
    chat.conversations.update_delivery(sent.id, Delivery.SENT)
    qtbot.waitUntil(lambda: bubble.delivery_tooltip() == "Sent to the server")
    chat.conversations.update_delivery(sent.id, Delivery.DELIVERED)
    qtbot.waitUntil(lambda: bubble.delivery_tooltip() == "Delivered to Alice")
    assert only_bubble(pane) is bubble  # updated in place, not rebuilt


def test_typing_indicator_appears_and_disappears(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    assert pane.typing_text() == ""
    chat.conversations.set_typing(ALICE, True)
    qtbot.waitUntil(lambda: pane.typing_text() == "Alice is typing…")
    chat.receive("done typing")  # a message ends typing
    qtbot.waitUntil(lambda: pane.typing_text() == "")


def test_composing_is_reported_once_per_burst_and_ends_after_a_pause(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot, pause_ms=60)
    qtbot.keyClicks(pane.edit, "several keystrokes")
    assert chat.composing_calls == [(ALICE, True)]
    qtbot.waitUntil(lambda: chat.composing_calls == [(ALICE, True), (ALICE, False)])
    qtbot.keyClicks(pane.edit, " more")
    assert chat.composing_calls[-1] == (ALICE, True)
    assert len(chat.composing_calls) == 3


def test_clearing_the_box_reports_not_composing_at_once(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    qtbot.keyClicks(pane.edit, "ab")
    pane.edit.selectAll()
    qtbot.keyClick(pane.edit, Qt.Key.Key_Delete)
    assert chat.composing_calls == [(ALICE, True), (ALICE, False)]


# -- system info ------------------------------------------------------------------------------
def test_staff_see_a_received_sysinfo_as_a_panel(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    window = make_window("staff")
    chat.receive("VPN drops", peer="jdoe@example.org", sysinfo=SNAPSHOT.as_pairs())
    qtbot.waitUntil(lambda: window.pane("jdoe@example.org") is not None)
    pane = window.pane("jdoe@example.org")
    assert pane is not None
    bubble = only_bubble(pane)
    panel = bubble.sysinfo_panel
    assert panel is not None and panel.expanded
    assert ("Model", "ThinkPad T14") in panel.rows()
    assert plain(bubble.body_html()) == "VPN drops"


def test_a_requester_never_gets_a_panel_for_a_received_message(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.receive("here is mine", sysinfo=SNAPSHOT.as_pairs())
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    assert only_bubble(pane).sysinfo_panel is None


def test_send_system_info_again_sends_a_fresh_snapshot(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    pane = open_alice(make_window, qtbot)
    pane.send_sysinfo_again()
    spawner.run()
    assert chat.sysinfo_again == [ALICE]
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 1)
    panel = only_bubble(pane).sysinfo_panel
    assert panel is not None and not panel.expanded  # what I sent: there, but folded


def test_send_system_info_again_refused_by_policy_says_so(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner
) -> None:
    pane = open_alice(make_window, qtbot)
    chat.send_error = AskError("Your organisation's policy does not allow sending system info.")
    pane.send_sysinfo_again()
    spawner.run()
    assert pane.error_text() == "Your organisation's policy does not allow sending system info."


# -- tabs and reading -------------------------------------------------------------------------
def test_reading_the_chat_marks_it_read(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    chat.receive("are you there?")
    assert chat.unread == 1
    window = make_window()
    window.open_chat(ALICE)
    qtbot.waitUntil(lambda: chat.unread == 0)
    assert ALICE in chat.read


def test_a_message_for_the_chat_being_read_is_read_at_once(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    open_alice(make_window, qtbot)
    chat.receive("instant")
    settle(qtbot)  # the bridge's one emission for the burst: before any badge or notification
    assert chat.unread == 0


def test_a_new_conversation_gets_a_tab_without_taking_the_current_one(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    window = make_window()
    window.open_chat(ALICE)
    qtbot.waitUntil(window.isActiveWindow)
    chat.receive("hello from bob", peer="bob@example.org")
    qtbot.waitUntil(lambda: len(window.tab_texts()) == 2)
    assert window.tab_texts() == ["Alice", "Bob (1)"]
    current = window.current_pane()
    assert current is not None and current.peer == ALICE
    assert window.windowTitle() == "(1) Alice — SupportTray"


def test_closing_the_window_only_hides_it(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    window.open_chat(ALICE)
    window.close()
    assert not window.isVisible()
    assert window.pane(ALICE) is not None


def test_closing_a_tab_while_typing_tells_the_peer(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    window = make_window()
    pane = window.open_chat(ALICE)
    qtbot.keyClicks(pane.edit, "half a thought")
    window.tabs.tabCloseRequested.emit(0)
    assert chat.composing_calls == [(ALICE, True), (ALICE, False)]
    assert window.pane(ALICE) is None


# -- staff: canned replies -------------------------------------------------------------------------


def test_staff_insert_a_canned_reply_from_the_menu_or_with_ctrl_and_a_digit(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat
) -> None:
    chat.replies = [("Hi {peer}", "Hi alice, on it."), ("Restart", "Please restart.")]
    window = make_window(mode="staff")
    pane = window.open_chat(ALICE)
    pane.edit.setPlainText("Thanks! ")
    pane.edit.moveCursor(pane.edit.textCursor().MoveOperation.End)
    pane.replies_menu.aboutToShow.emit()
    labels = [a.text() for a in pane.replies_menu.actions()]
    assert labels == ["Hi {peer}\tCtrl+1", "Restart\tCtrl+2", "", "Edit replies…"]
    pane.replies_menu.actions()[1].trigger()
    assert pane.edit.toPlainText() == "Thanks! Please restart."
    pane.edit.clear()
    assert pane.insert_canned_reply(0)
    assert pane.edit.toPlainText() == "Hi alice, on it."
    assert not pane.insert_canned_reply(5)  # Ctrl+6 with two replies: nothing happens


def test_requesters_have_no_canned_replies(qtbot: QtBot, make_window: MakeWindow) -> None:
    pane = make_window(mode="requester").open_chat(ALICE)
    assert pane.findChild(QToolButton, "cannedReplies") is None


# -- staff: take and resolve the person's request ---------------------------------------------


class LocalSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None]] = []

    async def send(self, peer: str, text: str, *, thread: str | None = None) -> object:
        self.sent.append((peer, text, thread))
        return None


def test_staff_take_and_resolve_a_request_from_its_chat(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, spawner: Spawner, clock: FakeClock,
) -> None:
    chat.requests = RequestQueue()
    chat.desk = RequestDesk(chat.requests, "dave@example.org")
    sender = LocalSender()
    chat.desk.attach(None, sender)  # no staff room: claims stay on this computer
    window = make_window(mode="staff")
    pane = window.open_chat(ALICE)
    assert pane.request_state() == "" and not pane.take_button.isVisibleTo(pane)
    question = ChatMessage("q1", ALICE, Direction.IN, "VPN?", clock.now, thread="t1")
    chat.conversations.add(question)  # as ChatService.receive does: the chat, then the queue
    chat.requests.note(question)
    settle(qtbot)
    assert pane.request_state() == "Nobody has taken it yet"
    pane.take_button.click()
    settle(qtbot)
    assert pane.request_state() == "Taken by you" and not pane.take_button.isEnabled()
    pane.resolve_button.click()
    spawner.run()
    settle(qtbot)
    assert sender.sent and sender.sent[0][0] == ALICE and sender.sent[0][2] == "t1"
    assert pane.request_state() == "" and chat.requests.requests() == []


def test_staff_see_who_took_the_request_and_cannot_take_it_again(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, clock: FakeClock,
) -> None:
    chat.requests = RequestQueue()
    chat.desk = RequestDesk(chat.requests, "dave@example.org")
    chat.desk.attach(None, LocalSender())
    window = make_window(mode="staff")
    pane = window.open_chat(ALICE)
    question = ChatMessage("q1", ALICE, Direction.IN, "VPN?", clock.now, thread="t1")
    chat.conversations.add(question)  # as ChatService.receive does: the chat, then the queue
    chat.requests.note(question)
    chat.requests.claimed("t1", "bob@example.org")
    settle(qtbot)
    assert pane.request_state() == "Taken by Bob"  # the book's name for bob
    assert not pane.take_button.isEnabled()
    pane.take_request()  # e.g. a stale click: refused with the reason
    assert "bob@example.org has already taken" in pane.error_text()


def test_staff_see_the_question_of_a_request_that_reached_a_colleague(
    qtbot: QtBot, make_window: MakeWindow, chat: FakeChat, clock: FakeClock,
) -> None:
    chat.requests = RequestQueue()
    chat.desk = RequestDesk(chat.requests, "dave@example.org")
    chat.desk.attach(None, LocalSender())
    pane = make_window(mode="staff").open_chat(ALICE)
    chat.requests.announced(SupportRequest(
        id="t9", requester=ALICE, thread="t9", opened=clock.now, summary="Windows 11 Pro",
        first_line="The projector in meeting room 2 shows 'no signal' from my laptop again"))
    settle(qtbot)
    state = pane.request_state()
    assert state.startswith("Nobody has taken it yet · “The projector in meeting room 2")
    assert state.endswith("…”") and len(state) < 100
