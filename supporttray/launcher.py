"""Composition root of the tray app: builds every object and runs Qt and asyncio on one loop.

Used by `supporttray run` and by `supporttray demo` (which runs its simulated staff on the
same loop before handing over to `run_tray`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from supporttray import APP_NAME
from supporttray.config.credentials import CredentialStore
from supporttray.config.paths import Paths
from supporttray.config.settings import Settings
from supporttray.ipc import protocol

log = logging.getLogger("supporttray")


def run_qt(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Create the QApplication and the qasync loop, run `main()` on it, return its exit code."""
    t0 = time.perf_counter()
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    # The tray app lives on without windows; closing a window must not end it.
    app.setQuitOnLastWindowClosed(False)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName("supporttray")
    loop = qasync.QEventLoop(app)
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
    credentials: CredentialStore,
    *,
    stop: asyncio.Event | None = None,
) -> int:
    """The tray app proper; returns when the user quits (or `stop` is set)."""
    from supporttray.app.service import SupportService
    from supporttray.ipc.server import ControlServer, ControlSocketError
    from supporttray.ui.tray import TrayController

    t0 = time.perf_counter()
    stop = stop or asyncio.Event()
    from supporttray.config.settings import load_settings

    service = SupportService(settings, credentials,
                             reload_settings=lambda: load_settings(paths, settings.policy))
    tasks: set[asyncio.Task[Any]] = set()

    def spawn(coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    tray = TrayController(
        service.book,
        service.monitor,
        app_name=settings.get_str("branding.name") or APP_NAME,
        mode=service.mode,
        on_reconnect=lambda: spawn(service.reconnect_now()),
        on_quit=stop.set,
    )
    tray.start()
    log.info("tray shown after %.0f ms", (time.perf_counter() - t0) * 1000)

    async def status(_request: dict[str, Any]) -> dict[str, Any]:
        return protocol.ok(service.status())

    async def activate(_request: dict[str, Any]) -> dict[str, Any]:
        tray.activate()
        return protocol.ok()

    async def reconnect(_request: dict[str, Any]) -> dict[str, Any]:
        await service.reconnect_now()
        return protocol.ok()

    server = ControlServer(
        paths.control_socket,
        {"status": status, "activate": activate, "reconnect": reconnect},
    )
    try:
        server.listen()
    except ControlSocketError as exc:
        # The app still works; only `status` and friends cannot reach it.
        log.error("%s", exc)

    _install_signal_handlers(stop)
    service.monitor.changed.subscribe(lambda s: log.info("connection: %s", s.state.value))
    await service.start()
    await stop.wait()
    log.info("quitting")
    server.close()
    tray.close()
    await service.stop()
    for task in list(tasks):
        task.cancel()
    return 0


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
