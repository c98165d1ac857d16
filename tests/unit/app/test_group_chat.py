"""GroupChats: the context first, the system info only after the requester's yes, and no
silence when something goes wrong."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from supporttray.app.group_chat import GroupChatError, GroupChats, is_notice
from supporttray.app.group_check import GroupChecks
from supporttray.core.answer_words import Answer
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.group_room import RoomError

ANN, VENDOR, ROOM = "ann@example.org", "victor@vendor.example", "support-1@conf.example.org"
PAIRS = (("os.name", "Windows 11 Pro"), ("hw.model", "Latitude 7440"))


class Chat:
    """Stands in for app.chat.ChatService: a conversation with Ann, who asked with system info."""

    requests = None

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.received: list[ChatMessage] = []

    def open_conversation(self, peer: str) -> list[ChatMessage]:
        return [ChatMessage(id="q", peer=ANN, direction=Direction.IN, body="Printer jams",
                            timestamp=datetime(2026, 12, 7, tzinfo=UTC),
                            delivery=Delivery.RECEIVED, sysinfo=PAIRS)]

    async def send(self, peer: str, text: str) -> None:
        self.sent.append((peer, text))

    def receive(self, message: ChatMessage) -> None:
        self.received.append(message)


class Rooms:
    def __init__(self, error: RoomError | None = None) -> None:
        self.error = error
        self.created: list[list[str]] = []

    async def create(self, invitees: list[str], reason: str) -> str:
        if self.error is not None:
            raise self.error
        self.created.append(invitees)
        return ROOM

    def is_room(self, jid: str) -> bool:
        return jid == ROOM


class Wire:
    online = True

    def send_question(self, peer: str, *_args: object) -> str:
        return "q1"


def group_chats(rooms: Rooms) -> tuple[GroupChats, GroupChecks, Chat]:
    chat = Chat()
    checks = GroupChecks("dave@example.org", dict)
    checks.attach_wire(Wire())  # type: ignore[arg-type]
    chats = GroupChats(chat, checks, is_trusted_inviter=lambda _jid: True)  # type: ignore[arg-type]
    chats.attach_rooms(rooms)  # type: ignore[arg-type]
    return chats, checks, chat


@pytest.mark.asyncio
async def test_the_question_is_the_rooms_first_line_and_both_people_are_invited() -> None:
    rooms = Rooms()
    chats, _checks, chat = group_chats(rooms)
    assert await chats.invite(ANN, VENDOR) == ROOM
    assert rooms.created == [[ANN, VENDOR]]
    assert chat.sent == [(ROOM, "Support chat about ann@example.org's request:\nPrinter jams")]


@pytest.mark.asyncio
async def test_system_info_follows_only_after_the_requester_says_yes() -> None:
    chats, checks, chat = group_chats(Rooms())
    await chats.invite(ANN, VENDOR, share_sysinfo=True)
    assert len(chat.sent) == 1  # the question only, until Ann answers
    checks.answer_received(ANN, Answer.AGREED, "yes", check_id=None, thread=None,
                           reply_to=None)
    await asyncio.sleep(0)
    assert len(chat.sent) == 2 and "Windows 11 Pro" in chat.sent[1][1]


@pytest.mark.asyncio
async def test_a_no_keeps_the_system_info_out_and_says_so_in_the_room() -> None:
    chats, checks, chat = group_chats(Rooms())
    await chats.invite(ANN, VENDOR, share_sysinfo=True)
    checks.answer_received(ANN, Answer.OBJECTED, "no", check_id=None, thread=None,
                           reply_to=None)
    assert len(chat.sent) == 1
    assert [m.peer for m in chat.received] == [ROOM]
    assert is_notice(chat.received[0]) and "did not agree" in chat.received[0].body


@pytest.mark.asyncio
async def test_a_server_without_group_chats_is_a_sentence() -> None:
    refusal = RoomError(Sentence(N_("Your chat server offers no group chats, so a third "
                                    "person cannot be added. Ask IT to enable a MUC service "
                                    "(or name it in the policy as muc.service).")))
    chats, _checks, _chat = group_chats(Rooms(refusal))
    with pytest.raises(GroupChatError, match="offers no group chats"):
        await chats.invite(ANN, VENDOR)
