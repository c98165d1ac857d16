"""New messages the person is not looking at: a notification, and the unread badge.

The Notifier decides *whether* and *what*; a NotificationSurface (the TrayController, or a fake
in tests) decides *how*: a tray balloon, or alerting the status window when there is no tray.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from supporttray.core.conversations import ConversationChanged, Conversations
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage
from supporttray.ui.message_text import notification_text

log = logging.getLogger("supporttray.ui")


class NotificationSurface(Protocol):
    """Where notifications and the unread count show (implemented by TrayController)."""

    def show_notification(self, title: str, text: str) -> None: ...

    def set_unread(self, count: int) -> None: ...


def names_list(names: list[str]) -> str:
    """`Alice`, `Alice and Bob`, `Alice, Bob and Carol`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Notifier(QObject):
    """Turns Conversations.arrived into notifications and Conversations.changed into a badge.

    Arrivals are gathered until the loop is idle, so a burst (the server's offline store at
    login) is one notification ("3 new messages from Alice"), not a stack of balloons.
    A message for the chat the person is reading raises nothing.
    """

    def __init__(
        self,
        conversations: Conversations,
        surface: NotificationSurface,
        *,
        is_reading: Callable[[str], bool],
        open_chat: Callable[[str], object],
        name_of: Callable[[str], str],
        do_not_disturb: Callable[[], bool] = lambda: False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._do_not_disturb = do_not_disturb
        self._conversations = conversations
        self._surface = surface
        self._is_reading = is_reading
        self._open_chat = open_chat
        self._name_of = name_of
        self._pending: list[ChatMessage] = []
        self._last_peer: str | None = None
        self._badge_dirty = True
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self.flush)
        self._unsubscribers = [
            conversations.arrived.subscribe(self._on_arrived),
            conversations.changed.subscribe(self._on_changed),
        ]
        self._schedule()

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
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._flush_timer.stop()
        self._pending.clear()

    def flush(self) -> None:
        """Show what gathered since the last time (runs by itself once the loop is idle)."""
        pending, self._pending = self._pending, []
        # Read in the meantime (the window came to the front): nothing to tell.
        pending = [m for m in pending if self._conversations.unread(m.peer)]
        if pending:
            self._notify(pending)
        if self._badge_dirty:
            self._badge_dirty = False
            self._surface.set_unread(self._conversations.total_unread())

    def _on_arrived(self, message: ChatMessage) -> None:
        if self._is_reading(message.peer):
            return
        self._pending.append(message)
        self._schedule()

    def _on_changed(self, _event: ConversationChanged) -> None:
        self._badge_dirty = True
        self._schedule()

    def _schedule(self) -> None:
        if not self._flush_timer.isActive():
            self._flush_timer.start()

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
            text = notification_text(latest.body) or "Sent you a message"
        elif len(peers) == 1:
            title = f"{names[0]} ({len(messages)} new messages)"
            text = notification_text(latest.body) or "Sent you messages"
        else:
            title = f"{len(messages)} new messages"
            text = "From " + names_list(names)
        self._last_peer = bare_jid(latest.peer)
        log.info("notifying about %d new message(s) from %d chat(s)", len(messages), len(peers))
        self._surface.show_notification(title, text)
