"""ChatService without a network: routing, the first message's system info, the outbox.

Real HistoryStore (in memory), Conversations, PresenceBook and SysinfoCollector (with fake
sources and a FakeClock); only the XMPP transport is a fake that records what it was handed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import count
from pathlib import Path

import pytest

from supporttray.app.canned_replies import SettingsCannedReplies
from supporttray.app.chat import NOT_CONNECTED, AskError, CannedRepliesError, ChatService
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.conversations import Conversations
from supporttray.core.history import HistoryStore
from supporttray.core.history_privacy import Keeping
from supporttray.core.messages import ChatMessage, Delivery, Direction, TransportOffline
from supporttray.core.presence import Availability, PresenceBook
from supporttray.core.requests import SupportRequest
from supporttray.core.routing import NOBODY_ONLINE
from supporttray.core.sysinfo import SysinfoSnapshot
from supporttray.platform.sysinfo_collector import SysinfoCollector
from supporttray.service_settings import chat_config
from tests.helpers import T0, FakeClock, incoming

ALICE = "alice@example.org"
BOB = "bob@example.org"
FIELDS = ["os.name", "hw.model", "uptime", "app.version"]
HOUR = 3600.0


@dataclass
class FakeTransport:
    """The XMPP side: online or not; records every message it was handed, in order."""

    online: bool = True
    sent: list[tuple[ChatMessage, SysinfoSnapshot | None]] = field(default_factory=list)
    states: list[tuple[str, str]] = field(default_factory=list)
    # Called before each send; raising TransportOffline there is the link dropping mid-send.
    before_send: Callable[[ChatMessage], None] | None = None

    def send_chat(self, message: ChatMessage, sysinfo: SysinfoSnapshot | None) -> None:
        if not self.online:
            raise TransportOffline(message.id)
        if self.before_send is not None:
            self.before_send(message)
        self.sent.append((message, sysinfo))

    def send_chat_state(self, peer: str, state: str) -> None:
        self.states.append((peer, state))

    @property
    def bodies(self) -> list[str]:
        return [message.body for message, _ in self.sent]


@dataclass
class Desk:
    """One requester's chat: the service and everything it works with."""

    chat: ChatService
    history: HistoryStore
    book: PresenceBook
    transport: FakeTransport
    clock: FakeClock
    uptime_calls: Iterator[int]

    def show(self, jid: str, availability: Availability) -> None:
        self.book.update(f"{jid}/desk", availability)


def make_desk(
    *,
    staff: tuple[str, ...] = (ALICE, BOB),
    history: HistoryStore | None = None,
    clock: FakeClock | None = None,
    signed_in: bool = True,
    **policy: object,
) -> Desk:
    enforced: dict[str, object] = {"support.staff": list(staff), "sysinfo.fields": FIELDS}
    enforced.update({key.replace("__", "."): value for key, value in policy.items()})
    settings = Settings(Policy(source=None, enforced=enforced))
    clock = clock or FakeClock()
    book = PresenceBook(clock)
    for jid in staff:
        book.add_staff(jid)
    uptime = count(1)
    collector = SysinfoCollector(
        settings.get_str_list("sysinfo.fields"),
        sources={
            "os.name": lambda: "Debian GNU/Linux 12 (bookworm)",
            "hw.model": lambda: "ThinkPad T14 Gen 1 (20S0000XX)",
            # A value that changes at every collection: tells a fresh snapshot from an old one.
            "uptime": lambda: f"{next(uptime)} h",
        },
        app_version="1.2.3",
        clock=clock,
    )
    history = history or HistoryStore(":memory:")
    chat = ChatService(chat_config(settings), book, Conversations(), history, collector,
                       canned=SettingsCannedReplies(settings), clock=clock)
    transport = FakeTransport()
    if signed_in:  # the service attaches the connection's transport once it has an account
        chat.attach_transport(transport)
    return Desk(chat, history, book, transport, clock, uptime)


async def ask(desk: Desk, text: str, to: str | None = None, *, new: bool = False) -> ChatMessage:
    plan = await desk.chat.plan_ask(to, new_request=new)
    return await desk.chat.ask(plan, text)


REPLIED_AT = T0 + timedelta(minutes=5)  # staff answer a little after the clock's start


# -- routing -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_with_nobody_online_the_question_still_goes_to_the_first_staff_member() -> None:
    # given alice and bob, both offline
    desk = make_desk()

    # when the user plans a question to whoever is available
    plan = await desk.chat.plan_ask()

    # then it goes to the first of them, and the window can say plainly why it may take a while
    assert plan.to == ALICE
    assert plan.nobody_online
    assert str(plan.reason) == NOBODY_ONLINE
    assert "No one is online" in str(plan.reason)

    # and when it is sent, it really leaves (the server keeps it for alice)
    message = await desk.chat.ask(plan, "The VPN drops every 5 minutes")
    assert desk.transport.bodies == ["The VPN drops every 5 minutes"]
    assert message.delivery is Delivery.SENT
    assert message.peer == ALICE


@pytest.mark.asyncio
async def test_the_question_goes_to_the_available_staff_member_before_the_away_one() -> None:
    # given alice away and bob available
    desk = make_desk()
    desk.show(ALICE, Availability.AWAY)
    desk.show(BOB, Availability.AVAILABLE)

    # when the user asks whoever is available
    plan = await desk.chat.plan_ask()

    # then bob gets it, and nobody is said to be offline
    assert plan.to == BOB
    assert not plan.nobody_online
    assert str(plan.reason) == "bob is available"


@pytest.mark.asyncio
async def test_with_nobody_online_the_policy_fallback_account_gets_the_question() -> None:
    # given everyone offline and a shared support account named by policy
    desk = make_desk(support__fallback="helpdesk@example.org")

    # when the user asks
    plan = await desk.chat.plan_ask()

    # then the shared account gets it
    assert plan.to == "helpdesk@example.org"
    assert plan.nobody_online


@pytest.mark.asyncio
async def test_without_any_staff_asking_says_what_to_do_and_sends_nothing() -> None:
    # given a policy that names no staff
    desk = make_desk(staff=())

    # when the user asks, then the sentence tells them who can fix it
    with pytest.raises(AskError, match=r"support\.staff"):
        await desk.chat.plan_ask()
    assert desk.transport.sent == []


@pytest.mark.asyncio
async def test_before_signing_in_asking_points_at_the_sign_in_window() -> None:
    # given an app that never signed in (no connection yet), whose staff come from a group
    desk = make_desk(staff=(), signed_in=False)

    # when the user asks, then the sentence says to sign in, not to call IT
    with pytest.raises(AskError) as caught:
        await desk.chat.plan_ask()
    assert "Sign in…" in str(caught.value)
    assert "support.staff" not in str(caught.value)


# -- system info on the first message ------------------------------------------------------------


@pytest.mark.asyncio
async def test_first_message_carries_the_policy_fields_of_a_fresh_snapshot() -> None:
    # given a policy that allows four fields
    desk = make_desk()

    # when the user asks the first question
    message = await ask(desk, "My printer says offline")

    # then the system info goes with it: the policy's fields, in order, and it is stored too
    ((sent, sysinfo),) = desk.transport.sent
    assert sysinfo is not None
    assert [key for key, _ in sysinfo.as_pairs()] == FIELDS
    assert sysinfo.get("os.name") == "Debian GNU/Linux 12 (bookworm)"
    assert sysinfo.get("app.version") == "1.2.3"
    assert sent.sysinfo == sysinfo.as_pairs()
    assert desk.history.conversation(ALICE)[0].sysinfo == sysinfo.as_pairs()
    assert message.thread is not None and message.thread.startswith("st-")


@pytest.mark.asyncio
async def test_follow_ups_within_the_window_carry_no_sysinfo_and_keep_the_thread() -> None:
    # given a first question, 7 h 59 min ago (the window is 8 hours)
    desk = make_desk()
    first = await ask(desk, "My printer says offline")
    desk.clock.advance(8 * HOUR - 60)

    # when the user asks again, and writes in the chat
    plan = await desk.chat.plan_ask()
    second = await desk.chat.ask(plan, "It is the one on floor 2")
    third = await desk.chat.send(ALICE, "Thanks!")

    # then neither carries system info (none is even collected), and all share one thread
    assert not plan.new_request
    assert plan.sysinfo is None
    assert [sysinfo for _, sysinfo in desk.transport.sent[1:]] == [None, None]
    assert second.sysinfo == () and third.sysinfo == ()
    assert first.thread == second.thread == third.thread
    assert next(desk.uptime_calls) == 2, "system info was collected for a follow-up"


@pytest.mark.asyncio
async def test_after_the_window_a_question_starts_a_new_request_with_fresh_sysinfo() -> None:
    # given a first question 8 hours and a second ago
    desk = make_desk()
    first = await ask(desk, "My printer says offline")
    desk.clock.advance(8 * HOUR + 1)

    # when the user asks again
    second = await ask(desk, "Now the scanner is offline too")

    # then it is a new request: a new thread, and a snapshot taken now
    assert second.thread != first.thread
    _, sysinfo = desk.transport.sent[1]
    assert sysinfo is not None
    assert sysinfo.get("uptime") == "2 h"  # collected again, not the first one's "1 h"
    assert sysinfo.taken_at == desk.clock.now


@pytest.mark.asyncio
async def test_a_reply_from_staff_keeps_the_request_open() -> None:
    # given a question 6 hours ago and alice's answer 1 hour ago
    desk = make_desk()
    first = await ask(desk, "My printer says offline")
    desk.clock.advance(7 * HOUR)
    desk.chat.receive(ChatMessage(
        id="a1", peer=ALICE, direction=Direction.IN, body="Try turning it off and on",
        timestamp=desk.clock.now, thread=first.thread,
    ))  # fmt: skip
    desk.clock.advance(6 * HOUR)

    # when the user asks again 13 hours after the first question, 6 after the answer
    second = await ask(desk, "Did that, still offline")

    # then it is the same request: the window counts from the last exchange either way
    assert second.thread == first.thread
    assert second.sysinfo == ()


@pytest.mark.asyncio
async def test_new_request_starts_a_new_thread_with_fresh_sysinfo_within_the_window() -> None:
    # given a question a minute ago
    desk = make_desk()
    first = await ask(desk, "My printer says offline")
    desk.clock.advance(60)

    # when the user presses "New request" and asks something else
    second = await ask(desk, "Different problem: Outlook will not start", new=True)

    # then that is a new thread, with system info collected again
    assert second.thread != first.thread
    assert dict(second.sysinfo)["uptime"] == "2 h"


@pytest.mark.asyncio
async def test_fields_removed_in_the_preview_are_not_sent() -> None:
    # given the preview shows four fields
    desk = make_desk()
    plan = await desk.chat.plan_ask()
    assert plan.consent == "preview"
    assert plan.sysinfo is not None

    # when the user removes the model and the uptime and sends
    kept = plan.sysinfo.without(["hw.model", "uptime"])
    message = await desk.chat.ask(plan, "My printer says offline", sysinfo=kept)

    # then only the other two leave, and only they are kept in the history
    _, sysinfo = desk.transport.sent[0]
    assert sysinfo is not None
    assert [key for key, _ in sysinfo.as_pairs()] == ["os.name", "app.version"]
    assert [key for key, _ in message.sysinfo] == ["os.name", "app.version"]
    assert [key for key, _ in desk.history.conversation(ALICE)[0].sysinfo] == [
        "os.name",
        "app.version",
    ]


@pytest.mark.asyncio
async def test_consent_never_sends_the_question_without_any_sysinfo() -> None:
    # given a policy that forbids system info
    desk = make_desk(sysinfo__consent="never")

    # when the user asks a first question
    plan = await desk.chat.plan_ask()
    message = await desk.chat.ask(plan, "My printer says offline")

    # then nothing was collected and nothing is attached
    assert plan.sysinfo is None
    assert [(m.id, sysinfo) for m, sysinfo in desk.transport.sent] == [(message.id, None)]
    assert message.sysinfo == ()
    assert next(desk.uptime_calls) == 1, "system info was collected against the policy"


@pytest.mark.asyncio
async def test_consent_never_refuses_send_sysinfo_again_with_a_sentence() -> None:
    desk = make_desk(sysinfo__consent="never")
    await ask(desk, "My printer says offline")

    with pytest.raises(AskError, match="policy does not allow"):
        await desk.chat.send_sysinfo_again(ALICE)
    assert len(desk.transport.sent) == 1


@pytest.mark.asyncio
async def test_send_sysinfo_again_attaches_a_fresh_snapshot_in_the_same_thread() -> None:
    # given an open request
    desk = make_desk()
    first = await ask(desk, "My printer says offline")
    desk.clock.advance(600)

    # when the user presses "Send system info again"
    again = await desk.chat.send_sysinfo_again(ALICE)

    # then a new snapshot goes to the same person in the same thread
    _, sysinfo = desk.transport.sent[1]
    assert sysinfo is not None and sysinfo.get("uptime") == "2 h"
    assert again.thread == first.thread
    assert again.peer == ALICE


# -- empty messages ------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
async def test_an_empty_message_is_refused_and_nothing_is_stored(text: str) -> None:
    desk = make_desk()
    plan = await desk.chat.plan_ask()

    with pytest.raises(AskError, match="empty"):
        await desk.chat.ask(plan, text)
    with pytest.raises(AskError, match="empty"):
        await desk.chat.send(ALICE, text)

    assert desk.transport.sent == []
    assert desk.history.conversation(ALICE) == []
    assert desk.chat.conversations.messages(ALICE) == []


# -- offline and the outbox ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_offline_messages_are_queued_then_flushed_in_order_exactly_once() -> None:
    # given the user is offline and writes three messages
    desk = make_desk()
    desk.transport.online = False
    first = await ask(desk, "one")
    desk.clock.advance(1)
    await desk.chat.send(ALICE, "two")
    desk.clock.advance(1)
    await desk.chat.send(ALICE, "three")

    # then they wait in the store and the chat shows them queued
    assert first.delivery is Delivery.QUEUED
    assert [m.body for m in desk.history.outbox()] == ["one", "two", "three"]
    assert [m.delivery for m in desk.chat.conversations.messages(ALICE)] == [Delivery.QUEUED] * 3
    assert desk.transport.sent == []

    # when the connection is back
    desk.transport.online = True
    sent = desk.chat.flush_outbox()

    # then they leave in the order typed, and are shown sent
    assert sent == 3
    assert desk.transport.bodies == ["one", "two", "three"]
    assert desk.history.outbox() == []
    assert [m.delivery for m in desk.chat.conversations.messages(ALICE)] == [Delivery.SENT] * 3
    # and the first still carries the system info collected when it was typed
    _, sysinfo = desk.transport.sent[0]
    assert sysinfo is not None and sysinfo.as_pairs() == first.sysinfo

    # and when the connection comes back once more, nothing goes out twice
    assert desk.chat.flush_outbox() == 0
    assert desk.transport.bodies == ["one", "two", "three"]


@pytest.mark.asyncio
async def test_a_question_asked_while_not_connected_says_it_waits_for_the_connection() -> None:
    # given alice was available, then our connection went (the staff are still there)
    desk = make_desk()
    desk.show(ALICE, Availability.AVAILABLE)
    desk.transport.online = False

    # when the user plans a question
    plan = await desk.chat.plan_ask()

    # then it still goes to alice, and the reason is our connection, not the staff's presence
    assert plan.to == ALICE
    assert str(plan.reason) == NOT_CONNECTED
    # and once we are back, the route's own reason again
    desk.transport.online = True
    assert str((await desk.chat.plan_ask()).reason) == "alice is available"


@pytest.mark.asyncio
async def test_queued_counts_what_waits_in_the_outbox_and_none_when_unreadable() -> None:
    desk = make_desk()
    desk.transport.online = False
    await desk.chat.send(ALICE, "one")
    await desk.chat.send(ALICE, "two")
    assert desk.chat.queued == 2

    desk.transport.online = True
    desk.chat.flush_outbox()
    assert desk.chat.queued == 0

    # a history that cannot be read makes `status` say "unknown", not fail
    desk.history.close()
    assert desk.chat.queued is None


@pytest.mark.asyncio
async def test_a_connection_lost_mid_flush_keeps_the_rest_queued_in_order() -> None:
    # given three queued messages
    desk = make_desk()
    desk.transport.online = False
    for text in ("one", "two", "three"):
        await desk.chat.send(ALICE, text)
        desk.clock.advance(1)

    # when the link drops while the second is being handed over
    def drop_on_two(message: ChatMessage) -> None:
        if message.body == "two":
            desk.transport.online = False
            raise TransportOffline(message.id)

    desk.transport.before_send = drop_on_two
    desk.transport.online = True
    assert desk.chat.flush_outbox() == 1

    # then the first is sent, the other two still queued in the order typed
    assert desk.transport.bodies == ["one"]
    assert [m.body for m in desk.history.outbox()] == ["two", "three"]
    shown = {m.body: m.delivery for m in desk.chat.conversations.messages(ALICE)}
    assert shown == {"one": Delivery.SENT, "two": Delivery.QUEUED, "three": Delivery.QUEUED}

    # and when the link is back, they follow, in order, once
    desk.transport.before_send = None
    desk.transport.online = True
    assert desk.chat.flush_outbox() == 2
    assert desk.transport.bodies == ["one", "two", "three"]


@pytest.mark.asyncio
async def test_a_message_queued_before_a_restart_is_sent_after_it_with_its_sysinfo(
    tmp_path: object,
) -> None:
    # given a question typed offline, then the app quit
    path = f"{tmp_path}/history.sqlite3"
    before = make_desk(history=HistoryStore(path))
    before.transport.online = False
    queued = await ask(before, "My printer says offline")
    before.history.close()

    # when the app starts again, online
    after = make_desk(history=HistoryStore(path))
    assert after.chat.flush_outbox() == 1

    # then the question leaves as typed, with the same id, thread and system info
    ((message, sysinfo),) = after.transport.sent
    assert (message.id, message.body, message.thread) == (queued.id, queued.body, queued.thread)
    assert sysinfo is not None and sysinfo.as_pairs() == queued.sysinfo
    assert after.history.delivery(queued.id) is Delivery.SENT
    after.history.close()


@pytest.mark.asyncio
async def test_after_a_restart_a_new_message_shows_below_the_earlier_conversation(
    tmp_path: object,
) -> None:
    # given yesterday's conversation with alice in the history
    path = f"{tmp_path}/history.sqlite3"
    clock = FakeClock()
    yesterday = make_desk(history=HistoryStore(path), clock=clock)
    await ask(yesterday, "My printer says offline")
    yesterday.chat.receive(incoming("Fixed, try again", message_id="a1", at=REPLIED_AT))
    yesterday.history.close()

    # when the app has restarted and the user writes to alice again
    clock.advance(24 * HOUR)
    today = make_desk(history=HistoryStore(path), clock=clock)
    await ask(today, "Now the scanner is offline")

    # then the chat with alice shows the earlier messages too, oldest first
    shown = today.chat.open_conversation(ALICE)
    assert [m.body for m in shown] == [
        "My printer says offline",
        "Fixed, try again",
        "Now the scanner is offline",
    ]
    today.history.close()


# -- from the network ----------------------------------------------------------------------------


def test_a_redelivered_message_is_shown_once() -> None:
    # given a message from alice that has arrived
    desk = make_desk()
    desk.chat.receive(incoming("Hello, how can I help?", message_id="m1", at=REPLIED_AT))

    # when the server delivers it again (a reconnect, offline storage, a carbon)
    desk.chat.receive(incoming("Hello, how can I help?", message_id="m1", at=REPLIED_AT))

    # then it is shown and counted once
    assert [m.body for m in desk.chat.conversations.messages(ALICE)] == ["Hello, how can I help?"]
    assert desk.chat.unread == 1
    assert len(desk.history.conversation(ALICE)) == 1


@pytest.mark.asyncio
async def test_a_receipt_marks_the_message_delivered_in_the_store_and_the_chat() -> None:
    desk = make_desk()
    message = await ask(desk, "My printer says offline")

    desk.chat.delivered(message.id)

    assert desk.history.delivery(message.id) is Delivery.DELIVERED
    found = desk.chat.conversations.find(message.id)
    assert found is not None and found.delivery is Delivery.DELIVERED


@pytest.mark.asyncio
async def test_typing_is_sent_only_while_online() -> None:
    desk = make_desk()
    desk.chat.composing(ALICE, True)
    desk.transport.online = False
    desk.chat.composing(ALICE, False)

    assert desk.transport.states == [(ALICE, "composing")]


def test_reading_the_chat_clears_the_unread_count() -> None:
    desk = make_desk()
    desk.chat.receive(incoming("Hello", message_id="m1", at=REPLIED_AT))
    desk.chat.receive(incoming("Are you there?", message_id="m2", at=REPLIED_AT))
    assert desk.chat.unread == 2

    desk.chat.mark_read(ALICE)

    assert desk.chat.unread == 0
    assert [m.body for m in desk.chat.open_conversation(ALICE)] == ["Hello", "Are you there?"]


def test_a_staff_member_typing_is_shown_until_their_message_arrives() -> None:
    desk = make_desk()
    desk.chat.peer_typing(f"{ALICE}/desk", True)
    assert desk.chat.conversations.is_typing(ALICE)

    desk.chat.receive(incoming("Here is what to do", message_id="m1", at=REPLIED_AT))

    assert not desk.chat.conversations.is_typing(ALICE)


def test_staff_canned_replies_are_filled_from_the_requesters_latest_system_info() -> None:
    # given a staff desk, with a snippet list from the policy, and a request from ann with a form
    desk = make_desk(support__mode="staff", staff__canned_replies=[
        "Hi {name}, is {os} up to date?", "  ", "It is {local_time} for you, {name}."])
    ann = "ann@example.org"
    desk.chat.receive(replace(
        incoming("VPN is down", message_id="r1", at=REPLIED_AT, peer=ann),
        sysinfo=(("os.name", "Debian GNU/Linux 12 (bookworm)"),
                 ("local_time", "2026-01-01T14:05:00+02:00"))))
    # then the snippets read for ann (blank ones are dropped), labels first
    their_time = f"{desk.clock.now.astimezone(timezone(timedelta(hours=2))):%H:%M}"
    assert desk.chat.canned_replies(ann) == [
        ("Hi ann, is Debian 12 up to date?", "Hi ann, is Debian 12 up to date?"),
        (f"It is {their_time} for you, ann.", f"It is {their_time} for you, ann."),
    ]
    # and the request is in the queue
    assert desk.chat.requests is not None
    assert [r.requester for r in desk.chat.requests.requests()] == [ann]


# -- staff: editing canned replies, earlier requests -------------------------------------------


def staff_desk(settings_file: Path | None, *, locked: list[str] | None = None) -> Desk:
    """A staff desk whose snippets live in the user's settings file (or are enforced)."""
    enforced: dict[str, object] = {"support.mode": "staff", "support.staff": [ALICE]}
    if locked is not None:
        enforced["staff.canned_replies"] = locked
    settings = Settings(Policy(source=None, enforced=enforced), path=settings_file)
    clock = FakeClock()
    book = PresenceBook(clock)
    book.add_staff(ALICE)
    history = HistoryStore(":memory:")
    collector = SysinfoCollector([], sources={}, app_version="1.2.3", clock=clock)
    chat = ChatService(chat_config(settings), book, Conversations(), history, collector,
                       canned=SettingsCannedReplies(settings), clock=clock)
    return Desk(chat, history, book, FakeTransport(), clock, count(1))


def test_saved_canned_replies_go_to_the_settings_file_and_the_menu_at_once(
    tmp_path: Path,
) -> None:
    # given a staff desk with the built-in snippets
    settings_file = tmp_path / "config" / "settings.toml"
    desk = staff_desk(settings_file)
    assert not desk.chat.canned_templates_locked()
    # when the staff member saves an edited list with a blank snippet in it
    kept = desk.chat.set_canned_templates(["Hello {name}", "   ", "Line one\nline two\n"])
    # then blanks are dropped, the menu offers the new ones, and the file holds them
    assert kept == ["Hello {name}", "Line one\nline two"]
    assert desk.chat.canned_templates() == kept
    assert [text for _label, text in desk.chat.canned_replies("ann@example.org")] == [
        "Hello ann", "Line one\nline two"]
    saved = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    assert saved["staff"]["canned_replies"] == kept


def test_canned_replies_locked_by_policy_cannot_be_saved() -> None:
    desk = staff_desk(None, locked=["Managed reply"])
    assert desk.chat.canned_templates_locked()
    with pytest.raises(CannedRepliesError, match="organisation manages") as raised:
        desk.chat.set_canned_templates(["Mine"])
    assert raised.value.locked
    assert desk.chat.canned_templates() == ["Managed reply"]


def test_an_unwritable_settings_file_changes_nothing_and_says_where(tmp_path: Path) -> None:
    # given a settings file whose folder cannot be made (a file is in its way)
    blocker = tmp_path / "config"
    blocker.write_text("not a folder")
    desk = staff_desk(blocker / "settings.toml")
    before = desk.chat.canned_templates()
    # when saving, then the error names the file, and the menu keeps the old replies
    with pytest.raises(CannedRepliesError, match="could not be saved") as raised:
        desk.chat.set_canned_templates(["New"])
    assert str(blocker / "settings.toml") in str(raised.value)
    assert not raised.value.locked
    assert desk.chat.canned_templates() == before


def test_the_editor_preview_fills_a_snippet_like_the_menu() -> None:
    desk = staff_desk(None)
    ann = "ann@example.org"
    desk.chat.receive(incoming("VPN is down", message_id="r1", at=REPLIED_AT, peer=ann,
                               sysinfo=(("os.name", "Debian GNU/Linux 12 (bookworm)"),)))
    assert desk.chat.fill_canned(ann, "{name} on {os} at {local_time}") == (
        "ann on Debian 12 at {local_time}")


def test_earlier_requests_leave_out_the_current_one() -> None:
    desk = staff_desk(None)
    ann = "ann@example.org"
    for n, thread in enumerate(["t-1", "t-2", "t-3"]):
        desk.chat.receive(incoming(f"request {n}", message_id=f"r{n}", peer=ann, thread=thread,
                                   at=datetime(2026, 1, n + 1, 9, 0, tzinfo=UTC)))
    earlier = desk.chat.earlier_requests(ann)
    assert [t.thread for t in earlier.threads] == ["t-2", "t-1"]
    assert [m.body for m in desk.chat.thread_messages(ann, "t-1")] == ["request 0"]


@pytest.mark.asyncio
async def test_staff_answer_a_colleagues_request_in_its_thread_not_a_new_one() -> None:
    # given a request that reached a colleague, announced in the staff room
    desk = make_desk(support__mode="staff")
    queue = desk.chat.requests
    assert queue is not None
    ann = "ann@example.org"
    queue.announced(SupportRequest(id="t-ann", requester=ann, thread="t-ann",
                                   first_line="VPN is down", opened=desk.clock.now, summary=""))
    # when we write to her (after taking it), the message goes in her request's thread
    sent = await desk.chat.send(ann, "Hi Ann, I'll take this one")
    assert sent.thread == "t-ann"
    # and her reply in that thread is the same request, not a second one
    desk.chat.receive(incoming("Thanks", message_id="r1", at=REPLIED_AT, peer=ann, thread="t-ann"))
    assert [r.id for r in queue.requests()] == ["t-ann"]


def test_a_colleagues_request_shows_its_question_and_system_info_in_our_chat_once() -> None:
    # given a request that reached a colleague, announced with the question and the machine
    desk = make_desk(support__mode="staff")
    queue = desk.chat.requests
    assert queue is not None
    ann = "ann@example.org"
    opened = desk.clock.now - timedelta(minutes=5)
    queue.announced(SupportRequest(
        id="t-ann", requester=ann, thread="t-ann", first_line="VPN is down", opened=opened,
        summary="Debian 12", question="VPN is down\nsince the update",
        sysinfo=(("os.name", "Debian GNU/Linux 12 (bookworm)"),)))
    # when we open the chat with her: her question is there, as she asked it, not unread
    (shown,) = desk.chat.open_conversation(ann)
    assert (shown.body, shown.thread, shown.timestamp) == (
        "VPN is down\nsince the update", "t-ann", opened)
    assert shown.sysinfo == (("os.name", "Debian GNU/Linux 12 (bookworm)"),)
    assert desk.chat.unread == 0
    # and stored: opening again (or after a restart) shows it once
    assert len(desk.chat.open_conversation(ann)) == 1
    assert [m.id for m in desk.history.conversation(ann)] == [shown.id]


def test_the_privacy_line_reads_retention_from_the_settings_and_the_server_from_disco() -> None:
    desk = make_desk(history__retention_days=90)
    assert desk.chat.keeping() == Keeping(True, 90, None)
    desk.chat.server_archive.found(True)
    assert desk.chat.keeping() == Keeping(True, 90, True)
    assert make_desk(history__enabled=False).chat.keeping() == Keeping(False, 0, None)


@pytest.mark.asyncio
async def test_deleting_a_conversation_removes_it_from_the_history_and_the_chat(
        tmp_path: Path) -> None:
    # Given a history file with a chat with Alice and one with Bob
    history = HistoryStore(tmp_path / "history.sqlite")
    desk = make_desk(history=history)
    desk.chat.receive(incoming("Hello", message_id="m1", at=REPLIED_AT))
    desk.chat.receive(incoming("Hi", peer=BOB, message_id="m2", at=REPLIED_AT))
    # When Alice's is deleted (on an executor thread, with a connection of its own)
    deleted = await desk.chat.delete_conversation(ALICE)
    # Then it is gone from the file and from the chats shown; Bob's stays
    assert deleted == 1
    assert history.conversation(ALICE) == [] and desk.chat.conversations.messages(ALICE) == []
    assert [m.body for m in history.conversation(BOB)] == ["Hi"]
    history.close()
