"""Catching up from the server's archive of our chats (XEP-0313) after a fresh login.

Offline storage only keeps what reached the server while *no* client of ours was online. What
another client took meanwhile (a phone, a second laptop), and what we wrote from there, is only
in the archive: at every fresh session (not a resumed one, which lost nothing) we read it from
where we stopped, page by page, and hand each message to the chat as if it had just arrived.
The chat drops what it already has (same id from the same peer), so overlap costs nothing.

The reading starts once our first presence of the session is out, never before: Prosody hands
what waits in offline storage only to a session that has not queried the archive yet (mod_mam:
"don't broadcast offline messages to clients that have queried the archive"), and a new profile
reads the archive from its newest message on, so a question that waited for us would be skipped
by both (seen as a lost message when a requester wrote in the moment before our presence).

Where we stopped is an ArchivePosition kept in the history: the archive's id (stanza-id) of the
newest message read, live or caught up. Live messages move it only once this session's catch-up
is done, so a message delivered live during the catch-up never hides the older ones it pages
through; one the pages did not hold was archived after our query, so it is newer than all they
held and becomes the position when the catch-up ends. When the server no longer knows the id
(its archive was purged), we read from that message's time instead.

Only results from our own account, for a query of ours, count: the archive is the one place
where a message may claim any sender, so a forged result from anyone else is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from supporttray.core.jid import bare_jid
from supporttray.core.messages import ArchivePosition
from supporttray.core.server_archive import ServerArchive
from supporttray.xmpp.discovery import ServiceDirectory
from supporttray.xmpp.stanzas import delay_time

log = logging.getLogger("supporttray.xmpp")

NS_MAM = "urn:xmpp:mam:2"
PAGE_SIZE = 100
# A week away with a busy phone is a few hundred messages; past this many pages the rest stays
# in the server's archive (and the log says so) rather than keep a slow link busy for minutes.
MAX_PAGES = 50
QUERY_TIMEOUT = 20.0
# Read from a little before a remembered time: the server's clock and ours may disagree.
TIME_OVERLAP = timedelta(minutes=2)

# Takes one archived chat message: the forwarded stanza, its archive time and archive id.
Taker = Callable[[Any, datetime | None, str], None]


class PositionStore(Protocol):
    """Where the position is kept (the app's chat service, over the history)."""

    def archive_position(self) -> ArchivePosition | None: ...

    def set_archive_position(self, position: ArchivePosition) -> None: ...

    def newest_time(self) -> datetime | None: ...


class ChatArchive:
    """One client's catch-up; install() before connecting."""

    def __init__(self, positions: PositionStore, take: Taker, *,
                 page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES,
                 server_archive: ServerArchive | None = None) -> None:
        self._positions = positions
        self._take = take
        # Told what discovery found, for the chats' privacy line (who keeps a copy).
        self._server_archive = server_archive
        self._page_size = page_size
        self._max_pages = max_pages
        self._client: Any = None
        self._services: ServiceDirectory | None = None
        self._pages: dict[str, list[Any]] = {}  # query id -> results so far
        self._catching_up = False
        self._task: asyncio.Task[None] | None = None
        # During a catch-up: the newest live message, and what the pages held.
        self._live_meanwhile: ArchivePosition | None = None
        self._read_ids: set[str] = set()

    def install(self, client: Any, services: ServiceDirectory) -> None:
        self._client = client
        self._services = services
        client.register_plugin("xep_0313")  # the stanza classes (query, result, fin)
        client.register_handler(Callback(
            "SupportTray archive results",
            MatchXPath(f"{{{client.default_ns}}}message/{{{NS_MAM}}}result"),
            self._on_result))
        client.add_event_handler("session_start", self._on_session_start)
        client.add_event_handler("disconnected", lambda _e: self._stop())

    def live(self, archive_id: str, when: datetime) -> None:
        """A live message the archive also holds (its stanza-id): we have read up to it."""
        if not archive_id:
            return
        if self._catching_up:
            self._live_meanwhile = ArchivePosition(archive_id, when)
        else:
            self._positions.set_archive_position(ArchivePosition(archive_id, when))

    # -- a session ------------------------------------------------------------------------
    def _on_session_start(self, _event: object) -> None:
        # Synchronously, before anything of the new session arrives: what came live before
        # our first page must not move the position past what that page reads.
        self._stop()
        self._catching_up = True

    def presence_sent(self) -> None:
        """Our first presence of a fresh session is out, so the server has handed us what
        waited in offline storage: now read the archive (see the module's docstring)."""
        if self._catching_up and self._task is None:
            self._task = asyncio.ensure_future(
                self._catch_up(self._positions.archive_position()))

    def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._pages.clear()
        self._finish()

    def _finish(self) -> None:
        self._catching_up = False
        self._live_meanwhile = None
        self._read_ids.clear()

    def _adopt_live_meanwhile(self) -> None:
        """The catch-up read all there was: a live message it did not hold is newer."""
        live = self._live_meanwhile
        if live is not None and live.stanza_id not in self._read_ids:
            self._positions.set_archive_position(live)

    async def _catch_up(self, position: ArchivePosition | None) -> None:
        try:
            assert self._services is not None
            archives = await self._services.archives()
            if self._server_archive is not None:
                self._server_archive.found(archives)
            if not archives:
                log.info("the server %s our chats: messages another client of this account "
                         "took while we were away are not shown here",
                         "keeps no archive of" if archives is False else "did not say if it "
                         "archives")
                return
            if position is not None:
                read = await self._read(after=position.stanza_id,
                                        since=position.timestamp - TIME_OVERLAP,
                                        floor=position.timestamp)
            elif (newest := self._positions.newest_time()) is not None:
                read = await self._read(since=newest - TIME_OVERLAP)  # history before positions
            else:
                read = await self._mark_the_end()  # a new profile: from now on
            self._adopt_live_meanwhile()
            log.info("caught up %d message(s) from the server's archive", read)
        except (IqError, IqTimeout) as exc:
            log.warning("could not read the server's archive of our chats (%s): messages "
                        "another client took while we were away are not shown",
                        _reason(exc))
        finally:
            self._finish()

    async def _read(self, *, after: str | None = None, since: datetime | None = None,
                    floor: datetime | None = None) -> int:
        """Every page from `after` (an archive id; the time `since` when the server no longer
        knows it), handed on in order. Returns how many messages were read.

        The archive's order is the true one, but its stamps have whole seconds (Prosody,
        ejabberd) where ours have microseconds: a message is dated no earlier than the one
        before it, and no earlier than `floor` (the position's message), so the history's
        time order stays the archive's."""
        read = 0
        for _page in range(self._max_pages):
            try:
                results, fin = await self._query(after=after, start=None if after else since)
            except IqError as exc:
                if after is None or exc.iq["error"]["condition"] != "item-not-found":
                    raise
                log.info("the server's archive no longer has message %s: reading from %s",
                         after, since)
                after = None
                continue
            for result in results:
                archived = result["mam_result"]
                when = _archive_time(archived) or datetime.now(UTC)
                floor = when = max(when, floor) if floor is not None else when
                stanza = archived["forwarded"]["stanza"]
                self._read_ids.add(str(archived["id"]))
                if stanza is not None and stanza.xml is not None:
                    self._take(stanza, when, str(archived["id"]))
            read += len(results)
            if results:
                last = results[-1]["mam_result"]
                assert floor is not None
                self._positions.set_archive_position(ArchivePosition(last["id"], floor))
            if _complete(fin) or not results:
                return read
            after = fin["rsm"]["last"] or last["id"]
        log.warning("the server's archive holds more than %d messages since we were last "
                    "here; the newest are shown, older ones stay on the server",
                    self._max_pages * self._page_size)
        return read

    async def _mark_the_end(self) -> int:
        """No position and no history: start from the archive's newest message."""
        results, _fin = await self._query(last_page=True, size=1)
        if results:
            last = results[-1]["mam_result"]
            self._read_ids.add(str(last["id"]))
            self._positions.set_archive_position(ArchivePosition(
                last["id"], _archive_time(last) or datetime.now(UTC)))
        return 0

    async def _query(self, *, after: str | None = None, start: datetime | None = None,
                     last_page: bool = False, size: int | None = None) -> tuple[list[Any], Any]:
        client = self._client
        iq = client.make_iq_set()
        query_id = iq["id"]
        iq["mam"]["queryid"] = query_id
        if start is not None:
            iq["mam"]["start"] = start
        iq["mam"]["rsm"]["max"] = str(size or self._page_size)
        if after:
            iq["mam"]["rsm"]["after"] = after
        if last_page:
            iq["mam"]["rsm"]["before"] = True
        self._pages[query_id] = []
        try:
            reply = await iq.send(timeout=QUERY_TIMEOUT)
            # A server sends every result before its answer, on the same stream.
            return self._pages.get(query_id, []), reply["mam_fin"]
        finally:
            self._pages.pop(query_id, None)

    def _on_result(self, message: Any) -> None:
        """A result of one of our queries, from our own account's archive; anything else
        (a forged result from a peer, a late one of a cancelled query) is dropped."""
        result = message["mam_result"]
        page = self._pages.get(result["queryid"])
        sender = str(message["from"])
        if page is None or (sender and sender != bare_jid(self._client.boundjid.bare)):
            log.info("ignored an archive result that is not for a query of ours (from %s)",
                     sender or "our server")
            return
        page.append(message)


def _archive_time(result: Any) -> datetime | None:
    """When the archive got the message: its forwarded element's delay stamp."""
    return delay_time(result["forwarded"])


def _complete(fin: Any) -> bool:
    return (fin.xml.get("complete") or "").lower() in ("true", "1")


def _reason(exc: IqError | IqTimeout) -> str:
    if isinstance(exc, IqTimeout):
        return "no answer in time"
    return str(exc.iq["error"]["condition"])
