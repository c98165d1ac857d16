"""TrayController: the tray icon, its menu and the status window, over the presence model."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from supporttray.config.mode import Mode
from supporttray.core.clock import Clock, utc_now
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook
from supporttray.core.text import one_line
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.icons import IconKey, IconSet, badge_label
from supporttray.ui.kept_window import bring_to_front
from supporttray.ui.on_demand import OnDemand
from supporttray.ui.presence_text import (
    display_name,
    requests_menu_text,
    summary_sentence,
    tray_tooltip,
)
from supporttray.ui.tray_menu import MENU_TEXT_MAX_CHARS, MenuEntries, fill_tray_menu

if TYPE_CHECKING:
    from PySide6.QtWidgets import QInputDialog

    from supporttray.app.group_chat import GroupChats
    from supporttray.app.group_check import GroupChecks
    from supporttray.app.received_files import ReceivedFiles
    from supporttray.app.transfers import FileTransfers

    # Built on first use (chat_windows): together about 100 ms and 3.6 MB that start-up does
    # not need.
    from supporttray.ui.ask_window import AskWindow
    from supporttray.ui.chat.backend import ChatBackend, Spawn
    from supporttray.ui.chat.window import ChatWindow
    from supporttray.ui.chat_windows import ChatWindows
    from supporttray.ui.desktop_notices import DesktopNotificationService, NoticeAction
    from supporttray.ui.group_check_window import GroupCheckWindows
    from supporttray.ui.history.window import HistoryWindow

    # Loaded with the chat side (attach_chat), after the icon is up: ~12 ms.
    from supporttray.ui.notifier import Notifier
    from supporttray.ui.queue_window import QueueWindow
    from supporttray.ui.request_alerts import RequestAlerts
    from supporttray.ui.status_window import StatusWindow

log = logging.getLogger("supporttray.ui")

# While no tray exists we look again after 2 s, 5 s, ... then once a minute: a panel that starts
# a moment after us (autostart at login) is picked up quickly, a desktop that never has one
# (GNOME without the extension) costs one wake-up a minute. Nothing runs once attached.
TRAY_RETRY_MS: Final = (2_000, 5_000, 15_000, 30_000, 60_000)
# How long a new-message balloon stays (where the platform lets the app decide).
NOTIFICATION_MS: Final = 10_000


class TrayController(QObject):
    """Shows support availability in the system tray, or in a window where there is no tray.

    The composition root must call `QApplication.setQuitOnLastWindowClosed(False)`: a tray app
    has no window most of the time, and closing any dialog would otherwise end it.

    Given a chat service (and `spawn`, which starts its coroutines on the app's loop), it also
    owns the ask window (requester mode: left-click and "Ask support…"), the chat window
    ("Open chats", a notification click) and the notifier (balloons and the unread badge).
    The two windows are built the first time they are wanted, not at start-up.
    """

    def __init__(
        self,
        book: PresenceBook,
        connection: ConnectionMonitor,
        *,
        app_name: str,
        mode: Mode,
        on_reconnect: Callable[[], None],
        on_quit: Callable[[], None],
        clock: Clock = utc_now,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        tray_retry_ms: Sequence[int] = TRAY_RETRY_MS,
        icons: IconSet | None = None,
        chat: ChatBackend | None = None,
        spawn: Spawn | None = None,
        own_presence: OwnPresence | None = None,
        desktop_notifications: DesktopNotificationService | None = None,
        links: Mapping[str, str] | None = None,
        open_link: Callable[[QUrl], bool] = QDesktopServices.openUrl,
        on_sign_in: Callable[[], None] | None = None,
        on_sign_out: Callable[[], None] | None = None,
        on_settings: Callable[[], None] | None = None,
        diagnostics: Callable[[], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # Linux: the desktop's own notifications, with buttons; else (and until it answers)
        # Qt's balloon.
        self._desktop = desktop_notifications
        if mode not in tuple(Mode):
            raise ValueError(f"mode must be one of {', '.join(Mode)}, not {mode!r}")
        mode = Mode(mode)
        if chat is not None and spawn is None:
            raise ValueError("a chat service needs spawn, to start its coroutines on the loop")
        self._book = book
        self._connection = connection
        self._app_name = app_name
        self._mode = mode
        self._on_reconnect = on_reconnect
        self._on_quit = on_quit
        # IT's own menu entries (`branding.links`, validated by the schema): label -> URL.
        self._links = dict(links or {})
        self._open_link = open_link
        self._on_sign_in = on_sign_in
        self._on_sign_out = on_sign_out
        self._on_settings = on_settings
        # "Copy diagnostics": the redacted report for IT (supporttray/diagnostics.py).
        self._diagnostics = diagnostics
        self._clock = clock
        self._tray_available = tray_available
        self._icons = icons if icons is not None else IconSet()
        self._unread = 0
        self._waiting = 0  # staff: requests nobody has taken yet (the count badge)
        self._started = False
        self._closed = False
        self._attached = False
        # The fallback window goes away when a tray appears, unless the person opened it.
        self._window_is_fallback = False
        self._retry_ms = tuple(tray_retry_ms) or TRAY_RETRY_MS
        self._retry_step = 0
        self._icon_state: tuple[IconKey, bool, str] | None = None
        # Staff choose what others see of them ("My status"); requesters need not.
        self._own = own_presence if mode == Mode.STAFF else None
        self._presence_menu: QMenu | None = None
        self._message_dialog: QInputDialog | None = None
        self._group_checks: GroupCheckWindows | None = None

        self._bridge = CoreBridge(book, connection, own_presence=self._own, parent=self)
        self._bridge.staff_changed.connect(self._refresh)
        self._bridge.connection_changed.connect(self._refresh)
        self._bridge.own_presence_changed.connect(self._refresh)

        self._menu = QMenu()
        self._menu.setObjectName("trayMenu")
        # Built when about to show, so idle and local times are current without any timer.
        self._menu.aboutToShow.connect(self._rebuild_menu)

        self._tray = QSystemTrayIcon(self)
        self._tray.activated.connect(self._on_tray_activated)
        self._tray.messageClicked.connect(self._balloon_clicked)

        # Built when first shown (no tray, a left-click, "Open SupportTray"): an icon in a tray
        # is the normal idle state, and a hidden window would cost its widgets all the same.
        self._status: OnDemand[StatusWindow] = OnDemand(self._build_status_window)
        self._chat_actions = False
        self._notice: str | None = None

        self._chat: ChatBackend | None = None
        self._spawn: Spawn | None = None
        self._can_ask = False
        self._windows: ChatWindows | None = None
        self._notifier: Notifier | None = None
        self._alerts: RequestAlerts | None = None
        self._on_balloon_click: Callable[[], object] | None = None

        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._retry_attach)

        if chat is not None:
            assert spawn is not None
            self.attach_chat(chat, spawn)
        self._refresh()

    # -- the API the composition root uses ------------------------------------------------
    def attach_files(self, files: FileTransfers, received: ReceivedFiles) -> None:
        """Files and screenshots, once the service that carries them exists (after
        attach_chat); an ask window built later offers "Attach screenshot…", chats show the
        files peers send as cards."""
        self._bridge.observe_files(received)
        windows = self._windows
        if windows is not None:
            windows.files = files
            windows.received = received
            if windows.built_chat is not None:
                windows.built_chat.attach_files(received)

    def attach_chat(self, chat: ChatBackend, spawn: Spawn, *, sound: bool = False) -> None:
        """Add the chat side (notifications, "Ask support…", "Open chats"); once.

        The composition root shows the icon first and attaches the chat service (history,
        system info) a moment later, so that the icon is up as early as possible.
        """
        if self._chat is not None:
            raise RuntimeError("a chat service is already attached")
        from supporttray.ui.chat_windows import ChatWindows
        from supporttray.ui.notifier import Notifier

        self._chat = chat
        self._spawn = spawn
        self._can_ask = self._mode == Mode.REQUESTER
        book = self._book
        windows = self._windows = ChatWindows(
            chat, spawn, book=book, connection=self._connection, bridge=self._bridge,
            icons=self._icons, mode=self._mode, app_name=self._app_name, clock=self._clock,
            open_chat=self.open_chat, open_history=self.open_history)
        self._bridge.observe_chat(chat.conversations, chat.server_archive)
        self._notifier = Notifier(
            chat.conversations,
            self,
            bridge=self._bridge,
            is_reading=lambda peer: (windows.built_chat is not None
                                     and windows.built_chat.is_reading(peer)),
            open_chat=self.open_chat,
            name_of=lambda peer: display_name(book, peer),
            do_not_disturb=self._busy,
            request_actions=lambda peer: (self._alerts.actions_for(peer)
                                          if self._alerts is not None else ()),
            parent=self,
        )
        requests = chat.requests
        if requests is not None:
            from supporttray.ui.request_alerts import RequestAlerts

            self._bridge.observe_requests(requests, chat.desk)

            alert_sound = None
            if sound:
                from supporttray.app.alert_sound import AlertSound

                alert_sound = AlertSound(QApplication.beep)
            self._alerts = RequestAlerts(
                self._bridge, self, name_of=lambda peer: display_name(book, peer),
                do_not_disturb=self._busy, open_queue=self.open_queue, sound=alert_sound,
                queue=requests, desk=chat.desk, open_chat=self.open_chat)
            self._bridge.queue_changed.connect(lambda event: self._set_waiting(event.unclaimed))
            self._set_waiting(requests.unclaimed())
        self._chat_actions = True
        if (window := self._status.built) is not None:
            window.set_chat_actions(ask=self._can_ask, chats=True)
        if self._menu.isVisible():
            self._rebuild_menu()

    def attach_group_checks(self, checks: GroupChecks, chats: GroupChats) -> None:
        """Add "Ask a group…", the Yes / No windows for others' questions to us, and the chat
        window's Invite… menu (after attach_chat)."""
        from supporttray.ui.group_check_window import GroupCheckWindows

        book = self._book
        self._group_checks = GroupCheckWindows(
            checks, self._bridge, name_of=lambda jid: display_name(book, jid),
            app_name=self._app_name)
        if self._windows is not None and self._spawn is not None:
            self._group_checks.offer_invites(self._windows, chats, self._spawn,
                                             staff=self._mode == Mode.STAFF, book=book)

    def set_alert_sound(self, on: bool) -> None:
        """`staff.sound` changed while running: a sound for each new request, or none."""
        if self._alerts is None:
            return
        from supporttray.app.alert_sound import AlertSound

        self._alerts.set_sound(AlertSound(QApplication.beep) if on else None)

    def start(self) -> None:
        """Show the tray icon, or the status window if there is no tray (and keep looking)."""
        if self._started or self._closed:
            return
        self._started = True
        self._refresh()
        if self._tray_available():
            self._attach()
        else:
            log.info("no system tray available: showing the status window instead")
            self._window_is_fallback = True
            self.window.set_hide_on_close(False)
            self._show_window()
            self._schedule_retry()

    def activate(self) -> None:
        """Show and raise the status window (left-click, or a second `supporttray run`)."""
        if self._closed:
            return
        self._window_is_fallback = False
        self._show_window()

    def open_ask(self, text: str = "", *, to: str | None = None, new_request: bool = False) -> bool:
        """Open the ask window, prefilled (`supporttray ask`); False without one (staff mode)."""
        window = None if self._closed else self.ask_window
        if window is None:
            return False
        window.open(text, to=to, new_request=new_request)
        return True

    def open_chat(self, peer: str, text: str = "") -> None:
        """Show the chat with `peer` (a notification click, after asking, an xmpp: link), its
        message box prefilled with `text` unless something is already typed there."""
        window = None if self._closed else self.chat_window
        if window is not None:
            pane = window.open_chat(peer)
            if text and not pane.edit.toPlainText().strip():
                pane.edit.setPlainText(text)
                pane.edit.moveCursor(pane.edit.textCursor().MoveOperation.End)

    def open_queue(self) -> bool:
        """Show the staff request queue; False without one (requester mode, no chat)."""
        window = None if self._closed else self.queue_window
        if window is None:
            return False
        bring_to_front(window)
        return True

    def open_history(self, peer: str | None = None) -> bool:
        """The history window (only `peer`'s conversations, if given); False without chat."""
        if self._closed or self._windows is None:
            return False
        window = self._windows.history()
        if peer is None:
            window.open()
        else:
            window.show_for(peer)
        return True

    @property
    def history_window(self) -> HistoryWindow | None:
        """The history window if it has been opened (nothing is built by asking)."""
        return self._windows.built_history if self._windows is not None else None

    def open_link(self, url: str) -> bool:
        """Open one of IT's links (web page, phone, e-mail) with the desktop's application for
        it; where there is none, say so rather than do nothing."""
        if self._open_link(QUrl(url)):
            return True
        scheme = url.split(":", 1)[0]
        log.warning("no application opened the link %s", url)
        self.show_notification(self._app_name, (
            _("Nothing on this computer opens {scheme}: links, so {url} could not be opened. "
              "Set a default application for them in the system settings."
              ).format(scheme=scheme, url=url)
        ), on_click=lambda: None)
        return False

    def show_chats(self) -> None:
        window = None if self._closed else self.chat_window
        if window is not None:
            window.show_chats()

    def set_unread(self, count: int) -> None:
        """How many messages wait unread: a badge on the icon and a line in the tooltip."""
        count = max(0, count)
        if count != self._unread:
            self._unread = count
            if (window := self._status.built) is not None:
                window.set_unread(count)
            self._refresh()

    def _set_waiting(self, count: int) -> None:
        count = max(0, count)
        if count != self._waiting:
            self._waiting = count
            self._refresh()

    def show_notification(self, title: str, text: str,
                          on_click: Callable[[], object] | None = None, *,
                          chat: str | None = None,
                          actions: Sequence[NoticeAction] = ()) -> None:
        """The desktop's notification, with `actions` as buttons, replacing the one before
        about `chat`; else a balloon. A click runs `on_click`, by default opens the chat the
        latest message came from; without a tray, the status window asks for attention."""
        if self._closed:
            return
        if self._desktop is not None and self._desktop.available:
            from supporttray.ui.desktop_notices import show_on_desktop

            show_on_desktop(self._desktop, title, text, chat=chat, actions=actions,
                            on_click=on_click or self._balloon_clicked,
                            fallback=lambda: self._show_balloon(title, text, on_click))
            return
        self._show_balloon(title, text, on_click)

    def withdraw_notification(self, chat: str) -> None:
        """The chat was read: its desktop notification goes (balloons go by themselves)."""
        if self._desktop is not None and not self._closed:
            self._desktop.withdraw(chat)

    def _show_balloon(self, title: str, text: str,
                      on_click: Callable[[], object] | None) -> None:
        self._on_balloon_click = on_click
        if self._attached and self._tray.supportsMessages():
            self._tray.showMessage(title, text, self._tray.icon(), NOTIFICATION_MS)
            return
        # No tray: flash the status window's taskbar entry rather than steal the focus.
        if not self.window.isVisible():
            self.window.showMinimized()
        QApplication.alert(self.window)

    def show_notice(self, text: str) -> None:
        """What the person must know about this session (their history was set aside): a
        balloon now, whose click opens the status window, where it stays until they quit."""
        self._notice = text
        if (window := self._status.built) is not None:
            window.set_notice(text)
        self.show_notification(self._app_name, text, on_click=self.activate)

    def close(self) -> None:
        """Remove the icon and the window and stop listening to core; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._notifier is not None:
            self._notifier.close()
        if self._alerts is not None:
            self._alerts.close()
        if self._windows is not None:
            self._windows.close()
        if self._group_checks is not None:
            self._group_checks.close()
        self._bridge.close()
        if self._message_dialog is not None:
            self._message_dialog.deleteLater()
        self._retry_timer.stop()
        self._tray.hide()
        self._tray.setContextMenu(None)  # type: ignore[arg-type]
        if (window := self._status.built) is not None:
            window.dispose()
            window.deleteLater()
        self._menu.deleteLater()

    def _busy(self) -> bool:
        """Staff who chose Busy, and anyone whose desktop is set to do-not-disturb, get no
        notifications and no sound (the badge still counts)."""
        if self._desktop is not None and self._desktop.inhibited:
            return True
        return self._own is not None and self._own.current.show is Availability.BUSY

    # -- what tests and `status`/`doctor` may read ----------------------------------------
    @property
    def is_attached(self) -> bool:
        """True once the icon is in a system tray."""
        return self._attached

    @property
    def icon_key(self) -> IconKey:
        return IconKey.for_tray(self._book.summary(), self._connection.status)

    @property
    def tooltip(self) -> str:
        return self._tray.toolTip()

    @property
    def tray_icon(self) -> QSystemTrayIcon:
        return self._tray

    @property
    def menu(self) -> QMenu:
        return self._menu

    @property
    def window(self) -> StatusWindow:
        """The status window, built now if it was not yet."""
        return self._status.get()

    @property
    def bridge(self) -> CoreBridge:
        return self._bridge

    @property
    def ask_window(self) -> AskWindow | None:
        """The ask window (built now if it was not yet); None in staff mode or without chat."""
        return None if self._closed or self._windows is None else self._windows.ask()

    @property
    def queue_window(self) -> QueueWindow | None:
        """Staff mode's request queue (built now if it was not yet); None otherwise."""
        return None if self._closed or self._windows is None else self._windows.queue()

    @property
    def chat_window(self) -> ChatWindow | None:
        """The chat window (built now if it was not yet); None without a chat service."""
        return None if self._closed or self._windows is None else self._windows.chats()

    @property
    def notifier(self) -> Notifier | None:
        return self._notifier

    @property
    def unread(self) -> int:
        return self._unread

    @property
    def retrying(self) -> bool:
        """True while detached and waiting to look for a tray again."""
        return self._retry_timer.isActive()

    # -- tray attachment ------------------------------------------------------------------
    def _attach(self) -> None:
        self._retry_timer.stop()
        self._retry_step = 0
        self._tray.setContextMenu(self._menu)
        self._tray.show()
        self._attached = True
        window = self._status.built
        if window is not None:
            window.set_hide_on_close(True)
        if self._window_is_fallback and window is not None and window.isVisible():
            # It was only standing in for the tray (say the panel started after us at login).
            window.hide()
        self._window_is_fallback = False
        log.info("tray icon shown")

    def _schedule_retry(self) -> None:
        delay = self._retry_ms[min(self._retry_step, len(self._retry_ms) - 1)]
        self._retry_step += 1
        self._retry_timer.start(delay)

    def _retry_attach(self) -> None:
        if self._closed or self._attached:
            return
        if self._tray_available():
            log.info("a system tray appeared")
            self._attach()
        else:
            self._schedule_retry()

    # -- reacting to the model and the person ---------------------------------------------
    def _refresh(self) -> None:
        if self._closed:
            return
        key = self.icon_key
        state = (key, self._unread > 0, badge_label(self._waiting))
        if state != self._icon_state:
            # Only on a real change: each setIcon sends every pixmap to the tray host again.
            self._icon_state = state
            icon = self._icons.icon(key, unread=self._unread > 0, count=self._waiting)
            self._tray.setIcon(icon)
        tooltip = tray_tooltip(
            self._app_name, self._book.summary(), self._connection.status, self._unread,
            waiting=self._waiting,
        )
        if tooltip != self._tray.toolTip():
            self._tray.setToolTip(tooltip)
        if (window := self._status.built) is not None:
            window.refresh()
        if self._menu.isVisible():
            self._rebuild_menu()

    def _rebuild_menu(self) -> None:
        status = self._connection.status
        if self._own is not None and self._presence_menu is None:
            from supporttray.ui.presence_menu import message_dialog

            self._presence_menu = QMenu(self._menu)
            self._presence_menu.setObjectName("presenceMenu")
            self._message_dialog = message_dialog(self._own)
        if self._own is not None and self._presence_menu is not None:
            from supporttray.ui.presence_menu import fill_presence_menu

            fill_presence_menu(self._presence_menu, self._own, self._icons,
                               self._message_dialog)
        requests = self._chat.requests if self._chat is not None else None
        chats = (ngettext("Open chats ({count} unread)", "Open chats ({count} unread)",
                          self._unread).format(count=self._unread)
                 if self._unread else _("Open chats"))
        offline = status.state in (ConnectionState.OFFLINE, ConnectionState.ERROR)
        fill_tray_menu(self._menu, MenuEntries(
            header=f"{self._app_name}: {one_line(status.describe(), MENU_TEXT_MAX_CHARS)}",
            summary=summary_sentence(self._book.summary()),
            members=self._book.members(),
            now=self._clock(),
            # A requester asks the person chosen; staff see the full window.
            on_member=(lambda jid: self.open_ask(to=jid)) if self._can_ask
            else (lambda _jid: self.activate()),
            open_window=(_("Open {app_name}").format(app_name=self._app_name), self.activate),
            quit=self._quit,
            presence_menu=self._presence_menu,
            ask=(lambda: self.open_ask()) if self._can_ask else None,
            queue=None if requests is None else (
                requests_menu_text(len(requests.requests()), requests.unclaimed()),
                self.open_queue),
            chats=None if self._chat is None else (chats, self.show_chats),
            history=None if self._chat is None else (lambda: self.open_history()),
            # Staff ask colleagues ("any objections?"); a requester's menu stays short (the
            # `check` command works in both modes).
            ask_group=self._group_checks.open_ask
            if self._group_checks is not None and self._mode == Mode.STAFF else None,
            links=self._links,
            open_link=self.open_link,
            reconnect=self._reconnect if offline else None,
            settings=self._on_settings,
            diagnostics=self._copy_diagnostics if self._diagnostics is not None else None,
            # Sign in… while not online (a wrong password, a new account, Check connection);
            # online, Sign out is the way to another account.
            sign_in=self._on_sign_in if status.state is not ConnectionState.ONLINE else None,
            sign_out=self._on_sign_out if not status.needs_sign_in else None,
        ), self._icons)

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            if self._can_ask:
                self.open_ask()
            elif not self.open_queue():
                self.activate()

    def _balloon_clicked(self) -> None:
        click, self._on_balloon_click = self._on_balloon_click, None
        if click is not None:
            click()
        elif self._notifier is not None:
            self._notifier.notification_clicked()

    def _build_status_window(self) -> StatusWindow:
        from supporttray.ui.status_window import StatusWindow

        window = StatusWindow(self._book, self._connection, self._icons,
                              app_name=self._app_name, mode=self._mode, clock=self._clock)
        window.reconnect_clicked.connect(self._reconnect)
        window.quit_clicked.connect(self._quit)
        window.ask_clicked.connect(lambda: self.open_ask())
        window.chats_clicked.connect(self.show_chats)
        window.set_chat_actions(ask=self._can_ask, chats=self._chat_actions)
        window.set_unread(self._unread)
        if self._notice is not None:
            window.set_notice(self._notice)
        window.set_hide_on_close(self._attached)
        return window

    def _show_window(self) -> None:
        bring_to_front(self.window)

    def _copy_diagnostics(self) -> None:
        assert self._diagnostics is not None
        QApplication.clipboard().setText(self._diagnostics())
        self.show_notification(self._app_name, _(
            "Diagnostics copied: paste them into your message to IT. They hold no password "
            "and no message text."))

    def _reconnect(self) -> None:
        log.info("reconnect requested by the user")
        self._on_reconnect()

    def _quit(self) -> None:
        log.info("quit requested by the user")
        self._on_quit()
