"""CoreBridge: core events reach Qt as few typed signals, and stop after close."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor, ConnectionState, ConnectionStatus
from supporttray.core.conversations import Conversations
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.presence import Availability, BookChanged, PresenceBook
from supporttray.core.requests import RequestQueue
from supporttray.core.server_archive import ServerArchive
from supporttray.ui.bridge import (
    ConversationsChanged,
    CoreBridge,
    MessagesArrived,
    QueueChanged,
    ServerArchiveChanged,
)
from tests.ui.chat_fakes import T0, message


def test_a_burst_of_a_thousand_presence_updates_repaints_once(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor
) -> None:
    bridge = CoreBridge(book, connection)
    emitted: list[BookChanged] = []
    bridge.staff_changed.connect(emitted.append)

    for i in range(1000):
        show = Availability.AWAY if i % 2 else Availability.AVAILABLE
        book.update("alice@example.org/laptop", show, f"status {i}")
        book.update("bob@example.org/phone", show, f"status {i}")
    qtbot.waitUntil(lambda: not bridge.flush_pending)
    qtbot.wait(10)

    assert emitted == [BookChanged(frozenset({"alice@example.org", "bob@example.org"}))]
    bridge.close()


def test_connection_flaps_are_reported_once_with_the_latest_status(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor
) -> None:
    bridge = CoreBridge(book, connection)
    with qtbot.waitSignal(bridge.connection_changed) as blocker:
        connection.set(ConnectionState.CONNECTING)
        connection.set(ConnectionState.ERROR, "The server could not be reached.")
    assert blocker.args == [
        ConnectionStatus(ConnectionState.ERROR, "The server could not be reached.")
    ]
    bridge.close()


def test_close_unsubscribes_and_drops_what_was_pending(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor
) -> None:
    subscribers_before = len(book.changed), len(connection.changed)
    bridge = CoreBridge(book, connection)
    emitted: list[object] = []
    bridge.staff_changed.connect(emitted.append)
    bridge.connection_changed.connect(emitted.append)
    book.update("carol@example.org/desk", Availability.BUSY)

    bridge.close()
    connection.set(ConnectionState.OFFLINE)
    qtbot.wait(20)

    assert (len(book.changed), len(connection.changed)) == subscribers_before
    assert emitted == []
    bridge.close()  # twice is harmless


def test_no_timer_runs_while_nothing_changes(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor
) -> None:
    bridge = CoreBridge(book, connection)
    book.update("carol@example.org/desk", Availability.BUSY)
    qtbot.waitUntil(lambda: not bridge.flush_pending)
    assert not any(timer.isActive() for timer in bridge.findChildren(QTimer))
    bridge.close()


def test_a_burst_of_messages_arrives_as_one_emission_in_order(qtbot: QtBot) -> None:
    conversations = Conversations()
    bridge = CoreBridge()
    bridge.observe_chat(conversations)
    arrived: list[MessagesArrived] = []
    changed: list[ConversationsChanged] = []
    bridge.messages_arrived.connect(arrived.append)
    bridge.conversations_changed.connect(changed.append)

    first = message("one")
    second = message("two", peer="bob@example.org")
    conversations.add(first)
    conversations.add(second)
    conversations.add(message("mine", direction=Direction.OUT))
    qtbot.waitUntil(lambda: not bridge.flush_pending)
    qtbot.wait(10)

    assert arrived == [MessagesArrived((first, second))]
    assert changed == [ConversationsChanged(frozenset({"alice@example.org", "bob@example.org"}))]
    bridge.close()


def test_queue_changes_carry_what_the_tray_badge_needs(qtbot: QtBot) -> None:
    queue = RequestQueue()
    bridge = CoreBridge()
    bridge.observe_requests(queue)
    with qtbot.waitSignal(bridge.queue_changed) as blocker:
        for thread in ("t1", "t2"):
            queue.note(ChatMessage(f"m-{thread}", f"{thread}@example.org", Direction.IN, "VPN?",
                                   T0, thread=thread))
    assert blocker.args == [QueueChanged(open_requests=2, unclaimed=2)]
    bridge.close()


def test_what_the_login_found_of_the_servers_archive_reaches_the_windows(qtbot: QtBot) -> None:
    archive = ServerArchive()
    bridge = CoreBridge()
    bridge.observe_chat(Conversations(), archive)
    seen: list[ServerArchiveChanged] = []
    bridge.server_archive_changed.connect(seen.append)

    archive.found(False)
    archive.found(True)
    qtbot.waitUntil(lambda: not bridge.flush_pending)

    assert seen == [ServerArchiveChanged(True)]
    bridge.close()
