"""Many lightweight XMPP clients online at once: the staff and requesters the figures need.

A slixmpp client per contact costs ~1 MB and a few ms of Python per login; a thousand of them
would measure slixmpp, not the app. These are minimal RFC 6120 clients on raw asyncio streams:
STARTTLS (verified against the sandbox CA), SASL PLAIN, bind, one presence. While online they
answer what a real client answers: XEP-0202 entity time and XEP-0012 last activity (the app asks
every contact for both), and an error for any other request, so nothing in the app waits on a
timeout.

Run as a child process (`python -m bench.swarm`): reads a JSON job from stdin, prints
`ready N SECONDS` once all N are online and `failed MESSAGE` if one could not log in, then
stays online until stdin closes (the parent ends it).
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NS_STREAM = "http://etherx.jabber.org/streams"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_TIME = "urn:xmpp:time"
NS_LAST = "jabber:iq:last"
NS_CLIENT = "jabber:client"


@dataclass(frozen=True)
class Job:
    host: str
    port: int
    domain: str
    ca_file: str
    accounts: list[tuple[str, str]]  # (username, password)
    show: str = ""  # "", "away", "dnd", ...
    status: str = ""
    concurrency: int = 64


def _header(domain: str) -> bytes:
    return (
        f"<?xml version='1.0'?><stream:stream to='{domain}' xmlns='{NS_CLIENT}' "
        f"xmlns:stream='{NS_STREAM}' version='1.0'>"
    ).encode()


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&apos;").replace('"', "&quot;"))


class RawClient:
    """One account's stream; `online()` returns once its presence is sent."""

    def __init__(self, job: Job, username: str, password: str, context: ssl.SSLContext) -> None:
        self._job = job
        self._username = username
        self._password = password
        self._context = context
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._parser: ET.XMLPullParser[ET.Element] | None = None
        self._depth = 0
        self._stanzas: list[ET.Element] = []
        self.full_jid = ""
        self.answered = 0

    async def online(self) -> None:
        job = self._job
        self._reader, self._writer = await asyncio.open_connection(job.host, job.port)
        await self._restart()
        features = await self._next()
        if features.find(f"{{{NS_TLS}}}starttls") is None:
            raise RuntimeError("the server offers no STARTTLS")
        self._send(f"<starttls xmlns='{NS_TLS}'/>")
        proceed = await self._next()
        if proceed.tag != f"{{{NS_TLS}}}proceed":
            raise RuntimeError(f"STARTTLS refused: {proceed.tag}")
        await self._writer.start_tls(self._context, server_hostname=job.domain)
        await self._restart()
        await self._next()  # features: mechanisms
        token = base64.b64encode(f"\0{self._username}\0{self._password}".encode()).decode()
        self._send(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'>{token}</auth>")
        outcome = await self._next()
        if outcome.tag != f"{{{NS_SASL}}}success":
            raise RuntimeError(f"login of {self._username} failed: {outcome.tag}")
        await self._restart()
        await self._next()  # features: bind
        self._send(f"<iq type='set' id='bind'><bind xmlns='{NS_BIND}'>"
                   f"<resource>swarm</resource></bind></iq>")
        bound = await self._next()
        jid = bound.find(f"{{{NS_BIND}}}bind/{{{NS_BIND}}}jid")
        if jid is None or not jid.text:
            raise RuntimeError(f"bind failed for {self._username}")
        self.full_jid = jid.text
        presence = "<presence>"
        if job.show:
            presence += f"<show>{_escape(job.show)}</show>"
        if job.status:
            presence += f"<status>{_escape(job.status)}</status>"
        self._send(presence + "</presence>")

    async def serve(self) -> None:
        """Answer requests until the stream ends."""
        while True:
            try:
                stanza = await self._next()
            except (ConnectionError, asyncio.IncompleteReadError, EOFError):
                return
            if stanza.tag == f"{{{NS_CLIENT}}}iq" and stanza.get("type") in ("get", "set"):
                self._answer(stanza)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    # -- internals --------------------------------------------------------------------------
    def _answer(self, iq: ET.Element) -> None:
        to = _escape(iq.get("from", ""))
        ident = _escape(iq.get("id", ""))
        child = iq[0] if len(iq) else None
        if iq.get("type") == "get" and child is not None and child.tag == f"{{{NS_TIME}}}time":
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = f"<time xmlns='{NS_TIME}'><tzo>+00:00</tzo><utc>{now}</utc></time>"
            self._send(f"<iq type='result' to='{to}' id='{ident}'>{body}</iq>")
        elif iq.get("type") == "get" and child is not None and child.tag == f"{{{NS_LAST}}}query":
            self._send(f"<iq type='result' to='{to}' id='{ident}'>"
                       f"<query xmlns='{NS_LAST}' seconds='0'/></iq>")
        else:
            self._send(f"<iq type='error' to='{to}' id='{ident}'><error type='cancel'>"
                       "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                       "</error></iq>")
        self.answered += 1

    async def _restart(self) -> None:
        self._parser = ET.XMLPullParser(events=("start", "end"))
        self._depth = 0
        self._stanzas.clear()
        self._send_bytes(_header(self._job.domain))

    def _send(self, text: str) -> None:
        self._send_bytes(text.encode())

    def _send_bytes(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    async def _next(self) -> ET.Element:
        """The next top-level element (a stanza or a negotiation element)."""
        assert self._reader is not None and self._parser is not None
        while not self._stanzas:
            data = await self._reader.read(65536)
            if not data:
                raise EOFError("stream closed")
            self._parser.feed(data)
            events: Any = self._parser.read_events()  # (event, element) pairs
            for event, element in events:
                if event == "start":
                    self._depth += 1
                else:
                    self._depth -= 1
                    if self._depth == 1 and isinstance(element, ET.Element):
                        self._stanzas.append(element)
                    elif self._depth == 0:
                        raise EOFError("stream ended")
        return self._stanzas.pop(0)


async def run(job: Job, out: Any = sys.stdout) -> int:
    context = ssl.create_default_context(cafile=job.ca_file)
    began = time.perf_counter()
    gate = asyncio.Semaphore(job.concurrency)
    clients = [RawClient(job, user, password, context) for user, password in job.accounts]

    async def login(client: RawClient) -> None:
        async with gate:
            await client.online()

    try:
        await asyncio.gather(*(login(c) for c in clients))
    except Exception as exc:
        print(f"failed {type(exc).__name__}: {exc}", file=out, flush=True)
        return 1
    print(f"ready {len(clients)} {time.perf_counter() - began:.3f}", file=out, flush=True)
    servers = [asyncio.ensure_future(c.serve()) for c in clients]
    loop = asyncio.get_running_loop()
    # Online until the parent closes our stdin (or ends us).
    await loop.run_in_executor(None, sys.stdin.read)
    for client in clients:
        client.close()
    for task in servers:
        task.cancel()
    return 0


def main() -> int:
    raw = json.loads(sys.stdin.readline())
    raw["accounts"] = [tuple(a) for a in raw["accounts"]]
    return asyncio.run(run(Job(**raw)))


if __name__ == "__main__":
    raise SystemExit(main())
