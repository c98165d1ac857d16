"""What the chat and ask windows need from the chat service, and how they start coroutines.

No Qt here: the ask window imports this without loading any of the chat window.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from supporttray.app.chat import AskPlan
    from supporttray.app.request_desk import RequestDesk
    from supporttray.core.conversations import Conversations
    from supporttray.core.history import ThreadList
    from supporttray.core.history_privacy import Keeping
    from supporttray.core.messages import ChatMessage
    from supporttray.core.requests import RequestQueue
    from supporttray.core.server_archive import ServerArchive
    from supporttray.core.sysinfo import SysinfoSnapshot
    from supporttray.ui.history.window import HistoryAccess

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class ChatBackend(Protocol):
    """What the chat and ask windows need from `app.chat.ChatService` (a fake in tests)."""

    conversations: Conversations
    requests: RequestQueue | None  # staff mode: who is waiting
    desk: RequestDesk | None  # staff mode: take and resolve, shared with the team
    server_archive: ServerArchive  # does the server keep a copy (the privacy line)

    async def plan_ask(self, to: str | None = None, *, new_request: bool = False) -> AskPlan: ...

    async def ask(
        self, plan: AskPlan, text: str, *, sysinfo: SysinfoSnapshot | None = None
    ) -> ChatMessage: ...

    async def send(self, peer: str, text: str) -> ChatMessage: ...

    async def send_sysinfo_again(self, peer: str) -> ChatMessage: ...

    def composing(self, peer: str, active: bool) -> None: ...

    def canned_replies(self, peer: str) -> list[tuple[str, str]]: ...

    # Staff mode: the canned-reply editor (CannedRepliesError from set_canned_templates).
    def canned_templates(self) -> list[str]: ...

    def canned_templates_locked(self) -> bool: ...

    def set_canned_templates(self, templates: list[str]) -> list[str]: ...

    def fill_canned(self, peer: str, template: str) -> str: ...

    # Staff mode: the requester's earlier requests (threads) in the conversation header.
    def earlier_requests(self, peer: str) -> ThreadList: ...

    def thread_messages(self, peer: str, thread: str) -> list[ChatMessage]: ...

    def mark_read(self, peer: str) -> None: ...

    # The privacy line: who keeps the chats; and deleting one from this computer.
    def keeping(self) -> Keeping: ...

    async def delete_conversation(self, peer: str) -> int: ...

    # The history window: the store it reads (with a reader of its own) and our account.
    @property
    def history(self) -> HistoryAccess: ...

    @property
    def account_jid(self) -> str: ...

    def open_conversation(self, peer: str) -> list[ChatMessage]: ...

    @property
    def unread(self) -> int: ...
