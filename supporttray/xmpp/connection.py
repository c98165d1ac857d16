"""The XMPP session: logs in, follows the support staff's presence, keeps the connection up.

The only module (with its siblings in this package) that speaks slixmpp. It translates slixmpp
events into calls on the core PresenceBook and ConnectionMonitor; nothing above it sees a stanza.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

from supporttray.core.clock import Clock, utc_now
from supporttray.core.connection import ConnectionMonitor, ConnectionState, NetworkChange
from supporttray.core.jid import bare_jid
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability, PresenceBook, ResourcePresence
from supporttray.core.server_archive import ServerArchive
from supporttray.core.staff_directory import StaffDirectory
from supporttray.language.sentence import Sentence
from supporttray.xmpp import entity_time, errors, incoming_guard, keepalive, on_call_wire, tls
from supporttray.xmpp.capabilities import Capabilities
from supporttray.xmpp.contact_details import ContactDetails
from supporttray.xmpp.discovery import ServiceDirectory
from supporttray.xmpp.endpoint import ServerEndpoint
from supporttray.xmpp.fast_roster import install_fast_roster_items
from supporttray.xmpp.fast_scram import install_fast_pbkdf2
from supporttray.xmpp.file_share import FileShareWire
from supporttray.xmpp.group_check_wire import GroupCheckSink, GroupCheckWire
from supporttray.xmpp.group_room import GroupRooms, RoomSink
from supporttray.xmpp.handler_matching import install_quick_matching
from supporttray.xmpp.messaging import ChatSink, ChatWire
from supporttray.xmpp.paced_input import PacedInput
from supporttray.xmpp.stream_management import ACK_DEADLINE_SECONDS, StreamWatch

if TYPE_CHECKING:  # staff mode only: requesters never load it
    from supporttray.xmpp.staff_room import StaffRoom

log = logging.getLogger("supporttray.xmpp")

# Presence types that carry availability; subscription types are handled elsewhere.
_AVAILABILITY_TYPES = {"available", "chat", "away", "xa", "dnd", "unavailable"}
_MAX_RETRY_SECONDS = 60.0
# After a wake-up or a network change, how long the server has to answer a ping before the
# link is taken for dead: the stream's ack deadline, for the same reason.
LINK_CHECK_SECONDS = ACK_DEADLINE_SECONDS
# Subscription requests queued per loop turn at login: 1,000 at once took ~25 ms of the UI loop.
_SUBSCRIBES_PER_TURN = 100


class XmppConnection:
    """One account's session with the server, with automatic reconnection."""

    def __init__(
        self,
        jid: str,
        password: str,
        endpoint: ServerEndpoint,
        directory: StaffDirectory,
        book: PresenceBook,
        monitor: ConnectionMonitor,
        own_presence: OwnPresence,
        *,
        chat: ChatSink | None = None,
        server_archive: ServerArchive | None = None,
        staff_room: StaffRoom | None = None,
        group_checks: GroupCheckSink | None = None,
        group_chats: RoomSink | None = None,
        clock: Clock = utc_now,
        file_wire: FileShareWire | None = None,
    ) -> None:
        self.file_wire = file_wire  # files: installed on every client this connection builds
        self._jid = jid
        self._staff_room = staff_room
        self._password = password
        self._endpoint = endpoint
        self._directory = directory
        self._book = book
        self._monitor = monitor
        self._own = own_presence
        self._clock = clock
        self._client: slixmpp.ClientXMPP | None = None
        self._stopping = False
        self._fatal = False  # wrong password or untrusted certificate: retrying will not help
        self._retry_delay = 1.0
        self._retry_handle: asyncio.TimerHandle | None = None
        self._reconnect_at_once = False
        self._retry_on_change = False  # a fatal error a network change may cure
        self._link_check: asyncio.Future[None] | None = None
        self._details = ContactDetails(book, lambda: self._client, clock, self._spawn)
        self.chat_wire: ChatWire | None = None
        self.services: ServiceDirectory | None = None  # the server's services, per client
        self._capabilities: Capabilities | None = None
        self._stream: StreamWatch | None = None
        # Others' presence as it was when the link dropped, for a resumed session.
        self._held_presences: list[tuple[str, ResourcePresence]] = []
        if chat is not None:
            self.chat_wire = ChatWire(
                chat,
                is_requester=lambda jid: self._directory.is_requester(jid)
                and not self._book.is_staff(jid),
                is_online=lambda: monitor.status.state is ConnectionState.ONLINE,
                server_archive=server_archive,
            )
        self.group_check_wire: GroupCheckWire | None = None
        if group_checks is not None:
            self.group_check_wire = GroupCheckWire(
                group_checks, is_online=lambda: monitor.status.state is ConnectionState.ONLINE)
        self.group_rooms: GroupRooms | None = None
        if group_chats is not None:
            self.group_rooms = GroupRooms(
                group_chats, muc_service=group_chats.muc_service,
                ignore_room=lambda room: staff_room is not None and staff_room.names(room))
        self._tasks: set[asyncio.Task[Any]] = set()
        for staff_jid in directory.staff:
            book.add_staff(staff_jid)
        own_presence.changed.subscribe(lambda _p: self._send_own_presence())

    @property
    def jid(self) -> str:
        return self._jid

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        """Begin connecting; returns at once. Must run on the loop the app uses (qasync)."""
        install_fast_pbkdf2()
        install_fast_roster_items()
        install_quick_matching()
        self._client = self._build_client()
        self._connect()

    async def stop(self) -> None:
        """Say goodbye to the server (others see us offline) and close the stream."""
        self._stopping = True
        self._cancel_retry()
        if self._link_check is not None:
            self._link_check.cancel()
        client = self._client
        if client is None:
            return
        client.cancel_connection_attempt()
        transport = client.transport
        if transport is not None and transport.is_closing():
            # The server is already closing it (after a refused password, say): there is no
            # one to say goodbye to, and a write now would fail.
            client.abort()
        elif transport is not None:
            try:
                client.send_presence(ptype="unavailable")
                await asyncio.wait_for(client.disconnect(wait=1.0), timeout=3.0)
            except (TimeoutError, ConnectionError):
                log.info("server did not close the stream in time; dropping it")
                client.abort()
            except AttributeError:
                # The link went while we wrote: CPython 3.11's TLS transport, written to after
                # the connection was lost, fails with this instead of a ConnectionError.
                log.info("the link closed while we said goodbye")
                client.abort()
        self._monitor.set(ConnectionState.OFFLINE)
        for task in list(self._tasks):
            task.cancel()

    def reconnect_now(self) -> None:
        """The user asked: drop any wait and try again, even after a fatal error."""
        if self._client is None:
            return
        self._stopping = False
        self._fatal = self._retry_on_change = False
        self._retry_delay = 1.0
        self._cancel_retry()
        if self._client.transport is not None:
            # Connected (maybe to a dead link): drop it; _on_disconnected connects at once.
            self._reconnect_at_once = True
            self._client.abort()
            return
        self._connect()

    def network_changed(self, change: NetworkChange) -> None:
        """The OS says the network may be back or different: waiting out a back-off would only
        keep the user offline, and a link from before a sleep or a new network is likely dead
        without a word from TCP. Offline: try now. Online: make sure the link still carries
        (a ping the server must answer within the ack deadline, else resume on a new socket).
        A wrong password stays an error; an untrusted certificate is tried again, since a
        captive portal (hotel Wi-Fi) presents one until the user has signed in there."""
        client = self._client
        if client is None or self._stopping or (self._fatal and not self._retry_on_change):
            return
        if client.transport is None:
            log.info("%s: connecting now", change.value)
            self._fatal = self._retry_on_change = False
            self._retry_delay = 1.0
            self._cancel_retry()
            self._connect()  # slixmpp drops an attempt waiting out its own back-off
        elif self._monitor.status.state is ConnectionState.ONLINE and self._link_check is None:
            log.info("%s: checking that the link to the server still carries", change.value)
            self._link_check = asyncio.ensure_future(self._check_link(client))

    async def _check_link(self, client: slixmpp.ClientXMPP) -> None:
        transport = client.transport  # a later link (resumed meanwhile) is not this one
        try:
            await client.plugin["xep_0199"].send_ping(slixmpp.JID(client.boundjid.domain),
                                                      timeout=LINK_CHECK_SECONDS)
        except IqTimeout:
            if client is self._client and client.transport is transport:
                log.warning("the server did not answer for %.0f s: the link is dead, "
                            "reconnecting", LINK_CHECK_SECONDS)
                self._link_is_dead()
        except IqError:
            pass  # it answered, if with an error: the link carries
        finally:
            self._link_check = None

    def details(self) -> tuple[str, str] | None:
        """(server, TLS version) of the live session, for the system info; None when offline."""
        client = self._client
        if client is None or client.transport is None:
            return None
        ssl_object = client.transport.get_extra_info("ssl_object")
        tls = ssl_object.version() if ssl_object is not None else "none"
        return f"{self._endpoint.domain} ({self._endpoint.describe()})", str(tls)

    def update_password(self, password: str) -> None:
        """A new password was stored (`supporttray login`): use it from the next attempt."""
        self._password = password
        if self._client is not None:
            self._client.password = password
            self._client.credentials["password"] = password

    # -- building -------------------------------------------------------------------------
    def _build_client(self) -> slixmpp.ClientXMPP:
        ep = self._endpoint
        client = slixmpp.ClientXMPP(self._jid, self._password,
                                    ssl_context=tls.client_context(ep.ca_file))
        # A custom port speaks STARTTLS unless told otherwise; else slixmpp tries direct TLS
        # first and wastes a round trip (or hangs on a server that does not answer TLS).
        client.enable_direct_tls = ep.direct_tls
        client.enable_starttls = not ep.direct_tls
        client.enable_plaintext = False
        # Approve subscriptions ourselves, by policy (slixmpp would approve anyone).
        client.roster.auto_authorize = None  # type: ignore[assignment]  # None = ask us
        client.roster.auto_subscribe = False
        # slixmpp 1.17 schedules its 5-minute whitespace keepalive at every session start
        # whatever this flag says; TCP keepalive (keepalive.py) does that job without a timer.
        client.whitespace_keepalive = False
        client.del_event_handler("session_start", client._start_keepalive)
        for plugin in ("xep_0030", "xep_0012", "xep_0092", "xep_0199", "xep_0319"):
            client.register_plugin(plugin)
        client.register_plugin("xep_0202")
        entity_time.install_time_responder(client, entity_time.local_now)
        client.plugin["xep_0092"].name = "SupportTray"
        self.services = ServiceDirectory()
        self.services.install(client)
        self._stream = StreamWatch(client, on_dead=self._link_is_dead)
        if self.chat_wire is not None:
            self.chat_wire.install(client, self._stream, self.services)
        if self._staff_room is not None:
            self._staff_room.install(client, self.services)
        if self.group_check_wire is not None:
            self.group_check_wire.install(client)
        if self.group_rooms is not None:
            self.group_rooms.install(client, self.services)
        if self.file_wire is not None:
            self.file_wire.install(client, self.services, self._stream)
        self._capabilities = Capabilities(client, staff=self._directory.staff_mode)
        # xep_0199 answers the server's pings; our own dead-link check is TCP keepalive,
        # which costs the app no timer (see keepalive.py).
        handlers = {
            "connected": self._on_connected,  # plain TCP up (STARTTLS follows)
            "tls_success": self._on_connected,  # direct TLS fires this one instead
            "connecting": self._on_connecting,
            "connection_failed": self._on_connection_failed,
            "reconnect_delay": self._on_reconnect_delay,
            "ssl_invalid_chain": self._on_invalid_chain,
            "failed_auth": self._on_failed_auth,
            "failed_all_auth": lambda _e: self._on_failed_auth(None),
            "session_start": self._on_session_start,
            "session_resumed": self._on_session_resumed,
            "session_end": self._on_session_end,
            "disconnected": self._on_disconnected,
            "presence": self._on_presence,
            "presence_subscribe": self._on_subscribe,
            "roster_update": self._on_roster_update,
        }
        for event, handler in handlers.items():
            client.add_event_handler(event, handler)
        # slixmpp only logs exceptions from handlers; make them visible in our log, once.
        client.exception = self._on_handler_exception  # type: ignore[method-assign]
        # A login's presence flood is handled a few milliseconds per loop turn, so the UI keeps
        # painting; the book tells its watchers once per burst, not once per presence.
        PacedInput(client, batch=self._book.batch)
        incoming_guard.install(client, lambda: bare_jid(self._jid))
        return client

    def _connect(self) -> None:
        assert self._client is not None
        if self._client.transport is not None:
            return  # already connected again (slixmpp reconnects by itself after a ping timeout)
        ep = self._endpoint
        self._monitor.set(ConnectionState.CONNECTING)
        if ep.host:
            self._client.connect(ep.host, ep.port)
        else:
            self._client.connect()

    # -- connection events ----------------------------------------------------------------
    def _on_connected(self, _event: object) -> None:
        transport = self._client.transport if self._client is not None else None
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is not None:
            keepalive.enable(sock)

    def _on_connecting(self, _event: object) -> None:
        if not self._fatal:
            self._monitor.set(ConnectionState.CONNECTING)

    def _on_connection_failed(self, error: object) -> None:
        if isinstance(error, ssl.SSLCertVerificationError):
            self._fail_fatally(errors.certificate_sentence(self._endpoint.describe(), error))
            self._retry_on_change = True
            return
        sentence = errors.unreachable_sentence(self._endpoint.host or self._endpoint.domain,
                                               self._endpoint.port, error)
        log.warning("connection attempt failed: %s", error)
        self._monitor.set(ConnectionState.ERROR, sentence)

    def _on_reconnect_delay(self, seconds: object) -> None:
        # slixmpp backs off to 300 s; a laptop back on Wi-Fi should not wait 5 minutes. It
        # sleeps on this attribute right after this event, so capping it here takes effect.
        client = self._client
        if client is not None and client._connect_loop_wait > _MAX_RETRY_SECONDS:
            client._connect_loop_wait = _MAX_RETRY_SECONDS
        log.info("next connection attempt in %s s", seconds)

    def _on_invalid_chain(self, error: object) -> None:
        self._fail_fatally(errors.certificate_sentence(self._endpoint.domain, error))
        self._retry_on_change = True

    def _on_failed_auth(self, stanza: Any) -> None:
        condition = stanza["condition"] if stanza is not None else ""
        log.warning("authentication failed (%s)", condition or "unknown condition")
        # No abort here: slixmpp goes on to its next mechanism and disconnects itself after
        # the last (failed_all_auth); cutting the stream under it only adds errors to the log.
        self._fatal = True
        self._retry_on_change = False
        self._monitor.set(ConnectionState.ERROR, errors.auth_sentence(bare_jid(self._jid)),
                          needs_sign_in=True)

    def _fail_fatally(self, sentence: Sentence) -> None:
        self._fatal = True
        # A failed TLS handshake closes the transport before slixmpp says why, so
        # _on_disconnected has already scheduled a retry: drop it, retrying will not help.
        self._cancel_retry()
        self._monitor.set(ConnectionState.ERROR, sentence)
        if self._client is not None:
            self._client.cancel_connection_attempt()
            if self._client.transport is not None:
                self._client.abort()

    def _on_disconnected(self, reason: object) -> None:
        # While we are away nobody is known to be online (the tray says so), but when the
        # server kept our session, what we knew holds again once it is resumed (changes made
        # meanwhile come with the resumed stream); a failed resumption drops it.
        resumable = self._stream is not None and self._stream.resumable
        self._held_presences = [
            (f"{member.jid}/{r.resource}", r) for member in self._book.members()
            for r in member.resources] if resumable else []
        self._forget_session()
        if self._stopping:
            self._monitor.set(ConnectionState.OFFLINE)
            return
        if self._reconnect_at_once:
            self._reconnect_at_once = False
            self._connect()
            return
        if self._fatal:
            return  # the error sentence stays until the user acts
        delay = self._retry_delay * random.uniform(0.8, 1.2)
        self._retry_delay = min(_MAX_RETRY_SECONDS, self._retry_delay * 2)
        log.info("disconnected (%s); reconnecting in %.1f s", reason, delay)
        self._monitor.set(ConnectionState.OFFLINE, errors.lost_sentence(delay))
        self._cancel_retry()
        self._retry_handle = asyncio.get_running_loop().call_later(delay, self._connect)

    def _forget_session(self) -> None:
        self._book.clear_presences()
        self._details.forget()

    def _on_session_end(self, _event: object) -> None:
        """The server no longer has our session (a resumption failed): what we knew of others'
        presence may be stale; the fresh session that follows asks again."""
        self._held_presences = []
        self._forget_session()

    def _on_session_resumed(self, _event: object) -> None:
        """Back on the same session after a drop: nothing was lost, no new login needed."""
        self._retry_delay = 1.0
        client = self._client
        log.info("resumed the session as %s", client.boundjid.full if client else "?")
        held, self._held_presences = self._held_presences, []
        with self._book.batch():
            for full_jid, r in held:
                self._book.update(full_jid, r.availability, r.status, r.priority, r.idle_since)
        self._monitor.set(ConnectionState.ONLINE)

    def _link_is_dead(self) -> None:
        if self._client is not None and self._client.transport is not None:
            # The link died, not (as far as we know) the network or the server: no back-off.
            self._reconnect_at_once = True
            self._client.abort()  # -> disconnected: reconnect and resume

    def _cancel_retry(self) -> None:
        if self._retry_handle is not None:
            self._retry_handle.cancel()
            self._retry_handle = None

    async def _on_session_start(self, _event: object) -> None:
        client = self._client
        assert client is not None
        try:
            await client.get_roster(timeout=20)
        except (IqError, IqTimeout) as exc:
            log.warning("roster request failed: %s", exc)
        self._adopt_group_members()
        if self._capabilities is not None:
            # Before our first presence, whose caps hash covers every feature announced.
            await self._capabilities.refresh()
        # Presence first: the server answers its probes at once. Subscribing before that lets a
        # probe's "unsubscribed" (from a staff member who has not approved us yet) arrive after
        # our subscribe and cancel it (seen with Prosody's shared roster groups).
        self._send_own_presence()
        if not await self._subscribe_to_staff():
            return  # the connection went away meanwhile; the next session starts again
        self._retry_delay = 1.0
        log.info("online as %s", client.boundjid.full)
        self._monitor.set(ConnectionState.ONLINE)

    # -- roster and subscriptions ---------------------------------------------------------
    def _adopt_group_members(self) -> None:
        """Members of the policy's roster group (e.g. a shared roster) are staff too."""
        client = self._client
        if client is None:
            return
        roster = client.client_roster
        self._adopt({jid: (roster[jid]["groups"], roster[jid]["name"]) for jid in roster})

    def _on_roster_update(self, iq: Any) -> None:
        """A roster push names only what changed: look at those items, not the whole roster
        (re-reading it per push made a login with 1,000 contacts quadratic)."""
        try:
            items = iq["roster"]["items"]
        except (KeyError, TypeError):
            self._adopt_group_members()
            return
        self._adopt({jid: (item.get("groups", ()), item.get("name", ""))
                     for jid, item in items.items()})

    def _adopt(self, items: dict[Any, tuple[Iterable[str], str]]) -> None:
        group = self._directory.group
        me = bare_jid(self._jid)
        with self._book.batch():
            for jid, (groups, name) in items.items():
                if group and group in groups and bare_jid(str(jid)) != me:
                    self._book.add_staff(str(jid), name or "")
                elif name and self._book.is_staff(str(jid)):
                    self._book.set_name(str(jid), name)

    async def _subscribe_to_staff(self) -> bool:
        """Ask every staff member for their presence, at every login; False if the connection
        was lost before all were asked.

        Not skipped when the roster already says "both": a server shared roster (mod_groups)
        shows that without the staff member's server ever sending us presence. Where the
        subscription is real, their server answers for them (RFC 6121 3.1.3), which is not free:
        Prosody sends a roster push and their presence again, so a staff login with 1,000
        requesters online receives ~3,000 presences and 1,000 pushes instead of 1,000 presences.
        Queued a few at a time, letting the loop run in between.
        """
        client = self._client
        assert client is not None
        me = bare_jid(self._jid)
        jids = [member.jid for member in self._book.members() if member.jid != me]
        for start in range(0, len(jids), _SUBSCRIBES_PER_TURN):
            if start:
                await asyncio.sleep(0)
                if client.transport is None:
                    return False
            for jid in jids[start : start + _SUBSCRIBES_PER_TURN]:
                client.send_presence_subscription(pto=jid, ptype="subscribe")
        return True

    def _on_subscribe(self, presence: Any) -> None:
        client = self._client
        assert client is not None
        sender = presence["from"].bare
        if self._directory.auto_approves(sender):
            log.info("approving presence subscription from %s (policy)", sender)
            client.send_presence(pto=sender, ptype="subscribed")
            if self._book.is_staff(sender):
                item = client.client_roster[sender]
                if item["subscription"] not in ("to", "both") and not item["pending_out"]:
                    client.send_presence(pto=sender, ptype="subscribe")
        else:
            log.info("leaving presence subscription from %s for the user to decide", sender)

    # -- presence -------------------------------------------------------------------------
    def _on_presence(self, presence: Any) -> None:
        ptype = presence["type"]
        if ptype not in _AVAILABILITY_TYPES:
            return
        sender = presence["from"]
        if not self._book.is_staff(sender.bare):
            return
        availability = Availability.from_show(ptype)
        idle_since: datetime | None = None
        if presence.get_plugin("idle", check=True) is not None:
            try:
                idle_since = presence["idle"]["since"]
            except ValueError:
                log.info("ignoring a malformed idle timestamp from %s", sender.bare)
        try:
            priority = int(presence["priority"] or 0)
        except ValueError:
            priority = 0
        self._book.update(sender.full, availability, presence["status"] or "", priority,
                          idle_since, on_call_wire.back_at_of(presence, self._clock()))
        if availability is not Availability.OFFLINE:
            self._details.came_online(sender.full, ask_idle=idle_since is None)

    def _send_own_presence(self) -> None:
        client = self._client
        if client is None or not client.authenticated or client.transport is None:
            return
        own = self._own.current
        if self._staff_room is not None:
            # After our presence: the room join is directed presence, which must come later.
            asyncio.get_running_loop().call_soon(
                self._staff_room.presence_sent, own.show is Availability.OFFLINE)
        if own.show is Availability.OFFLINE:
            client.send_presence(ptype="unavailable", pstatus=own.status or None)
            self._presence_sent()
            return
        show = {Availability.AWAY: "xa" if own.extended else "away",
                Availability.BUSY: "dnd"}.get(own.show)
        presence = client.make_presence(pshow=show, pstatus=own.status or None)
        if own.idle_since is not None:
            # Auto-away: say since when we are idle (XEP-0319), so others see "idle 20 min".
            presence["idle"]["since"] = own.idle_since
        if own.back_at is not None:
            on_call_wire.add_back_at(presence, own.back_at)
        if self._capabilities is not None:
            self._capabilities.add_to(presence)
        # Sent now, not later: at login our presence must go out before our subscriptions.
        presence.send()
        self._presence_sent()

    def _presence_sent(self) -> None:
        if self.chat_wire is not None:
            # After our presence, so the server has handed us what waited offline; on its own
            # turn of the loop, so nothing there can stop the login that called us.
            asyncio.get_running_loop().call_soon(self.chat_wire.archive.presence_sent)

    # -- plumbing -------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_handler_exception(self, exception: BaseException) -> None:
        log.error("error in an XMPP event handler", exc_info=exception)
