"""The composition of "working together" (group checks, three-way chats, "Did this fix it?"):
built beside the chat service by the launcher, which passes the result on to the service, the
tray and the control socket. Kept here so the launcher stays one screen of wiring per part."""

from __future__ import annotations

from dataclasses import dataclass

from supporttray.app.chat import ChatService
from supporttray.app.group_chat import GroupChats, is_notice
from supporttray.app.group_check import ChatKeeper, GroupChecks
from supporttray.config.settings import Settings
from supporttray.core.group_check import check_id_of_thread
from supporttray.core.messages import ChatMessage


@dataclass(frozen=True)
class WorkingTogether:
    checks: GroupChecks
    chats: GroupChats

    def stop(self) -> None:
        self.checks.stop()


def build_working_together(chat: ChatService, settings: Settings) -> WorkingTogether:
    checks = GroupChecks(chat.account_jid, lambda: settings.get_family("groups"),
                         keeper=ChatKeeper(chat.receive))
    chats = GroupChats(
        chat, checks, muc_service=settings.get_str("muc.service"),
        # Requesters go into a chat their support staff open; staff into a colleague's.
        is_trusted_inviter=lambda jid: chat.book.is_staff(jid))
    if chat.desk is not None:
        def opens_no_request(message: ChatMessage) -> bool:
            return (chats.is_room(message.peer) or is_notice(message)
                    or check_id_of_thread(message.thread) is not None
                    or checks.is_an_answer(message) or checks.confirms_fix(message))

        chat.opens_no_request = opens_no_request
        # "Did this fix it?" after each request we resolve.
        chat.desk.resolved_by_me.subscribe(
            lambda r: checks.ask_if_fixed(r.requester, r.id, r.thread))
    return WorkingTogether(checks, chats)
