"""Each contact's local time (XEP-0202) and idle time (XEP-0012, for clients without XEP-0319),
asked once the presence burst of a login has settled.

At a login with 1,000 contacts online, asking as each presence arrived put two queries per
contact on the wire in the middle of the burst: their replies competed with the presences for
the loop, and every pending reply handler was matched against every incoming stanza. Who is
available is what the person looks for first; a contact's local time can follow a moment
later. So the questions wait until no new contact came online for SETTLE_S (at most MAX_WAIT_S
after the first one waited), then go out a few at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Final

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

from supporttray.core.clock import Clock
from supporttray.core.presence import Availability, PresenceBook
from supporttray.xmpp import entity_time

log = logging.getLogger("supporttray.xmpp")

QUERIES_IN_FLIGHT: Final = 8
SETTLE_S: Final = 0.5
MAX_WAIT_S: Final = 3.0
REPLY_TIMEOUT_S: Final = 10


class ContactDetails:
    """Asks each contact (full JID) once per session, after the burst it came in."""

    def __init__(self, book: PresenceBook, client: Callable[[], slixmpp.ClientXMPP | None],
                 clock: Clock, spawn: Callable[[Coroutine[Any, Any, None]], None]) -> None:
        self._book = book
        self._client = client
        self._clock = clock
        self._spawn = spawn
        self._asked: set[str] = set()
        self._waiting: list[tuple[str, bool]] = []
        self._first_waiting = 0.0
        self._last_came = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: asyncio.Semaphore | None = None  # made on the loop, at first use

    def came_online(self, full_jid: str, *, ask_idle: bool) -> None:
        """`full_jid` is available: ask its time (and its idle time if `ask_idle`) soon."""
        if full_jid in self._asked:
            return
        self._asked.add(full_jid)
        loop = asyncio.get_running_loop()
        self._last_came = loop.time()
        if not self._waiting:
            self._first_waiting = self._last_came
        self._waiting.append((full_jid, ask_idle))
        if self._timer is None:
            self._timer = loop.call_later(SETTLE_S, self._maybe_ask)

    def forget(self) -> None:
        """A new session: everyone is asked again when they come online in it."""
        self._asked.clear()
        self._waiting.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _maybe_ask(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        quiet_at = self._last_came + SETTLE_S
        latest = self._first_waiting + MAX_WAIT_S
        if now < min(quiet_at, latest):
            self._timer = loop.call_later(min(quiet_at, latest) - now, self._maybe_ask)
            return
        self._timer = None
        waiting, self._waiting = self._waiting, []
        for full_jid, ask_idle in waiting:
            self._spawn(self._ask(full_jid, ask_idle))

    async def _ask(self, full_jid: str, ask_idle: bool) -> None:
        # At most a few in flight: each pending reply is a handler every stanza is matched to.
        if self._in_flight is None:
            self._in_flight = asyncio.Semaphore(QUERIES_IN_FLIGHT)
        async with self._in_flight:
            await self._query(full_jid, ask_idle)

    async def _query(self, full_jid: str, ask_idle: bool) -> None:
        client = self._client()
        if client is None:
            return
        member = self._book.member(full_jid)
        if member is None or member.availability is Availability.OFFLINE:
            return  # gone again before we asked
        try:
            iq = await client.plugin["xep_0202"].get_entity_time(slixmpp.JID(full_jid),
                                                                 timeout=REPLY_TIMEOUT_S)
            self._book.set_utc_offset(full_jid, entity_time.offset_from_reply(iq))
        except (IqError, IqTimeout, ValueError) as exc:
            log.debug("no entity time from %s: %s", full_jid, type(exc).__name__)
        if not ask_idle:
            return
        try:
            iq = await client.plugin["xep_0012"].get_last_activity(
                slixmpp.JID(full_jid), timeout=REPLY_TIMEOUT_S
            )
            seconds = int(iq["last_activity"]["seconds"])
        except (IqError, IqTimeout, ValueError, TypeError) as exc:
            log.debug("no last activity from %s: %s", full_jid, type(exc).__name__)
            return
        member = self._book.member(full_jid)
        if member is None or member.availability is Availability.OFFLINE or seconds < 60:
            return
        resource = next((r for r in member.resources if full_jid.endswith("/" + r.resource)), None)
        if resource is not None and resource.idle_since is None:
            self._book.update(full_jid, resource.availability, resource.status,
                              resource.priority, self._clock() - timedelta(seconds=seconds))
