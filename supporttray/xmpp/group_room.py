"""Three-way chats: a 1:1 chat turned into a members-only, non-anonymous room (XEP-0045) on our
server's MUC service, found by discovery (policy `muc.service` may name it).

The people are invited directly (XEP-0249: a message to them naming the room, with a body for
clients without it); an invitation that bounces because the client does not take direct
invitations goes again as a mediated one (XEP-0045 §7.8.2, through the room). One that bounces
because their server cannot reach ours (another company's server, a firewall) becomes a
sentence in the room's conversation, not silence.

Room messages are plain groupchat messages with a body, so any client takes part. What we keep
of them is the conversation with the room's address, each line as "name: text" (the history
stores one peer per message; the name is what makes the transcript readable in search and
export).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from slixmpp.exceptions import IqError, IqTimeout, PresenceError

from supporttray.core.jid import bare_jid, domain_of, local_part
from supporttray.core.messages import ChatMessage, Delivery, Direction, TransportOffline
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.discovery import MUC, ServiceDirectory
from supporttray.xmpp.stanzas import delay_time, stanza_id_by

log = logging.getLogger("supporttray.xmpp")

JOIN_TIMEOUT = 15.0
# Room names people read: every client shows a room's address where it has no other name.
_NAME_CHARS = re.compile(r"[^a-z0-9]+")
_NAME_PART_CHARS = 16
_ROOM_CONFIG = {
    "muc#roomconfig_roomname": "Support chat",
    "muc#roomconfig_roomdesc": "A SupportTray support chat with more than two people",
    "muc#roomconfig_persistentroom": "1",  # so a reconnect (or a colleague) finds it again
    "muc#roomconfig_membersonly": "1",
    "muc#roomconfig_publicroom": "0",
    "muc#roomconfig_whois": "anyone",  # non-anonymous: everyone sees who is who
    "muc#roomconfig_enablearchiving": "1",
}
# A bounced invitation: their client does not take direct invitations -> mediated instead.
_NOT_UNDERSTOOD = {"feature-not-implemented", "service-unavailable", "bad-request"}
# Their server cannot be reached from ours (or ours from theirs).
_UNREACHABLE = {"remote-server-not-found", "remote-server-timeout"}
# What our server says when it routes to no other domain at all (Prosody without s2s:
# not-allowed; ejabberd's access rules: forbidden).
_REFUSED_TO_ROUTE = {"not-allowed", "forbidden"}


class RoomError(Exception):
    """The chat could not become a group chat: the sentence says why."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(str(sentence))
        self.sentence = sentence


class RoomSink(Protocol):
    """Where room traffic goes (app.group_chat.GroupChats)."""

    muc_service: str  # the MUC service the policy names; "" = find it by discovery

    def room_message(self, message: ChatMessage) -> None: ...

    def room_notice(self, room: str, sentence: Sentence) -> None: ...

    def invited(self, room: str, inviter: str, reason: str) -> None: ...


class GroupRooms:
    """The three-way chats of one login: create, invite, join, leave, close, rejoin."""

    def __init__(self, sink: RoomSink, *, muc_service: str = "",
                 ignore_room: Callable[[str], bool] = lambda _room: False) -> None:
        self._sink = sink
        self._muc_service = muc_service
        self._ignore_room = ignore_room
        self._client: Any = None
        self._services: ServiceDirectory | None = None
        self._nicks: dict[str, str] = {}  # room -> our nick, for every room we are in
        self._invites: dict[str, tuple[str, str]] = {}  # invitation id -> (room, invitee)
        self._tasks: set[asyncio.Task[Any]] = set()

    def install(self, client: Any, services: ServiceDirectory) -> None:
        self._client = client
        self._services = services
        for plugin in ("xep_0004", "xep_0045", "xep_0249", "xep_0359"):
            client.register_plugin(plugin)
        client.add_event_handler("groupchat_message", self._on_message)
        client.add_event_handler("groupchat_direct_invite", self._on_direct_invite)
        client.add_event_handler("groupchat_invite", self._on_mediated_invite)
        client.add_event_handler("message_error", self._on_message_error)
        client.add_event_handler("session_start", self._rejoin)

    # -- what the app asks ------------------------------------------------------------------
    def is_room(self, jid: str) -> bool:
        return bare_jid(jid) in self._nicks

    def rooms(self) -> list[str]:
        return sorted(self._nicks)

    async def create(self, invitees: list[str], reason: str) -> str:
        """A new room with us as owner and `invitees` as members, each invited; its JID."""
        client = self._client
        if client is None or client.transport is None:
            raise RoomError(Sentence(N_("You are not connected; invite again once the "
                                        "connection is back.")))
        service = await self._find_service()
        room = f"{room_name_for(invitees)}@{service}"
        await self.join(room, catch_up=False)
        await self._configure(room, invitees)
        for jid in invitees:
            # One at a time: Prosody 0.12 applied only the first item of a list.
            try:
                await client.plugin["xep_0045"].set_affiliation(
                    room, "member", jid=bare_jid(jid), timeout=10)
            except (IqError, IqTimeout) as exc:
                log.warning("could not make an invitee a member of %s: %s", room, exc)
            self.invite(room, jid, reason)
        return room

    async def join(self, room: str, *, catch_up: bool = True) -> None:
        """Enter `room` under our own name; RoomError with the room's refusal. `catch_up`:
        the room's recent lines come too (what was said before we came in, or while we were
        away; the history keeps each once)."""
        client = self._client
        nick = local_part(bare_jid(str(client.boundjid))) or "supporttray"
        # Ours before the room answers: its first lines can arrive in the same read as the
        # presence that lets us in, before this coroutine goes on (seen on ejabberd).
        self._nicks[bare_jid(room)] = nick
        try:
            await client.plugin["xep_0045"].join_muc_wait(
                room, nick, maxstanzas=None if catch_up else 0, timeout=JOIN_TIMEOUT)
        except PresenceError as exc:
            self._nicks.pop(bare_jid(room), None)
            raise RoomError(Sentence(N_("The group chat {room} did not let you in ({reason})."),
                                     {"room": room, "reason": exc.condition})) from None
        except TimeoutError:
            self._nicks.pop(bare_jid(room), None)
            raise RoomError(Sentence(N_("The group chat {room} did not answer."),
                                     {"room": room})) from None
        log.info("in the group chat %s", room)

    def invite(self, room: str, jid: str, reason: str) -> None:
        """A direct invitation (XEP-0249) with a body any client shows."""
        message = self._client.make_message(
            mto=bare_jid(jid), mtype="normal",
            mbody=f"You are invited to a support chat: {room} ({reason}). Join it with your "
                  "chat app to talk with everyone in it.")
        message["groupchat_invite"]["jid"] = room
        message["groupchat_invite"]["reason"] = reason
        self._invites[str(message["id"]) or self._new_id(message)] = (room, bare_jid(jid))
        message.send()

    def send(self, message: ChatMessage) -> None:
        """Our line in the room (the outbox's message, its id as origin-id)."""
        client = self._client
        if client is None or client.transport is None or not self.is_room(message.peer):
            raise TransportOffline(message.id)
        stanza = client.make_message(mto=message.peer, mtype="groupchat", mbody=message.body)
        stanza["id"] = message.id
        stanza["origin_id"]["id"] = message.id
        try:
            stanza.send()
        except Exception as exc:  # NotConnectedError mid-disconnect
            raise TransportOffline(message.id) from exc

    def leave(self, room: str) -> None:
        nick = self._nicks.pop(bare_jid(room), None)
        if nick is not None and self._client is not None and self._client.transport is not None:
            self._client.plugin["xep_0045"].leave_muc(room, nick)

    async def close(self, room: str) -> None:
        """End the chat for everyone (we own it): the room is destroyed, the transcript
        stays in each history."""
        self._nicks.pop(bare_jid(room), None)
        try:
            await self._client.plugin["xep_0045"].destroy(room, "The support chat was closed.",
                                                          timeout=10)
        except (IqError, IqTimeout) as exc:
            raise RoomError(Sentence(N_("The group chat could not be closed ({reason})."),
                                     {"reason": type(exc).__name__})) from None

    # -- internals ----------------------------------------------------------------------------
    async def _find_service(self) -> str:
        services = self._services
        assert services is not None
        lookup = await (services.check(self._muc_service, MUC) if self._muc_service
                        else services.find(MUC))
        if not lookup.jid:
            raise RoomError(Sentence(N_(
                "Your chat server offers no group chats, so a third person cannot be added. "
                "Ask IT to enable a MUC service (or name it in the policy as muc.service).")))
        return lookup.jid

    async def _configure(self, room: str, invitees: list[str]) -> None:
        client = self._client
        try:
            form = await client.plugin["xep_0045"].get_room_config(room)
            answer = client.plugin["xep_0004"].make_form(ftype="submit")
            answer.add_field(var="FORM_TYPE", ftype="hidden",
                             value="http://jabber.org/protocol/muc#roomconfig")
            offered = set(form.get_fields())
            names = ", ".join(local_part(bare_jid(j)) for j in invitees)
            config = {**_ROOM_CONFIG, "muc#roomconfig_roomname": f"Support chat: {names}"}
            for var, value in config.items():
                if var in offered:
                    answer.add_field(var=var, value=value)
            await client.plugin["xep_0045"].set_room_config(room, answer, timeout=10)
        except (IqError, IqTimeout, ValueError) as exc:
            log.warning("could not configure the group chat %s: %s", room, exc)

    def _new_id(self, message: Any) -> str:
        message["id"] = secrets.token_hex(8)
        return str(message["id"])

    def _on_message(self, stanza: Any) -> None:
        room = bare_jid(str(stanza["from"]))
        nick = str(stanza["from"].resource)
        body = str(stanza["body"] or "")
        if room not in self._nicks or not body or not nick:
            return  # not ours, a subject, or the room's own notice
        if nick == self._nicks[room]:
            return  # our own line, echoed: kept when we sent it
        sid = stanza_id_by(stanza, room)
        origin = stanza.get_plugin("origin_id", check=True)
        message_id = (origin["id"] if origin is not None else "") or sid or str(stanza["id"])
        self._sink.room_message(ChatMessage(
            id=message_id or secrets.token_hex(8), peer=room, direction=Direction.IN,
            body=f"{nick}: {body}", timestamp=delay_time(stanza) or datetime.now(UTC),
            delivery=Delivery.RECEIVED))

    def _on_direct_invite(self, stanza: Any) -> None:
        if stanza["type"] == "error":
            return  # our own invitation bounced (ejabberd returns it whole): _on_message_error
        room = bare_jid(str(stanza["groupchat_invite"]["jid"]))
        if room and not self._ignore_room(room):
            self._sink.invited(room, bare_jid(str(stanza["from"])),
                               str(stanza["groupchat_invite"]["reason"] or ""))

    def _on_mediated_invite(self, stanza: Any) -> None:
        if stanza["type"] == "error":
            return
        room = bare_jid(str(stanza["from"]))
        invite = stanza["muc"]["invite"]
        inviter = bare_jid(str(invite["from"])) if invite is not None else ""
        if room and inviter and not self._ignore_room(room):
            self._sink.invited(room, inviter, str(invite["reason"] or ""))

    def _on_message_error(self, stanza: Any) -> None:
        sent = self._invites.pop(str(stanza["id"]), None)
        if sent is None:
            return
        room, invitee = sent
        condition = str(stanza["error"]["condition"])
        if condition in _NOT_UNDERSTOOD:
            log.info("%s takes no direct invitations (%s): inviting through the room",
                     invitee, condition)
            self._client.plugin["xep_0045"].invite(room, invitee, "A support chat")
            return
        # Our server refusing to route to another domain at all leaves them as unreachable
        # as a server that does not answer.
        elsewhere = domain_of(invitee) != domain_of(bare_jid(str(self._client.boundjid)))
        if condition in _UNREACHABLE or (elsewhere and condition in _REFUSED_TO_ROUTE):
            sentence = Sentence(N_(
                "{who} could not be reached: their chat server and ours cannot talk to each "
                "other ({condition}). Ask them for an address on a server that federates, "
                "or ask IT to allow server-to-server connections."),
                {"who": invitee, "condition": condition})
        else:
            sentence = Sentence(N_("The invitation to {who} was refused ({condition})."),
                                {"who": invitee, "condition": condition})
        self._sink.room_notice(room, sentence)

    def _rejoin(self, _event: object) -> None:
        """A new session: the rooms we were in are left on the server's side; go back in."""
        for room in list(self._nicks):
            task = asyncio.ensure_future(self._join_again(room))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _join_again(self, room: str) -> None:
        try:
            await self.join(room)
        except RoomError as exc:
            self._nicks.pop(room, None)
            self._sink.room_notice(room, exc.sentence)


class RoomAwareTransport:
    """The chat service's transport: lines to a room go as groupchat, the rest as chat."""

    def __init__(self, chat: Any, rooms: GroupRooms) -> None:
        self._chat = chat
        self._rooms = rooms

    @property
    def online(self) -> bool:
        return bool(self._chat.online)

    def send_chat(self, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> bool:
        if self._rooms.is_room(message.peer):
            self._rooms.send(message)
            return False  # no ack tracked: SENT once handed over
        return bool(self._chat.send_chat(message, sysinfo))

    def send_chat_state(self, peer: str, state: str) -> None:
        if not self._rooms.is_room(peer):
            self._chat.send_chat_state(peer, state)


def room_name_for(invitees: list[str]) -> str:
    """`support-grace-victor-3f9a`: whom the chat is with (as their addresses start), then a
    few random characters so that two chats with the same people are two rooms."""
    parts = [_NAME_CHARS.sub("-", local_part(bare_jid(j)).lower()).strip("-")[:_NAME_PART_CHARS]
             for j in invitees]
    readable = "-".join(part for part in parts if part)
    return f"support-{readable}-{secrets.token_hex(2)}" if readable else (
        f"support-{secrets.token_hex(4)}")
