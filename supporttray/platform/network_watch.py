"""What the operating system says about the network and sleep, so the app reconnects at once.

A laptop back on Wi-Fi should not wait out a back-off of up to a minute, and a link from before
the lid closed (or from the network we just left) is usually dead without TCP saying so for
minutes. The sources are event-driven (no timer, no polling, so an idle app stays asleep):
- on Linux, the system bus (system_bus_watch.py): NetworkManager's state and primary connection,
  and logind's PrepareForSleep (false means "woke up");
- elsewhere, and on a Linux without NetworkManager, Qt's QNetworkInformation
  (qt_network_source.py), whose backend is the platform's own; a wake-up then shows as the
  network coming back.
Each change reaches `on_change` once, after a short settling pause (a network coming up reports
local, site and internet within a second: one reconnect, not three).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from supporttray.core.connection import NetworkChange

if TYPE_CHECKING:
    from supporttray.platform.qt_network_source import QtNetworkSource
    from supporttray.platform.system_bus_watch import SystemBusWatch

log = logging.getLogger("supporttray.platform")

SETTLE_S = 0.5


class NetworkWatch:
    """Tells `on_change` when the network came back or changed, or the computer woke."""

    def __init__(self, on_change: Callable[[NetworkChange], None]) -> None:
        self._on_change = on_change
        self._pending: NetworkChange | None = None
        self._settle: asyncio.TimerHandle | None = None
        self._reach = 0
        self._bus: SystemBusWatch | None = None
        self._qt: QtNetworkSource | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> str:
        """Start listening; returns what is watched, for the log (and `doctor`)."""
        self._loop = asyncio.get_running_loop()
        network = sleep = ""
        if sys.platform.startswith("linux"):
            from supporttray.platform.system_bus_watch import SystemBusWatch

            bus = SystemBusWatch(on_reach=self._reach_changed,
                                 on_moved=lambda: self._note(NetworkChange.CHANGED),
                                 on_woke=lambda: self._note(NetworkChange.WOKE))
            if await bus.start() is None:
                sleep = "wake-ups: no system bus (logind), seen as network changes"
            else:
                self._bus = bus
                if bus.network_manager:
                    self._reach = bus.reach
                    network = "network changes: from networkmanager"
                sleep = ("wake-ups: from logind" if bus.logind
                         else "wake-ups: no logind, seen as network changes")
        else:
            sleep = "wake-ups: seen as network changes"
        if not network:
            network = self._watch_with_qt()
        return f"{network}; {sleep}"

    async def stop(self) -> None:
        if self._settle is not None:
            self._settle.cancel()
            self._settle = None
        if self._qt is not None:
            self._qt.stop()
            self._qt = None
        if self._bus is not None:
            await self._bus.stop()
            self._bus = None

    @staticmethod
    async def describe() -> str:
        """What a watch would listen to here (for `doctor`): started, then stopped."""
        watch = NetworkWatch(lambda _change: None)
        try:
            return await watch.start()
        finally:
            await watch.stop()

    def _watch_with_qt(self) -> str:
        from supporttray.platform.qt_network_source import QtNetworkSource

        source = QtNetworkSource(on_reach=self._reach_changed,
                                 on_moved=lambda: self._note(NetworkChange.CHANGED))
        backend = source.start()
        if backend is None:
            return "network changes: not reported on this system"
        self._qt = source
        self._reach = source.reach
        return f"network changes: from {backend}"

    # -- events ---------------------------------------------------------------------------
    def _reach_changed(self, reach: int) -> None:
        before, self._reach = self._reach, reach
        if reach > before:  # a stronger network may have brought the server back
            self._note(NetworkChange.REACHABLE)

    def _note(self, change: NetworkChange) -> None:
        # The first reason is kept for the log: they all lead to the same check.
        if self._pending is None:
            self._pending = change
        if self._settle is not None:
            self._settle.cancel()
        assert self._loop is not None  # events come only after start()
        self._settle = self._loop.call_later(SETTLE_S, self._tell)

    def _tell(self) -> None:
        self._settle = None
        change, self._pending = self._pending, None
        if change is not None:
            self._on_change(change)
