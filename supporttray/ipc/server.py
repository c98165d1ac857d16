"""The running instance's control socket (QLocalServer: a Unix socket, or a named pipe on Windows).

Owner-only: other users on the machine cannot ask what we see or make us do anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtNetwork import QLocalServer, QLocalSocket

from supporttray.ipc.protocol import MAX_REQUEST_BYTES, ProtocolError, decode, encode, failure

log = logging.getLogger("supporttray.ipc")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class ControlSocketError(Exception):
    """We could not listen: the sentence says why."""


class ControlServer:
    def __init__(self, address: Path, handlers: Mapping[str, Handler]) -> None:
        self._address = str(address)
        self._handlers = dict(handlers)
        self._server = QLocalServer()
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def listen(self) -> None:
        """Listen, replacing a stale socket file that no running instance answers on."""
        QLocalServer.removeServer(self._address)
        if not self._server.listen(self._address):
            raise ControlSocketError(
                f"Cannot open the control socket {self._address}: {self._server.errorString()}"
            )
        log.info("control socket listening at %s", self._address)

    def close(self) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready_read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _on_ready_read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST_BYTES:
                self._reply(sock, failure("Request too large."))
            else:
                self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[sock] = b""
        task = asyncio.ensure_future(self._answer(sock, line))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, sock: QLocalSocket, line: bytes) -> None:
        try:
            request = decode(line)
            command = request.get("cmd")
            handler = self._handlers.get(command) if isinstance(command, str) else None
            if handler is None:
                response = failure(f"Unknown command {command!r} for the running instance.")
            else:
                response = await handler(request)
        except ProtocolError as exc:
            response = failure(f"Bad request: {exc}")
        except Exception:
            log.exception("control command failed")
            response = failure("The running instance failed to answer; see its log file.")
        self._reply(sock, response)

    def _reply(self, sock: QLocalSocket, response: dict[str, Any]) -> None:
        if sock not in self._buffers:
            return  # the client went away
        sock.write(encode(response))
        sock.flush()
        sock.disconnectFromServer()
