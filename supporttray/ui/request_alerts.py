"""Staff mode: tell the person about new requests, the team's included.

A request that reaches *us* comes as a chat message, which the Notifier already announces; here
it only makes the optional sound. A request that reached a colleague (posted in the staff room
while we watch) gets its own balloon, whose click opens the request queue. Busy silences both;
the tray's count badge still shows every request nobody has taken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from supporttray.core.requests import SupportRequest
from supporttray.ui.bridge import CoreBridge, RequestsAnnounced, RequestsOpened

log = logging.getLogger("supporttray.ui")


class AlertSurface(Protocol):
    def show_notification(self, title: str, text: str,
                          on_click: Callable[[], None] | None = None) -> None: ...


class Sound(Protocol):
    def play(self) -> None: ...


def request_text(request: SupportRequest) -> str:
    machine = f" ({request.summary})" if request.summary else ""
    return f"{request.first_line or 'A new request'}{machine}"


class RequestAlerts:
    def __init__(self, bridge: CoreBridge, surface: AlertSurface, *,
                 name_of: Callable[[str], str], do_not_disturb: Callable[[], bool],
                 open_queue: Callable[[], object], sound: Sound | None) -> None:
        self._surface = surface
        self._name_of = name_of
        self._do_not_disturb = do_not_disturb
        self._open_queue = open_queue
        self._sound = sound
        self._bridge: CoreBridge | None = bridge
        bridge.requests_opened.connect(self._ours)
        bridge.requests_announced.connect(self._teams)

    def close(self) -> None:
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.requests_opened.disconnect(self._ours)
            bridge.requests_announced.disconnect(self._teams)

    def _ours(self, event: RequestsOpened) -> None:
        for _request in event.requests:
            if not self._do_not_disturb():
                self._ring()

    def _teams(self, event: RequestsAnnounced) -> None:
        for request in event.requests:
            self._team_request(request)

    def _team_request(self, request: SupportRequest) -> None:
        if self._do_not_disturb():
            log.info("busy: a new team request counted, not announced")
            return
        self._surface.show_notification(f"New request: {self._name_of(request.requester)}",
                                        request_text(request), self._opened_from_balloon)
        self._ring()

    def _opened_from_balloon(self) -> None:
        self._open_queue()

    def _ring(self) -> None:
        if self._sound is not None:
            self._sound.play()
