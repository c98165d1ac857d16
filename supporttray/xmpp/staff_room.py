"""The staff room: one members-only MUC (XEP-0045) every staff client joins, where the team's
request queue is shared.

Routing sends a question to one staff member, so that member's client posts the request here;
claims ("Take it") and resolutions are posted here too. Each is a groupchat message with a
plain-text body (readable in any XMPP client in the room) and one small element of ours
(xmpp/stanzas.py: <request/>, <claim/>, <resolved/> in urn:supporttray:request:0).

The room gives every occupant the same order of messages and archives them (XEP-0313, in that
order), and core.requests applies events in order with "first claim wins": two claims in the
same second show the same single owner everywhere, and after a restart the archive replays the
same result. Our own posts count only once the room echoes them back.

The first staff client to join creates the room: persistent, members-only, non-anonymous,
hidden, archived; every staff member it knows becomes an owner, so whoever of them is online
can let in a colleague who joined the team later (and invites them, XEP-0249).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slixmpp.exceptions import IqError, IqTimeout, PresenceError
from slixmpp.xmlstream import ElementBase

from supporttray.core.jid import bare_jid
from supporttray.core.listeners import Listeners
from supporttray.core.requests import QUESTION_CHARS, RequestQueue, SupportRequest
from supporttray.core.sysinfo import SysinfoRejected, validate_received
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.discovery import MUC, ServiceDirectory, ServiceLookup
from supporttray.xmpp.messaging import xml_text
from supporttray.xmpp.stanzas import RoomClaim, RoomRequest, RoomResolved, stanza_id_by

log = logging.getLogger("supporttray.xmpp")

# How far back a (re)start reads the room's archive: requests older than this that nobody
# resolved are not shown again.
REPLAY_DAYS = 14
JOIN_TIMEOUT = 20.0
MISSING_RETRY_SECONDS = 5.0
# The server did not say where its group chat service is: look again after this long.
UNANSWERED_RETRY_SECONDS = 30.0
# Conditions under which the room cannot be reached or made here: no such room or service, or
# (not-allowed) a server that forbids creating it or reaching that domain.
_MISSING = ("item-not-found", "remote-server-not-found", "service-unavailable", "not-allowed")
# Clocks differ between us and the server: read back a little more than strictly needed.
REJOIN_OVERLAP = timedelta(minutes=10)
_ROOM_CONFIG = {
    "muc#roomconfig_roomname": "Support staff",
    "muc#roomconfig_roomdesc": "SupportTray: open requests, claims and resolutions",
    "muc#roomconfig_persistentroom": "1",
    "muc#roomconfig_membersonly": "1",
    "muc#roomconfig_publicroom": "0",
    "muc#roomconfig_whois": "anyone",
    "muc#roomconfig_enablearchiving": "1",
}
_MEMBER_AFFILIATIONS = ("owner", "admin", "member")


@dataclass(frozen=True)
class RoomStatus:
    """For `status --json` and the queue window: are claims shared right now, and if not why."""

    jid: str
    joined: bool = False
    # English in status --json and the log, translated in the queue window.
    error: Sentence | None = None
    # The room cannot exist here (no such room or MUC service): claims stay on this computer.
    missing: bool = False

    def as_status(self) -> dict[str, Any]:
        return {"jid": self.jid, "joined": self.joined,
                "error": str(self.error) if self.error else None}


class StaffRoom:
    """Our client's side of the staff room: join, replay, post, and apply what the room says."""

    def __init__(self, room: str, me: str, queue: RequestQueue, *,
                 staff: Callable[[], list[str]]) -> None:
        """`room`: "name@service" as policy names it, or a bare name for a room on the MUC
        service that discovery finds."""
        self._wanted = room.strip()
        # "" until the service is found (a bare name): no message or presence matches it.
        self.room = bare_jid(room) if "@" in room else ""
        self._services = ServiceDirectory()
        self._me = bare_jid(me)
        self._queue = queue
        self._staff = staff  # the staff we know (policy + support group), to let in
        self._client: Any = None
        self._status = RoomStatus(self.room)
        self.changed: Listeners[RoomStatus] = Listeners()
        self._joining = False
        self._join_again = False
        self._removed_while_joining = False
        self._replaying = False
        self._held: list[Any] = []  # live messages that came while the archive replayed
        self._seen: set[str] = set()  # stanza-ids applied (archive and live), kept across joins
        # Rejoining (a reconnect, back from "appear offline") reads the archive from a little
        # before we left, not 14 days again; what overlaps is skipped by stanza-id.
        self._caught_up: datetime | None = None
        self._outbox: list[tuple[ElementBase, str]] = []  # our posts made while not in the room
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refused: asyncio.Future[str] | None = None  # the join's error, if one comes
        # What the room's disco#info says, read at each join.
        self._members_only = False
        self._shows_jids = False  # non-anonymous: every occupant's real JID is in its presence
        self._retried_missing = False
        self._orphans = 0  # replayed claims/resolutions whose request the archive no longer has
        self._resolved_ids: set[str] = set()
        self._in_before_drop = False
        self._occupants: dict[str, str] = {}  # nick -> real bare JID, from the room's presence

    def names(self, jid: str) -> bool:
        """True if `jid` is this room, also before discovery has found its service (an
        invitation can come first): three-way chats leave it alone."""
        wanted = self._wanted.partition("@")
        room = bare_jid(jid)
        return room == self.room or (not wanted[2] and room.partition("@")[0] == wanted[0])

    # -- wiring ---------------------------------------------------------------------------
    def install(self, client: Any, services: ServiceDirectory | None = None) -> None:
        """`services`: the connection's (shared with other users of discovery); else our own."""
        self._client = client
        if services is None:
            services = ServiceDirectory()
            services.install(client)
        self._services = services
        for plugin in ("xep_0045", "xep_0249", "xep_0313", "xep_0359"):
            client.register_plugin(plugin)
        client.add_event_handler("groupchat_message", self._on_room_message)
        client.add_event_handler("groupchat_direct_invite", self._on_invite)
        client.add_event_handler("groupchat_presence", self._on_room_presence)
        # slixmpp's join waits out its timeout on an error without a MUC element (Prosody's
        # registration-required has none): we watch for it ourselves.
        client.add_event_handler("presence_error", self._on_presence_error)
        client.add_event_handler("disconnected", lambda _e: self._disconnected())
        client.add_event_handler("session_resumed", lambda _e: self._resumed())

    @property
    def status(self) -> RoomStatus:
        return self._status

    def presence_sent(self, offline: bool) -> None:
        """Our broadcast presence went out: the server takes "appear offline" to the room too
        (RFC 6121 4.6.3), so we are out; anything else, we (re)join if we are not in."""
        if offline:
            self._left(Sentence(N_("You appear offline, so you are not in the staff room.")))
        else:
            self._want_in()

    def _want_in(self) -> None:
        if self._joining:
            self._join_again = True  # things changed meanwhile: look again when it ends
        elif not self._status.joined:
            self._spawn(self.join())

    # -- posting --------------------------------------------------------------------------
    def post_request(self, request: SupportRequest) -> None:
        element = RoomRequest()
        element["id"] = request.id
        element["from"] = request.requester
        element["opened"] = request.opened.astimezone(UTC).isoformat(timespec="microseconds")
        element["thread"] = request.thread or ""
        element["summary"] = request.summary
        element["first_line"] = request.first_line
        element["question"] = xml_text(request.question)
        element["sysinfo"] = request.sysinfo
        machine = f" [{request.summary}]" if request.summary else ""
        self._post(element, f"New request from {request.requester}: "
                            f"{request.first_line}{machine}")

    def post_claim(self, request: SupportRequest) -> None:
        self._post(_event(RoomClaim(), request.id, self._me),
                   f"{self._me} takes the request from {request.requester}: "
                   f"{request.first_line}")

    def post_resolved(self, request: SupportRequest) -> None:
        self._post(_event(RoomResolved(), request.id, self._me),
                   f"{self._me} marked the request from {request.requester} "
                   f"resolved: {request.first_line}")

    def _post(self, element: ElementBase, body: str) -> None:
        client = self._client
        if client is None or not self._status.joined or self._replaying:
            self._outbox.append((element, body))
            return
        message = client.make_message(mto=self.room, mtype="groupchat", mbody=body)
        message.append(element)
        try:
            message.send()
        except Exception:  # slixmpp raises NotConnectedError mid-disconnect
            self._outbox.append((element, body))

    # -- joining --------------------------------------------------------------------------
    async def join(self) -> None:
        client = self._client
        if client is None or self._joining or self._status.joined:
            return
        self._joining = True
        try:
            while True:
                self._join_again = False
                await self._join(client)
                if self._status.joined or not self._join_again or client.transport is None:
                    break
        except Exception as exc:  # the connection went away mid-join: the next session rejoins
            log.info("joining the staff room was cut short: %s", exc)
            self._left(None)
        finally:
            self._joining = False

    async def _find_room(self) -> bool:
        """Where the room is: on the service policy names, or on the MUC service discovery
        finds. False, and why in the status, when there is no such service."""
        name, _, service = self._wanted.partition("@")
        lookup = await (self._services.check(service, MUC) if service
                        else self._services.find(MUC))
        if not lookup.jid:
            self._set(False, _no_service_error(service, lookup), missing=True)
            if not lookup.answered:
                asyncio.get_running_loop().call_later(UNANSWERED_RETRY_SECONDS, self._want_in)
            return False
        self.room = bare_jid(f"{name}@{lookup.jid}")
        return True

    async def _join(self, client: Any) -> None:
        self._removed_while_joining = False
        if not await self._find_room():
            return
        muc = client.plugin["xep_0045"]
        self._refused = refused = asyncio.get_running_loop().create_future()
        joining = asyncio.ensure_future(muc.join_muc_wait(
            self.room, self._me, maxstanzas=0, timeout=JOIN_TIMEOUT))
        try:
            await asyncio.wait([joining, refused], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._refused = None
        if refused.done():
            joining.cancel()
            self._refused_with(refused.result())
            return
        try:
            presence, _subject, _occupants, _history = joining.result()
        except PresenceError as exc:
            self._refused_with(f"{exc.condition}\n{exc.text or ''}")
            return
        except TimeoutError:
            self._set(False, Sentence(N_("The staff room {room} did not answer."),
                                      {"room": self.room}))
            return
        codes = presence["muc"]["status_codes"]
        affiliation = presence["muc"]["affiliation"]
        if 201 in codes:
            await self._configure(client)
        self._members_only, self._shows_jids = await self._room_kind(client)
        if self._removed_while_joining:
            # Put out (321/322) while we looked the room over: the presence we joined on is
            # stale, and the retry the removal scheduled joins again (seen on ejabberd when the
            # creator made the new room members-only a moment after we came in).
            return
        self._replaying = True
        self._set(True, None)
        try:
            await self._replay(client)
        finally:
            self._replaying = False
        held, self._held = self._held, []
        for message in held:
            self._apply(message)
        outbox, self._outbox = self._outbox, []
        for element, body in outbox:
            self._post(element, body)
        if affiliation == "owner":
            await self._let_in_colleagues(client)
        log.info("in the staff room %s as %s", self.room, affiliation or "member")

    async def _configure(self, client: Any) -> None:
        """We created the room: make it persistent, members-only, non-anonymous, archived."""
        try:
            form = await client.plugin["xep_0045"].get_room_config(self.room)
            answer = client.plugin["xep_0004"].make_form(ftype="submit")
            answer.add_field(var="FORM_TYPE", ftype="hidden",
                             value="http://jabber.org/protocol/muc#roomconfig")
            offered = set(form.get_fields())
            for var, value in _ROOM_CONFIG.items():
                if var in offered:
                    answer.add_field(var=var, value=value)
            await client.plugin["xep_0045"].set_room_config(self.room, answer, timeout=10)
            log.info("created the staff room %s", self.room)
        except (IqError, IqTimeout, ValueError) as exc:
            log.warning("could not configure the new staff room %s: %s", self.room, exc)

    async def _room_kind(self, client: Any) -> tuple[bool, bool]:
        """(members-only, non-anonymous), as the room's disco#info says."""
        try:
            info = await client.plugin["xep_0030"].get_info(jid=self.room, timeout=10)
        except (IqError, IqTimeout) as exc:
            log.info("could not ask the staff room what it is: %s", exc)
            return False, False
        features = set(info["disco_info"]["features"])
        members_only = "muc_membersonly" in features
        if not members_only:
            log.warning("the staff room %s is open to anyone: only events from the staff "
                        "named by policy or the support group count", self.room)
        return members_only, "muc_nonanonymous" in features

    async def _let_in_colleagues(self, client: Any) -> None:
        """Make every staff member we know an owner of the room, and invite the new ones.

        Owners, not members: then whoever of them is online can let in the next colleague
        (only owners may see and change the owner and admin lists)."""
        muc = client.plugin["xep_0045"]
        try:
            known: set[str] = set()
            for affiliation in _MEMBER_AFFILIATIONS:
                known |= {bare_jid(str(j)) for j in
                          await muc.get_affiliation_list(self.room, affiliation, timeout=10)}
            missing = sorted({bare_jid(j) for j in self._staff()} - known - {self._me})
            if not missing:
                return
            await muc.send_affiliation_list(self.room, [(j, "owner") for j in missing],
                                            timeout=10)
        except (IqError, IqTimeout) as exc:
            log.warning("could not add staff to %s: %s", self.room, exc)
            return
        for jid in missing:
            invitation(client, jid, self.room).send()
        log.info("let %d colleague(s) into the staff room", len(missing))

    async def _replay(self, client: Any) -> None:
        """Apply the archive's events in order, so a restart shows the claims made before it."""
        start = (self._caught_up - REJOIN_OVERLAP if self._caught_up is not None
                 else datetime.now(UTC) - timedelta(days=REPLAY_DAYS))
        count = 0
        self._orphans = 0
        try:
            async for result in client.plugin["xep_0313"].iterate(
                    jid=self.room, start=start, rsm={"max": 200}):
                archived = result["mam_result"]
                inner = archived["forwarded"]["stanza"]
                if inner and archived["id"] not in self._seen:
                    self._seen.add(archived["id"])
                    self._apply_event(inner)
                    count += 1
        except (IqError, IqTimeout) as exc:
            log.warning("the staff room %s keeps no archive we can read (%s): claims made "
                        "before this start are not shown", self.room, exc)
        log.info("replayed %d staff room message(s)", count)
        if self._orphans:
            # Servers keep a room's archive to a number of messages (Prosody:
            # storage_archive_item_limit), dropping the oldest: requests whose announcement
            # was dropped are not shown again after a restart.
            log.warning("the staff room's archive starts after %d claim(s) or resolution(s) "
                        "of requests it no longer holds: older open requests are not shown. "
                        "Ask IT to raise the room archive's size (Prosody: "
                        "storage_archive_item_limit on the MUC component).", self._orphans)

    def _refused_with(self, reason: str) -> None:
        """`reason`: the error condition, a line end, the server's text (may be empty)."""
        condition, _, text = reason.partition("\n")
        missing = condition in _MISSING
        self._set(False, _join_error(self.room, condition, text.strip()), missing=missing)
        if condition == "item-not-found" and not self._retried_missing:
            # Also what a room says while its creator is still configuring it: look once more.
            self._retried_missing = True
            asyncio.get_running_loop().call_later(MISSING_RETRY_SECONDS, self._want_in)

    def _set(self, joined: bool, error: Sentence | None, *, missing: bool = False) -> None:
        if joined:
            self._retried_missing = False
        status = RoomStatus(self.room, joined, error, missing)
        if status != self._status:
            self._status = status
            if error:
                log.warning("%s", error)
            self.changed.emit(status)

    def _disconnected(self) -> None:
        # A join in flight belongs to the session that just ended: its replies will never come
        # (slixmpp waits out each query's timeout), and it would keep the next session's join
        # from starting until then.
        for task in list(self._tasks):
            task.cancel()
        self._in_before_drop = self._status.joined
        self._left(None)

    def _resumed(self) -> None:
        """The server kept our session (XEP-0198), so also our place in the room; what was said
        there meanwhile comes with the resumed stream."""
        if self._in_before_drop:
            self._set(True, None)
        else:
            self._want_in()

    def _left(self, reason: Sentence | None) -> None:
        if self._status.joined and not self._replaying:
            self._caught_up = datetime.now(UTC)
        self._set(False, reason)

    # -- receiving ------------------------------------------------------------------------
    def _on_room_message(self, message: Any) -> None:
        if bare_jid(str(message["from"])) != self.room:
            return
        if self._replaying:
            self._held.append(message)
            return
        self._apply(message)

    def _apply(self, message: Any) -> None:
        sid = stanza_id_by(message, self.room)
        if sid:
            if sid in self._seen:
                return  # already applied from the archive
            self._seen.add(sid)
        self._apply_event(message)

    def _apply_event(self, message: Any) -> None:
        request = message.get_plugin("supporttray_request", check=True)
        events = [e for e in (request, message.get_plugin("supporttray_claim", check=True),
                              message.get_plugin("supporttray_resolved", check=True))
                  if e is not None]
        if not events:
            return  # a colleague chatting in the room
        # Who posted it: the occupant's real JID, which the non-anonymous room shows in its
        # presence (a nick is whatever anyone chose: a stranger may call themselves
        # "ben@example.org"); else the nick, which each client sets to its bare JID (an
        # archived post by someone who left). A claim or resolution counts only in the poster's
        # own name. In a members-only room every poster is a colleague; in a room open to
        # anyone (made so by mistake, or by someone else) only the staff we know count.
        nick = message["from"].resource
        real = self._occupants.get(nick)
        if real is None and not self._shows_jids and bare_jid(nick) != self._me:
            # A room that hides who its occupants are (not made by our team): nobody's
            # event can be told from a stranger's.
            log.warning("ignored a staff room event from %r: the room does not show who "
                        "posts", nick)
            return
        poster = real or bare_jid(nick)
        if not self._members_only and poster != self._me and \
                poster not in {bare_jid(j) for j in self._staff()}:
            log.warning("ignored a staff room event from %r: not one of the staff", poster)
            return
        if request is not None:
            parsed = _parse_request(request)
            if parsed is not None:
                self._queue.announced(parsed, live=not self._replaying)
            return
        event = events[0]
        request_id, by = event["request"], bare_jid(event["by"])
        if not request_id or by != poster:
            log.warning("ignored a %s by %r posted by %r", event.name, by, poster)
            return
        if self._replaying and self._queue.find(request_id) is None and \
                request_id not in self._resolved_ids:
            self._orphans += 1
        if isinstance(event, RoomClaim):
            self._queue.claimed(request_id, by)
        else:
            self._queue.resolved(request_id)
            self._resolved_ids.add(request_id)

    def _on_room_presence(self, presence: Any) -> None:
        if bare_jid(str(presence["from"])) != self.room:
            return
        nick = presence["from"].resource
        real = str(presence["muc"]["jid"] or "")
        if presence["type"] == "unavailable":
            self._occupants.pop(nick, None)
        elif real:
            self._occupants[nick] = bare_jid(real)
        codes = set(presence["muc"]["status_codes"])
        if presence["type"] != "unavailable" or 110 not in codes:
            return
        removed = codes & {301, 307, 321, 322, 332}
        if removed & {321, 322}:
            # The room became members-only (or our affiliation changed) as a colleague set it
            # up, seen on ejabberd when we joined the new room before its creator configured
            # it: the creator lets the staff in right after, so look again shortly.
            self._removed_while_joining = True
            self._left(Sentence(N_("The staff room {room} was just made members-only; joining "
                                   "again."), {"room": self.room}))
            asyncio.get_running_loop().call_later(MISSING_RETRY_SECONDS, self._want_in)
        elif removed:
            self._left(Sentence(N_("You were removed from the staff room {room} (status "
                                   "{code})."), {"room": self.room, "code": min(removed)}))
        elif self._status.joined:
            self._left(None)  # we left (appear offline, quit): the reason is already said

    def _on_presence_error(self, presence: Any) -> None:
        refused = self._refused
        if refused is not None and not refused.done() and bare_jid(
                str(presence["from"])) == self.room:
            error = presence["error"]
            refused.set_result(f"{error['condition'] or ''}\n{error['text'] or ''}")

    def _on_invite(self, message: Any) -> None:
        if bare_jid(str(message["groupchat_invite"]["jid"])) != self.room or \
                self._status.joined:
            return
        log.info("invited into the staff room by %s", bare_jid(str(message["from"])))
        self._want_in()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


# -- parsing ----------------------------------------------------------------------------------
def invitation(client: Any, jid: str, room: str) -> Any:
    """A direct invitation (XEP-0249) into the staff room, with a body, as every message we
    send: a client without XEP-0249 shows the sentence. Not yet sent."""
    invite = client.make_message(
        mto=jid, mtype="normal",
        mbody=f"You are invited to the support team's staff room {room}, where SupportTray "
              "shares the team's requests and claims.")
    invite["groupchat_invite"]["jid"] = room
    invite["groupchat_invite"]["reason"] = "The support team's request queue"
    return invite


def _event(element: ElementBase, request_id: str, by: str) -> ElementBase:
    element["request"] = request_id
    element["by"] = by
    return element


def _parse_request(element: RoomRequest) -> SupportRequest | None:
    request_id, requester = element["id"], element["from"]
    try:
        opened = datetime.fromisoformat(element["opened"].replace("Z", "+00:00"))
        # In UTC now: a time with no UTC date (year 1 at +05:00) is as bad as no time.
        opened = opened.astimezone(UTC) if opened.tzinfo is not None else opened
    except (ValueError, OverflowError):
        return None
    if not request_id or "@" not in requester or opened.tzinfo is None:
        return None
    sysinfo: tuple[tuple[str, str], ...] = ()
    pairs = element["sysinfo"]
    if pairs is not None:
        try:
            sysinfo = validate_received(pairs).as_pairs()
        except SysinfoRejected as exc:
            log.warning("ignored the system info of a staff room request: %s", exc)
    return SupportRequest(
        id=request_id[:200], requester=bare_jid(requester), thread=element["thread"] or None,
        first_line=element["first_line"].strip()[:200], opened=opened,
        summary=element["summary"][:200], question=element["question"][:QUESTION_CHARS],
        sysinfo=sysinfo,
    )


def _no_service_error(service: str, lookup: ServiceLookup) -> Sentence:
    reason = lookup.reason or ""
    if not lookup.answered:
        return Sentence(N_("The server did not say where its group chat service is ({reason}), "
                           "so claims stay on this computer for now."), {"reason": reason})
    if service:
        return Sentence(N_("The staff room's group chat service {service} is not on the server "
                           "({reason}), so claims stay on this computer. Ask IT to check "
                           "support.staff_room."), {"service": service, "reason": reason})
    return Sentence(N_("The server has no group chat (MUC) service ({reason}), so claims stay "
                       "on this computer. Ask IT to enable one (Prosody: a \"muc\" component; "
                       "ejabberd: mod_muc) or to set support.staff_room."), {"reason": reason})


def _join_error(room: str, condition: str, text: str = "") -> Sentence:
    if condition == "registration-required":
        return Sentence(N_("You are not a member of the staff room {room} yet. A colleague's "
                           "SupportTray lets you in when they are online; claims are shared "
                           "from then on."), {"room": room})
    # The server's own words stay as it wrote them.
    said = (Sentence(N_(" (the server says: {text})"), {"text": text[:200]}) if text
            else "")
    if condition == "not-allowed":
        return Sentence(N_("The server does not allow the staff room {room}{said}, so claims "
                           "stay on this computer. Ask IT to create the room or to set "
                           "support.staff_room."), {"room": room, "said": said})
    if condition in _MISSING:
        return Sentence(N_("The staff room {room} does not exist on the server, so claims stay "
                           "on this computer. Ask IT to check support.staff_room and the "
                           "server's MUC service."), {"room": room})
    if condition == "forbidden":
        return Sentence(N_("The server does not let you into the staff room {room}."),
                        {"room": room})
    if not condition:
        return Sentence(N_("Could not join the staff room {room} (no reason given){said}."),
                        {"room": room, "said": said})
    return Sentence(N_("Could not join the staff room {room} ({condition}){said}."),
                    {"room": room, "condition": condition, "said": said})
