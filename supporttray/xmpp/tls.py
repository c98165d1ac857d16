"""The one TLS policy for every connection the app makes: the system store plus server.ca_file."""

from __future__ import annotations

import ssl
from pathlib import Path


def client_context(ca_file: Path | str | None = None) -> ssl.SSLContext:
    """Certificate and host name checked (no switch turns that off); the system's trusted roots,
    plus the policy's extra CA file when given. Raises OSError or ssl.SSLError when that file
    cannot be read.

    Built once per client and handed to slixmpp: its own default context would load the
    system bundle twice (about 20 ms each) before we add ours.
    """
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=str(ca_file))
    return context
