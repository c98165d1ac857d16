""""Invite…": the dialog that turns a chat into a group chat, and the chat window's menu."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from pytestqt.qtbot import QtBot

from supporttray.app.group_chat import GroupChatError
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.ui.invite_dialog import GroupChatButton, InviteDialog

ROOM = "support-1@conference.example.org"


class Chats:
    """Stands in for app.group_chat.GroupChats: records invitations, refuses one address."""

    def __init__(self) -> None:
        self.invited: list[tuple[str, str, bool]] = []
        self.rooms: set[str] = set()
        self.left: list[str] = []

    async def invite(self, peer: str, person: str, *, share_sysinfo: bool = False) -> str:
        if person.endswith(".invalid"):
            raise GroupChatError(Sentence(N_("The invitation to {who} was refused "
                                             "({condition})."),
                                          {"who": person, "condition": "forbidden"}))
        self.invited.append((peer, person, share_sysinfo))
        self.rooms.add(ROOM)
        return ROOM

    def is_room(self, jid: str) -> bool:
        return jid in self.rooms

    def leave(self, room: str) -> None:
        self.left.append(room)


def run_now(coro: Coroutine[Any, Any, Any]) -> None:
    asyncio.run(coro)


def dialog(qtbot: QtBot, chats: Chats, *, staff: bool = True) -> InviteDialog:
    shown = InviteDialog(chats, "ann@example.org", contacts=["bob@example.org",  # type: ignore[arg-type]
                                                            "ann@example.org"],
                         spawn=run_now, name_of=lambda jid: jid.split("@")[0].capitalize(),
                         offer_sysinfo=staff)
    qtbot.addWidget(shown)
    return shown


def test_contacts_are_offered_but_not_the_person_already_in_the_chat(qtbot: QtBot) -> None:
    shown = dialog(qtbot, Chats())
    assert [shown.person.itemText(i) for i in range(shown.person.count())] == [
        "bob@example.org"]


def test_inviting_a_vendor_makes_the_room_and_says_which(qtbot: QtBot) -> None:
    chats = Chats()
    shown = dialog(qtbot, chats)
    shown.person.setCurrentText("vendor@vendor.example")
    shown.share.setChecked(True)
    with qtbot.waitSignal(shown.invited) as invited:
        shown.invite_button.click()
    assert invited.args == [ROOM]
    assert chats.invited == [("ann@example.org", "vendor@vendor.example", True)]


def test_a_refused_invitation_is_a_sentence_in_the_dialog(qtbot: QtBot) -> None:
    shown = dialog(qtbot, Chats())
    shown.person.setCurrentText("bob@vendor.invalid")
    shown.invite_button.click()
    assert shown.error.text() == "The invitation to bob@vendor.invalid was refused (forbidden)."
    assert shown.invite_button.isEnabled()


def test_requesters_are_not_offered_to_share_system_info(qtbot: QtBot) -> None:
    assert dialog(qtbot, Chats(), staff=False).share.isHidden()


def test_the_menu_offers_invite_in_a_chat_and_leave_in_a_group_chat(qtbot: QtBot) -> None:
    chats = Chats()
    chats.rooms.add(ROOM)
    current = ["ann@example.org"]
    button = GroupChatButton(chats, current_peer=lambda: current[0],  # type: ignore[arg-type]
                             open_invite=lambda _peer: None, spawn=run_now)
    qtbot.addWidget(button)
    button.fill()
    assert [a.text() for a in button.menu_.actions()] == ["Invite someone into this chat…"]
    current[0] = ROOM
    button.fill()
    assert [a.text() for a in button.menu_.actions()] == ["Leave this group chat",
                                                          "Close it for everyone"]
    button.menu_.actions()[0].trigger()
    assert chats.left == [ROOM]
