"""Files peers offered us in this session, per conversation, for the chat window's cards.

The XMPP side hears each offer (xmpp.file_share.FileShareWire); this keeps it with the
conversation and says whether it may be fetched without a click (a small picture from our
own server, by policy). The message itself, with its link, is in the chat and its history as
every message is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from supporttray.app.transfers import FileTransfers
from supporttray.core.file_offer import FileOffer
from supporttray.core.jid import bare_jid
from supporttray.core.listeners import Listeners

# A conversation keeps this many offers on screen; older ones are in the history as links.
KEPT_PER_PEER = 20


@dataclass(frozen=True)
class ReceivedFile:
    peer: str
    message_id: str
    offer: FileOffer
    automatic: bool  # fetch at once (a small picture from our server), no click needed


class ReceivedFiles:
    """Offers by conversation; `offered` tells the windows of each new one."""

    def __init__(self, transfers: FileTransfers,
                 subscribe: Callable[[Callable[[str, str, FileOffer], None]], None]) -> None:
        self.transfers = transfers
        self.offered: Listeners[ReceivedFile] = Listeners()
        self._by_peer: dict[str, deque[ReceivedFile]] = {}
        self._started: set[ReceivedFile] = set()
        subscribe(self.add)

    def add(self, peer: str, message_id: str, offer: FileOffer) -> None:
        received = ReceivedFile(bare_jid(peer), message_id, offer,
                                self.transfers.fetches_automatically(offer))
        kept = self._by_peer.setdefault(received.peer, deque(maxlen=KEPT_PER_PEER))
        if any(each.message_id == message_id and message_id for each in kept):
            return  # a redelivery (carbons, a resumed stream)
        kept.append(received)
        self.offered.emit(received)

    def start_automatically(self, received: ReceivedFile) -> bool:
        """True once for a file fetched without a click: a chat opened twice fetches it once."""
        if not received.automatic or received in self._started:
            return False
        self._started.add(received)
        return True

    def of(self, peer: str) -> list[ReceivedFile]:
        return list(self._by_peer.get(bare_jid(peer), ()))
