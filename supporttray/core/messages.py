"""A chat message as the app keeps it: in the history store, the outbox and the chat window."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class Direction(enum.Enum):
    IN = "in"
    OUT = "out"


class Delivery(enum.Enum):
    """Where an outgoing message is; incoming messages are always RECEIVED."""

    QUEUED = "queued"  # stored, not yet handed to the server (we are offline)
    SENT = "sent"  # handed to the server
    DELIVERED = "delivered"  # the peer's client confirmed it (XEP-0184)
    RECEIVED = "received"  # an incoming message


@dataclass(frozen=True)
class ChatMessage:
    id: str  # our id, also the stanza id / origin-id on the wire
    peer: str  # bare JID of the other side
    direction: Direction
    body: str  # what the person wrote (without any system-info block)
    timestamp: datetime  # aware, UTC
    thread: str | None = None  # XEP-0201 thread of the request this belongs to
    delivery: Delivery = Delivery.QUEUED
    # The system info carried by this message, as ordered (key, value) pairs, or () for none.
    sysinfo: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ArchivePosition:
    """How far the server's archive of our messages (XEP-0313) has been read: the archive's id
    (stanza-id) of the newest message taken from it, and that message's time."""

    stanza_id: str
    timestamp: datetime  # aware, UTC


def new_message_id() -> str:
    return uuid.uuid4().hex


def new_thread_id() -> str:
    return "st-" + uuid.uuid4().hex


class TransportOffline(Exception):
    """A message could not be handed to the server now; it stays queued in the outbox."""
