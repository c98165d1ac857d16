"""Asking support and chatting: routing, the first-message system info, the outbox.

Shared by the ask/chat windows and the control socket (`supporttray ask`). Every message is
written to the HistoryStore before it is sent or shown, so nothing typed is lost offline.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from supporttray.app.answer_time import usual_wait
from supporttray.app.canned_replies import (  # re-exported: the windows use it
    CannedRepliesError as CannedRepliesError,
)
from supporttray.app.canned_replies import CannedReplyStore
from supporttray.app.errors import AskError as AskError  # re-exported: the windows use it
from supporttray.app.request_desk import RequestDesk
from supporttray.config.mode import Mode
from supporttray.core import canned
from supporttray.core.answer_time import back_sentence, expectation, support_back_at
from supporttray.core.clock import Clock, utc_now
from supporttray.core.conversations import Conversations
from supporttray.core.history import HistoryError, HistoryStore, ThreadList
from supporttray.core.history_privacy import Keeping
from supporttray.core.jid import bare_jid
from supporttray.core.messages import (
    ArchivePosition,
    ChatMessage,
    Delivery,
    Direction,
    TransportOffline,
    new_message_id,
    new_thread_id,
)
from supporttray.core.presence import PresenceBook
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.core.routing import route
from supporttray.core.server_archive import ServerArchive
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.platform.sysinfo_collector import SysinfoCollector

log = logging.getLogger("supporttray.app")


class MessageTransport(Protocol):
    """What the chat needs from the XMPP layer (implemented by xmpp.messaging)."""

    @property
    def online(self) -> bool: ...

    def send_chat(self, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> bool:
        """True when the server's acknowledgement follows (ChatService.sent)."""

    def send_chat_state(self, peer: str, state: str) -> None: ...


# Why a question is planned while we are not connected: the routing's reasons read our empty
# presence book as "No one is online", which is not why it waits, nor when it goes.
NOT_CONNECTED = N_(
    "You are not connected — your question is kept here and goes out as soon as the "
    "connection is back"
)

NOT_SIGNED_IN = N_(
    "You are not signed in yet, so there is nobody to ask. Choose “Sign in…” in the tray menu, "
    "then ask again."
)

# Prosody takes 256 KiB a stanza (ejabberd's default is similar); leave room for the form,
# the XML around the body and the escaping of markup characters.
MAX_MESSAGE_BYTES = 200 * 1024


def wire_size(text: str) -> int:
    """Bytes the text takes in a stanza: UTF-8 with XML escaping (a quote costs 6 bytes)."""
    size = len(text.encode("utf-8", "replace"))
    return size + 4 * (text.count("&") + text.count("<") + text.count(">")) + 5 * (
        text.count('"') + text.count("'")
    )


# Earlier requests shown in a staff conversation's header; the rest are counted.
EARLIER_REQUESTS_SHOWN = 10


@dataclass(frozen=True)
class AskPlan:
    """What pressing Send will do: to whom, why, in which thread, with which system info."""

    to: str
    reason: Sentence  # English for `supporttray ask`, translated in the ask window
    nobody_online: bool
    thread: str
    new_request: bool
    consent: str  # "preview" | "always" | "never"
    sysinfo: SysinfoSnapshot | None  # what will be attached (None: nothing)
    # "Usually answered within 5 minutes", from the first replies to our recent requests.
    expectation: Sentence | None = None


@dataclass(frozen=True)
class ChatConfig:
    """What the chat side reads from the settings (the root reads it: see service_settings)."""

    account_jid: str
    mode: Mode
    fallback: str  # support.fallback: who gets a question when nobody is available
    sysinfo_consent: str  # "preview" | "always" | "never"
    new_request_after_hours: float  # an exchange older than this starts a new request
    # What the chats' privacy line says of this computer (history.enabled, .retention_days).
    history_enabled: bool = True
    retention_days: int = 0


class ChatService:
    def __init__(
        self,
        config: ChatConfig,
        book: PresenceBook,
        conversations: Conversations,
        history: HistoryStore,
        collector: SysinfoCollector,
        *,
        canned: CannedReplyStore,
        clock: Clock = utc_now,
    ) -> None:
        self._config = config
        self._canned = canned
        self.book = book
        self.conversations = conversations
        self._history = history
        self._collector = collector
        self._clock = clock
        self._transport: MessageTransport | None = None
        # Whether the server keeps a copy too (found by discovery at login): the privacy line.
        self.server_archive = ServerArchive()
        # Staff mode: who is waiting for help (core/requests.py), shared with the team through
        # the desk (app/request_desk.py).
        self.requests: RequestQueue | None = None
        self.desk: RequestDesk | None = None
        # Staff: messages that open no request although they come from a requester: a yes to
        # "Did this fix it?" (any other reply opens it again), an answer to a group check, a
        # group chat's line (app/group_check.py, app/group_chat.py; the root sets it).
        self.opens_no_request: Callable[[ChatMessage], bool] | None = None
        if config.mode is Mode.STAFF:
            self.requests = RequestQueue()
            self.desk = RequestDesk(self.requests, config.account_jid)
            # The history window shows whether each request was resolved (or is open again).
            self.requests.opened.subscribe(lambda r: self._mark_resolved(r, False))
            self.requests.closed.subscribe(lambda r: self._mark_resolved(r, True))

    def _mark_resolved(self, request: SupportRequest, resolved: bool) -> None:
        if request.thread is None:
            return
        try:
            self._history.mark_resolved(request.requester, request.thread, resolved)
        except HistoryError:
            log.warning("could not record request %s as %s", request.id,
                        "resolved" if resolved else "open", exc_info=True)

    def attach_transport(self, transport: MessageTransport) -> None:
        self._transport = transport

    # -- asking ---------------------------------------------------------------------------
    async def plan_ask(self, to: str | None = None, *, new_request: bool = False) -> AskPlan:
        """Decide recipient, thread and system info; collects system info off the UI thread."""
        now = self._clock()
        last_talked = {
            m.jid: t for m in self.book.members()
            if (t := self._history.last_exchange(m.jid)) is not None
        }
        decision = route(
            self.book.members(), last_talked=last_talked, now=now,
            fallback=self._config.fallback,
            preferred=bare_jid(to) if to else None,
        )
        if decision is None:
            if self._transport is None:
                # Never signed in: the staff may well be configured, as a roster group we
                # only learn once connected; the person's next step is signing in.
                raise AskError(Sentence(NOT_SIGNED_IN))
            raise AskError(Sentence(N_("No support staff are configured. Ask IT to set "
                                       "support.staff in the policy.")))
        peer = decision.to
        continuing = not new_request and self._request_is_open(peer, now)
        thread = (self._history.current_thread(peer) if continuing else None) or new_thread_id()
        consent = self._config.sysinfo_consent
        sysinfo = None
        if not continuing and consent != "never":
            sysinfo = await self._collector.collect_async()
        transport = self._transport
        reason = (decision.reason if transport is not None and transport.online
                  else Sentence(NOT_CONNECTED))
        return AskPlan(peer, reason, decision.nobody_online, thread,
                       not continuing, consent, sysinfo, self._expectation(now))

    def _expectation(self, now: datetime) -> Sentence | None:
        back = support_back_at(self.book.members(), now)
        if back is not None:
            # In the requester's own time zone: that is when they may expect an answer.
            return back_sentence(back.astimezone(), now.astimezone())
        try:
            wait = usual_wait(self._history, [m.jid for m in self.book.members()], now)
        except HistoryError:
            return None
        return expectation(wait) if wait is not None else None

    async def ask(self, plan: AskPlan, text: str,
                  *, sysinfo: SysinfoSnapshot | None = None) -> ChatMessage:
        """Send the question as planned; `sysinfo` is what the user left in the preview."""
        attached = sysinfo if sysinfo is not None else plan.sysinfo
        if not plan.new_request or plan.consent == "never":
            attached = None
        return self._send(plan.to, text, plan.thread, attached)

    async def send(self, peer: str, text: str, *, thread: str | None = None) -> ChatMessage:
        """A follow-up in the current chat, or in `thread` (no system info).

        Staff writing to someone with an open request write in that request's thread, also
        when it reached a colleague and our own history with them is empty or older."""
        request = self.requests.for_peer(peer) if self.requests is not None else None
        thread = (thread or (request.thread if request is not None else None)
                  or self._history.current_thread(peer) or new_thread_id())
        return self._send(bare_jid(peer), text, thread, None)

    async def send_sysinfo_again(self, peer: str) -> ChatMessage:
        """A fresh snapshot, later in the conversation ("Send system info again")."""
        if self._config.sysinfo_consent == "never":
            raise AskError(Sentence(N_(
                "Your organisation's policy does not allow sending system info.")))
        snapshot = await self._collector.collect_async()
        thread = self._history.current_thread(peer) or new_thread_id()
        return self._send(bare_jid(peer), "Updated system info", thread, snapshot)

    def _send(self, peer: str, text: str, thread: str,
              sysinfo: SysinfoSnapshot | None) -> ChatMessage:
        text = text.strip()
        if not text:
            raise AskError(Sentence(N_("The message is empty.")))
        size = wire_size(text + (sysinfo.text_block() if sysinfo else ""))
        if size > MAX_MESSAGE_BYTES:
            # Refused before it is stored: the server would close our stream and drop it.
            raise AskError(Sentence(N_(
                "The message is too long to send ({size} kB; chat servers take about "
                "{limit} kB). Send the important part, or split it."),
                {"size": size // 1024, "limit": MAX_MESSAGE_BYTES // 1024}))
        message = ChatMessage(
            id=new_message_id(), peer=peer, direction=Direction.OUT, body=text,
            timestamp=self._clock(), thread=thread, delivery=Delivery.QUEUED,
            sysinfo=sysinfo.as_pairs() if sysinfo else (),
        )
        self._open(peer)  # the earlier chat first (after a restart it is not loaded yet)
        self._history.add(message)  # first: a crash from here on loses nothing
        self.conversations.add(message)
        self._try_send(message, sysinfo)
        return self.conversations.find(message.id) or message

    def _try_send(self, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> bool:
        """Hand it to the server; False when we are offline (it stays queued)."""
        transport = self._transport
        if transport is None or not transport.online:
            log.info("offline: message %s stays queued", message.id)
            return False
        try:
            acked_later = transport.send_chat(message, sysinfo)
        except TransportOffline:
            log.info("connection went away: message %s stays queued", message.id)
            return False
        if not acked_later:
            self._set_delivery(message.id, Delivery.SENT)
        # else QUEUED until the server says it has it (sent()): a link that dies meanwhile
        # loses nothing, the message goes again with its id.
        return True

    def flush_outbox(self) -> int:
        """We are online (again): send what waited, oldest first. Returns how many went out."""
        sent = 0
        for message in self._history.outbox():
            snapshot = (SysinfoSnapshot.from_pairs(message.sysinfo, message.timestamp)
                        if message.sysinfo else None)
            self._open(message.peer)
            if self.conversations.find(message.id) is None:
                self.conversations.add(message)
            if not self._try_send(message, snapshot):
                break  # offline again: keep the order, try the rest next time
            sent += 1
        if sent:
            log.info("sent %d queued message(s)", sent)
        return sent

    # -- from the network -----------------------------------------------------------------
    def receive(self, message: ChatMessage) -> None:
        """A chat message from the network (already sanitised by the XMPP layer): theirs, or
        ours written on another client of this account."""
        # Load the earlier chat before storing this message: loaded afterwards, it would come
        # in as history, so no unread count, notification or end of "typing…" for it.
        self._open(message.peer)
        if not self._history.add(message):
            return  # a redelivery we already have
        self.conversations.add(message)
        if message.direction is Direction.OUT:
            self.conversations.answered(message)  # written on another client of ours
        if self.requests is not None and not self.book.is_staff(message.peer) and not (
                self.opens_no_request is not None and self.opens_no_request(message)):
            self.requests.note(message)

    def delivered(self, message_id: str) -> None:
        self._set_delivery(message_id, Delivery.DELIVERED)

    async def settled(self, message_id: str, *, timeout: float = 5.0) -> Delivery:
        """Where a message we just sent is once the server acknowledged it (or `timeout`
        passed; then it is still queued, and goes when the link is back)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            message = self.conversations.find(message_id)
            delivery = message.delivery if message is not None else Delivery.QUEUED
            if delivery is not Delivery.QUEUED or asyncio.get_running_loop().time() > deadline:
                return delivery
            if self._transport is None or not self._transport.online:
                return delivery  # offline: it waits in the outbox
            await asyncio.sleep(0.01)

    def sent(self, message_id: str) -> None:
        """The server acknowledged the message (XEP-0198): it has it."""
        self._set_delivery(message_id, Delivery.SENT)

    def peer_typing(self, peer: str, typing: bool) -> None:
        self.conversations.set_typing(peer, typing)

    def archive_position(self) -> ArchivePosition | None:
        """How far the server's archive of this account's chats has been read."""
        return self._history.archive_position(self._config.account_jid)

    def set_archive_position(self, position: ArchivePosition) -> None:
        self._history.set_archive_position(self._config.account_jid, position)

    def newest_time(self) -> datetime | None:
        """When the newest stored message was written (a history from before positions)."""
        return self._history.newest_time()

    # -- the windows ----------------------------------------------------------------------
    def open_conversation(self, peer: str) -> list[ChatMessage]:
        self._open(peer)
        self._relay_question(peer)
        return self.conversations.messages(peer)

    def _relay_question(self, peer: str) -> None:
        """Staff: a request that reached a colleague shows its question and system info in our
        chat with the person too (stored, so it stays in our notes), as they asked it."""
        request = self.requests.for_peer(peer) if self.requests is not None else None
        if request is None or not request.question or request.asked_in(
                self.conversations.messages(peer)):
            return
        relayed = ChatMessage(
            id=f"request-{request.id}", peer=request.requester, direction=Direction.IN,
            body=request.question, timestamp=request.opened, thread=request.thread,
            delivery=Delivery.RECEIVED, sysinfo=request.sysinfo,
        )
        if self._history.add(relayed):
            self.conversations.add_earlier(relayed)

    def canned_replies(self, peer: str) -> list[tuple[str, str]]:
        """Staff snippets filled for `peer`'s latest request: (menu label, text)."""
        filled = [self.fill_canned(peer, t) for t in self.canned_templates() if t.strip()]
        return [(canned.label(text), text) for text in filled]

    def fill_canned(self, peer: str, template: str) -> str:
        """One snippet as it would be inserted for `peer` (the editor's preview)."""
        name = self.book.display_name(peer)
        sysinfo = canned.latest_sysinfo(self.conversations.messages(peer))
        return canned.fill(template, canned.request_values(name, sysinfo, self._clock()))

    def canned_templates(self) -> list[str]:
        """The snippets as typed, placeholders unfilled (what the editor edits)."""
        return self._canned.templates()

    def canned_templates_locked(self) -> bool:
        """True when the policy enforces the snippets: the editor is read-only."""
        return self._canned.locked()

    @property
    def config(self) -> ChatConfig:
        """The settings this service follows now (they change with the Settings window)."""
        return self._config

    def reconfigure(self, config: ChatConfig, sysinfo_fields: list[str]) -> None:
        """The settings changed while running (Settings window): later questions follow them.
        The account and mode are fixed for a run; only the user's choices change here."""
        self._config = dataclasses.replace(
            self._config, sysinfo_consent=config.sysinfo_consent,
            new_request_after_hours=config.new_request_after_hours, fallback=config.fallback)
        self._collector.fields = tuple(dict.fromkeys(sysinfo_fields))

    def set_canned_templates(self, templates: list[str]) -> list[str]:
        """Keep these snippets (blank ones dropped); the Replies menu uses them at once.
        Returns what was kept. CannedRepliesError, with nothing changed, when they cannot be
        kept (locked by policy, the file not writable)."""
        return self._canned.keep(templates)

    def earlier_requests(self, peer: str, *, limit: int = EARLIER_REQUESTS_SHOWN) -> ThreadList:
        """`peer`'s earlier requests, newest first, without the current one."""
        who = bare_jid(peer)
        return self._history.threads(who, exclude=self._history.current_thread(who), limit=limit)

    def thread_messages(self, peer: str, thread: str) -> list[ChatMessage]:
        """The messages of one earlier request, oldest first."""
        return self._history.thread_messages(bare_jid(peer), thread)

    def keeping(self) -> Keeping:
        """Who keeps the chats and how long: this computer (settings) and the server (disco)."""
        return Keeping(self._config.history_enabled, self._config.retention_days,
                       self.server_archive.archives)

    @property
    def account_jid(self) -> str:
        return self._config.account_jid

    @property
    def history(self) -> HistoryStore:
        """The local history (the history window reads it with a reader of its own)."""
        return self._history

    async def delete_conversation(self, peer: str) -> int:
        """Delete every message and note with `peer` from this computer (not from the server:
        XEP-0313 has no delete); how many messages went. A long one is thousands of rows, so
        the deletion runs on an executor thread with a connection of its own."""
        who = bare_jid(peer)
        path = self._history.path
        if path is None:  # in memory: one connection only
            deleted = self._history.delete_conversation(who)
        else:
            def delete() -> int:
                with HistoryStore(path) as store:
                    return store.delete_conversation(who)

            deleted = await asyncio.get_running_loop().run_in_executor(None, delete)
        self.conversations.forget(who)
        return deleted

    def composing(self, peer: str, active: bool) -> None:
        transport = self._transport
        if transport is not None and transport.online:
            transport.send_chat_state(bare_jid(peer), "composing" if active else "active")

    def mark_read(self, peer: str) -> None:
        self.conversations.mark_read(peer)

    @property
    def unread(self) -> int:
        return self.conversations.total_unread()

    @property
    def queued(self) -> int | None:
        """Messages typed that the server does not have yet (they wait in the outbox); None
        when the history cannot be read just now (`status` still answers, the log says why)."""
        try:
            return self._history.outbox_size()
        except HistoryError:
            return None

    # -- internals ------------------------------------------------------------------------
    def _open(self, peer: str) -> None:
        if bare_jid(peer) not in self.conversations.peers():
            self.conversations.load(peer, self._history.conversation(bare_jid(peer)))

    def _set_delivery(self, message_id: str, delivery: Delivery) -> None:
        self._history.set_delivery(message_id, delivery)
        self.conversations.update_delivery(message_id, delivery)

    def _request_is_open(self, peer: str, now: datetime) -> bool:
        last = self._history.last_exchange(peer)
        hours = self._config.new_request_after_hours
        return last is not None and now - last < timedelta(hours=hours)
