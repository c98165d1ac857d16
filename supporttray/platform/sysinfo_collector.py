"""Collecting the system info: every allowed field's source on its own thread, one deadline.

The sources themselves (the OS probes) are in `sysinfo_sources`; psutil, platform, subprocess
and winreg are imported inside them, never at module import: the app imports this module at
start-up, and start-up time matters.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping

from supporttray.config.sysinfo_fields import APP_KEYS
from supporttray.core.clock import Clock, utc_now
from supporttray.core.sysinfo import (
    MAX_LOCAL_VALUE_CHARS,
    UNAVAILABLE,
    SysinfoItem,
    SysinfoSnapshot,
    clean_value,
)
from supporttray.platform.sysinfo_sources import DEFAULT_SOURCES, Source, SourceUnavailable

log = logging.getLogger("supporttray.sysinfo")

ConnectionInfo = Callable[[], "tuple[str, str] | None"]
"""Returns (server, TLS version) of the current session, or None when not connected."""

# Filled in on the calling thread, not by a source thread: they need no I/O, and the
# connection state belongs to the event loop's thread.
INLINE_FIELDS = APP_KEYS


class SysinfoCollector:
    """Gathers the fields the policy allows, never blocking longer than `timeout` seconds.

    Every source runs on its own daemon thread and the collection waits for all of them until
    one shared deadline: a slow source costs at most `timeout`, and never delays the others.
    A source that misses the deadline, raises or returns nothing is reported as "unavailable".
    Daemon threads rather than a ThreadPoolExecutor: the pool's workers are joined at
    interpreter exit, so one source hung in a system call (a dead network drive) would hang
    quitting the app. A source still running from an earlier collection is not started again
    (the new collection waits on that same call), so a source that always hangs costs one
    thread, not one per collection.
    """

    def __init__(
        self,
        fields: Iterable[str],
        *,
        sources: Mapping[str, Source] | None = None,
        timeout: float = 0.3,
        app_version: str,
        connection: ConnectionInfo | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.fields: tuple[str, ...] = tuple(dict.fromkeys(fields))  # policy order, no repeats
        self._overrides = dict(sources or {})  # replace the default source of these fields
        self.timeout = timeout
        self._app_version = app_version
        self._connection = connection
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, _SourceRun] = {}  # source calls not finished yet

    def collect(self) -> SysinfoSnapshot:
        """Blocking: at most about `timeout` seconds. Never call it on the UI thread."""
        return self._collect(self._inline_values())

    async def collect_async(self) -> SysinfoSnapshot:
        """Collect on an executor thread, so the event loop (and the UI) never waits."""
        import asyncio  # here: the `sysinfo` command never needs it, and it is slow to import

        inline = self._inline_values()  # here, on the loop's thread: see INLINE_FIELDS
        return await asyncio.get_running_loop().run_in_executor(None, self._collect, inline)

    def _inline_values(self) -> dict[str, str]:
        wanted = [k for k in self.fields if k in INLINE_FIELDS and k not in self._overrides]
        values = {"app.version": self._app_version} if "app.version" in wanted else {}
        if any(k.startswith("conn.") for k in wanted):
            server, tls = UNAVAILABLE, UNAVAILABLE
            try:
                info = self._connection() if self._connection is not None else None
            except Exception:
                log.warning("system info: the connection details failed", exc_info=True)
                info = None
            if info is not None:
                server, tls = (_as_value(v) for v in info)
            values.update({"conn.server": server, "conn.tls": tls})
        return values

    def _collect(self, inline: Mapping[str, str]) -> SysinfoSnapshot:
        taken_at = self._clock()
        started = time.monotonic()
        deadline = started + self.timeout
        values: dict[str, str] = {}
        pending: dict[str, _SourceRun] = {}
        for key in self.fields:
            if key in inline:
                values[key] = _as_value(inline[key])
                continue
            source = self._overrides.get(key) or DEFAULT_SOURCES.get(key)
            run = self._start(key, source) if source is not None else None
            if run is None:
                values[key] = UNAVAILABLE
            else:
                pending[key] = run
        for run in pending.values():  # all run at once, so one shared deadline bounds the wait
            run.finished.wait(max(0.0, deadline - time.monotonic()))
        for key, run in pending.items():
            values[key] = self._outcome(key, run)
        log.debug(
            "system info: %d field(s) in %.1f ms", len(values), (time.monotonic() - started) * 1e3
        )
        return SysinfoSnapshot(tuple(SysinfoItem(k, values[k]) for k in self.fields), taken_at)

    def _start(self, key: str, source: Source) -> _SourceRun | None:
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                # Still busy from an overlapping or earlier collection: share that call rather
                # than start another, so a source that hangs holds one thread, not one each time.
                return running
            run = self._running[key] = _SourceRun()

        def target() -> None:
            try:
                run.value = source()
            except Exception as exc:  # judged (and logged) by the collector, see _outcome
                run.error = exc
            finally:
                with self._lock:
                    del self._running[key]
                run.finished.set()

        try:
            threading.Thread(target=target, name=f"sysinfo {key}", daemon=True).start()
        except RuntimeError:  # no more threads: this field is simply not known this time
            log.warning("system info: cannot start a thread for %s", key, exc_info=True)
            with self._lock:
                del self._running[key]
            return None
        return run

    def _outcome(self, key: str, run: _SourceRun) -> str:
        if not run.finished.is_set():
            log.info("system info: %s gave no answer within %.0f ms", key, self.timeout * 1e3)
            return UNAVAILABLE
        if run.error is None:
            return _as_value(run.value)
        if isinstance(run.error, SourceUnavailable):
            log.debug("system info: %s not available here: %s", key, run.error)
        else:
            log.warning("system info: %s failed", key, exc_info=run.error)
        return UNAVAILABLE


class _SourceRun:
    """One call of one source on its own thread; read only after `finished` is set."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.value: object = None
        self.error: Exception | None = None


def _as_value(raw: object) -> str:
    # A source may hand back anything (a version number, a path): it leaves as one clean line.
    text = clean_value(raw if isinstance(raw, str) else str(raw), MAX_LOCAL_VALUE_CHARS)
    return text or UNAVAILABLE

