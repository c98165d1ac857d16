"""Where the session connects and whom it trusts: a plain value, free of slixmpp, so that the
account set-up and doctor can name a server without loading the XMPP library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerEndpoint:
    """Where to connect and whom to trust."""

    domain: str
    host: str = ""  # "" = resolve the domain (DNS SRV), as any XMPP client does
    port: int = 5222
    direct_tls: bool = False
    ca_file: Path | None = None

    def describe(self) -> str:
        return f"{self.host or self.domain}:{self.port}"
