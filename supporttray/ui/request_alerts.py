"""Staff mode: tell the person about new requests, the team's included.

A request that reaches *us* comes as a chat message, which the Notifier already announces (with
the "Take it" and "Open" buttons this module gives it); here it only makes the optional sound.
A request that reached a colleague (posted in the staff room while we watch) gets its own
notification, whose click opens the request queue. Busy (ours or the desktop's do-not-disturb)
silences both; the tray's count badge still shows every request nobody has taken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from supporttray.app.errors import DeskError
from supporttray.app.request_desk import RequestDesk
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.language.catalogue import _
from supporttray.language.sentence import shown
from supporttray.ui.bridge import CoreBridge, RequestsAnnounced, RequestsOpened
from supporttray.ui.desktop_notices import NoticeAction

log = logging.getLogger("supporttray.ui")


class AlertSurface(Protocol):
    def show_notification(self, title: str, text: str,
                          on_click: Callable[[], object] | None = None, *,
                          chat: str | None = None,
                          actions: Sequence[NoticeAction] = ()) -> None: ...


class Sound(Protocol):
    def play(self) -> None: ...


def request_text(request: SupportRequest) -> str:
    machine = f" ({request.summary})" if request.summary else ""
    return f"{request.first_line or _('A new request')}{machine}"


class RequestAlerts:
    def __init__(self, bridge: CoreBridge, surface: AlertSurface, *,
                 name_of: Callable[[str], str], do_not_disturb: Callable[[], bool],
                 open_queue: Callable[[], object], sound: Sound | None,
                 queue: RequestQueue | None = None, desk: RequestDesk | None = None,
                 open_chat: Callable[[str], object] = lambda _peer: None) -> None:
        self._surface = surface
        self._queue = queue
        self._desk = desk
        self._open_chat = open_chat
        self._name_of = name_of
        self._do_not_disturb = do_not_disturb
        self._open_queue = open_queue
        self._sound = sound
        self._bridge: CoreBridge | None = bridge
        bridge.requests_opened.connect(self._ours)
        bridge.requests_announced.connect(self._teams)

    def set_sound(self, sound: Sound | None) -> None:
        """`staff.sound` changed in the Settings window: the next request follows it."""
        self._sound = sound

    def close(self) -> None:
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.requests_opened.disconnect(self._ours)
            bridge.requests_announced.disconnect(self._teams)

    def actions_for(self, peer: str) -> tuple[NoticeAction, ...]:
        """The buttons on a notification about `peer`'s chat: "Take it" and "Open" while their
        request waits for someone to take it; none otherwise."""
        request = self._queue.for_peer(peer) if self._queue is not None else None
        if request is None or request.claimed_by is not None:
            return ()
        return self._buttons(request, open_it=lambda: self._open_chat(request.requester))

    def _buttons(self, request: SupportRequest,
                 open_it: Callable[[], object]) -> tuple[NoticeAction, ...]:
        if self._desk is None:
            return (NoticeAction(_("Open"), open_it),)
        return (NoticeAction(_("Take it"), lambda: self._take(request)),
                NoticeAction(_("Open"), open_it))

    def _take(self, request: SupportRequest) -> None:
        """"Take it" on a notification: claim it for the team, then show the person's chat."""
        assert self._desk is not None
        try:
            self._desk.take(request.id)
        except DeskError as exc:
            # Someone was quicker (or it was resolved meanwhile): say so where they looked.
            self._surface.show_notification(_("Could not take the request"), shown(exc),
                                            self._open_queue, chat=request.requester)
            return
        self._open_chat(request.requester)

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
        self._surface.show_notification(
            _("New request: {name}").format(name=self._name_of(request.requester)),
            request_text(request),
            self._opened_from_balloon, chat=request.requester,
            actions=self._buttons(request, open_it=self._opened_from_balloon))
        self._ring()

    def _opened_from_balloon(self) -> None:
        self._open_queue()

    def _ring(self) -> None:
        if self._sound is not None:
            self._sound.play()
