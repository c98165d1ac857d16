"""Small protocol pieces: entity-time offsets, the fast SCRAM hash, user-facing error sentences."""

from __future__ import annotations

import errno
import ssl
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slixmpp.util.sasl import mechanisms

from supporttray.sandbox.certificates import ensure_server_certificate
from supporttray.xmpp import errors, keepalive, tls
from supporttray.xmpp.entity_time import format_tzo, parse_tzo
from supporttray.xmpp.fast_scram import SLOW_HI, _fast_hi, install_fast_pbkdf2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Z", timedelta(0)), ("+05:30", timedelta(hours=5, minutes=30)),
     ("-05:00", timedelta(hours=-5)), ("+00:00", timedelta(0))],
)
def test_entity_time_offsets_are_read(text: str, expected: timedelta) -> None:
    assert parse_tzo(text) == expected


@pytest.mark.parametrize("text", ["", "5", "+5:30", "+25:00", "+05:75", "<b>", None, "+05:30x"])
def test_malformed_entity_time_offsets_give_none_not_an_exception(text: str | None) -> None:
    assert parse_tzo(text) is None


@given(st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_entity_time_offsets_round_trip(minutes: int) -> None:
    offset = timedelta(minutes=minutes)
    assert parse_tzo(format_tzo(offset)) == offset


class _Scram:
    """Just what Hi() needs from slixmpp's SCRAM mechanism object."""

    def __init__(self, name: str) -> None:
        import hashlib
        import hmac

        self.hash = getattr(hashlib, name)
        self._hmac = hmac

    def HMAC(self, key: bytes, msg: bytes) -> bytes:
        return self._hmac.HMAC(key=key, msg=msg, digestmod=self.hash).digest()


@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha512"])
@given(password=st.text(max_size=40), salt=st.binary(min_size=1, max_size=24),
       iterations=st.integers(min_value=1, max_value=64))
def test_fast_scram_hash_equals_slixmpps_own(
    hash_name: str, password: str, salt: bytes, iterations: int
) -> None:
    scram = _Scram(hash_name)
    secret = password.encode()
    slow = SLOW_HI(scram, secret, salt, iterations)  # type: ignore[arg-type]
    assert _fast_hi(scram, secret, salt, iterations) == slow


def test_unreachable_server_sentence_says_where_and_that_we_retry() -> None:
    sentence = errors.unreachable_sentence(
        "chat.example.org", 5222, ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    )
    assert "chat.example.org:5222" in sentence
    assert "connection refused" in sentence
    assert "retrying" in sentence


def test_untrusted_certificate_sentence_points_at_the_ca_setting() -> None:
    error = ssl.SSLCertVerificationError("certificate verify failed")
    error.verify_message = "self-signed certificate in certificate chain"
    sentence = errors.unreachable_sentence("chat.example.org", 5222, error)
    assert "not trusted" in sentence
    assert "self-signed certificate" in sentence
    assert "server.ca_file" in sentence


def test_wrong_password_sentence_tells_how_to_fix_it() -> None:
    sentence = errors.auth_sentence("user@example.org")
    assert "refused the password for user@example.org" in sentence
    assert "supporttray login user@example.org" in sentence


def test_installing_the_fast_hash_replaces_slixmpps_loop() -> None:
    install_fast_pbkdf2()
    assert mechanisms.SCRAM.Hi is _fast_hi
    assert SLOW_HI is not _fast_hi


def test_a_flood_form_is_cut_before_slixmpp_builds_stanza_objects_from_it() -> None:
    from slixmpp.xmlstream import ET

    from supporttray.xmpp.stanzas import NS_DATA, prune_forms

    # Given a raw message carrying a form with 10,000 fields
    message = ET.Element("{jabber:client}message")
    form = ET.SubElement(message, f"{{{NS_DATA}}}x", {"type": "result"})
    for i in range(10_000):
        ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": f"f{i}"})
    # When the incoming filter sees it
    pruned = prune_forms(message)
    # Then only a few more fields than are ever read remain (still "too many" for validation)
    assert 64 < len(pruned.find(f"{{{NS_DATA}}}x")) <= 70  # type: ignore[arg-type]


def test_forms_outside_messages_are_left_alone() -> None:
    from slixmpp.xmlstream import ET

    from supporttray.xmpp.stanzas import NS_DATA, prune_forms

    iq = ET.Element("{jabber:client}iq")
    form = ET.SubElement(iq, f"{{{NS_DATA}}}x")
    for i in range(100):
        ET.SubElement(form, f"{{{NS_DATA}}}field", {"var": f"f{i}"})
    assert len(prune_forms(iq).find(f"{{{NS_DATA}}}x")) == 100  # type: ignore[arg-type]


@pytest.mark.parametrize(("pinned_host", "expect_aiodns"), [(True, False), (False, True)])
def test_slixmpp_loads_aiodns_only_when_it_may_need_dns_srv(
    pinned_host: bool, expect_aiodns: bool
) -> None:
    """A policy that names the host has nothing to look up by SRV: no resolver library, and
    never pygments (slixmpp's debug-log colouring). Checked in a fresh interpreter."""
    code = (
        "import sys\n"
        "from supporttray.xmpp import decline_optional_imports\n"
        f"decline_optional_imports(pinned_host={pinned_host})\n"
        "from supporttray.xmpp.connection import XmppConnection\n"
        "from slixmpp.xmlstream import resolver\n"
        "def loaded(name): return sys.modules.get(name) is not None\n"
        "print(resolver.AIODNS_AVAILABLE, loaded('aiodns'), loaded('pycares'),\n"
        "      loaded('pygments'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == [str(expect_aiodns)] * 3 + ["False"]


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


def test_keepalive_that_cannot_be_set_is_a_log_line_not_an_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket

    sock = socket.socket()
    sock.close()
    assert keepalive.enable(sock) is False
    assert "could not turn on TCP keepalive" in caplog.text
