"""GroupRooms' answers to a bounced invitation: mediated instead, or a sentence."""

from __future__ import annotations

import re
from typing import Any

from slixmpp import JID, Message
from slixmpp.plugins.xep_0249.stanza import Invite
from slixmpp.xmlstream import register_stanza_plugin

from supporttray.core.messages import ChatMessage
from supporttray.language.sentence import Sentence
from supporttray.xmpp.group_room import GroupRooms, room_name_for

ROOM = "support-1@conference.example.org"

register_stanza_plugin(Message, Invite)


class Sink:
    muc_service = ""

    def __init__(self) -> None:
        self.notices: list[tuple[str, Sentence]] = []
        self.invitations: list[tuple[str, str]] = []

    def room_message(self, message: ChatMessage) -> None: ...

    def room_notice(self, room: str, sentence: Sentence) -> None:
        self.notices.append((room, sentence))

    def invited(self, room: str, inviter: str, reason: str) -> None:
        self.invitations.append((room, inviter))


class Muc:
    def __init__(self) -> None:
        self.mediated: list[tuple[str, str]] = []

    def invite(self, room: str, jid: str, reason: str = "") -> None:
        self.mediated.append((room, jid))


class Client:
    def __init__(self) -> None:
        self.boundjid = JID("dave@example.org/desk")
        self.plugin: dict[str, Any] = {"xep_0045": Muc()}
        self.sent: list[Message] = []

    def make_message(self, mto: str, mtype: str, mbody: str) -> Any:
        message = Message()
        message["to"], message["type"], message["body"] = mto, mtype, mbody
        message.send = lambda: self.sent.append(message)  # type: ignore[method-assign]
        return message


def rooms() -> tuple[GroupRooms, Sink, Client]:
    sink, client = Sink(), Client()
    group_rooms = GroupRooms(sink)
    group_rooms._client = client  # install() needs a live client; the handlers do not
    return group_rooms, sink, client


def bounce(invitation: Message, who: str, condition: str) -> Message:
    error = Message()
    error["id"], error["type"], error["from"] = invitation["id"], "error", who
    error["error"]["condition"] = condition
    return error


def test_a_client_without_direct_invitations_is_invited_through_the_room() -> None:
    group_rooms, sink, client = rooms()
    group_rooms.invite(ROOM, "ann@example.org", "a support chat")
    group_rooms._on_message_error(bounce(client.sent[0], "ann@example.org",
                                         "feature-not-implemented"))
    assert client.plugin["xep_0045"].mediated == [(ROOM, "ann@example.org")]
    assert sink.notices == []


def test_an_unreachable_server_is_a_sentence_in_the_room() -> None:
    group_rooms, sink, client = rooms()
    group_rooms.invite(ROOM, "victor@vendor.example", "a support chat")
    group_rooms._on_message_error(bounce(client.sent[0], "victor@vendor.example",
                                         "remote-server-not-found"))
    [(room, sentence)] = sink.notices
    assert room == ROOM and "could not be reached" in str(sentence)


def test_a_bounced_invitation_is_not_taken_for_an_invitation_to_us() -> None:
    group_rooms, sink, client = rooms()
    group_rooms.invite(ROOM, "victor@vendor.example", "a support chat")
    echoed = bounce(client.sent[0], "victor@vendor.example", "forbidden")
    echoed["groupchat_invite"]["jid"] = ROOM
    group_rooms._on_direct_invite(echoed)
    assert sink.invitations == []


def test_a_room_is_named_for_whom_the_chat_is_with() -> None:
    name = room_name_for(["Grace.Lee@example.org", "victor@vendor.example/desk"])
    assert re.fullmatch(r"support-grace-lee-victor-[0-9a-f]{4}", name), name
    assert room_name_for(["grace@example.org"]) != room_name_for(["grace@example.org"])
    assert re.fullmatch(r"support-[0-9a-f]{8}", room_name_for(["@example.org"]))
