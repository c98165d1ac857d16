"""TrayController: the tray icon, its menu and the status window, over the presence model."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from supporttray.core.clock import Clock, utc_now
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import PresenceBook
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.presence_text import menu_text, one_line, staff_row, tray_tooltip
from supporttray.ui.status_window import StatusWindow

log = logging.getLogger("supporttray.ui")

MODES: Final = ("requester", "staff")
# While no tray exists we look again after 2 s, 5 s, ... then once a minute: a panel that starts
# a moment after us (autostart at login) is picked up quickly, a desktop that never has one
# (GNOME without the extension) costs one wake-up a minute. Nothing runs once attached.
TRAY_RETRY_MS: Final = (2_000, 5_000, 15_000, 30_000, 60_000)
MENU_TEXT_MAX_CHARS: Final = 70


class TrayController(QObject):
    """Shows support availability in the system tray, or in a window where there is no tray.

    The composition root must call `QApplication.setQuitOnLastWindowClosed(False)`: a tray app
    has no window most of the time, and closing any dialog would otherwise end it.
    """

    def __init__(
        self,
        book: PresenceBook,
        connection: ConnectionMonitor,
        *,
        app_name: str,
        mode: str,
        on_reconnect: Callable[[], None],
        on_quit: Callable[[], None],
        clock: Clock = utc_now,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        tray_retry_ms: Sequence[int] = TRAY_RETRY_MS,
        icons: IconSet | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self._book = book
        self._connection = connection
        self._app_name = app_name
        self._mode = mode
        self._on_reconnect = on_reconnect
        self._on_quit = on_quit
        self._clock = clock
        self._tray_available = tray_available
        self._icons = icons if icons is not None else IconSet()
        self._unread = 0
        self._started = False
        self._closed = False
        self._attached = False
        # The fallback window goes away when a tray appears, unless the person opened it.
        self._window_is_fallback = False
        self._retry_ms = tuple(tray_retry_ms) or TRAY_RETRY_MS
        self._retry_step = 0
        self._icon_state: tuple[IconKey, bool] | None = None

        self._bridge = CoreBridge(book, connection, self)
        self._bridge.staff_changed.connect(self._refresh)
        self._bridge.connection_changed.connect(self._refresh)

        self._menu = QMenu()
        self._menu.setObjectName("trayMenu")
        # Built when about to show, so idle and local times are current without any timer.
        self._menu.aboutToShow.connect(self._rebuild_menu)

        self._tray = QSystemTrayIcon(self)
        self._tray.activated.connect(self._on_tray_activated)

        self._window = StatusWindow(
            book, connection, self._icons, app_name=app_name, mode=mode, clock=clock
        )
        self._window.reconnect_clicked.connect(self._reconnect)
        self._window.quit_clicked.connect(self._quit)

        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._retry_attach)

        self._refresh()

    # -- the API the composition root uses ------------------------------------------------
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
            self._window.set_hide_on_close(False)
            self._show_window()
            self._schedule_retry()

    def activate(self) -> None:
        """Show and raise the status window (left-click, or a second `supporttray run`)."""
        if self._closed:
            return
        self._window_is_fallback = False
        self._show_window()

    def set_unread(self, count: int) -> None:
        """How many messages wait unread: a badge on the icon and a line in the tooltip."""
        if count != self._unread:
            self._unread = max(0, count)
            self._refresh()

    def close(self) -> None:
        """Remove the icon and the window and stop listening to core; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._bridge.close()
        self._retry_timer.stop()
        self._tray.hide()
        self._tray.setContextMenu(None)  # type: ignore[arg-type]
        self._window.dispose()
        self._window.deleteLater()
        self._menu.deleteLater()

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
        return self._window

    @property
    def bridge(self) -> CoreBridge:
        return self._bridge

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
        self._window.set_hide_on_close(True)
        if self._window_is_fallback and self._window.isVisible():
            # It was only standing in for the tray (say the panel started after us at login).
            self._window.hide()
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
        state = (key, self._unread > 0)
        if state != self._icon_state:
            # Only on a real change: each setIcon sends every pixmap to the tray host again.
            self._icon_state = state
            icon = self._icons.icon(key, unread=self._unread > 0)
            self._tray.setIcon(icon)
        tooltip = tray_tooltip(
            self._app_name, self._book.summary(), self._connection.status, self._unread
        )
        if tooltip != self._tray.toolTip():
            self._tray.setToolTip(tooltip)
        self._window.refresh()
        if self._menu.isVisible():
            self._rebuild_menu()

    def _rebuild_menu(self) -> None:
        menu = self._menu
        menu.clear()
        now = self._clock()
        status = self._connection.status

        header = menu.addAction(
            menu_text(f"{self._app_name}: {one_line(status.describe(), MENU_TEXT_MAX_CHARS)}")
        )
        header.setEnabled(False)
        summary = menu.addAction(menu_text(self._book.summary().sentence()))
        summary.setEnabled(False)
        menu.addSeparator()

        members = self._book.members()
        for member in members:
            row = staff_row(member, now)
            action = menu.addAction(
                self._icons.icon(IconKey.for_availability(member.availability)),
                menu_text(row.line()),
            )
            # Enabled, not greyed out, so it stays readable; choosing it opens the full window.
            action.triggered.connect(self.activate)
        if members:
            menu.addSeparator()

        open_window = menu.addAction(menu_text(f"Open {self._app_name}"))
        open_window.triggered.connect(self.activate)
        if status.state in (ConnectionState.OFFLINE, ConnectionState.ERROR):
            reconnect = menu.addAction("Reconnect now")
            reconnect.triggered.connect(self._reconnect)
        menu.addSeparator()
        quit_action = menu.addAction("Quit")
        quit_action.triggered.connect(self._quit)

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.activate()

    def _show_window(self) -> None:
        window = self._window
        if window.isMinimized():
            window.showNormal()
        elif window.isVisible() and not window.isActiveWindow():
            # Open but maybe buried under other windows (a second `supporttray run`). A window
            # that is being shown or restored comes up on top anyway.
            window.raise_()
        else:
            window.show()
        window.activateWindow()

    def _reconnect(self) -> None:
        log.info("reconnect requested by the user")
        self._on_reconnect()

    def _quit(self) -> None:
        log.info("quit requested by the user")
        self._on_quit()
