"""Turn what went wrong on the wire into a sentence the user can act on."""

from __future__ import annotations

import errno
import ssl


def unreachable_sentence(host: str, port: int, error: object) -> str:
    """A connection attempt failed before XMPP started."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return certificate_sentence(host, error)
    reason = _os_reason(error)
    return (
        f"Cannot reach the chat server at {host}:{port} ({reason}). "
        "Check your network connection; SupportTray keeps retrying."
    )


def certificate_sentence(server: str, error: object) -> str:
    detail = getattr(error, "verify_message", None) or str(error) or "verification failed"
    return (
        f"The certificate of the chat server {server} is not trusted ({detail}). "
        "Nothing was sent. Ask IT to check the server certificate or the policy's server.ca_file."
    )


def auth_sentence(jid: str) -> str:
    return (
        f"The server refused the password for {jid}. Choose “Sign in…” in the tray menu "
        f"and enter the right one (or run: supporttray login {jid})."
    )


def lost_sentence(retry_seconds: float) -> str:
    return f"The connection to the chat server was lost. Retrying in {retry_seconds:.0f} s."


def _os_reason(error: object) -> str:
    if isinstance(error, OSError):
        if error.errno in (errno.ECONNREFUSED,):
            return "connection refused"
        if error.errno in (errno.ETIMEDOUT,):
            return "timed out"
        if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable"
        return error.strerror or str(error) or type(error).__name__
    if isinstance(error, str) and error:
        return error
    return str(error) or "unknown error"
