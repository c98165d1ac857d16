"""The chats the user has open: their messages, unread counts and whether the peer is typing."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime

from supporttray.core.jid import bare_jid
from supporttray.core.listeners import Listeners
from supporttray.core.messages import ChatMessage, Delivery, Direction

_ORDER = {Delivery.QUEUED: 0, Delivery.SENT: 1, Delivery.DELIVERED: 2, Delivery.RECEIVED: 2}


@dataclass(frozen=True)
class ConversationChanged:
    """Something in the chat with `peer` changed (a message, a delivery state, typing, unread)."""

    peer: str


class Conversations:
    """In-memory view of the chats; the HistoryStore is the record, this is what windows show."""

    def __init__(self) -> None:
        self._messages: dict[str, list[ChatMessage]] = {}
        self._unread: dict[str, int] = {}
        self._typing: dict[str, bool] = {}
        self._where: dict[str, tuple[str, int]] = {}
        self.changed: Listeners[ConversationChanged] = Listeners()
        # Incoming messages only: what notifications and the unread badge react to.
        self.arrived: Listeners[ChatMessage] = Listeners()

    def load(self, peer: str, messages: list[ChatMessage]) -> None:
        """Show earlier history (from the store) for a chat that has not been shown yet."""
        key = bare_jid(peer)
        if key in self._messages:
            return
        self._messages[key] = list(messages)
        self._reindex(key)
        self.changed.emit(ConversationChanged(key))

    def forget(self, peer: str) -> None:
        """The chat was deleted from the history: nothing of it is shown any more."""
        key = bare_jid(peer)
        for message in self._messages.pop(key, []):
            self._where.pop(message.id, None)
        self._unread.pop(key, None)
        self._typing.pop(key, None)
        self.changed.emit(ConversationChanged(key))

    def add(self, message: ChatMessage) -> None:
        """A new message in the chat: at the end, or in time order when it is older than the
        chat's last one (caught up from the server's archive). Theirs counts as unread."""
        key = bare_jid(message.peer)
        if message.id in self._where:
            return
        bucket = self._messages.setdefault(key, [])
        newest = not bucket or message.timestamp >= bucket[-1].timestamp
        if newest:
            bucket.append(message)
            self._where[message.id] = (key, len(bucket) - 1)
        else:
            bucket.insert(bisect_right(bucket, message.timestamp, key=_time_of), message)
            self._reindex(key)
        if message.direction is Direction.IN:
            self._unread[key] = self._unread.get(key, 0) + 1
            if newest:
                self._typing[key] = False
        self.changed.emit(ConversationChanged(key))
        if message.direction is Direction.IN:
            self.arrived.emit(message)

    def add_earlier(self, message: ChatMessage) -> None:
        """A message that belongs earlier in the chat (a colleague's request, relayed): put
        in time order, not counted unread, no notification."""
        key = bare_jid(message.peer)
        if message.id in self._where:
            return
        bucket = self._messages.setdefault(key, [])
        at = next((i for i, m in enumerate(bucket) if m.timestamp > message.timestamp),
                  len(bucket))
        bucket.insert(at, message)
        self._reindex(key)
        self.changed.emit(ConversationChanged(key))

    def update_delivery(self, message_id: str, delivery: Delivery) -> None:
        where = self._where.get(message_id)
        if where is None:
            return
        key, index = where
        current = self._messages[key][index]
        if _ORDER[delivery] <= _ORDER[current.delivery]:
            return  # never backwards: a late "sent" does not undo "delivered"
        self._messages[key][index] = replace(current, delivery=delivery)
        self.changed.emit(ConversationChanged(key))

    def messages(self, peer: str) -> list[ChatMessage]:
        return list(self._messages.get(bare_jid(peer), []))

    def find(self, message_id: str) -> ChatMessage | None:
        where = self._where.get(message_id)
        return self._messages[where[0]][where[1]] if where else None

    def peers(self) -> list[str]:
        return list(self._messages)

    def unread(self, peer: str) -> int:
        return self._unread.get(bare_jid(peer), 0)

    def total_unread(self) -> int:
        return sum(self._unread.values())

    def answered(self, message: ChatMessage) -> None:
        """`message` is ours, written on another client: whoever answered there has read what
        came before it, so only what came after can still be unread."""
        key = bare_jid(message.peer)
        where = self._where.get(message.id)
        if where is None or key not in self._unread:
            return
        after = sum(m.direction is Direction.IN for m in self._messages[key][where[1] + 1:])
        if after < self._unread[key]:
            if after:
                self._unread[key] = after
            else:
                del self._unread[key]
            self.changed.emit(ConversationChanged(key))

    def mark_read(self, peer: str) -> None:
        key = bare_jid(peer)
        if self._unread.pop(key, 0):
            self.changed.emit(ConversationChanged(key))

    def is_typing(self, peer: str) -> bool:
        return self._typing.get(bare_jid(peer), False)

    def set_typing(self, peer: str, typing: bool) -> None:
        key = bare_jid(peer)
        if self._typing.get(key, False) != typing:
            self._typing[key] = typing
            self.changed.emit(ConversationChanged(key))

    def _reindex(self, key: str) -> None:
        for index, message in enumerate(self._messages[key]):
            self._where[message.id] = (key, index)


def _time_of(message: ChatMessage) -> datetime:
    return message.timestamp
