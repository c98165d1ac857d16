"""TCP keepalive on the XMPP socket."""

from __future__ import annotations

import pytest

from supporttray.xmpp import keepalive


def test_keepalive_that_cannot_be_set_is_a_log_line_not_an_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket

    sock = socket.socket()
    sock.close()
    assert keepalive.enable(sock) is False
    assert "could not turn on TCP keepalive" in caplog.text
