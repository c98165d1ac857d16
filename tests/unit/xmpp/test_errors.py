"""User-facing error sentences (their English, as logs and status --json read them): where the
server is, what went wrong, what to do about it."""

from __future__ import annotations

import errno
import ssl

from supporttray.xmpp import errors


def test_unreachable_server_sentence_says_where_and_that_we_retry() -> None:
    sentence = str(errors.unreachable_sentence(
        "chat.example.org", 5222, ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    ))
    assert "chat.example.org:5222" in sentence
    assert "connection refused" in sentence
    assert "retrying" in sentence


def test_untrusted_certificate_sentence_points_at_the_ca_setting() -> None:
    error = ssl.SSLCertVerificationError("certificate verify failed")
    error.verify_message = "self-signed certificate in certificate chain"
    sentence = str(errors.unreachable_sentence("chat.example.org", 5222, error))
    assert "not trusted" in sentence
    assert "self-signed certificate" in sentence
    assert "server.ca_file" in sentence


def test_wrong_password_sentence_tells_how_to_fix_it() -> None:
    sentence = str(errors.auth_sentence("user@example.org"))
    assert "refused the password for user@example.org" in sentence
    assert "supporttray login user@example.org" in sentence
