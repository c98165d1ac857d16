"""Three-way chats for the chat window: "Invite…" turns a 1:1 or request chat into a group chat.

The room's lines are kept as the conversation with the room's address (history, search and
export as for any chat). The request's context goes first, as text any client shows: the
question, and the system info only once the requester said yes to sharing it (a one-person
group check, so their SupportTray shows Yes / No and any other client the sentence).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from supporttray.app.chat import ChatService
from supporttray.app.group_check import GroupCheckError, GroupChecks
from supporttray.core import canned
from supporttray.core.group_check import CheckChanged, Outcome
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage, Delivery, Direction, new_message_id
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.core.text import first_line
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.group_room import GroupRooms, RoomError

log = logging.getLogger("supporttray.app")


# The id of a sentence we put into a conversation ourselves: it opens no request.
NOTICE_PREFIX = "supporttray-notice-"


def is_notice(message: ChatMessage) -> bool:
    return message.id.startswith(NOTICE_PREFIX)


class GroupChatError(Exception):
    """The invitation could not be made: the sentence says why."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(str(sentence))
        self.sentence = sentence


def context_text(peer: str, question: str) -> str:
    """The room's first line: what this is about, readable in any client (English on the
    wire, like every body we send)."""
    if question:
        return f"Support chat about {peer}'s request:\n{question}"
    return f"Support chat continued from the conversation with {peer}."


class GroupChats:
    """Every three-way chat of this run, between the chat service and the rooms."""

    def __init__(self, chat: ChatService, checks: GroupChecks, *,
                 is_trusted_inviter: Callable[[str], bool], muc_service: str = "") -> None:
        self.muc_service = muc_service  # policy muc.service; "" = found by discovery
        self._chat = chat
        self._checks = checks
        self._is_trusted_inviter = is_trusted_inviter
        self._rooms: GroupRooms | None = None
        # Consent checks asked of a requester: check id -> (room, their system info).
        self._sharing: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
        self._joining: asyncio.Future[None] | None = None
        self._posting: asyncio.Future[ChatMessage] | None = None
        checks.changed.subscribe(self._on_check_changed)

    def attach_rooms(self, rooms: GroupRooms) -> None:
        self._rooms = rooms

    def is_room(self, jid: str) -> bool:
        return self._rooms is not None and self._rooms.is_room(jid)

    async def invite(self, peer: str, person: str, *, share_sysinfo: bool = False) -> str:
        """Make the chat with `peer` a group chat with `person` too; the room's JID."""
        rooms = self._rooms
        if rooms is None:
            raise GroupChatError(Sentence(N_("You are not connected; invite again once the "
                                             "connection is back.")))
        peer, person = bare_jid(peer), bare_jid(person)
        if "@" not in person or person == peer:
            raise GroupChatError(Sentence(N_("Type the address of the person to invite, like "
                                             "name@example.org.")))
        messages = self._chat.open_conversation(peer)
        question = self._question(peer, messages)
        reason = f"about {peer}'s request" if question else f"with {peer}"
        try:
            room = await rooms.create([peer, person], reason)
        except RoomError as exc:
            raise GroupChatError(exc.sentence) from None
        await self._chat.send(room, context_text(peer, question))
        sysinfo = canned.latest_sysinfo(messages)
        if share_sysinfo and sysinfo:
            self._ask_to_share(peer, person, room, sysinfo)
        log.info("made a group chat of the chat with a requester (%d people)", 3)
        return room

    def leave(self, room: str) -> None:
        if self._rooms is not None:
            self._rooms.leave(room)

    async def close(self, room: str) -> None:
        if self._rooms is None:
            return
        try:
            await self._rooms.close(room)
        except RoomError as exc:
            raise GroupChatError(exc.sentence) from None

    def _question(self, peer: str, messages: list[ChatMessage]) -> str:
        request = self._chat.requests.for_peer(peer) if self._chat.requests else None
        if request is not None and request.question:
            return request.question
        asked = [m for m in messages if m.direction is Direction.IN]
        return asked[-1].body if asked else ""

    def _ask_to_share(self, requester: str, person: str, room: str,
                      sysinfo: tuple[tuple[str, str], ...]) -> None:
        try:
            check = self._checks.start(
                [requester], f"May the support chat with {person} see your computer's system "
                             "info (the list you sent with your question)?")
        except GroupCheckError as exc:
            self._notice(room, exc.sentence)
            return
        self._sharing[check.id] = (room, sysinfo)

    def _on_check_changed(self, event: CheckChanged) -> None:
        shared = self._sharing.get(event.check_id)
        check = self._checks.get(event.check_id)
        if shared is None or check is None or check.outcome() is Outcome.WAITING:
            return
        del self._sharing[event.check_id]
        room, sysinfo = shared
        if check.outcome() is Outcome.ALL_AGREED and self.is_room(room):
            block = SysinfoSnapshot.from_pairs(sysinfo, datetime.now(UTC)).text_block()
            self._spawn_send(room, "The requester agreed to share their system info:" + block)
        else:
            self._notice(room, Sentence(N_("The requester did not agree to share their system "
                                           "info; it stays out of this chat.")))

    def _spawn_send(self, room: str, text: str) -> None:
        task = asyncio.ensure_future(self._chat.send(room, text))

        def settled(done: asyncio.Future[ChatMessage]) -> None:
            if not done.cancelled() and done.exception() is not None:
                log.warning("could not post to %s: %s", room, done.exception())

        task.add_done_callback(settled)
        self._posting = task  # held: a task nobody holds may vanish

    # -- from the rooms (xmpp.group_room) ---------------------------------------------------
    def room_message(self, message: ChatMessage) -> None:
        self._chat.receive(message)

    def room_notice(self, room: str, sentence: Sentence) -> None:
        self._notice(room, sentence)

    def invited(self, room: str, inviter: str, reason: str) -> None:
        """Someone invites us: our staff (or, for staff, a colleague) -> we go in at once; the
        chat with them says so either way."""
        if self._rooms is None:
            return
        if not self._is_trusted_inviter(inviter):
            self._notice(inviter, Sentence(N_(
                "{who} invites you to the group chat {room}. Join it from another chat app if "
                "you know them."), {"who": inviter, "room": room}))
            return

        async def join() -> None:
            assert self._rooms is not None
            try:
                await self._rooms.join(room)
            except RoomError as exc:
                self._notice(inviter, exc.sentence)

        self._joining = asyncio.ensure_future(join())  # kept: a task nobody holds may vanish
        log.info("invited into a group chat by %s (%s)", inviter, first_line(reason))

    def _notice(self, peer: str, sentence: Sentence) -> None:
        """A sentence in the conversation with `peer` (a room, a person), kept like a message,
        so nothing that went wrong is silent."""
        self._chat.receive(ChatMessage(
            id=NOTICE_PREFIX + new_message_id(), peer=bare_jid(peer), direction=Direction.IN,
            body=f"SupportTray: {sentence.translated()}", timestamp=datetime.now(UTC),
            delivery=Delivery.RECEIVED))
