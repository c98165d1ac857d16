"""A throw-away certificate authority and server certificate for the sandbox Prosody.

Clients of the sandbox verify TLS exactly as they would in production (there is no switch that
turns verification off), so the sandbox needs a certificate they can trust: a fresh CA per
sandbox directory whose PEM the client is pointed at (`server.ca_file`).
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("supporttray.sandbox")

# Short-lived on purpose: the CA key sits unprotected in a temp directory.
_VALID_DAYS = 30


class CertificateError(Exception):
    """openssl could not produce the sandbox certificates (message is a sentence)."""


@dataclass(frozen=True)
class ServerCertificate:
    """Paths of the generated PEM files."""

    ca_file: Path
    certificate: Path
    key: Path


def subject_alt_names(domain: str, host: str) -> list[str]:
    """SAN entries for the server: the domain, its components, localhost and the loopback IP."""
    names: list[str] = []
    for name in (domain, f"*.{domain}", "localhost", host):
        try:
            entry = f"IP:{ipaddress.ip_address(name)}"
        except ValueError:
            entry = f"DNS:{name}"
        if entry not in names:
            names.append(entry)
    return names


def ensure_server_certificate(cert_dir: Path, domain: str, host: str) -> ServerCertificate:
    """Reuse the certificates in `cert_dir` if they were made for `domain`, else make new ones."""
    paths = ServerCertificate(
        ca_file=cert_dir / "ca.pem",
        certificate=cert_dir / "server.pem",
        key=cert_dir / "server.key",
    )
    marker = cert_dir / "sans.txt"
    sans = ",".join(subject_alt_names(domain, host))
    # A kept directory (`--dir`) keeps its CA across restarts, so a client that was told to
    # trust it once keeps working; a different domain needs a different certificate.
    if (
        all(p.is_file() for p in (paths.ca_file, paths.certificate, paths.key))
        and marker.is_file()
        and marker.read_text(encoding="utf-8") == sans
    ):
        return paths
    cert_dir.mkdir(parents=True, exist_ok=True)
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CertificateError(
            "The sandbox needs the openssl command to make its TLS certificate, and it was not "
            "found. Install it with: sudo apt-get install openssl"
        )
    ca_key = cert_dir / "ca.key"
    # EC P-256: key generation takes milliseconds, RSA would cost most of the start-up time.
    ec_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl(
        openssl,
        "req", "-x509", *ec_key, "-keyout", str(ca_key), "-out", str(paths.ca_file),
        "-days", str(_VALID_DAYS), "-subj", f"/CN=SupportTray sandbox CA for {domain}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    # The extensions a strict verifier (Python 3.13's VERIFY_X509_STRICT) insists on.
    _openssl(
        openssl,
        "req", "-x509", "-CA", str(paths.ca_file), "-CAkey", str(ca_key),
        *ec_key, "-keyout", str(paths.key), "-out", str(paths.certificate),
        "-days", str(_VALID_DAYS), "-subj", f"/CN={domain}",
        "-addext", f"subjectAltName={sans}",
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
        "-addext", "extendedKeyUsage=serverAuth",
    )  # fmt: skip
    marker.write_text(sans, encoding="utf-8")
    log.debug("Made a sandbox CA and server certificate for %s in %s", domain, cert_dir)
    return paths


def _openssl(openssl: str, *args: str) -> None:
    try:
        subprocess.run(
            [openssl, *args],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip().splitlines()[-3:]
        raise CertificateError(
            f"openssl could not make the sandbox certificate ({args[0]} failed with exit code "
            f"{exc.returncode}): {' / '.join(detail) or 'no output'}"
        ) from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CertificateError(
            f"openssl could not be run to make the sandbox certificate: {exc}"
        ) from exc
