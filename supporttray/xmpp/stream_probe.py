"""Opening an XMPP stream by hand on a plain socket, to see a server answer before any login.

For `doctor` (which then asks for STARTTLS) and the sandbox (is this port really our server?).
No slixmpp: both run before, or without, a client.
"""

from __future__ import annotations

import socket

# A server that sends more than this without the marker is not the server we are looking for.
READ_LIMIT = 65536


def stream_header(domain: str) -> bytes:
    """The client's opening `<stream:stream>` for `domain`, the domain escaped as an attribute
    (a policy's domain is IT's text, and a stray quote must not end the attribute)."""
    quoted = "'" + domain.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;") + "'"
    return (
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        "xmlns:stream='http://etherx.jabber.org/streams' "
        f"to={quoted} version='1.0'>"
    ).encode()


def read_until(sock: socket.socket, marker: bytes, limit: int = READ_LIMIT) -> bytes:
    """What the server sent until `marker` arrived, the server closed or `limit` bytes came."""
    data = b""
    while marker not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def stream_features(sock: socket.socket, domain: str) -> bytes:
    """Open a stream to `domain` on a connected `sock`; everything up to the end of the
    server's `<stream:features>`, or less when the server stops first."""
    sock.sendall(stream_header(domain))
    return read_until(sock, b"</stream:features>")
