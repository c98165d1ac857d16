"""Turn what went wrong on the wire into a sentence the user can act on.

Sentences, not strings: the status window and tray show them translated, `status --json`, `doctor`
and the log English (language/sentence.py).
"""

from __future__ import annotations

import errno
import ssl

from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence


def unreachable_sentence(host: str, port: int, error: object) -> Sentence:
    """A connection attempt failed before XMPP started."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return certificate_sentence(host, error)
    return Sentence(
        N_("Cannot reach the chat server at {host}:{port} ({reason}). "
           "Check your network connection; SupportTray keeps retrying."),
        {"host": host, "port": port, "reason": _os_reason(error)},
    )


def certificate_sentence(server: str, error: object) -> Sentence:
    detail = getattr(error, "verify_message", None) or str(error)
    return Sentence(
        N_("The certificate of the chat server {server} is not trusted ({detail}). Nothing was "
           "sent. Ask IT to check the server certificate or the policy's server.ca_file."),
        # The library's own words stay as they are; only our fallback is translated.
        {"server": server,
         "detail": Sentence.verbatim(detail) if detail else Sentence(N_("verification failed"))},
    )


def auth_sentence(jid: str) -> Sentence:
    return Sentence(
        N_("The server refused the password for {jid}. Choose “Sign in…” in the tray menu "
           "and enter the right one (or run: supporttray login {jid})."),
        {"jid": jid},
    )


def lost_sentence(retry_seconds: float) -> Sentence:
    return Sentence(
        N_("The connection to the chat server was lost. Retrying in {seconds:.0f} s."),
        {"seconds": retry_seconds},
    )


def _os_reason(error: object) -> Sentence:
    if isinstance(error, OSError):
        if error.errno in (errno.ECONNREFUSED,):
            return Sentence(N_("connection refused"))
        if error.errno in (errno.ETIMEDOUT,):
            return Sentence(N_("timed out"))
        if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return Sentence(N_("network unreachable"))
        return Sentence.verbatim(error.strerror or str(error) or type(error).__name__)
    if isinstance(error, str) and error:
        return Sentence.verbatim(error)
    text = str(error)
    return Sentence.verbatim(text) if text else Sentence(N_("unknown error"))
