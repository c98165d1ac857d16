"""Notifications and the unread badge: for messages the person is not looking at, only."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor
from supporttray.core.conversations import Conversations
from supporttray.core.presence import PresenceBook
from supporttray.ui.chat.window import ChatWindow
from supporttray.ui.desktop_notices import NoticeAction
from supporttray.ui.icons import IconSet
from supporttray.ui.notifier import Notifier
from supporttray.ui.tray import TrayController
from tests.helpers import FakeClock
from tests.ui.chat_fakes import FakeChat, Spawner, bridge_for, message
from tests.ui.conftest import OFFSCREEN_TRAY_WARNING, Calls

ALICE = "alice@example.org"
BOB = "bob@example.org"


class FakeSurface:
    """Stands in for the tray: records notifications and the badge."""

    def __init__(self) -> None:
        self.notifications: list[tuple[str, str]] = []
        self.chats: list[str | None] = []  # whom each notification is about
        self.withdrawn: list[str] = []
        self.unread: list[int] = []

    def show_notification(self, title: str, text: str,
                          on_click: Callable[[], object] | None = None, *,
                          chat: str | None = None, actions: Sequence[NoticeAction] = ()) -> None:
        self.notifications.append((title, text))
        self.chats.append(chat)

    def withdraw_notification(self, chat: str) -> None:
        self.withdrawn.append(chat)

    def set_unread(self, count: int) -> None:
        self.unread.append(count)


class Reading:
    def __init__(self) -> None:
        self.peer: str | None = None

    def __call__(self, peer: str) -> bool:
        return peer == self.peer


@pytest.fixture
def conversations() -> Conversations:
    return Conversations()


@pytest.fixture
def surface() -> FakeSurface:
    return FakeSurface()


@pytest.fixture
def reading() -> Reading:
    return Reading()


@pytest.fixture
def opened_chats() -> list[str]:
    return []


@pytest.fixture
def notifier(
    qtbot: QtBot,
    conversations: Conversations,
    surface: FakeSurface,
    reading: Reading,
    opened_chats: list[str],
) -> Iterator[Notifier]:
    names = {ALICE: "Alice", BOB: "Bob"}
    notifier = Notifier(
        conversations,
        surface,
        bridge=bridge_for(FakeChat(), conversations=conversations),
        is_reading=reading,
        open_chat=opened_chats.append,
        name_of=lambda jid: names.get(jid, jid),
    )
    qtbot.waitUntil(lambda: surface.unread == [0])  # the initial badge
    yield notifier
    notifier.close()


def settle(qtbot: QtBot) -> None:
    qtbot.wait(1)


def test_a_background_message_notifies_and_badges(
    qtbot: QtBot, notifier: Notifier, conversations: Conversations, surface: FakeSurface
) -> None:
    conversations.add(message("The printer on floor 3 is fixed.\nTry again please."))
    settle(qtbot)
    assert surface.notifications == [("Alice", "The printer on floor 3 is fixed.")]
    assert surface.unread[-1] == 1


def test_no_notification_for_the_chat_being_read(
    qtbot: QtBot,
    notifier: Notifier,
    conversations: Conversations,
    surface: FakeSurface,
    reading: Reading,
) -> None:
    reading.peer = ALICE
    conversations.add(message("you are looking at me"))
    settle(qtbot)
    assert surface.notifications == []


def test_clicking_the_notification_opens_that_chat(
    qtbot: QtBot,
    notifier: Notifier,
    conversations: Conversations,
    opened_chats: list[str],
) -> None:
    conversations.add(message("hello", peer=BOB))
    settle(qtbot)
    notifier.notification_clicked()
    assert opened_chats == [BOB]


def test_a_burst_from_one_person_is_one_notification(
    qtbot: QtBot, notifier: Notifier, conversations: Conversations, surface: FakeSurface
) -> None:
    for i in range(3):
        conversations.add(message(f"part {i}", minutes=i))
    settle(qtbot)
    assert surface.notifications == [("Alice (3 new messages)", "part 2")]
    assert surface.unread[-1] == 3


def test_a_burst_from_several_people_names_them(
    qtbot: QtBot, notifier: Notifier, conversations: Conversations, surface: FakeSurface
) -> None:
    conversations.add(message("a"))
    conversations.add(message("b", peer=BOB))
    settle(qtbot)
    assert surface.notifications == [("2 new messages", "From Alice and Bob")]
    assert notifier.last_notified_peer == BOB


def test_reading_clears_the_badge(
    qtbot: QtBot, notifier: Notifier, conversations: Conversations, surface: FakeSurface
) -> None:
    conversations.add(message("one"))
    conversations.add(message("two", peer=BOB))
    settle(qtbot)
    assert surface.unread[-1] == 2
    conversations.mark_read(ALICE)
    settle(qtbot)
    assert surface.unread[-1] == 1


def test_the_notification_cannot_carry_markup(
    qtbot: QtBot, notifier: Notifier, conversations: Conversations, surface: FakeSurface
) -> None:
    conversations.add(message('<a href="https://evil.example">click</a>\u202e'))
    settle(qtbot)
    [(_title, text)] = surface.notifications
    assert "<" not in text and "\u202e" not in text


# -- with the real chat window ----------------------------------------------------------------
def test_with_the_chat_window_focused_nothing_is_notified(
    qtbot: QtBot,
    book: PresenceBook,
    icons: IconSet,
    clock: FakeClock,
    surface: FakeSurface,
) -> None:
    chat = FakeChat()
    spawner = Spawner()
    bridge = bridge_for(chat)  # one for both, as the tray shares its own
    window = ChatWindow(chat, bridge=bridge, book=book, mode="requester", spawn=spawner,
                        icons=icons, clock=clock)
    qtbot.addWidget(window)
    notifier = Notifier(
        chat.conversations,
        surface,
        bridge=bridge,
        is_reading=window.is_reading,
        open_chat=window.open_chat,
        name_of=window.name_of,
    )
    try:
        window.open_chat(ALICE)
        qtbot.waitUntil(window.isActiveWindow)
        chat.receive("seen as it arrives")
        settle(qtbot)
        assert surface.notifications == []
        assert surface.unread[-1] == 0

        # Another window takes the focus: now the same chat is in the background.
        other = QWidget()
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        qtbot.waitUntil(lambda: not window.isActiveWindow())
        chat.receive("now in the background")
        settle(qtbot)
        assert surface.notifications == [("Alice", "now in the background")]
        assert surface.unread[-1] == 1

        # Coming back to the chat reads it.
        window.activateWindow()
        qtbot.waitUntil(lambda: surface.unread[-1] == 0)
    finally:
        notifier.close()
        window.dispose()
        spawner.close()


# -- wired into the tray ----------------------------------------------------------------------
@pytest.fixture
def chat_controller(
    qtbot: QtBot,
    book: PresenceBook,
    connection: ConnectionMonitor,
    clock: FakeClock,
    calls: Calls,
    icons: IconSet,
) -> Iterator[tuple[TrayController, FakeChat, Spawner]]:
    chat = FakeChat()
    spawner = Spawner()
    controller = TrayController(
        book,
        connection,
        app_name="SupportTray",
        mode="requester",
        on_reconnect=calls.on_reconnect,
        on_quit=calls.on_quit,
        clock=clock,
        tray_available=lambda: False,
        tray_retry_ms=(60_000,),
        icons=icons,
        chat=chat,
        spawn=spawner,
    )
    yield controller, chat, spawner
    controller.close()
    spawner.close()


def menu_texts(controller: TrayController) -> list[str]:
    controller.menu.aboutToShow.emit()
    return [a.text() for a in controller.menu.actions() if not a.isSeparator()]


def test_the_menu_offers_ask_support_and_open_chats(
    qtbot: QtBot, chat_controller: tuple[TrayController, FakeChat, Spawner]
) -> None:
    controller, chat, _spawner = chat_controller
    texts = menu_texts(controller)
    assert texts[-5:] == ["Ask support…", "Open chats", "History…", "Open SupportTray", "Quit"]
    chat.receive("ping")
    qtbot.waitUntil(lambda: controller.unread == 1)
    assert "Open chats (1 unread)" in menu_texts(controller)


def test_left_click_opens_the_ask_window(
    qtbot: QtBot, chat_controller: tuple[TrayController, FakeChat, Spawner]
) -> None:
    controller, chat, spawner = chat_controller
    controller.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert controller.ask_window is not None and controller.ask_window.isVisible()
    spawner.run()
    assert chat.planned == [(None, False)]


def test_choosing_a_person_in_the_menu_asks_them(
    qtbot: QtBot, chat_controller: tuple[TrayController, FakeChat, Spawner]
) -> None:
    controller, chat, spawner = chat_controller
    controller.menu.aboutToShow.emit()
    bob = next(a for a in controller.menu.actions() if a.text().startswith("Bob"))
    bob.trigger()
    spawner.run()
    assert chat.planned[-1] == ("bob@example.org", False)


def test_an_unread_message_badges_the_tray_and_the_status_window(
    qtbot: QtBot, chat_controller: tuple[TrayController, FakeChat, Spawner]
) -> None:
    controller, chat, _spawner = chat_controller
    chat.receive("ping")
    qtbot.waitUntil(lambda: controller.unread == 1)
    assert controller.tooltip.splitlines()[-1] == "1 unread message"
    assert controller.window.chats_button.text() == "Open &chats (1)"


def test_without_a_tray_a_message_alerts_the_status_window(
    qtbot: QtBot,
    chat_controller: tuple[TrayController, FakeChat, Spawner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    controller, chat, _spawner = chat_controller
    alerted: list[QWidget] = []
    monkeypatch.setattr(QApplication, "alert", lambda widget, msec=0: alerted.append(widget))
    controller.start()  # no tray: the status window stands in, with the chat buttons
    assert controller.window.ask_button.isVisible()
    assert controller.window.chats_button.isVisible()
    chat.receive("ping")
    qtbot.waitUntil(lambda: controller.unread == 1)
    assert alerted == [controller.window]
    controller.window.chats_button.click()
    assert controller.chat_window is not None and controller.chat_window.isVisible()


@pytest.mark.qt_log_ignore(OFFSCREEN_TRAY_WARNING)
def test_clicking_the_tray_notification_opens_the_chat(
    qtbot: QtBot,
    book: PresenceBook,
    connection: ConnectionMonitor,
    calls: Calls,
    icons: IconSet,
) -> None:
    chat = FakeChat()
    spawner = Spawner()
    controller = TrayController(
        book,
        connection,
        app_name="SupportTray",
        mode="requester",
        on_reconnect=calls.on_reconnect,
        on_quit=calls.on_quit,
        tray_available=lambda: True,
        icons=icons,
        chat=chat,
        spawn=spawner,
    )
    try:
        controller.start()
        chat.receive("your laptop is ready", peer=BOB)
        qtbot.waitUntil(lambda: controller.unread == 1)
        controller.tray_icon.messageClicked.emit()
        window = controller.chat_window
        assert window is not None and window.isVisible()
        pane = window.current_pane()
        assert pane is not None and pane.peer == BOB
        qtbot.waitUntil(lambda: controller.unread == 0)
    finally:
        controller.close()
        spawner.close()


def test_a_chat_service_without_spawn_is_refused(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor
) -> None:
    with pytest.raises(ValueError, match="spawn"):
        TrayController(
            book,
            connection,
            app_name="SupportTray",
            mode="requester",
            on_reconnect=lambda: None,
            on_quit=lambda: None,
            chat=FakeChat(),
        )


def test_staff_mode_has_chats_but_no_ask_window(
    qtbot: QtBot, book: PresenceBook, connection: ConnectionMonitor, icons: IconSet
) -> None:
    spawner = Spawner()
    controller = TrayController(
        book,
        connection,
        app_name="SupportTray",
        mode="staff",
        on_reconnect=lambda: None,
        on_quit=lambda: None,
        tray_available=lambda: False,
        icons=icons,
        chat=FakeChat(),
        spawn=spawner,
    )
    try:
        assert controller.ask_window is None
        assert "Ask support…" not in menu_texts(controller)
        assert "Open chats" in menu_texts(controller)
        assert controller.open_ask("hi") is False
    finally:
        controller.close()
        spawner.close()


def test_the_chat_and_ask_windows_are_built_when_first_wanted_not_at_start(
    qtbot: QtBot, chat_controller: tuple[TrayController, FakeChat, Spawner]
) -> None:
    controller, _chat, _spawner = chat_controller

    def windows() -> list[str]:
        # Counted, not just looked for: earlier tests' windows may still await deleteLater.
        return sorted(w.objectName() for w in QApplication.topLevelWidgets()
                      if w.objectName() in ("chatWindow", "askWindow"))

    before = windows()
    controller.start()
    assert windows() == before
    # The menu is complete without them.
    assert menu_texts(controller)[-5:] == ["Ask support…", "Open chats", "History…",
                                           "Open SupportTray", "Quit"]
    controller.show_chats()
    window = controller.chat_window
    assert window is not None and window.isVisible()
    assert windows() == sorted([*before, "chatWindow"])
    assert controller.open_ask("printer?")
    assert windows() == sorted([*before, "chatWindow", "askWindow"])


def test_a_message_that_came_before_the_chat_window_existed_has_its_tab(
    qtbot: QtBot, chat_controller: tuple[TrayController, FakeChat, Spawner]
) -> None:
    controller, chat, _spawner = chat_controller
    chat.receive("are you there?", peer="bob@example.org")
    qtbot.waitUntil(lambda: controller.unread == 1)
    window = controller.chat_window
    assert window is not None
    assert window.pane("bob@example.org") is not None
    assert window.tab_texts() == ["Bob (1)"]


def test_busy_staff_get_the_badge_but_no_balloon(
    qtbot: QtBot, conversations: Conversations, surface: FakeSurface, reading: Reading
) -> None:
    busy = [True]
    notifier = Notifier(conversations, surface,
                        bridge=bridge_for(FakeChat(), conversations=conversations),
                        is_reading=reading, open_chat=lambda _p: None,
                        name_of=lambda jid: jid, do_not_disturb=lambda: busy[0])
    try:
        conversations.add(message("New request: VPN is down"))
        settle(qtbot)
        assert surface.notifications == []
        assert surface.unread[-1] == 1
        busy[0] = False  # back to Available: the next message pops up again
        conversations.add(message("Hello?"))
        settle(qtbot)
        assert [text for _title, text in surface.notifications] == ["Hello?"]
        assert surface.unread[-1] == 2
    finally:
        notifier.close()
