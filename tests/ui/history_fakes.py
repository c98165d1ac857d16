"""A small history for the history window's tests: a few conversations, hits and notes, read
as the real HistoryStore answers them, optionally slowly (to prove the loop keeps turning)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from supporttray.core.history import ConversationSummary, Note, SearchHit
from supporttray.core.messages import ChatMessage, Delivery, Direction
from tests.helpers import T0

ANN = "ann@example.org"
BEN = "ben@example.org"
HOSTILE = '<img src=x onerror="alert(1)"><b>bold</b> printer'


def chat(index: int, peer: str, body: str, *, thread: str | None = "t1",
         direction: Direction = Direction.IN) -> ChatMessage:
    return ChatMessage(f"m{index}", peer, direction, body, T0 + timedelta(minutes=index),
                       thread=thread, delivery=Delivery.RECEIVED if direction is Direction.IN
                       else Delivery.SENT)


def spans_of(snippet: str, word: str) -> tuple[tuple[int, int], ...]:
    lower, word = snippet.lower(), word.lower()
    found, at = [], lower.find(word)
    while at >= 0:
        found.append((at, at + len(word)))
        at = lower.find(word, at + 1)
    return tuple(found)


@dataclass
class FakeHistory:
    """Both the app's store (add_note) and its reader (open_reader returns itself)."""

    messages: list[ChatMessage] = field(default_factory=list)
    notes_kept: list[Note] = field(default_factory=list)
    delay_s: float = 0.0
    threads_used: set[int] = field(default_factory=set)
    readers_opened: int = 0

    @classmethod
    def sample(cls, count: int = 120) -> FakeHistory:
        """Ann's printer request with `count` messages (the hit in the middle), Ben's VPN."""
        messages = [chat(i, ANN, "the printer jams again" if i == count // 2
                         else f"message {i} about paper") for i in range(count)]
        messages.append(chat(count + 1, BEN, "VPN drops every hour", thread="t2"))
        messages.append(chat(count + 2, BEN, "Update the client, please", thread="t2",
                             direction=Direction.OUT))
        return cls(messages)

    def _touch(self) -> None:
        self.threads_used.add(threading.get_ident())
        if self.delay_s:
            time.sleep(self.delay_s)

    # -- the store ---------------------------------------------------------------------------
    def open_reader(self) -> FakeHistory:
        self.readers_opened += 1
        return self

    def add_note(self, peer: str, thread: str | None, body: str, *, author: str,
                 at: datetime) -> Note:
        note = Note(len(self.notes_kept) + 1, peer, thread, author, at, body)
        self.notes_kept.append(note)
        return note

    def close(self) -> None:
        pass

    # -- the reader ----------------------------------------------------------------------------
    def conversations(self, *, peer: str | None = None, before: datetime | None = None,
                      limit: int = 50, me: str = "") -> list[ConversationSummary]:
        self._touch()
        groups: dict[tuple[str, str | None], list[ChatMessage]] = {}
        for message in self.messages:
            groups.setdefault((message.peer, message.thread), []).append(message)
        rows = [
            ConversationSummary(
                peer=p, thread=t, started=ms[0].timestamp, last_at=ms[-1].timestamp,
                first_line=ms[0].body, messages=len(ms),
                answered_by=("alice@example.org",) if p == BEN else (),
                resolved=p == BEN, notes=sum(1 for n in self.notes_kept if n.peer == p))
            for (p, t), ms in groups.items() if peer in (None, p)]
        rows.sort(key=lambda r: r.last_at, reverse=True)
        if before is not None:
            rows = [r for r in rows if r.last_at < before]
        return rows[:limit]

    def find(self, query: str, *, peer: str | None = None, since: datetime | None = None,
             limit: int = 50, offset: int = 0, me: str = "") -> list[SearchHit]:
        self._touch()
        word = query.split()[0].lower()
        hits = [SearchHit(m.peer, m.thread, m.timestamp, m.id, None,
                          m.peer if m.direction is Direction.IN else me,
                          m.body, spans_of(m.body, word))
                for m in reversed(self.messages)
                if word in m.body.lower() and peer in (None, m.peer)]
        hits += [SearchHit(n.peer, n.thread, n.at, None, n.id, n.author, n.body,
                           spans_of(n.body, word))
                 for n in self.notes_kept if word in n.body.lower()]
        return hits[offset:offset + limit]

    def around(self, peer: str, message_id: str, *, before: int = 50,
               after: int = 50) -> list[ChatMessage]:
        self._touch()
        mine = [m for m in self.messages if m.peer == peer]
        at = next(i for i, m in enumerate(mine) if m.id == message_id)
        return mine[max(0, at - before):at + after + 1]

    def thread_messages(self, peer: str, thread: str, *, limit: int = 1000) -> list[ChatMessage]:
        self._touch()
        return [m for m in self.messages if m.peer == peer and m.thread == thread][-limit:]

    def conversation(self, peer: str, *, limit: int = 200,
                     before: datetime | None = None) -> list[ChatMessage]:
        self._touch()
        return [m for m in self.messages if m.peer == peer][-limit:]

    def notes(self, peer: str, thread: str | None = None) -> list[Note]:
        return [n for n in self.notes_kept if n.peer == peer and (
            thread is None or n.thread == (thread or None))]
