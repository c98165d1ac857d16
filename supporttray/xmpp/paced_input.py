"""What the server sends, handled a slice per loop turn, so a burst of stanzas cannot freeze the UI.

slixmpp's XMLStream.data_received feeds a whole socket read to the XML parser and runs the
handlers of every stanza it completes before it returns. asyncio reads up to 256 KiB at a time,
so at a staff login with 1,000 contacts online one callback handled 500-1,300 presences and
roster pushes (100-200 ms here) while Qt could neither paint nor take input (bench figure 4).

PacedInput stands between the transport and the stream. What arrives goes to a backlog; each loop
turn feeds the parser chunks of it, in arrival order, until a few milliseconds are spent, then
lets the loop run (call_soon) and goes on in the next turn. While a backlog remains the transport
stops reading, so memory stays bounded and TCP pushes back on the server. The parser and the
dispatch are slixmpp's own, fed the same bytes in the same order: no stanza is dropped or
reordered. A chunk never spans two reads, so a stream restart (SASL success makes a new parser
in its handler) takes effect at the next read, exactly as without pacing.

When a turn has told the batch's watchers (the people list repaints on that), the next turn
waits one loop pass more: under Qt both would otherwise run in the same pass, and a repaint of
1,000 rows plus a turn is what the UI budget has to cover.

Around the connection's edges:
- connection_made (a new connection, or the TLS layer after STARTTLS) starts with an empty
  backlog: bytes sent before a TLS upgrade must never reach the encrypted stream.
- connection_lost first hands the stream what arrived before the loss, then reports it, as an
  unpaced stream would have: a message that reached us is not lost to the pacing.
- eof_received waits for the backlog, so the end comes after the data before it.
- After the server's </stream:stream> the rest is not part of the stream: dropped, as slixmpp
  drops the rest of that read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any

log = logging.getLogger("supporttray.xmpp")

# Parser work per loop turn. A 10 ms UI heartbeat should never wait much longer than this plus
# one repaint; the cost of a turn itself (a Qt zero-timer in qasync) is a few microseconds.
TURN_SECONDS = 0.004
# Bytes per parser feed: about five presences, well under a millisecond of handling each.
CHUNK_BYTES = 1024
# While a long backlog is worked through, the batch is closed and reopened this often, so
# observers see progress without being told once per turn.
BATCH_REFRESH_SECONDS = 0.15


class _Backlog:
    """The reads not yet fed, in order. A chunk never spans two reads, so the parser sees read
    boundaries where it did without pacing: a stream restart takes effect at the next read."""

    def __init__(self) -> None:
        self._reads: deque[bytes] = deque()
        self._offset = 0  # into the first read
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, data: bytes) -> None:
        if data:
            self._reads.append(data)
            self._size += len(data)

    def take(self, limit: int) -> bytes:
        """Up to `limit` bytes from the front, all from one read."""
        first = self._reads[0]
        chunk = first[self._offset : self._offset + limit]
        self._offset += len(chunk)
        if self._offset >= len(first):
            self._reads.popleft()
            self._offset = 0
        self._size -= len(chunk)
        return chunk

    def clear(self) -> None:
        self._reads.clear()
        self._offset = self._size = 0


class PacedInput:
    """Installs itself on a slixmpp stream (its data_received, connection_made, connection_lost
    and eof_received) and feeds the stream what arrives, a turn's worth per loop turn.

    `batch`, if given, is entered while a backlog is worked through and left when it is done
    (and every `batch_refresh_seconds` meanwhile): the PresenceBook's batch makes one change
    event of a burst of presences instead of one per stanza and turn.
    """

    def __init__(
        self,
        stream: Any,
        *,
        batch: Callable[[], AbstractContextManager[object]] | None = None,
        turn_seconds: float = TURN_SECONDS,
        chunk_bytes: int = CHUNK_BYTES,
        batch_refresh_seconds: float = BATCH_REFRESH_SECONDS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._stream = stream
        # The stream's own methods, bound before the instance attributes below shadow them.
        self._feed: Callable[[bytes], None] = stream.data_received
        self._made: Callable[..., None] = stream.connection_made
        self._lost: Callable[[BaseException | None], None] = stream.connection_lost
        self._eof: Callable[[], object] = stream.eof_received
        self._batch = batch
        self._turn_seconds = turn_seconds
        self._chunk_bytes = max(1, chunk_bytes)
        self._batch_refresh = batch_refresh_seconds
        self._clock = clock
        self._backlog = _Backlog()
        self._turn: asyncio.Handle | None = None
        self._feeding = False
        self._paused: asyncio.ReadTransport | None = None
        self._eof_waiting = False
        self._open_batch: ExitStack | None = None
        self._batch_since = 0.0
        self.turns = 0  # loop turns that fed the parser (for tests)
        stream.data_received = self.data_received
        stream.connection_made = self.connection_made
        stream.connection_lost = self.connection_lost
        stream.eof_received = self.eof_received

    @property
    def backlog(self) -> int:
        """Bytes received and not yet given to the parser."""
        return len(self._backlog)

    # -- the protocol side (asyncio and slixmpp call these) --------------------------------
    def data_received(self, data: bytes | str) -> None:
        self._backlog.append(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        if self._turn is None and not self._feeding:
            # Not in this callback: a read that ends a wait (reading resumed) often shares its
            # loop pass with the repaint of what the last turn changed.
            self._schedule(self._run_turn)

    def connection_made(self, transport: asyncio.BaseTransport, send_event: bool = True) -> None:
        if self._backlog:
            # Only after STARTTLS can there be any: plaintext sent after <proceed/>, which a
            # server never sends and an attacker in the path would (CVE-2011-0411's kind).
            log.warning("dropped %d bytes received before the TLS upgrade", len(self._backlog))
        self._reset()
        self._made(transport, send_event=send_event)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_turn()
        self._paused = None  # gone with the connection
        try:
            self._feed_until(lambda: False)  # everything that arrived, before the loss
            if self._eof_waiting:
                self._eof_waiting = False
                self._eof()
        finally:
            self._reset()
            self._lost(exc)

    def eof_received(self) -> object:
        if self._backlog or self._turn is not None:
            self._eof_waiting = True
            return None  # the transport closes itself; connection_lost feeds what is left
        return self._eof()

    # -- turns ------------------------------------------------------------------------------
    def _run_turn(self) -> None:
        self._turn = None
        self.turns += 1
        if self._batch is not None and self._open_batch is None:
            stack = ExitStack()
            stack.enter_context(self._batch())
            self._open_batch, self._batch_since = stack, self._clock()
        deadline = self._clock() + self._turn_seconds
        self._feed_until(lambda: self._clock() >= deadline)
        if self._backlog:
            self._pause()
            batch_due = self._clock() - self._batch_since >= self._batch_refresh
            if self._open_batch is None or not batch_due:
                self._schedule(self._run_turn)
                return
            self._close_batch()
            # Whoever the batch told (the people list) repaints in the next loop pass: leave
            # that pass to the repaint, and go on in the one after.
            self._schedule(lambda: self._schedule(self._run_turn))
            return
        self._close_batch()
        self._resume()
        if self._eof_waiting:
            self._eof_waiting = False
            self._eof()

    def _feed_until(self, enough: Callable[[], bool]) -> None:
        """Feed chunks from the backlog until it is empty or `enough()` after a chunk."""
        self._feeding = True
        try:
            while self._backlog:
                if not self._stream_open():
                    log.debug("dropped %d bytes after the end of the stream", len(self._backlog))
                    self._backlog.clear()
                    break
                self._feed(self._backlog.take(self._chunk_bytes))
                if enough():
                    break
        except BaseException:
            # Unpaced, asyncio would close the connection on an error out of data_received;
            # a paused transport with a backlog nobody feeds would leave it deaf instead.
            self._reset()
            self._stream.abort()
            raise
        finally:
            self._feeding = False

    def _stream_open(self) -> bool:
        stream = self._stream
        ended = stream.xml_root is not None and stream.xml_depth == 0
        return stream.parser is not None and not ended

    # -- the transport and the batch --------------------------------------------------------
    def _pause(self) -> None:
        transport = self._stream.transport
        if self._paused is None and transport is not None and not transport.is_closing():
            transport.pause_reading()
            self._paused = transport

    def _resume(self) -> None:
        transport, self._paused = self._paused, None
        if (transport is not None and transport is self._stream.transport
                and not transport.is_closing()):
            transport.resume_reading()

    def _close_batch(self) -> None:
        stack, self._open_batch = self._open_batch, None
        if stack is not None:
            stack.close()

    def _schedule(self, callback: Callable[[], None]) -> None:
        self._turn = asyncio.get_running_loop().call_soon(callback)

    def _cancel_turn(self) -> None:
        if self._turn is not None:
            self._turn.cancel()
            self._turn = None

    def _reset(self) -> None:
        self._cancel_turn()
        self._backlog.clear()
        self._paused = None
        self._eof_waiting = False
        self._close_batch()
