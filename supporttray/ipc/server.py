"""The running instance's control socket: a Unix socket served by asyncio on the app's loop
(POSIX), or a QLocalServer named pipe (Windows, where the command line connects with
QLocalSocket).

Owner-only: on POSIX the socket lives in a directory only its owner may enter (config/paths.py
keeps it 0700) and is itself 0600; QLocalServer gets UserAccessOption. Other users on the
machine cannot ask what we see or make us do anything. POSIX used QLocalServer too; asyncio
serves the same socket without loading QtNetwork and the Kerberos libraries behind it (2.4 MB
of the idle app).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supporttray.ipc.protocol import MAX_REQUEST_BYTES, ProtocolError, decode, encode, failure

log = logging.getLogger("supporttray.ipc")

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
Emit = Callable[[dict[str, Any]], Awaitable[None]]


class Streaming:
    """A handler that may write lines (progress) before its answer: `supporttray send`."""

    def __init__(self, handler: Callable[[dict[str, Any], Emit | None],
                                         Awaitable[dict[str, Any]]]) -> None:
        self.handler = handler


class ControlSocketError(Exception):
    """We could not listen: the sentence says why."""


class ControlServer:
    def __init__(self, address: Path, handlers: Mapping[str, Handler | Streaming], *,
                 named_pipe: bool = os.name == "nt") -> None:
        self._address = Path(address)
        self._handlers = dict(handlers)
        self._named_pipe = named_pipe
        self._server: asyncio.AbstractServer | None = None
        self._qt_server: QLocalServer | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    async def listen(self) -> None:
        """Listen, replacing a stale socket that no running instance answers on (the command
        line asked first: a live instance would have answered and we would not be here)."""
        if self._named_pipe:
            self._listen_named_pipe()
        else:
            await self._listen_unix()
        log.info("control socket listening at %s", self._address)

    async def _listen_unix(self) -> None:
        path = self._address
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(path.lstat().st_mode):
                path.unlink()
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(path), limit=MAX_REQUEST_BYTES + 1
            )
            os.chmod(path, 0o600)
        except OSError as exc:
            raise ControlSocketError(
                f"Cannot open the control socket {path}: {exc.strerror or exc}"
            ) from exc

    def close(self) -> None:
        if self._qt_server is not None:
            self._qt_server.close()
            self._qt_server = None
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(OSError):
                self._address.unlink()
        for task in list(self._tasks):
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            async def emit(line: dict[str, Any]) -> None:
                writer.write(encode(line))
                await writer.drain()

            response = await self._answer(reader, emit)
            writer.write(encode(response))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, emit: Emit) -> dict[str, Any]:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError:
            return failure("Request too large.")
        return await self._dispatch(line, emit)

    async def _dispatch(self, line: bytes, emit: Emit | None = None) -> dict[str, Any]:
        try:
            request = decode(line.rstrip(b"\n"))
            command = request.get("cmd")
            handler = self._handlers.get(command) if isinstance(command, str) else None
            if handler is None:
                return failure(f"Unknown command {command!r} for the running instance.")
            if isinstance(handler, Streaming):
                # The named pipe's client reads one line: it gets no progress lines.
                return await handler.handler(request, emit)
            return await handler(request)
        except ProtocolError as exc:
            return failure(f"Bad request: {exc}")
        except Exception:
            log.exception("control command failed")
            return failure("The running instance failed to answer; see its log file.")

    # -- Windows: QLocalServer ---------------------------------------------------------------
    def _listen_named_pipe(self) -> None:
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(lambda: self._on_new_connection(server))
        QLocalServer.removeServer(str(self._address))
        if not server.listen(str(self._address)):
            raise ControlSocketError(
                f"Cannot open the control socket {self._address}: {server.errorString()}"
            )
        self._qt_server = server

    def _on_new_connection(self, server: QLocalServer) -> None:
        while server.hasPendingConnections():
            sock = server.nextPendingConnection()
            buffer = bytearray()
            sock.readyRead.connect(lambda s=sock, b=buffer: self._on_ready_read(s, b))
            sock.disconnected.connect(sock.deleteLater)

    def _on_ready_read(self, sock: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(sock.readAll().data())
        if b"\n" in buffer:
            line = bytes(buffer.split(b"\n", 1)[0])
            buffer.clear()
            task = asyncio.ensure_future(self._dispatch(line))
            self._tasks.add(task)

            def done(task: asyncio.Task[dict[str, Any]]) -> None:
                self._tasks.discard(task)
                if not task.cancelled():
                    self._reply(sock, task.result())

            task.add_done_callback(done)
        elif len(buffer) > MAX_REQUEST_BYTES:
            buffer.clear()
            self._reply(sock, failure("Request too large."))

    @staticmethod
    def _reply(sock: QLocalSocket, response: dict[str, Any]) -> None:
        if sock.state() != sock.LocalSocketState.ConnectedState:
            return  # the client went away
        sock.write(encode(response))
        sock.flush()
        sock.disconnectFromServer()
