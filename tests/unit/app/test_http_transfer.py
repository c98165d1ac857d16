"""The streaming HTTPS client against a tiny TLS server of the test's own: chunked and sized
bodies, statuses, and what it refuses (plain http, header injection, more than announced)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from supporttray.app.http_transfer import HttpError, TransferFailed, get_file, put_file
from supporttray.sandbox.certificates import ensure_server_certificate
from supporttray.xmpp.tls import client_context

Answer = Callable[[bytes], bytes]  # request head -> the whole response


@asynccontextmanager
async def tls_server(tmp_path: Path, answer: Answer) -> AsyncIterator[tuple[str, ssl.SSLContext,
                                                                             list[bytes]]]:
    """https://127.0.0.1:PORT answering each request with `answer`; what it received."""
    certificate = ensure_server_certificate(tmp_path / "certs", "localhost", "127.0.0.1")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate.certificate, certificate.key)
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        body = await reader.readexactly(length)
        received.append(head + body)
        writer.write(answer(head))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}", client_context(certificate.ca_file), received
    finally:
        server.close()
        await server.wait_closed()


def chunked(body: bytes) -> bytes:
    parts = [body[i:i + 1000] for i in range(0, len(body), 1000)]
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts)
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + encoded + b"0\r\n\r\n"


BODY = bytes(range(256)) * 40


@pytest.mark.asyncio
async def test_a_chunked_download_arrives_whole_with_its_hash(tmp_path: Path) -> None:
    async with tls_server(tmp_path, lambda _head: chunked(BODY)) as (base, tls, _received):
        target = io.BytesIO()
        fetched = await get_file(f"{base}/file", target, tls=tls)
    assert target.getvalue() == BODY
    assert fetched.size == len(BODY) and fetched.sha256 == hashlib.sha256(BODY).hexdigest()


@pytest.mark.asyncio
async def test_an_upload_sends_the_slot_headers_and_hashes_what_went(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(BODY)
    created = lambda _head: b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"  # noqa: E731
    async with tls_server(tmp_path, created) as (base, tls, received):
        digest = await put_file(f"{base}/slot/a.bin", source, size=len(BODY),
                                content_type="application/octet-stream",
                                headers={"Authorization": "Bearer t"}, tls=tls)
    assert digest == hashlib.sha256(BODY).hexdigest()
    (request,) = received
    assert request.startswith(b"PUT /slot/a.bin HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer t\r\n" in request and request.endswith(BODY)


@pytest.mark.asyncio
async def test_a_missing_file_is_an_http_error(tmp_path: Path) -> None:
    gone = lambda _head: b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"  # noqa: E731
    async with tls_server(tmp_path, gone) as (base, tls, _received):
        with pytest.raises(HttpError) as error:
            await get_file(f"{base}/old", io.BytesIO(), tls=tls)
    assert error.value.status == 404


@pytest.mark.asyncio
async def test_more_than_announced_is_cut_off(tmp_path: Path) -> None:
    async with tls_server(tmp_path, lambda _head: chunked(BODY)) as (base, tls, _received):
        with pytest.raises(TransferFailed):
            await get_file(f"{base}/file", io.BytesIO(), tls=tls, max_bytes=100)


@pytest.mark.asyncio
async def test_plain_http_and_smuggled_headers_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"x")
    with pytest.raises(TransferFailed, match="only https"):
        await get_file("http://127.0.0.1:1/x", io.BytesIO(), tls=ssl.create_default_context())
    async with tls_server(tmp_path, chunked) as (base, tls, received):
        with pytest.raises(TransferFailed, match="line break"):
            await put_file(f"{base}/s", source, size=1, content_type="text/plain",
                           headers={"Authorization": "x\r\nX-Evil: 1"}, tls=tls)
    assert received == []
