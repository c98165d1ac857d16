"""The one TLS policy for every connection the app makes: the system store plus server.ca_file."""

from __future__ import annotations

import ssl
import threading
from concurrent.futures import Future
from pathlib import Path

# Contexts being built ahead of use, by CA file ("" = none); each is handed out once.
_prepared: dict[str, Future[ssl.SSLContext]] = {}
_prepared_lock = threading.Lock()


def client_context(ca_file: Path | str | None = None) -> ssl.SSLContext:
    """Certificate and host name checked (no switch turns that off); the system's trusted roots,
    plus the policy's extra CA file when given. Raises OSError or ssl.SSLError when that file
    cannot be read.

    Built once per client and handed to slixmpp: its own default context would load the
    system bundle twice (about 20 ms each) before we add ours. If `prepare` started one for
    this CA file, that one is waited for and returned.
    """
    with _prepared_lock:
        future = _prepared.pop(str(ca_file or ""), None)
    if future is not None:
        return future.result()
    return _build(ca_file)


def prepare(ca_file: Path | str | None = None) -> None:
    """Start building the context for `ca_file` on a worker thread, for a `client_context`
    call that follows soon. OpenSSL parses the trusted roots without holding the GIL, so the
    work overlaps with whatever the app does meanwhile (at start-up: importing slixmpp)."""
    key = str(ca_file or "")
    with _prepared_lock:
        if key in _prepared:
            return
        future: Future[ssl.SSLContext] = Future()
        _prepared[key] = future

    def build() -> None:
        try:
            future.set_result(_build(ca_file))
        except BaseException as exc:  # handed to the caller of client_context
            future.set_exception(exc)

    threading.Thread(target=build, name="tls-context", daemon=True).start()


def _build(ca_file: Path | str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=str(ca_file))
    return context
