"""A fake chat service (over the real, pure Conversations) and a spawn that runs on demand."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from supporttray.app.chat import AskError, AskPlan, CannedRepliesError
from supporttray.app.request_desk import RequestDesk
from supporttray.core import canned
from supporttray.core.conversations import Conversations
from supporttray.core.history import ThreadList
from supporttray.core.history_privacy import Keeping
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage, Delivery, Direction, new_message_id
from supporttray.core.requests import RequestQueue
from supporttray.core.server_archive import ServerArchive
from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot
from supporttray.ui.bridge import CoreBridge
from tests.helpers import T0
from tests.ui.history_fakes import FakeHistory

SNAPSHOT = SysinfoSnapshot(
    (
        SysinfoItem("os.name", "Debian GNU/Linux 12 (bookworm)"),
        SysinfoItem("host.name", "jdoe-laptop"),
        SysinfoItem("user.name", "jdoe"),
        SysinfoItem("hw.model", "ThinkPad T14"),
        SysinfoItem("battery.percent", "unavailable"),
    ),
    T0,
)


def plan(
    to: str = "alice@example.org",
    *,
    reason: str = "Alice is available",
    nobody_online: bool = False,
    consent: str = "preview",
    new_request: bool = True,
    sysinfo: SysinfoSnapshot | None = SNAPSHOT,
) -> AskPlan:
    return AskPlan(to, reason, nobody_online, "st-1", new_request, consent, sysinfo)


def message(
    body: str,
    *,
    peer: str = "alice@example.org",
    direction: Direction = Direction.IN,
    delivery: Delivery | None = None,
    at: datetime = T0,
    minutes: float = 0,
    sysinfo: tuple[tuple[str, str], ...] = (),
) -> ChatMessage:
    if delivery is None:
        delivery = Delivery.RECEIVED if direction is Direction.IN else Delivery.SENT
    return ChatMessage(
        new_message_id(),
        peer,
        direction,
        body,
        at + timedelta(minutes=minutes),
        "st-1",
        delivery,
        sysinfo,
    )


class FakeChat:
    """Records what the windows ask of the service; answers like ChatService would."""

    def __init__(self) -> None:
        self.conversations = Conversations()
        self.plan_result: AskPlan | Exception = plan()
        self.planned: list[tuple[str | None, bool]] = []
        self.asked: list[tuple[AskPlan, str, SysinfoSnapshot | None]] = []
        self.ask_error: Exception | None = None
        self.sent: list[tuple[str, str]] = []
        self.send_error: Exception | None = None
        self.sysinfo_again: list[str] = []
        self.composing_calls: list[tuple[str, bool]] = []
        self.read: list[str] = []
        self.opened: list[str] = []
        self.replies: list[tuple[str, str]] = []
        self.requests: RequestQueue | None = None
        self.desk: RequestDesk | None = None
        self.server_archive = ServerArchive()
        self.retention_days = 0
        self.deleted: list[str] = []
        self.history = FakeHistory()
        self.account_jid = "me@example.org"
        # The editor's side: templates as typed; `None` replies means "fill these templates".
        self.templates: list[str] = []
        self.templates_locked = False
        self.save_error: CannedRepliesError | None = None
        self.saved_templates: list[list[str]] = []
        self.threads: dict[str, ThreadList] = {}
        self.thread_bodies: dict[tuple[str, str], list[ChatMessage]] = {}
        self.earlier_asked: list[str] = []

    async def plan_ask(self, to: str | None = None, *, new_request: bool = False) -> AskPlan:
        self.planned.append((to, new_request))
        if isinstance(self.plan_result, Exception):
            raise self.plan_result
        return self.plan_result

    async def ask(
        self, plan: AskPlan, text: str, *, sysinfo: SysinfoSnapshot | None = None
    ) -> ChatMessage:
        self.asked.append((plan, text, sysinfo))
        if self.ask_error is not None:
            raise self.ask_error
        return self._out(plan.to, text)

    async def send(self, peer: str, text: str) -> ChatMessage:
        self.sent.append((peer, text))
        if self.send_error is not None:
            raise self.send_error
        return self._out(peer, text)

    async def send_sysinfo_again(self, peer: str) -> ChatMessage:
        self.sysinfo_again.append(peer)
        if self.send_error is not None:
            raise self.send_error
        return self._out(peer, "Updated system info", SNAPSHOT.as_pairs())

    def composing(self, peer: str, active: bool) -> None:
        self.composing_calls.append((peer, active))

    def canned_replies(self, peer: str) -> list[tuple[str, str]]:
        if self.templates and not self.replies:
            filled = [self.fill_canned(peer, t) for t in self.templates if t.strip()]
            return [(canned.label(text), text) for text in filled]
        return [(label, text.replace("{peer}", peer)) for label, text in self.replies]

    def canned_templates(self) -> list[str]:
        return list(self.templates)

    def canned_templates_locked(self) -> bool:
        return self.templates_locked

    def set_canned_templates(self, templates: list[str]) -> list[str]:
        if self.save_error is not None:
            raise self.save_error
        kept = [t.strip() for t in templates if t.strip()]
        self.saved_templates.append(kept)
        self.templates = kept
        return kept

    def fill_canned(self, peer: str, template: str) -> str:
        return template.replace("{name}", bare_jid(peer).split("@")[0])

    def earlier_requests(self, peer: str) -> ThreadList:
        self.earlier_asked.append(peer)
        return self.threads.get(bare_jid(peer), ThreadList((), 0))

    def thread_messages(self, peer: str, thread: str) -> list[ChatMessage]:
        return list(self.thread_bodies.get((bare_jid(peer), thread), []))

    def keeping(self) -> Keeping:
        return Keeping(True, self.retention_days, self.server_archive.archives)

    async def delete_conversation(self, peer: str) -> int:
        self.deleted.append(peer)
        self.conversations.forget(peer)
        return 1

    def mark_read(self, peer: str) -> None:
        self.read.append(peer)
        self.conversations.mark_read(peer)

    def open_conversation(self, peer: str) -> list[ChatMessage]:
        self.opened.append(peer)
        self.conversations.load(peer, [])
        return self.conversations.messages(peer)

    @property
    def unread(self) -> int:
        return self.conversations.total_unread()

    def receive(self, body: str, peer: str = "alice@example.org", **kwargs: Any) -> ChatMessage:
        incoming = message(body, peer=peer, **kwargs)
        self.conversations.add(incoming)
        return incoming

    def _out(self, peer: str, text: str, sysinfo: tuple[tuple[str, str], ...] = ()) -> ChatMessage:
        if not text.strip():
            raise AskError("The message is empty.")
        sent = message(text.strip(), peer=bare_jid(peer), direction=Direction.OUT, sysinfo=sysinfo)
        self.conversations.add(sent)
        return sent


class Spawner:
    """What the windows get as `spawn`: keeps coroutines until the test runs them."""

    def __init__(self) -> None:
        self.pending: list[Coroutine[Any, Any, Any]] = []
        self._loop = asyncio.new_event_loop()

    def __call__(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        self.pending.append(coroutine)

    def run(self) -> None:
        """Run everything spawned, including what those coroutines spawn in turn."""
        while self.pending:
            self._loop.run_until_complete(self.pending.pop(0))

    def close(self) -> None:
        for coroutine in self.pending:
            coroutine.close()
        self.pending.clear()
        self._loop.close()


def bridge_for(chat: FakeChat, *, conversations: Conversations | None = None) -> CoreBridge:
    """The bridge the tray would give the chat's windows: its chats, and any request queue."""
    bridge = CoreBridge()
    bridge.observe_chat(conversations if conversations is not None else chat.conversations)
    if chat.requests is not None:
        bridge.observe_requests(chat.requests, chat.desk)
    return bridge
