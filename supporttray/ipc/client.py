"""Talk to the running instance from a command-line process (`status`, `login`, a second `run`).

POSIX uses a plain AF_UNIX socket so these commands start fast and import no Qt; Windows uses
QLocalSocket, which speaks the named pipe QLocalServer listens on.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supporttray.ipc.protocol import MAX_REQUEST_BYTES, ProtocolError, decode, encode


class NotRunning(Exception):
    """No instance answers on this profile's control socket."""


def request(address: Path, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one request and return the response; NotRunning if nobody listens."""
    if os.name == "nt":
        return _request_qt(str(address), message, timeout)
    sock = _sent(address, message, timeout)
    try:
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > 64 * MAX_REQUEST_BYTES:
                raise ProtocolError("response too large")
    finally:
        sock.close()
    if not data:
        raise ProtocolError("the running instance closed the connection without answering")
    return decode(data)


def _sent(address: Path, message: dict[str, Any], timeout: float) -> socket.socket:
    """A connection to the control socket with `message` sent on it; NotRunning if nobody
    listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(address))
        sock.sendall(encode(message))
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        sock.close()
        raise NotRunning(str(address)) from exc
    except BaseException:
        sock.close()
        raise
    return sock


def request_streaming(address: Path, message: dict[str, Any],
                      on_line: Callable[[dict[str, Any]], None],
                      timeout: float = 60.0) -> dict[str, Any]:
    """Send one request; hand each line before the answer (progress) to `on_line`, return the
    answer. `timeout` bounds the silence between two lines, not the whole command."""
    if os.name == "nt":
        return _request_qt(str(address), message, timeout)
    sock = _sent(address, message, timeout)
    try:
        reader = sock.makefile("rb")
        while True:
            line = reader.readline(64 * MAX_REQUEST_BYTES)
            if not line:
                raise ProtocolError("the running instance closed the connection without "
                                    "answering")
            decoded = decode(line)
            if "ok" in decoded:
                return decoded
            on_line(decoded)
    finally:
        sock.close()


def _request_qt(name: str, message: dict[str, Any], timeout: float) -> dict[str, Any]:
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(int(timeout * 1000)):
        raise NotRunning(name)
    sock.write(encode(message))
    sock.waitForBytesWritten(int(timeout * 1000))
    data = b""
    while not data.endswith(b"\n") and sock.waitForReadyRead(int(timeout * 1000)):
        data += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    if not data:
        raise ProtocolError("the running instance closed the connection without answering")
    return decode(data)
