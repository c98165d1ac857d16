"""Reachability and transport medium from Qt's QNetworkInformation: the platform's own source
where the system bus has no NetworkManager (Network List Manager on Windows,
SCNetworkReachability on macOS, GLib's or ConnMan's backend on a Linux without NetworkManager).

Imported only there: QtNetwork and its plugins cost an idle tray about 5 MB.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger("supporttray.platform")

Reachability = QNetworkInformation.Reachability
# The same scale as NetworkManager's in system_bus_watch: 0 none, 1 local, 2 site, 3 online.
_REACH = {Reachability.Unknown: 0, Reachability.Disconnected: 0, Reachability.Local: 1,
          Reachability.Site: 2, Reachability.Online: 3}


class QtNetworkSource:
    """Calls `on_reach(reach)` when reachability changes, `on_moved()` when the transport
    medium does (Wi-Fi to Ethernet, say)."""

    def __init__(self, *, on_reach: Callable[[int], None], on_moved: Callable[[], None]) -> None:
        self._on_reach = on_reach
        self._on_moved = on_moved
        self._info: QNetworkInformation | None = None
        self.reach = 0

    def start(self) -> str | None:
        """Start listening; the backend's name, or None where the platform reports nothing."""
        if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            return None
        info = QNetworkInformation.instance()
        assert info is not None
        self._info = info
        self.reach = _REACH.get(info.reachability(), 0)
        info.reachabilityChanged.connect(self._reachability_changed)
        info.transportMediumChanged.connect(self._medium_changed)
        return info.backendName()

    def stop(self) -> None:
        if self._info is not None:
            self._info.reachabilityChanged.disconnect(self._reachability_changed)
            self._info.transportMediumChanged.disconnect(self._medium_changed)
            self._info = None

    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        log.info("network reachability: %s", reachability.name)
        self.reach = _REACH.get(reachability, 0)
        self._on_reach(self.reach)

    def _medium_changed(self, medium: QNetworkInformation.TransportMedium) -> None:
        log.info("network transport medium: %s", medium.name)
        if self.reach > 0:
            self._on_moved()
