"""New messages the person is not looking at: a notification, and the unread badge.

The Notifier decides *whether* and *what*; a NotificationSurface (the TrayController, or a fake
in tests) decides *how*: the desktop's notification (with buttons), a tray balloon, or alerting
the status window when there is no tray. A chat's notification says who it is about, so the
next one for that chat replaces it, and it goes once the chat is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject

from supporttray.core.conversations import Conversations
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage
from supporttray.language.catalogue import _, ngettext
from supporttray.ui.bridge import ConversationsChanged, CoreBridge, MessagesArrived
from supporttray.ui.desktop_notices import NoticeAction
from supporttray.ui.message_text import notification_text

log = logging.getLogger("supporttray.ui")


class NotificationSurface(Protocol):
    """Where notifications and the unread count show (implemented by TrayController)."""

    def show_notification(self, title: str, text: str,
                          on_click: Callable[[], object] | None = None, *,
                          chat: str | None = None,
                          actions: Sequence[NoticeAction] = ()) -> None: ...

    def withdraw_notification(self, chat: str) -> None: ...

    def set_unread(self, count: int) -> None: ...


def names_list(names: list[str]) -> str:
    """`Alice`, `Alice and Bob`, `Alice, Bob and Carol`."""
    if len(names) <= 1:
        return "".join(names)
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


class Notifier(QObject):
    """Turns the bridge's arrivals into notifications and its chat changes into a badge.

    The bridge gathers arrivals until the loop is idle, so a burst (the server's offline store at
    login) is one notification ("3 new messages from Alice"), not a stack of balloons.
    A message for the chat the person is reading raises nothing.
    """

    def __init__(
        self,
        conversations: Conversations,
        surface: NotificationSurface,
        *,
        bridge: CoreBridge,
        is_reading: Callable[[str], bool],
        open_chat: Callable[[str], object],
        name_of: Callable[[str], str],
        do_not_disturb: Callable[[], bool] = lambda: False,
        request_actions: Callable[[str], Sequence[NoticeAction]] = lambda _peer: (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._request_actions = request_actions
        self._do_not_disturb = do_not_disturb
        self._conversations = conversations
        self._surface = surface
        self._is_reading = is_reading
        self._open_chat = open_chat
        self._name_of = name_of
        self._last_peer: str | None = None
        self._bridge: CoreBridge | None = bridge
        bridge.messages_arrived.connect(self._on_arrived)
        bridge.conversations_changed.connect(self._on_changed)
        surface.set_unread(conversations.total_unread())

    @property
    def last_notified_peer(self) -> str | None:
        """Whose chat a click on the (latest) notification opens."""
        return self._last_peer

    def notification_clicked(self) -> None:
        """The person clicked the notification: open the chat it was about."""
        if self._last_peer is not None:
            self._open_chat(self._last_peer)

    def close(self) -> None:
        """Stop listening to core; safe to call twice."""
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.messages_arrived.disconnect(self._on_arrived)
            bridge.conversations_changed.disconnect(self._on_changed)

    def _on_arrived(self, event: MessagesArrived) -> None:
        # Read in the meantime (the window came to the front): nothing to tell.
        pending = [m for m in event.messages
                   if not self._is_reading(m.peer) and self._conversations.unread(m.peer)]
        if pending:
            self._notify(pending)

    def _on_changed(self, event: ConversationsChanged) -> None:
        self._surface.set_unread(self._conversations.total_unread())
        for peer in event.peers:
            # Read here or on another of the person's devices: its notification has done its job.
            if not self._conversations.unread(peer):
                self._surface.withdraw_notification(peer)

    def _notify(self, messages: list[ChatMessage]) -> None:
        latest = messages[-1]
        if self._do_not_disturb():
            # Busy: no balloon; the unread badge still counts them.
            log.info("busy: %d new message(s) counted, not announced", len(messages))
            return
        peers = list(dict.fromkeys(bare_jid(m.peer) for m in messages))
        names = [self._name_of(peer) for peer in peers]
        if len(messages) == 1:
            title = names[0]
            text = notification_text(latest.body) or _("Sent you a message")
        elif len(peers) == 1:
            title = ngettext("{name} ({count} new message)", "{name} ({count} new messages)",
                             len(messages)).format(name=names[0], count=len(messages))
            text = notification_text(latest.body) or _("Sent you messages")
        else:
            title = ngettext("{count} new message", "{count} new messages",
                             len(messages)).format(count=len(messages))
            text = _("From {names}").format(names=names_list(names))
        peer = self._last_peer = bare_jid(latest.peer)
        log.info("notifying about %d new message(s) from %d chat(s)", len(messages), len(peers))
        if len(peers) > 1:
            self._surface.show_notification(title, text)
            return
        # Staff: a new request's first message also offers "Take it".
        self._surface.show_notification(title, text, lambda: self._open_chat(peer), chat=peer,
                                        actions=self._request_actions(peer))
