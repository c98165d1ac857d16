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
from slixmpp import JID

from supporttray.core.messages import ChatMessage, Direction, new_message_id, new_thread_id
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.xmpp import entity_time, tls
from supporttray.xmpp.messaging import chat_stanza, register_wire_plugins
from supporttray.xmpp.staff_room import StaffRoom
from supporttray.xmpp.stanzas import attached_sysinfo

log = logging.getLogger("supporttray.demo")

# How a group-check question reads in any client (xmpp/group_check_wire.py question_body).
CHECK_MARK = "(A yes/no check from"


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
    answers: bool = False  # reply to questions like a helpful colleague
    thanks: bool = False  # a requester: thank the first staff member who writes back
    # A staff colleague in the staff room (xmpp/staff_room.py) who takes the `claims`-th
    # request the team gets, `claim_after` seconds after it arrives, and writes to the person.
    staff_room: str = ""
    colleagues: tuple[str, ...] = ()
    claims: int = 0
    claim_after: float = 8.0
    # A colleague asked a group check ("reply yes or no"): what they answer after
    # `check_after` seconds; a lone 👍 or 👎 goes as a reaction (XEP-0444), as phones do.
    check_reply: str = ""
    check_after: float = 3.0
    # Someone from outside (a vendor): joins a group chat they are invited to and says this.
    joins_invites: str = ""


class SimulatedPerson:
    def __init__(self, script: PersonScript, host: str, port: int, ca_file: Path) -> None:
        self.script = script
        self._host = host
        self._port = port
        self._ca_file = ca_file
        self._client: slixmpp.ClientXMPP | None = None
        self._online = asyncio.Event()
        self._replies: set[asyncio.Task[None]] = set()
        self._thanked: set[str] = set()
        self._queue = RequestQueue()
        self._seen_requests = 0
        self.room: StaffRoom | None = None
        if script.staff_room:
            self.room = StaffRoom(script.staff_room, script.jid, self._queue,
                                  staff=lambda: list(script.colleagues))
            self._queue.arrived.subscribe(self._on_team_request)

    async def start(self, timeout: float = 15.0) -> None:
        """Log in and show presence; returns once online. Builds the client on the running loop."""
        client = slixmpp.ClientXMPP(self.script.jid, self.script.password,
                                    ssl_context=tls.client_context(self._ca_file))
        client.enable_direct_tls = False
        client.enable_plaintext = False
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
        register_wire_plugins(client)  # xep_0184 acknowledges receipts, as real clients do
        client.add_event_handler("message", self._on_message)
        if self.script.joins_invites:
            client.register_plugin("xep_0045")
            client.add_event_handler("groupchat_direct_invite", self._on_invite)
        if self.room is not None:
            self.room.install(client)
        self._client = client
        client.connect(self._host, self._port)
        await asyncio.wait_for(self._online.wait(), timeout)

    async def _on_session_start(self, _event: object) -> None:
        assert self._client is not None
        await self._client.get_roster()
        self._send_presence()
        if self.room is not None:
            self.room.presence_sent(offline=False)  # join the staff room
        self._online.set()
        log.info("%s is online", self.script.jid)

    def _on_subscribe(self, presence: Any) -> None:
        assert self._client is not None
        sender = presence["from"].bare
        if self.script.approve_domain and sender.endswith("@" + self.script.approve_domain):
            self._client.send_presence(pto=sender, ptype="subscribed")

    def _on_message(self, stanza: Any) -> None:
        if stanza["type"] not in ("chat", "normal") or not stanza["body"]:
            return
        sender = stanza["from"].bare
        if CHECK_MARK in stanza["body"]:
            if self.script.check_reply:
                self._later(self._answer_check(sender, stanza))
            return
        if stanza.get_plugin("groupchat_invite", check=True) is not None:
            return
        if self.script.thanks and sender not in self._thanked and \
                "marked your request resolved" not in stanza["body"]:
            self._thanked.add(sender)
            self._later(self._say_thanks(sender, stanza["thread"]))
            return
        if not self.script.answers:
            return
        fields = dict(attached_sysinfo(stanza) or [])
        self._later(self._answer(sender, stanza["thread"], fields))

    def _later(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def _answer_check(self, to: str, question: Any) -> None:
        await asyncio.sleep(self.script.check_after)
        client = self._client
        if client is None or client.transport is None:
            return
        reply = self.script.check_reply
        if reply in ("👍", "👎"):
            client.register_plugin("xep_0444")
            client.plugin["xep_0444"].send_reactions(JID(to), question["id"], [reply])
        else:
            self._say(to, reply, "")  # a plain client that does not keep the thread
        log.info("%s answered a group check", self.script.jid)

    def _on_invite(self, stanza: Any) -> None:
        if stanza["type"] != "error":
            self._later(self._join_and_greet(str(stanza["groupchat_invite"]["jid"])))

    async def _join_and_greet(self, room: str) -> None:
        client = self._client
        assert client is not None
        await asyncio.sleep(2.0)
        await client.plugin["xep_0045"].join_muc_wait(JID(room), self._name, maxstanzas=0,
                                                      timeout=15)
        await asyncio.sleep(2.0)
        client.send_message(mto=JID(room), mbody=self.script.joins_invites,
                            mtype="groupchat")
        log.info("%s joined a group chat", self.script.jid)

    async def _say_thanks(self, to: str, thread: str) -> None:
        await asyncio.sleep(4.0)
        self._say(to, "Thanks! I'll try that now.", thread)

    def _on_team_request(self, request: SupportRequest) -> None:
        self._seen_requests += 1
        if self._seen_requests == self.script.claims:
            self._later(self._take(request))

    async def _take(self, request: SupportRequest) -> None:
        """Take the request for the team, then write to the person who asked."""
        await asyncio.sleep(self.script.claim_after)
        current = self._queue.find(request.id)
        if self.room is None or current is None or current.claimed_by is not None:
            return  # resolved or taken by someone else meanwhile
        self.room.post_claim(current)
        self._say(request.requester, f"Hi, {self._name} from IT here: I've taken your request "
                                     f"(\"{request.first_line}\") and I'm looking at it now.",
                  request.thread or "")
        log.info("%s took the request from %s", self.script.jid, request.requester)

    @property
    def _name(self) -> str:
        return self.script.jid.split("@")[0].capitalize()

    def _say(self, to: str, text: str, thread: str) -> None:
        """A chat message, as a person's client sends it (they stopped typing)."""
        client = self._client
        if client is None or client.transport is None:
            return
        message = client.make_message(mto=to, mbody=text, mtype="chat")
        if thread:
            message["thread"] = thread
        message["chat_state"] = "active"
        message.send()

    async def _answer(self, to: str, thread: str, fields: dict[str, str]) -> None:
        """Reply like a person would: typing first, then text that shows the info arrived."""
        client = self._client
        assert client is not None
        composing = client.make_message(mto=to, mtype="chat")
        composing["chat_state"] = "composing"
        composing.send()
        await asyncio.sleep(1.5)
        if fields:
            seen = fields.get("os.name") or fields.get("hw.model") or "your machine"
            text = f"Hi, {self._name} here. I can see you are on {seen}. Let me have a look."
        else:
            text = f"{self._name} here. Thanks, I'm on it."
        self._say(to, text, thread)

    def ask(self, to: str, text: str, sysinfo: SysinfoSnapshot | None, *,
            thread: str | None = None) -> str:
        """Ask `to` a question the way SupportTray does: a new thread (or a follow-up in
        `thread`), with system info if given. Returns the thread."""
        assert self._client is not None
        thread = thread or new_thread_id()
        message = ChatMessage(new_message_id(), to, Direction.OUT, text, datetime.now(UTC),
                              thread=thread)
        chat_stanza(self._client, message, sysinfo).send()
        return thread

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
