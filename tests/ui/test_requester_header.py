"""Staff conversation header: the requester's local time (live while shown) and earlier requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QLocale, QTime
from pytestqt.qtbot import QtBot

from supporttray.core.history import ThreadList, ThreadSummary
from supporttray.core.messages import Direction
from supporttray.core.presence import PresenceBook
from supporttray.ui.chat.conversation_pane import ConversationPane
from supporttray.ui.chat.thread_dialog import ThreadDialog
from supporttray.ui.chat.window import ChatWindow
from supporttray.ui.icons import IconSet
from supporttray.ui.requester_header import RequesterHeader
from tests.helpers import FakeClock
from tests.ui.chat_fakes import FakeChat, Spawner, bridge_for, message

ANN = "ann@example.org"
BEN = "ben@example.org"
# 20:31:59.3 UTC: on a clock at UTC-06:00 it is 14:31, and 14:32 in 0.7 s.
NOW = datetime(2026, 3, 2, 20, 31, 59, 300_000, tzinfo=UTC)
FROM_CHICAGO = (("os.name", "Windows 11 Pro"), ("local_time", "2026-03-02T14:05:10-06:00"))


def hm(hour: int, minute: int) -> str:
    return QLocale.system().toString(QTime(hour, minute), QLocale.FormatType.ShortFormat)


@pytest.fixture
def chat() -> FakeChat:
    return FakeChat()


@pytest.fixture
def window(
    qtbot: QtBot, chat: FakeChat, book: PresenceBook, icons: IconSet, clock: FakeClock
) -> Iterator[ChatWindow]:
    clock.now = NOW
    spawner = Spawner()
    window = ChatWindow(chat, bridge=bridge_for(chat), book=book, mode="staff", spawn=spawner,
                        icons=icons, clock=clock)
    qtbot.addWidget(window)
    yield window
    window.dispose()
    spawner.close()


def header_of(pane: ConversationPane) -> RequesterHeader:
    assert pane.requester_header is not None
    return pane.requester_header


def open_chat(qtbot: QtBot, window: ChatWindow, peer: str = ANN) -> ConversationPane:
    pane = window.open_chat(peer)
    qtbot.waitUntil(window.isActiveWindow)
    return pane


def test_the_header_shows_the_requesters_local_time_from_their_system_info(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    # given a request from ann with system info sent from a clock at UTC-06:00
    chat.receive("VPN is down", peer=ANN, at=NOW - timedelta(minutes=30), sysinfo=FROM_CHICAGO)
    # when staff open the chat
    header = header_of(open_chat(qtbot, window))
    # then the header shows the time on ann's clock now, not when she sent it
    assert header.isVisible()
    assert header.local_time_text() == f"Local time {hm(14, 31)} (UTC−06:00)"


def test_the_local_time_is_redrawn_when_the_minute_turns_on_their_clock(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat, clock: FakeClock
) -> None:
    chat.receive("VPN is down", peer=ANN, sysinfo=FROM_CHICAGO)
    header = header_of(open_chat(qtbot, window))
    # one single-shot timer, due just after the next minute on their clock (0.7 s away)
    timer = header.minute_timer
    assert timer.isActive() and timer.isSingleShot()
    assert 700 <= timer.interval() <= 1_300
    # when the minute turns, then the header reads the new minute without anything else
    clock.advance(1.0)
    qtbot.waitUntil(lambda: header.local_time_text() == f"Local time {hm(14, 32)} (UTC−06:00)",
                    timeout=3_000)
    # and the next redraw waits for the minute after (about 59 s), not a polling interval
    assert timer.isActive()
    assert 58_000 <= timer.interval() <= 60_500


def test_no_timer_runs_while_the_header_is_hidden(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat, clock: FakeClock
) -> None:
    chat.receive("VPN is down", peer=ANN, sysinfo=FROM_CHICAGO)
    chat.receive("Printer?", peer=BEN, sysinfo=FROM_CHICAGO)
    ann = header_of(open_chat(qtbot, window, ANN))
    ben = header_of(open_chat(qtbot, window, BEN))
    # a background tab's header has no timer; the shown one has
    assert not ann.minute_timer.isActive()
    assert ben.minute_timer.isActive()
    # the window hides (closed to the tray): no timer at all
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not ann.minute_timer.isActive() and not ben.minute_timer.isActive()
    # shown again later: the current header is up to date at once, and ticks again
    clock.advance(120)
    window.show_window()
    qtbot.waitUntil(window.isVisible)
    assert ben.local_time_text() == f"Local time {hm(14, 33)} (UTC−06:00)"
    assert ben.minute_timer.isActive()
    assert not ann.minute_timer.isActive()


@pytest.mark.parametrize("sysinfo", [
    (),                                                  # no system info at all
    (("os.name", "Debian 12"),),                         # no local time in it
    (("local_time", "2026-03-02T14:05:10"),),            # a local time without its offset
    (("local_time", "unavailable"),),
])
def test_without_a_known_local_time_nothing_is_guessed(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat, sysinfo: tuple[tuple[str, str], ...]
) -> None:
    chat.receive("Hello", peer=ANN, sysinfo=sysinfo)
    header = header_of(open_chat(qtbot, window))
    assert header.local_time_text() == ""
    assert not header.minute_timer.isActive()
    assert not header.isVisible()  # and no empty strip above the conversation


def test_the_local_time_follows_their_newest_system_info(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    chat.receive("VPN is down", peer=ANN, sysinfo=FROM_CHICAGO)
    header = header_of(open_chat(qtbot, window))
    # ann travels and sends her system info again, now from UTC+05:30
    chat.receive("Updated system info", peer=ANN,
                 sysinfo=(("local_time", "2026-03-03T02:02:00+05:30"),))
    qtbot.waitUntil(lambda: "UTC+05:30" in header.local_time_text())
    assert header.local_time_text() == f"Local time {hm(2, 1)} (UTC+05:30)"


def summary(thread: str, day: int, first_line: str | None, messages: int = 4) -> ThreadSummary:
    return ThreadSummary(thread, datetime(2026, 2, day, 12, 0, tzinfo=UTC), first_line, messages)


def test_earlier_requests_are_listed_newest_first_with_the_count_of_the_rest(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    # given ann's history: 13 earlier requests, the newest 10 listed by the service
    shown = tuple(summary(f"t-{d}", d, f"Request of day {d}") for d in range(20, 10, -1))
    chat.threads[ANN] = ThreadList(
        (summary("t-27", 27, "Printer jams\u202e again"), *shown[:8], summary("t-9", 9, None)),
        13)
    chat.receive("VPN is down", peer=ANN)
    header = header_of(open_chat(qtbot, window))
    # then the title has the count; expanded, the list reads newest first, then how many more
    assert header.earlier_title() == "Earlier requests (13)"
    header.set_expanded(True)
    rows = header.earlier_rows()
    assert rows[0] == "27 Feb 2026 · Printer jams again"  # their text, without direction tricks
    assert rows[1:9] == [f"{d} Feb 2026 · Request of day {d}" for d in range(20, 12, -1)]
    assert rows[9:] == ["9 Feb 2026 · (nothing from them)"]
    assert header.more_text() == "and 3 older"
    assert chat.earlier_asked == [ANN]


def test_earlier_requests_are_asked_again_only_when_a_new_request_starts(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    chat.receive("VPN is down", peer=ANN)
    pane = open_chat(qtbot, window)
    assert chat.earlier_asked == [ANN]
    chat.receive("Still down", peer=ANN)  # same thread
    qtbot.waitUntil(lambda: len(pane.view.bubbles()) == 2)
    assert chat.earlier_asked == [ANN]
    chat.threads[ANN] = ThreadList((summary("st-1", 27, "VPN is down"),), 1)
    chat.conversations.add(replace(message("New problem", peer=ANN), thread="st-2"))
    qtbot.waitUntil(lambda: header_of(pane).earlier_title() == "Earlier requests (1)")
    assert chat.earlier_asked == [ANN, ANN]


def test_no_earlier_requests_show_no_list(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    chat.receive("First time here", peer=ANN)
    header = header_of(open_chat(qtbot, window))
    assert header.earlier_title() == ""
    assert not header.isVisible()


def test_clicking_an_earlier_request_shows_its_messages(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    chat.threads[ANN] = ThreadList((summary("t-old", 27, "Printer jams"),), 1)
    chat.thread_bodies[(ANN, "t-old")] = [
        message("Printer jams", peer=ANN, at=datetime(2026, 2, 27, 12, 0, tzinfo=UTC)),
        message("Open tray 2", peer=ANN, direction=Direction.OUT,
                at=datetime(2026, 2, 27, 12, 5, tzinfo=UTC)),
    ]
    chat.receive("VPN is down", peer=ANN)
    pane = open_chat(qtbot, window)
    header = header_of(pane)
    header.set_expanded(True)
    header.choose(0)
    dialog = pane.findChild(ThreadDialog) or window.findChild(ThreadDialog)
    assert isinstance(dialog, ThreadDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert [b.message.body for b in dialog.view.bubbles()] == ["Printer jams", "Open tray 2"]
    assert dialog.windowTitle().startswith("Earlier request from ann")


def test_requesters_get_no_staff_header(qtbot: QtBot, window: ChatWindow, chat: FakeChat,
                                        book: PresenceBook, icons: IconSet,
                                        clock: FakeClock) -> None:
    spawner = Spawner()
    requester = ChatWindow(chat, bridge=bridge_for(chat), book=book, mode="requester",
                           spawn=spawner, icons=icons, clock=clock)
    qtbot.addWidget(requester)
    try:
        pane = requester.open_chat("alice@example.org")
        assert pane.requester_header is None
        assert pane.findChild(RequesterHeader) is None
    finally:
        requester.dispose()
        spawner.close()
