"""HTTP/1.1 PUT and GET of one file, streamed between the disk and a TLS socket.

Why our own client: nothing in the venv speaks HTTP on asyncio (slixmpp's upload plugin wants
aiohttp, which is not a dependency), and two requests need ~200 lines: a request line, a few
headers, Content-Length or chunked bodies. The file never sits in memory: it moves in slices of
CHUNK_BYTES, each read (or written) and hashed on a worker thread, so neither a 1 GB installer
nor its SHA-256 stalls the loop. TLS is always verified, with the context the caller passes (the
same trust as XMPP: system store plus server.ca_file); plain http is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from supporttray.core.file_offer import TransferProgress

log = logging.getLogger("supporttray.app")

CHUNK_BYTES = 1024 * 1024
# How often progress is reported: often enough for a moving bar, rarely enough to cost nothing.
PROGRESS_INTERVAL = 0.25
_MAX_HEADER_BYTES = 64 * 1024
_CONNECT_TIMEOUT = 20.0
# A server that sends nothing for this long is gone (a stalled link, a dead proxy).
_IDLE_TIMEOUT = 60.0

ProgressCallback = Callable[[TransferProgress], None]


class HttpError(Exception):
    """The server answered with a status that is not success."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status
        self.reason = reason


class TransferFailed(Exception):
    """The connection broke, or the answer was not HTTP; str() says how."""


@dataclass(frozen=True)
class Fetched:
    """What a GET wrote: its size, SHA-256 (hex) and the server's Content-Type."""

    size: int
    sha256: str
    content_type: str


class _Meter:
    """Calls `progress` at most every PROGRESS_INTERVAL, and once at the end."""

    def __init__(self, total: int, progress: ProgressCallback | None) -> None:
        self._total = total
        self._progress = progress
        self._started = time.monotonic()
        self._last = 0.0
        self.done = 0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self._progress is not None and now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._progress(TransferProgress(self.done, self._total, now - self._started))

    def finish(self) -> None:
        if self._progress is not None:
            total = self._total or self.done
            self._progress(TransferProgress(self.done, total, time.monotonic() - self._started))


async def put_file(url: str, path: Path, *, size: int, content_type: str,
                   headers: Mapping[str, str], tls: ssl.SSLContext,
                   progress: ProgressCallback | None = None) -> str:
    """PUT `path` (`size` bytes) to `url`; its SHA-256 (hex), hashed as it went out."""
    loop = asyncio.get_running_loop()
    hasher = hashlib.sha256()
    meter = _Meter(size, progress)
    head = _request_head("PUT", url, {"Content-Type": content_type,
                                      "Content-Length": str(size), **headers})
    reader, writer = await _connect(url, tls)
    try:
        writer.write(head)
        with path.open("rb") as source:
            while meter.done < size:
                chunk = await loop.run_in_executor(None, _read_and_hash, source, hasher,
                                                   min(CHUNK_BYTES, size - meter.done))
                if not chunk:
                    raise TransferFailed(f"{path.name} became shorter while it was sent")
                writer.write(chunk)
                await writer.drain()
                meter.add(len(chunk))
        status, reason, _headers = await _response_head(reader)
        await _discard_body(reader, _headers)
    except (OSError, asyncio.IncompleteReadError, ssl.SSLError) as exc:
        raise TransferFailed(str(exc) or type(exc).__name__) from exc
    finally:
        _close(writer)
    if status not in (200, 201, 204):
        raise HttpError(status, reason)
    meter.finish()
    return hasher.hexdigest()


async def get_file(url: str, target: BinaryIO, *, tls: ssl.SSLContext,
                   expected_size: int | None = None, max_bytes: int | None = None,
                   progress: ProgressCallback | None = None) -> Fetched:
    """GET `url` into the open file `target`; stops at `max_bytes` (TransferFailed)."""
    loop = asyncio.get_running_loop()
    hasher = hashlib.sha256()
    reader, writer = await _connect(url, tls)
    try:
        writer.write(_request_head("GET", url, {"Accept-Encoding": "identity"}))
        await writer.drain()
        status, reason, headers = await _response_head(reader)
        if status != 200:
            raise HttpError(status, reason)
        length = headers.get("content-length")
        total = int(length) if length and length.isdigit() else (expected_size or 0)
        if max_bytes is not None and total > max_bytes:
            raise TransferFailed(f"the file is larger than {max_bytes} bytes")
        meter = _Meter(total, progress)
        async for chunk in _body(reader, headers):
            if max_bytes is not None and meter.done + len(chunk) > max_bytes:
                raise TransferFailed(f"the file is larger than {max_bytes} bytes")
            await loop.run_in_executor(None, _write_and_hash, target, hasher, chunk)
            meter.add(len(chunk))
    except (asyncio.IncompleteReadError, ssl.SSLError, ConnectionError) as exc:
        raise TransferFailed(str(exc) or type(exc).__name__) from exc
    finally:
        _close(writer)
    meter.finish()
    return Fetched(meter.done, hasher.hexdigest(), headers.get("content-type", ""))


def _read_and_hash(source: BinaryIO, hasher: hashlib._Hash, count: int) -> bytes:
    chunk = source.read(count)
    hasher.update(chunk)
    return chunk


def _write_and_hash(target: BinaryIO, hasher: hashlib._Hash, chunk: bytes) -> None:
    target.write(chunk)
    hasher.update(chunk)


async def _connect(url: str, tls: ssl.SSLContext) -> tuple[asyncio.StreamReader,
                                                             asyncio.StreamWriter]:
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise TransferFailed(f"only https links are used, not {parts.scheme or 'this'}: {url}")
    host = parts.hostname
    try:
        return await asyncio.wait_for(
            asyncio.open_connection(host, parts.port or 443, ssl=tls, server_hostname=host,
                                    limit=CHUNK_BYTES),
            _CONNECT_TIMEOUT)
    except TimeoutError as exc:
        raise TransferFailed(f"{host} did not answer in time") from exc
    except (OSError, ssl.SSLError) as exc:
        raise TransferFailed(str(exc) or type(exc).__name__) from exc


def _request_head(method: str, url: str, headers: Mapping[str, str]) -> bytes:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rsplit("@", 1)[-1]
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close",
             "User-Agent: SupportTray"]
    for name, value in headers.items():
        # A header value from a stanza must not smuggle a second header or request.
        if any(c in name + value for c in "\r\n\0"):
            raise TransferFailed(f"refused a header with a line break: {name}")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, str, dict[str, str]]:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _IDLE_TIMEOUT)
    except asyncio.LimitOverrunError as exc:
        raise TransferFailed("the server's answer has too long a header") from exc
    except TimeoutError as exc:
        raise TransferFailed("the server did not answer in time") from exc
    if len(head) > _MAX_HEADER_BYTES:
        raise TransferFailed("the server's answer has too long a header")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/") or not status_line[
            1].isdigit():
        raise TransferFailed(f"not an HTTP answer: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(status_line[1]), status_line[2] if len(status_line) > 2 else "", headers


async def _body(reader: asyncio.StreamReader, headers: Mapping[str, str]):  # type: ignore[no-untyped-def]
    """The body's slices, by Content-Length, chunked encoding, or up to the close."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size_line = await asyncio.wait_for(reader.readuntil(b"\r\n"), _IDLE_TIMEOUT)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                return
            while size > 0:
                chunk = await _read_some(reader, min(size, CHUNK_BYTES))
                size -= len(chunk)
                yield chunk
            await reader.readexactly(2)
    length = headers.get("content-length")
    if length is not None and length.isdigit():
        remaining = int(length)
        while remaining > 0:
            chunk = await _read_some(reader, min(remaining, CHUNK_BYTES))
            remaining -= len(chunk)
            yield chunk
        return
    while chunk := await asyncio.wait_for(reader.read(CHUNK_BYTES), _IDLE_TIMEOUT):
        yield chunk


async def _read_some(reader: asyncio.StreamReader, count: int) -> bytes:
    try:
        chunk = await asyncio.wait_for(reader.read(count), _IDLE_TIMEOUT)
    except TimeoutError as exc:
        raise TransferFailed("the server stopped sending") from exc
    if not chunk:
        raise TransferFailed("the connection closed before the whole file arrived")
    return chunk


async def _discard_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> None:
    length = headers.get("content-length")
    if length is not None and length.isdigit():
        # An upload's answer is a line or two; read it so the connection ends cleanly.
        with contextlib.suppress(asyncio.IncompleteReadError, TimeoutError):
            await asyncio.wait_for(reader.readexactly(min(int(length), _MAX_HEADER_BYTES)),
                                   _IDLE_TIMEOUT)


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
