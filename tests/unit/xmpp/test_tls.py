"""The client's TLS context: it verifies, adds the policy's CA, and is prepared off the loop."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from supporttray.sandbox.certificates import ensure_server_certificate
from supporttray.xmpp import tls


def test_the_tls_context_verifies_and_adds_the_policy_ca(tmp_path: Path) -> None:
    context = tls.client_context()
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    system_roots = context.cert_store_stats()["x509_ca"]
    with pytest.raises(OSError):
        tls.client_context(tmp_path / "missing.pem")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ssl.SSLError):
        tls.client_context(garbage)
    made = ensure_server_certificate(tmp_path / "certs", "example.org", "127.0.0.1")
    with_ca = tls.client_context(made.ca_file)
    assert with_ca.cert_store_stats()["x509_ca"] == system_roots + 1


def test_a_prepared_tls_context_is_handed_out_once_and_carries_its_error(tmp_path: Path) -> None:
    made = ensure_server_certificate(tmp_path / "certs", "example.org", "127.0.0.1")
    tls.prepare(made.ca_file)
    tls.prepare(made.ca_file)  # a second call while one is under way starts nothing new
    first = tls.client_context(made.ca_file)
    second = tls.client_context(made.ca_file)  # nothing prepared any more: built afresh
    assert first is not second
    assert first.cert_store_stats()["x509_ca"] == second.cert_store_stats()["x509_ca"]
    missing = tmp_path / "missing.pem"
    tls.prepare(missing)
    with pytest.raises(OSError):
        tls.client_context(missing)
