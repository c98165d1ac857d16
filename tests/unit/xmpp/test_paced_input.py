"""PacedInput on a real slixmpp stream: a burst is handled a turn's worth at a time, whole and in
order, and the connection's edges (loss, end of stream, TLS upgrade, restart) keep their meaning.

The stream is slixmpp's own ClientXMPP with its own parser and handlers; only the socket is a
stand-in that records what the stream does to it, and the clock ticks 1 ms per reading, so
"a turn's worth" is an exact number of bytes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
import slixmpp

from supporttray.core.presence import Availability, BookChanged, PresenceBook
from supporttray.xmpp.paced_input import PacedInput

SERVER_HEADER = (
    b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    b"from='example.org' id='s1' version='1.0'>"
)
CHUNK = 256
TURN = 0.004  # with a clock of 1 ms per reading: four chunks, 1 KiB, per turn


def message(n: int) -> bytes:
    return (
        f"<message from='alice@example.org/desk' to='me@example.org/tray' type='chat'>"
        f"<body>{n}</body></message>"
    ).encode()


def presence(n: int) -> bytes:
    return (
        f"<presence from='alice@example.org/desk' to='me@example.org/tray'>"
        f"<show>{'away' if n % 2 else 'dnd'}</show><status>update {n}</status></presence>"
    ).encode()


class Socket(asyncio.Transport):
    """Stands in for the TLS transport: records reading pauses, writes and closing."""

    def __init__(self) -> None:
        super().__init__()
        self.reading = True
        self.closed = False
        self.written: list[bytes] = []

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def is_reading(self) -> bool:
        return self.reading

    def is_closing(self) -> bool:
        return self.closed

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class Ticking:
    """A clock that advances 1 ms each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


class Wire:
    """A slixmpp client stream with PacedInput installed, connected to a Socket; `seen` is
    everything the app side and the loop did, in order."""

    def __init__(self, *, batch_refresh: float = 10.0, book: PresenceBook | None = None) -> None:
        self.client = slixmpp.ClientXMPP("me@example.org/tray", "pw")
        self.seen: list[str] = []
        self.book = book
        self.client.add_event_handler("message", lambda m: self.seen.append(f"msg {m['body']}"))
        self.client.add_event_handler("presence", self._on_presence)
        self.client.add_event_handler("disconnected", lambda _r: self.seen.append("disconnected"))
        self.client.add_event_handler("eof_received", lambda _e: self.seen.append("eof"))
        self.paced = PacedInput(
            self.client,
            batch=book.batch if book is not None else None,
            turn_seconds=TURN,
            chunk_bytes=CHUNK,
            batch_refresh_seconds=batch_refresh,
            clock=Ticking(),
        )
        self.socket = Socket()

    def _on_presence(self, stanza: Any) -> None:
        self.seen.append(f"presence {stanza['status']}")
        if self.book is not None:
            self.book.update(
                stanza["from"].full, Availability.from_show(stanza["type"]), stanza["status"]
            )

    def connect(self, socket: Socket | None = None) -> None:
        self.socket = socket or Socket()
        self.client.connection_made(self.socket)
        self.client.data_received(SERVER_HEADER)

    def bodies(self) -> list[str]:
        return [s.removeprefix("msg ") for s in self.seen if s.startswith("msg ")]


@asynccontextmanager
async def loop_ticks(wire: Wire) -> AsyncIterator[None]:
    """Marks every loop iteration in wire.seen: what the UI would get to do between turns."""

    async def tick() -> None:
        while True:
            wire.seen.append("tick")
            await asyncio.sleep(0)

    task = asyncio.ensure_future(tick())
    await asyncio.sleep(0)
    try:
        yield
    finally:
        task.cancel()


async def until_drained(wire: Wire, limit: int = 10_000) -> None:
    for _ in range(limit):
        if not wire.paced.backlog:
            await asyncio.sleep(0)
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{wire.paced.backlog} bytes still waiting")


def runs_between_ticks(seen: list[str]) -> list[int]:
    """How many stanzas were handled in each stretch without a loop tick."""
    runs, current = [], 0
    for entry in seen:
        if entry == "tick":
            if current:
                runs.append(current)
            current = 0
        elif entry.startswith(("msg ", "presence ")):
            current += 1
    if current:
        runs.append(current)
    return runs


@contextmanager
def loop_errors() -> Iterator[list[BaseException]]:
    loop = asyncio.get_running_loop()
    errors: list[BaseException] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context["exception"]))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)


# -- a burst ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_burst_is_handled_whole_and_in_order_with_the_loop_running_in_between() -> None:
    # given a connected stream
    wire = Wire()
    wire.connect()
    async with loop_ticks(wire):
        # when one read brings 300 messages (~27 kB)
        burst = b"".join(message(n) for n in range(300))
        wire.client.data_received(burst)

        # then none is handled in the read's own callback, a turn's worth in the next loop
        # turn, and the socket stops reading meanwhile
        assert wire.bodies() == []
        await asyncio.sleep(0)
        assert 0 < len(wire.bodies()) < 20
        assert not wire.socket.reading
        await until_drained(wire)

    # and every message is handled, once, in the order sent, a turn's worth between loop ticks
    assert wire.bodies() == [str(n) for n in range(300)]
    per_turn = 4 * CHUNK // len(message(0)) + 1
    runs = runs_between_ticks(wire.seen)
    assert max(runs) <= per_turn, runs
    assert len(runs) >= 300 // per_turn
    # and reading goes on once the backlog is gone
    assert wire.socket.reading


@pytest.mark.asyncio
async def test_data_arriving_during_a_backlog_is_handled_after_it() -> None:
    wire = Wire()
    wire.connect()
    # given a backlog
    wire.client.data_received(b"".join(message(n) for n in range(100)))
    assert wire.paced.backlog
    # when more arrives before it is worked through
    wire.client.data_received(b"".join(message(n) for n in range(100, 150)))
    await until_drained(wire)
    # then it comes after, in order
    assert wire.bodies() == [str(n) for n in range(150)]


@pytest.mark.asyncio
async def test_a_presence_burst_tells_the_book_watchers_once_not_once_per_turn() -> None:
    # given a book with alice, whose watchers repaint on every change event
    book = PresenceBook()
    book.add_staff("alice@example.org")
    events: list[BookChanged] = []
    book.changed.subscribe(events.append)
    wire = Wire(book=book)
    wire.connect()

    # when 200 presences arrive in one read (many turns' worth)
    wire.client.data_received(b"".join(presence(n) for n in range(1, 201)))
    await until_drained(wire)

    # then, over many turns, the watchers hear once, at the end; the book shows the last one
    assert wire.paced.turns > 10
    assert len(events) == 1
    member = book.member("alice@example.org")
    assert member is not None
    assert (member.availability, member.status) == (Availability.BUSY, "update 200")


@pytest.mark.asyncio
async def test_a_long_burst_tells_the_book_watchers_now_and_then_and_lets_them_repaint() -> None:
    book = PresenceBook()
    book.add_staff("alice@example.org")
    # given watchers that want news at least every 20 ms (20 readings of the ticking clock)
    wire = Wire(book=book, batch_refresh=0.020)
    book.changed.subscribe(lambda _event: wire.seen.append("changed"))
    wire.connect()

    # when a burst takes many turns
    async with loop_ticks(wire):
        wire.client.data_received(b"".join(presence(n) for n in range(1, 401)))
        await until_drained(wire)

    # then they heard several times during it, far fewer than once per turn
    changes = [i for i, entry in enumerate(wire.seen) if entry == "changed"]
    assert 2 <= len(changes) < wire.paced.turns
    # and after each time, a whole loop pass went by before the next presence was handled:
    # a repaint does not share its pass with a turn
    for i in changes:
        following = wire.seen[i + 1 :]
        nxt = next((j for j, e in enumerate(following) if e.startswith("presence")), None)
        if nxt is not None:
            assert following[:nxt].count("tick") >= 2, wire.seen[i - 2 : i + nxt + 3]


# -- the connection's edges ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_what_arrived_before_the_connection_dropped_is_handled_before_the_drop() -> None:
    wire = Wire()
    wire.connect()
    # given 200 messages, a turn's worth of them handled
    wire.client.data_received(b"".join(message(n) for n in range(200)))
    await asyncio.sleep(0)
    assert 0 < len(wire.bodies()) < 200

    # when the connection is lost
    wire.client.connection_lost(ConnectionResetError("reset by peer"))

    # then every message was handled, in order, before the app heard of the loss
    assert wire.seen[-1] == "disconnected"
    assert wire.bodies() == [str(n) for n in range(200)]
    # and nothing is left to be fed to a stream that no longer exists
    assert wire.paced.backlog == 0
    await asyncio.sleep(0)
    assert wire.seen.count("disconnected") == 1


@pytest.mark.asyncio
async def test_the_end_of_the_stream_comes_after_the_data_before_it() -> None:
    wire = Wire()
    wire.connect()
    # given a backlog, and then the server half-closes the connection
    wire.client.data_received(b"".join(message(n) for n in range(200)))
    wire.client.eof_received()

    await until_drained(wire)

    # then the app hears of the end only after the last message
    assert wire.seen.index("eof") > wire.seen.index("msg 199")


@pytest.mark.asyncio
async def test_after_the_servers_stream_end_nothing_more_is_parsed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wire = Wire()
    wire.connect()
    # when the server's last words are in a backlog, with more bytes after them
    wire.client.data_received(
        b"".join(message(n) for n in range(100)) + b"</stream:stream>"
        + b"".join(message(n) for n in range(100, 120))
    )  # fmt: skip
    await until_drained(wire)

    # then the messages before count, the connection is closed, and what follows was not parsed
    assert wire.bodies() == [str(n) for n in range(100)]
    assert wire.socket.closed
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not any(b"not-well-formed" in chunk for chunk in wire.socket.written)


@pytest.mark.asyncio
async def test_bytes_from_before_a_tls_upgrade_never_reach_the_encrypted_stream(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wire = Wire()
    wire.connect()
    # given plaintext still waiting when the TLS layer takes over (no server sends any)
    wire.client.data_received(b"".join(message(n) for n in range(100)))
    await asyncio.sleep(0)
    handled_in_plaintext = len(wire.bodies())
    assert wire.paced.backlog

    # when the upgraded connection is made and its stream starts
    tls = Socket()
    wire.client.connection_made(tls, send_event=False)
    wire.client.data_received(SERVER_HEADER + message(1000))
    await until_drained(wire)

    # then none of the waiting plaintext was handled, and the new stream works
    assert wire.bodies() == [str(n) for n in range(handled_in_plaintext)] + ["1000"]
    assert "dropped" in caplog.text
    assert tls.reading


@pytest.mark.asyncio
async def test_a_stream_restart_mid_burst_reads_the_next_stream_whole(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wire = Wire()
    wire.connect()

    # given a handler that restarts the stream on a marker, as SASL success does
    def restart(stanza: Any) -> None:
        if stanza["body"] == "restart":
            wire.client.init_parser()

    wire.client.add_event_handler("message", restart)
    marker = message(0).replace(b"<body>0</body>", b"<body>restart</body>")

    # when the marker ends a burst, and the new stream arrives while that is worked through
    wire.client.data_received(b"".join(message(n) for n in range(100)) + marker)
    assert wire.paced.backlog
    wire.client.data_received(SERVER_HEADER + b"".join(message(n) for n in range(100, 200)))
    await until_drained(wire)

    # then both streams are read whole, in order
    assert wire.bodies() == [str(n) for n in range(100)] + ["restart"] + [
        str(n) for n in range(100, 200)
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.asyncio
async def test_an_error_while_handling_closes_the_connection_rather_than_leaving_it_deaf() -> None:
    wire = Wire()
    wire.connect()

    # given an inbound filter that fails on one stanza (slixmpp does not catch filter errors)
    def failing(stanza: Any) -> Any:
        if stanza["body"] == "150":
            raise RuntimeError("broken filter")
        return stanza

    wire.client.add_filter("in", failing)
    with loop_errors() as errors:
        # when that stanza is reached in a later turn
        wire.client.data_received(b"".join(message(n) for n in range(300)))
        for _ in range(200):
            await asyncio.sleep(0)

    # then the error is reported and the connection closed, not left paused with a backlog
    assert [str(e) for e in errors] == ["broken filter"]
    assert wire.socket.closed
    assert wire.paced.backlog == 0
    assert wire.bodies() == [str(n) for n in range(150)]
