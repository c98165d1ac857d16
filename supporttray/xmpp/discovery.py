"""The server's services, found by service discovery (XEP-0030) as any client finds them.

Servers name their services freely (`conference.`, `muc.`, `rooms.`, `chat.`), so nothing here
guesses a host name: disco#items on our domain lists them, disco#info on each says what it is
(identity `conference/text` for group chat, `store/file` for HTTP upload). The answers are kept
for the login they were asked in; a new session asks again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slixmpp.exceptions import IqError, IqTimeout

from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence

log = logging.getLogger("supporttray.xmpp")

DISCO_TIMEOUT = 10.0
MUC = ("conference", "text")
UPLOAD = ("store", "file")
NS_MAM = "urn:xmpp:mam:2"


@dataclass(frozen=True)
class ServiceLookup:
    """A service's address, or (jid "") the sentence why there is none; `answered` is False when
    the server did not answer in time."""

    jid: str = ""
    reason: Sentence | None = None
    answered: bool = True


class ServiceDirectory:
    """One login's view of the server's services; install() on the client first."""

    def __init__(self, *, timeout: float = DISCO_TIMEOUT) -> None:
        self._timeout = timeout
        self._client: Any = None
        self._found: dict[tuple[str, str], asyncio.Future[ServiceLookup]] = {}

    def install(self, client: Any) -> None:
        self._client = client
        client.register_plugin("xep_0030")
        client.add_event_handler("session_start", lambda _e: self._found.clear())

    async def find(self, kind: tuple[str, str]) -> ServiceLookup:
        """The first service of our domain with identity `kind` (category, type)."""
        pending = self._found.get(kind)
        if pending is None:
            pending = asyncio.ensure_future(self._look_up(kind))
            self._found[kind] = pending
        lookup = await asyncio.shield(pending)
        if not lookup.answered:
            self._found.pop(kind, None)  # no answer is not an answer: ask again next time
        return lookup

    async def check(self, jid: str, kind: tuple[str, str]) -> ServiceLookup:
        """Is `jid` (named by policy) a service with identity `kind`?"""
        try:
            identities = await self._identities(jid)
        except IqTimeout:
            return ServiceLookup(reason=Sentence(N_("{jid} did not answer"), {"jid": jid}),
                                 answered=False)
        except IqError as exc:
            condition = exc.iq["error"]["condition"]
            return ServiceLookup(reason=Sentence(N_("{jid} is not there ({condition})"),
                                                 {"jid": jid, "condition": condition}))
        if kind not in identities:
            return ServiceLookup(reason=Sentence(N_("{jid} is not a {kind} service"),
                                                 {"jid": jid, "kind": f"{kind[0]}/{kind[1]}"}))
        return ServiceLookup(jid)

    async def archives(self) -> bool | None:
        """Does the server keep our 1:1 messages (XEP-0313 on our own account)? None: no
        answer."""
        bare = self._client.boundjid.bare
        try:
            info = await self._client.plugin["xep_0030"].get_info(jid=bare,
                                                                   timeout=self._timeout)
        except (IqError, IqTimeout):
            return None
        return NS_MAM in info["disco_info"]["features"]

    async def _look_up(self, kind: tuple[str, str]) -> ServiceLookup:
        domain = self._client.boundjid.domain
        disco = self._client.plugin["xep_0030"]
        try:
            items = await disco.get_items(jid=domain, timeout=self._timeout)
        except IqTimeout:
            return ServiceLookup(
                reason=Sentence(N_("{domain} did not list its services in time"),
                                {"domain": domain}), answered=False)
        except IqError as exc:
            return ServiceLookup(reason=Sentence(
                N_("{domain} lists no services ({condition})"),
                {"domain": domain, "condition": exc.iq["error"]["condition"]}))
        candidates = [domain] + [str(jid) for jid, node, _name
                                 in items["disco_items"]["items"] if not node]
        answers = await asyncio.gather(*(self._identities(jid) for jid in candidates),
                                       return_exceptions=True)
        for jid, identities in zip(candidates, answers, strict=True):
            if isinstance(identities, set) and kind in identities:
                log.info("found the %s/%s service of %s: %s", *kind, domain, jid)
                return ServiceLookup(jid)
        if any(isinstance(answer, IqTimeout) for answer in answers):
            return ServiceLookup(
                reason=Sentence(N_("a service of {domain} did not answer in time"),
                                {"domain": domain}), answered=False)
        return ServiceLookup(reason=Sentence(N_("{domain} has no {kind} service"),
                                             {"domain": domain, "kind": f"{kind[0]}/{kind[1]}"}))

    async def _identities(self, jid: str) -> set[tuple[str, str]]:
        info = await self._client.plugin["xep_0030"].get_info(jid=jid, timeout=self._timeout)
        return {(category, itype) for category, itype, _lang, _name
                in info["disco_info"]["identities"]}
