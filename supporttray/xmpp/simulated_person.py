"""Simulated people for the demo: plain slixmpp clients that show presence like a real colleague.

They are ordinary XMPP clients (no SupportTray code on the wire), so the demo also shows that
the app works with whatever client the staff use.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import slixmpp

from supporttray.xmpp import entity_time

log = logging.getLogger("supporttray.demo")


@dataclass(frozen=True)
class PersonScript:
    """Who they are and what they show."""

    jid: str
    password: str
    show: str = ""  # "" available, "away", "xa", "dnd"
    status: str = ""
    idle_minutes: int = 0
    approve_domain: str = ""  # approve presence subscriptions from this domain
    utc_offset_hours: float | None = None  # their clock, for XEP-0202 (None = ours)


class SimulatedPerson:
    def __init__(self, script: PersonScript, host: str, port: int, ca_file: Path) -> None:
        self.script = script
        self._host = host
        self._port = port
        self._ca_file = ca_file
        self._client: slixmpp.ClientXMPP | None = None
        self._online = asyncio.Event()

    async def start(self, timeout: float = 15.0) -> None:
        """Log in and show presence; returns once online. Builds the client on the running loop."""
        client = slixmpp.ClientXMPP(self.script.jid, self.script.password)
        client.enable_direct_tls = False
        client.enable_plaintext = False
        client.ca_certs = self._ca_file
        client.roster.auto_authorize = None  # type: ignore[assignment]  # None = ask us
        client.roster.auto_subscribe = False
        client.register_plugin("xep_0030")
        client.register_plugin("xep_0012")
        client.register_plugin("xep_0319")
        offset = self.script.utc_offset_hours
        zone = timezone(timedelta(hours=offset)) if offset is not None else None
        client.register_plugin("xep_0202")
        entity_time.install_time_responder(client, lambda: datetime.now(UTC).astimezone(zone))
        client.add_event_handler("session_start", self._on_session_start)
        client.add_event_handler("presence_subscribe", self._on_subscribe)
        self._client = client
        client.connect(self._host, self._port)
        await asyncio.wait_for(self._online.wait(), timeout)

    async def _on_session_start(self, _event: object) -> None:
        assert self._client is not None
        await self._client.get_roster()
        self._send_presence()
        self._online.set()
        log.info("%s is online", self.script.jid)

    def _on_subscribe(self, presence: Any) -> None:
        assert self._client is not None
        sender = presence["from"].bare
        if self.script.approve_domain and sender.endswith("@" + self.script.approve_domain):
            self._client.send_presence(pto=sender, ptype="subscribed")

    def set_presence(self, show: str, status: str = "") -> None:
        self.script = replace(self.script, show=show, status=status, idle_minutes=0)
        self._send_presence()

    def _send_presence(self) -> None:
        assert self._client is not None
        presence = self._client.make_presence(pshow=self.script.show or None,
                                              pstatus=self.script.status or None)
        if self.script.idle_minutes:
            # Built by hand: slixmpp 1.17's xep_0319.idle() fails inside xep_0012.
            since = datetime.now(UTC) - timedelta(minutes=self.script.idle_minutes)
            presence["idle"]["since"] = since
        presence.send()

    async def stop(self) -> None:
        client = self._client
        if client is None or client.transport is None:
            return
        client.send_presence(ptype="unavailable")
        try:
            await asyncio.wait_for(client.disconnect(wait=1.0), timeout=3.0)
        except TimeoutError:
            client.abort()
