"""A fault-injecting TCP proxy on loopback (like Toxiproxy), between the app and the server.

Every connection through it can be cut on demand the ways a road warrior's link dies:
- reset: both ends closed at once (a VPN that drops, a server restart);
- blackhole: nothing crosses for a while, then both ends are reset (hotel Wi-Fi that stalls);
- silent death: the server's side is closed, the client's side is left open and nothing crosses
  it any more (a NAT box that forgot us; Wi-Fi gone without a RST);
- refusing: while set, every new connection is reset at once, before a byte crosses (the server
  is down, as a load balancer in front of it shows it).
Only 127.0.0.1 is ever touched. Used by the integration tests and the reconnection benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field


@dataclass
class _Link:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    flowing: asyncio.Event = field(default_factory=asyncio.Event)
    dead: bool = False  # silent death: drop everything, close nothing on the client's side
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class FaultProxy:
    """Listens on 127.0.0.1:`port`, forwards to `target`; `cut_*` act on every live link."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._links: list[_Link] = []
        self._server: asyncio.Server | None = None
        self.port = 0
        self.accepted = 0  # connections made through the proxy so far
        self.refusing = False  # reset every new connection at once: the server is down
        self.refused = 0  # connections reset that way so far
        # For the reconnection benchmark: when the last connection was let through (the
        # network is back for it: time.perf_counter(), comparable across processes on Linux),
        # and the bytes the server sent the client through us so far.
        self.accepted_at = 0.0
        self.bytes_to_client = 0

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            self._close(link)

    @property
    def links(self) -> int:
        return len(self._links)

    def reset(self) -> None:
        for link in list(self._links):
            self._close(link)

    async def blackhole(self, seconds: float) -> None:
        links = list(self._links)
        for link in links:
            link.flowing.clear()
        await asyncio.sleep(seconds)
        for link in links:
            self._close(link)

    def silent_death(self) -> None:
        for link in list(self._links):
            link.dead = True
            link.server.close()
            self._links.remove(link)  # the client's side stays open, and hears nothing

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        link = _Link(writer, up_writer)
        link.flowing.set()
        self._links.append(link)
        self.accepted += 1
        self.accepted_at = time.perf_counter()
        link.tasks = [asyncio.ensure_future(self._pump(link, reader, up_writer)),
                      asyncio.ensure_future(self._pump(link, up_reader, writer, to_client=True))]

    async def _pump(self, link: _Link, source: asyncio.StreamReader,
                    sink: asyncio.StreamWriter, *, to_client: bool = False) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while True:
                data = await source.read(65536)
                if not data:
                    break
                await link.flowing.wait()
                if link.dead:
                    continue
                sink.write(data)
                if to_client:
                    self.bytes_to_client += len(data)
                await sink.drain()
        if not link.dead:
            self._close(link)

    def _close(self, link: _Link) -> None:
        if link in self._links:
            self._links.remove(link)
        link.flowing.set()  # wake pumps held by a blackhole so they end
        for writer in (link.client, link.server):
            with contextlib.suppress(Exception):
                transport = writer.transport
                # abort: a RST-like end, not a polite close that waits for buffers
                transport.abort()
