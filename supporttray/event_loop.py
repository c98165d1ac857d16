"""The app's event loop: qasync's Qt-driven asyncio loop, with timers that stop when cancelled.

qasync 0.28 runs every asyncio timer (call_later, call_at, call_soon) on a Qt timer and leaves
that Qt timer running when the asyncio handle is cancelled: it fires anyway and is then skipped.
slixmpp cancels a timeout for nearly every reply it gets (an iq's 30 s wait, the keepalive's
answer timer), so an idle app kept waking up for timers nobody wanted any more. Here a
cancelled handle kills its Qt timer at once.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import qasync
from PySide6.QtCore import QObject, QThread, QTimerEvent
from PySide6.QtWidgets import QApplication

WORKER_THREADS = 4


class _QtTimerHandle(asyncio.Handle):
    """An asyncio handle run by a Qt timer, which cancel() stops."""

    __slots__ = ("_timer_id", "_timers")

    def __init__(
        self,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context | None,
        timers: _Timers,
    ) -> None:
        super().__init__(callback, args, loop, context=context)
        self._timers = timers
        self._timer_id: int | None = None

    def cancel(self) -> None:
        if not self.cancelled():
            self._timers.forget(self)
        super().cancel()


class _Timers(QObject):
    """Stands in for qasync's _SimpleTimer (same three methods the loop calls)."""

    def __init__(self) -> None:
        super().__init__()
        self._handles: dict[int, asyncio.Handle] = {}
        self._stopped = False

    def add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        """Run `handle` after `delay` seconds. asyncio itself hands plain handles here too (a
        signal handler's, through the loop's _add_callback); those cannot stop their timer."""
        timer_id = self.startTimer(int(max(0.0, delay) * 1000))
        if isinstance(handle, _QtTimerHandle):
            handle._timer_id = timer_id
        self._handles[timer_id] = handle
        return handle

    def forget(self, handle: _QtTimerHandle) -> None:
        timer_id = handle._timer_id
        # Only the loop's own thread may stop a Qt timer; elsewhere it fires and is skipped.
        if timer_id is None or QThread.currentThread() is not self.thread():
            return
        handle._timer_id = None
        self._handles.pop(timer_id, None)
        self.killTimer(timer_id)

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        self.killTimer(timer_id)
        handle = self._handles.pop(timer_id, None)
        if handle is None or self._stopped:
            return
        if isinstance(handle, _QtTimerHandle):
            handle._timer_id = None
        if not handle.cancelled():
            handle._run()

    def stop(self) -> None:
        self._stopped = True

    def set_debug(self, enabled: bool) -> None:
        """qasync's debug logging of timers; not needed here."""

    @property
    def pending(self) -> int:
        """Qt timers still running (for tests)."""
        return len(self._handles)


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no type hints
    """qasync.QEventLoop whose timers stop when their handle is cancelled, and whose worker
    threads (asyncio.to_thread) start when first needed: qasync's default executor starts ten
    QThreads up front, for an app that reads a password and collects system info now and then.
    """

    def __init__(self, app: QApplication | None = None) -> None:
        super().__init__(app)
        self._timer = _Timers()
        self.set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="worker"))

    def call_later(
        self,
        delay: float,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        timers: _Timers = self._timer
        return timers.add_callback(_QtTimerHandle(callback, args, self, context, timers), delay)

    @property
    def pending_timers(self) -> int:
        """How many Qt timers the loop keeps running (a cancelled timeout is not one)."""
        timers: _Timers = self._timer
        return timers.pending
