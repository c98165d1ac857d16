"""Opening a stream by hand (doctor, sandbox): the header is well-formed for any domain."""

from __future__ import annotations

import socket
import threading
from xml.etree import ElementTree

from supporttray.xmpp.stream_probe import read_until, stream_features, stream_header


def test_a_quote_in_the_domain_cannot_end_the_to_attribute() -> None:
    header = stream_header("ex'ample<&.org").decode()
    # Closed by hand so the parser sees a whole document.
    root = ElementTree.fromstring(header.split("?>", 1)[1] + "</stream:stream>")
    assert root.get("to") == "ex'ample<&.org"
    assert root.get("version") == "1.0"


def test_stream_features_sends_the_header_and_reads_to_the_features_end() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        sent: list[bytes] = []

        def server() -> None:
            sent.append(read_until(theirs, b"version='1.0'>"))
            theirs.sendall(b"<stream:stream><stream:features><starttls/></stream:features>more")

        thread = threading.Thread(target=server)
        thread.start()
        features = stream_features(ours, "example.org")
        thread.join(5)
    assert sent == [stream_header("example.org")]
    assert b"<starttls/></stream:features>" in features


def test_reading_stops_when_the_server_closes() -> None:
    ours, theirs = socket.socketpair()
    with ours:
        theirs.sendall(b"<stream:stream>")
        theirs.close()
        assert read_until(ours, b"</stream:features>") == b"<stream:stream>"
