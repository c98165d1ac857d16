"""What the operating system says about the network and sleep, so the app reconnects at once.

A laptop back on Wi-Fi should not wait out a back-off of up to a minute, and a link from before
the lid closed (or from the network we just left) is usually dead without TCP saying so for
minutes. Two sources, both event-driven (no timer, no polling, so an idle app stays asleep):
- reachability and transport medium from Qt's QNetworkInformation, whose backend is the
  platform's own (NetworkManager on Linux, with GLib's or ConnMan's where it is missing; Network
  List Manager on Windows; SCNetworkReachability on macOS);
- on Linux, logind's PrepareForSleep signal on the system bus: false means "woke up".
Each change reaches `on_change` once, after a short settling pause (a network coming up reports
Local, Site and Online within a second: one reconnect, not three).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import SLOT, QObject, QTimer, Slot
from PySide6.QtNetwork import QNetworkInformation

from supporttray.core.connection import NetworkChange

log = logging.getLogger("supporttray.platform")

SETTLE_MS = 500
LOGIND_SERVICE = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
# Qt's old-style slot signature. PySide6 6.11 takes it as str only, though its stubs say
# bytes: hence the ignores where it is passed.
_SLEEP_SLOT = SLOT("_prepare_for_sleep(bool)")

Reachability = QNetworkInformation.Reachability
# Weakest first: a change to a stronger one may have brought the server back.
_STRENGTH = {Reachability.Unknown: 0, Reachability.Disconnected: 0, Reachability.Local: 1,
             Reachability.Site: 2, Reachability.Online: 3}


class NetworkWatch(QObject):
    """Tells `on_change` when the network came back or changed, or the computer woke."""

    def __init__(self, on_change: Callable[[NetworkChange], None]) -> None:
        super().__init__()
        self._on_change = on_change
        self._pending: NetworkChange | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._tell)
        self._info: QNetworkInformation | None = None
        self._reachability = Reachability.Unknown
        self._watching_sleep = False

    def start(self) -> str:
        """Start listening; returns what is watched, for the log (and `doctor`)."""
        watched = [self._watch_network(), self._watch_sleep()]
        return "; ".join(watched)

    def stop(self) -> None:
        self._settle.stop()
        if self._info is not None:
            self._info.reachabilityChanged.disconnect(self._reachability_changed)
            self._info.transportMediumChanged.disconnect(self._medium_changed)
            self._info = None
        if self._watching_sleep:
            from PySide6.QtDBus import QDBusConnection

            QDBusConnection.systemBus().disconnect(  # type: ignore[call-overload]
                LOGIND_SERVICE, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", self,
                _SLEEP_SLOT)
            self._watching_sleep = False

    # -- sources --------------------------------------------------------------------------
    def _watch_network(self) -> str:
        if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            return "network changes: not reported on this system"
        info = QNetworkInformation.instance()
        assert info is not None
        self._info = info
        self._reachability = info.reachability()
        info.reachabilityChanged.connect(self._reachability_changed)
        info.transportMediumChanged.connect(self._medium_changed)
        return f"network changes: from {info.backendName()}"

    def _watch_sleep(self) -> str:
        if not sys.platform.startswith("linux"):
            return "wake-ups: seen as network changes"
        from PySide6.QtDBus import QDBusConnection

        bus = QDBusConnection.systemBus()
        if not bus.isConnected() or not bus.connect(  # type: ignore[call-overload]
                LOGIND_SERVICE, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", self,
                _SLEEP_SLOT):
            return "wake-ups: no system bus (logind), seen as network changes"
        self._watching_sleep = True
        return "wake-ups: from logind"

    # -- events ---------------------------------------------------------------------------
    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        before, self._reachability = self._reachability, reachability
        log.info("network reachability: %s", reachability.name)
        if _STRENGTH.get(reachability, 0) > _STRENGTH.get(before, 0):
            self._note(NetworkChange.REACHABLE)

    def _medium_changed(self, medium: QNetworkInformation.TransportMedium) -> None:
        log.info("network transport medium: %s", medium.name)
        if _STRENGTH.get(self._reachability, 0) > 0:
            self._note(NetworkChange.CHANGED)

    @Slot(bool)
    def _prepare_for_sleep(self, going_to_sleep: bool) -> None:
        log.info("the computer %s", "goes to sleep" if going_to_sleep else "woke from sleep")
        if not going_to_sleep:
            self._note(NetworkChange.WOKE)

    def _note(self, change: NetworkChange) -> None:
        # The first reason is kept for the log: they all lead to the same check.
        if self._pending is None:
            self._pending = change
        self._settle.start()

    def _tell(self) -> None:
        change, self._pending = self._pending, None
        if change is not None:
            self._on_change(change)
