"""Composition root of the tray app: builds every object and runs Qt and asyncio on one loop.

Used by `supporttray run` and by `supporttray demo` (which runs its simulated staff on the
same loop before handing over to `run_tray`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import linecache
import logging
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from supporttray import APP_NAME, history_startup, root_services, root_windows
from supporttray.config.mode import Mode, support_mode
from supporttray.config.paths import Paths
from supporttray.config.settings import Settings
from supporttray.ui.on_demand import OnDemand

if TYPE_CHECKING:

    from supporttray.app.chat import ChatService
    from supporttray.app.service import SupportService
    from supporttray.config.password_source import PasswordSource
    from supporttray.core.history import HistoryStore
    from supporttray.core.own_presence import OwnPresence
    from supporttray.core.presence import PresenceBook
    from supporttray.ui.icons import IconSet
    from supporttray.ui.settings_window import SettingsWindow
    from supporttray.ui.sign_in_window import SignInWindow

log = logging.getLogger("supporttray")



def run_qt(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Create the QApplication and the qasync loop, run `main()` on it, return its exit code."""
    t0 = time.perf_counter()
    from PySide6.QtGui import QPixmapCache
    from PySide6.QtWidgets import QApplication

    from supporttray.event_loop import EventLoop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    # The tray app lives on without windows; closing a window must not end it.
    app.setQuitOnLastWindowClosed(False)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName("supporttray")
    # Qt's pixmap cache (styles keep small renderings there) checks itself every 10-30 s for
    # as long as it holds anything: an idle app with its window open would wake forever to
    # save microseconds per paint of a handful of widgets. Nothing is cached, nothing wakes.
    QPixmapCache.setCacheLimit(0)
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(_log_loop_exception)
    log.info("Qt and the event loop ready in %.0f ms", (time.perf_counter() - t0) * 1000)
    async def main_then_settle() -> int:
        try:
            return await main()
        finally:
            await _cancel_leftover_tasks()

    try:
        with loop:
            return int(loop.run_until_complete(main_then_settle()))
    except RuntimeError as exc:
        # Qt ended its loop under us: the desktop session went away (X server gone, logout).
        log.error("the desktop session ended before SupportTray quit: %s", exc)
        # What is left cannot run any more; its clean-up noise at exit helps nobody.
        sys.unraisablehook = lambda _unraisable: None
        loop.set_exception_handler(lambda _loop, _context: None)
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        return 1
    finally:
        asyncio.set_event_loop(None)


async def _cancel_leftover_tasks() -> None:
    """Let slixmpp's and our background tasks end while the loop still runs (else Qt's timers
    are gone when they try to clean up, and Python prints warnings at exit)."""
    current = asyncio.current_task()
    leftovers = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in leftovers:
        task.cancel()
    if leftovers:
        await asyncio.wait(leftovers, timeout=2.0)


async def run_tray(
    paths: Paths,
    settings: Settings,
    credentials: PasswordSource | None = None,
    *,
    stop: asyncio.Event | None = None,
) -> int:
    """The tray app proper; returns when the user quits (or `stop` is set).

    The icon goes up first: the chat side, slixmpp and the control socket are loaded after
    it, so the user sees the app (grey, "connecting") as early as possible. `credentials`
    defaults to a child process reading the keyring (see `password_source`).
    """
    stop = stop or asyncio.Event()
    # Whatever is built is torn down on the way out, in reverse order, also when building or
    # running fails half-way: each object's undoing is pushed right after it is built.
    async with contextlib.AsyncExitStack() as lifetime:
        await _run_tray(lifetime, paths, settings, credentials, stop)
    return 0


async def _run_tray(
    lifetime: contextlib.AsyncExitStack,
    paths: Paths,
    settings: Settings,
    credentials: PasswordSource | None,
    stop: asyncio.Event,
) -> None:
    from PySide6.QtWidgets import QApplication

    from supporttray.config.password_source import ChildProcessPasswords
    from supporttray.core.connection import ConnectionMonitor
    from supporttray.core.presence import PresenceBook
    from supporttray.ui.qt_translations import choose_language
    from supporttray.ui.tray import TrayController
    from supporttray.xmpp import tls

    t0 = time.perf_counter()
    # Before any window, menu or tooltip text is built: they are translated when they are made.
    choose_language(settings.get_str("app.language"))
    # Read through on a worker thread while the icon goes up (seconds for a big history); one
    # that cannot be used is set aside there, and the chat side starts on a new one. Handed to
    # the executor now: a task would only start at our first await, after the icon.
    keeps_history = settings.get_bool("history.enabled")
    history_check = (asyncio.get_running_loop().run_in_executor(
        None, history_startup.check_history_file, paths)
                     if keeps_history else None)
    tasks = BackgroundTasks()
    lifetime.callback(tasks.cancel_all)
    monitor = ConnectionMonitor()
    book = PresenceBook()
    own_presence, chosen_at = _own_presence(paths, settings)
    # Before the tray and the connection: both start with the presence the hours say.
    on_call = root_services.start_on_call(settings, own_presence, chosen_at)
    if on_call is not None:
        lifetime.callback(on_call.stop)
    # The service is built after the icon: until then there is no connection to ask about.
    service: SupportService | None = None

    def reconnect_now() -> None:
        if service is not None:
            tasks.spawn(service.reconnect_now())

    def connection_details() -> tuple[str, str] | None:
        return service.connection_details() if service is not None else None

    app_name = settings.get_str("branding.name") or APP_NAME
    desktop_notifications = root_services.desktop_notifications(app_name)
    # The Sign-in window can be had once the service is built (the menu may ask before); it is
    # built when first needed (OnDemand).
    sign_in: OnDemand[SignInWindow] | None = None

    def open_sign_in() -> None:
        if sign_in is not None:
            sign_in.get().open()

    def sign_out() -> None:
        if sign_in is not None:
            tasks.spawn(root_windows.sign_out(sign_in.get(), tray))

    icons = _icon_set(settings)
    # Every window without a state icon of its own, and the task switcher, show this one.
    QApplication.setWindowIcon(icons.app_icon())
    # Can be had with the chat side, which it reconfigures (the menu item waits for it); built
    # when first opened.
    settings_window: OnDemand[SettingsWindow] | None = None

    def open_settings() -> None:
        if settings_window is not None:
            settings_window.get().open_window()

    tray = TrayController(
        book,
        monitor,
        app_name=app_name,
        mode=support_mode(settings),
        on_reconnect=reconnect_now,
        on_quit=stop.set,
        own_presence=own_presence,
        desktop_notifications=desktop_notifications,
        icons=icons,
        links=settings.get_str_map("branding.links"),
        on_sign_in=open_sign_in,
        on_sign_out=sign_out,
        on_settings=open_settings,
        diagnostics=lambda: _diagnostics(paths, settings, monitor.status.describe()),
    )
    tray.start()
    lifetime.callback(tray.close)
    if desktop_notifications is not None:
        # Connected in the background: until it answers, notifications are balloons.
        tasks.spawn(root_services.start_desktop_notifications(desktop_notifications))
        lifetime.push_async_callback(desktop_notifications.stop)
    log.info("tray shown after %.0f ms", (time.perf_counter() - t0) * 1000)
    # OpenSSL reads the system's trusted roots without holding the GIL: on a worker thread
    # that overlaps with the imports below instead of following them (~20 ms).
    tls.prepare(settings.get_str("server.ca_file") or None)
    passwords = credentials or password_source()
    if isinstance(passwords, ChildProcessPasswords):
        lifetime.callback(passwords.close)
    from supporttray.core.history_file import OpenedHistory, open_history

    if history_check is not None:
        checked = await history_check
        history = open_history(checked)
        if not checked.checked:
            tasks.spawn(history_startup.check_history_later(checked.path))
    else:
        history = OpenedHistory(history_startup.unkept_history(paths), None)
    # Closed last (after the service has sent what it could), so the next start can trust it.
    lifetime.callback(history_startup.close_history_at_quit, history.store)
    retention = root_services.start_history_retention(settings, history.store)
    if retention is not None:
        lifetime.callback(retention.stop)
    chat = build_chat(paths, settings, connection_details, book=book, history=history.store)
    tray.attach_chat(chat, tasks.spawn, sound=settings.get_bool("staff.sound"))
    live = root_windows.live_settings(paths, settings, chat, tray, own_presence, history.store)
    lifetime.callback(live.stop)
    live.adopt("retention", retention)
    live.adopt("on_call", on_call)
    settings_window = OnDemand(lambda: root_windows.settings_window(settings, live))
    lifetime.callback(root_windows.dispose_if_built, settings_window,
                      lambda window: window.deleteLater())
    if history.notice:
        tray.show_notice(history.notice)

    from supporttray.xmpp import decline_optional_imports

    decline_optional_imports(pinned_host=bool(settings.get_str("server.host")))
    from supporttray.app.account import SupportConfig
    from supporttray.app.service import SupportService
    from supporttray.config.settings import SettingsError, load_settings
    from supporttray.ipc.commands import ControlCommands
    from supporttray.ipc.server import ControlServer, ControlSocketError
    from supporttray.service_settings import support_config

    def reread_support_config() -> SupportConfig | None:
        try:
            return support_config(load_settings(paths, settings.policy))
        except SettingsError as exc:
            log.warning("settings file unreadable: %s", exc)
            return None

    from supporttray.working_together import build_working_together

    together = build_working_together(chat, settings)
    lifetime.callback(together.stop)
    tray.attach_group_checks(together.checks, together.chats)
    service = SupportService(support_config(settings), passwords, book=chat.book,
                             monitor=monitor, own_presence=own_presence, chat=chat,
                             on_call=on_call, history=history,
                             reload_config=reread_support_config, group_checks=together.checks,
                             group_chats=together.chats)
    live.service = service

    sign_in = root_windows.sign_in_window(settings, passwords, service, tray, tasks.spawn)
    if sign_in is not None:
        lifetime.callback(root_windows.dispose_if_built, sign_in, lambda window: window.dispose())
    from supporttray.file_setup import build_files

    files, received = build_files(settings, paths, service.file_wire, chat)
    tray.attach_files(files, received)
    server = ControlServer(paths.control_socket,
                           ControlCommands(service, chat, tray, history=history.store,
                                           group_checks=together.checks,
                                           files=files).handlers())
    try:
        await server.listen()
    except ControlSocketError as exc:
        # The app still works; only `status` and friends cannot reach it.
        log.error("%s", exc)
    lifetime.callback(server.close)

    _install_signal_handlers(stop)
    # Everything built so far lives as long as the app: keep it out of the garbage collector's
    # full passes, which a burst of allocations (a big stanza) would otherwise make long.
    gc.freeze()
    # PySide6's import hook reads the source of every module imported after Qt into linecache
    # (~5 MB here); nothing needs it once start-up is done.
    linecache.clearcache()
    service.monitor.changed.subscribe(lambda s: log.info("connection: %s", s.state.value))
    root_services.free_memory_once_settled(service.monitor)
    auto_away = root_services.start_auto_away(settings, own_presence)
    if auto_away is not None:
        lifetime.callback(auto_away.stop)
    live.adopt("auto_away", auto_away)
    network_watch = root_services.network_watch(service)
    lifetime.push_async_callback(network_watch.stop)
    # Beside the login, not before it: a slow system bus must not delay going online.
    tasks.spawn(root_services.start_network_watch(network_watch))
    root_services.apply_autostart_setting(paths, settings)
    lifetime.push_async_callback(service.stop)  # others see us go offline
    await service.start()
    await stop.wait()
    log.info("quitting")
    # The icon goes at once, as the person asked; the rest may wait on the server a moment.
    tray.close()


class BackgroundTasks:
    """Fire-and-forget work of the windows (Reconnect, Send, ...): kept referenced until done,
    cancelled at quit."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


def _diagnostics(paths: Paths, settings: Settings, connection: str) -> str:
    # Loaded when the person asks: start-up does not need it.
    from supporttray.diagnostics import diagnostics_report

    return diagnostics_report(paths, settings, connection=connection)


def _own_presence(paths: Paths, settings: Settings) -> tuple[OwnPresence, datetime | None]:
    """Staff mode: the presence chosen before the last quit, and when; every new choice is
    saved (`app.presence_memory`). Requesters start Available and save nothing."""
    from supporttray.core.own_presence import OwnPresence

    if support_mode(settings) is not Mode.STAFF:
        return OwnPresence(), None
    from supporttray.app.presence_memory import PresenceMemory

    memory = PresenceMemory(paths.presence_file)
    saved = memory.load()
    own = saved.own_presence() if saved is not None else OwnPresence()
    memory.remember(own)
    return own, saved.chosen_at if saved is not None else None


def _icon_set(settings: Settings) -> IconSet:
    """The tray's and windows' icons: IT's `branding.icon` if it can be read, else (with a
    warning that says why) the built-in ones."""
    from supporttray.ui.icons import IconSet, load_brand_icon

    path = settings.get_str("branding.icon")
    if not path:
        return IconSet()
    brand, problem = load_brand_icon(path)
    if problem is not None:
        log.warning("%s", problem)
    return IconSet(brand=brand)


def password_source(jid: str = "") -> PasswordSource:
    """The keyring, read by a child process that starts on `jid`'s password at once (on the
    other core, while this one loads Qt); or in-process where there is no Python to start (a
    frozen build's executable is the app itself)."""
    if getattr(sys, "frozen", False):
        from supporttray.config.credentials import CredentialStore

        return CredentialStore()
    from supporttray.config.password_source import ChildProcessPasswords

    passwords = ChildProcessPasswords()
    passwords.prefetch(jid)
    return passwords


def build_chat(
    paths: Paths,
    settings: Settings,
    connection_details: Callable[[], tuple[str, str] | None],
    *,
    book: PresenceBook | None = None,
    history: HistoryStore | None = None,
) -> ChatService:
    """The chat side, on `history`; by default the profile's, opened here (set aside if it
    cannot be used, kept in memory if not even a new one can be made: see history_file)."""
    from supporttray import __version__
    from supporttray.app.canned_replies import SettingsCannedReplies
    from supporttray.app.chat import ChatService
    from supporttray.core.conversations import Conversations
    from supporttray.core.presence import PresenceBook
    from supporttray.platform.sysinfo_collector import SysinfoCollector

    if history is None:
        from supporttray.core.history_file import check_history, open_history

        history = open_history(check_history(paths.history_db)).store
    collector = SysinfoCollector(settings.get_str_list("sysinfo.fields"),
                                 app_version=__version__, connection=connection_details)
    from supporttray.service_settings import chat_config

    return ChatService(chat_config(settings), book if book is not None else PresenceBook(),
                       Conversations(), history, collector,
                       canned=SettingsCannedReplies(settings))


def _install_signal_handlers(stop: asyncio.Event) -> None:
    """Ctrl-C and SIGTERM quit cleanly (others see us go offline), as Quit does."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            # Windows loops have no add_signal_handler; Qt's loop then sees Ctrl-C on the console
            # only when Python runs, which the default handler covers well enough.
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """One place for errors nobody awaited: the log gets the traceback, the app keeps running."""
    exception = context.get("exception")
    message = context.get("message", "unhandled error in the event loop")
    if isinstance(exception, asyncio.CancelledError):
        return
    log.error("%s", message, exc_info=exception if isinstance(exception, BaseException) else None)
