"""Conversations: what the chat windows and the unread badge show."""

from __future__ import annotations

from datetime import UTC, datetime

from supporttray.core.conversations import ConversationChanged, Conversations
from supporttray.core.messages import ChatMessage, Delivery, Direction
from tests.helpers import T0, incoming

ALICE = "alice@x.org"
ANN = "ann@example.org"


def outgoing(msg_id: str, peer: str = "alice@x.org") -> ChatMessage:
    return ChatMessage(msg_id, peer, Direction.OUT, "q", T0, "t1", Delivery.QUEUED)


def test_an_incoming_message_counts_as_unread_until_the_chat_is_read() -> None:
    chats = Conversations()
    chats.add(incoming(message_id="1", peer=ALICE, thread="t1"))
    chats.add(incoming(message_id="2", thread="t1", peer="bob@x.org"))
    assert (chats.unread("alice@x.org"), chats.total_unread()) == (1, 2)

    chats.mark_read("Alice@X.org")
    assert (chats.unread("alice@x.org"), chats.total_unread()) == (0, 1)


def test_our_own_messages_are_never_unread() -> None:
    chats = Conversations()
    chats.add(outgoing("1"))
    assert chats.total_unread() == 0


def test_arrivals_are_announced_for_notifications_but_not_our_own() -> None:
    chats = Conversations()
    arrived: list[ChatMessage] = []
    chats.arrived.subscribe(arrived.append)
    chats.add(outgoing("1"))
    chats.add(incoming(message_id="2", peer=ALICE, thread="t1"))
    assert [m.id for m in arrived] == ["2"]


def test_the_same_message_twice_is_shown_once() -> None:
    chats = Conversations()
    chats.add(incoming(message_id="1", peer=ALICE, thread="t1"))
    chats.add(incoming(message_id="1", peer=ALICE, thread="t1"))
    assert len(chats.messages("alice@x.org")) == 1
    assert chats.unread("alice@x.org") == 1


def test_delivery_moves_forward_only() -> None:
    chats = Conversations()
    chats.add(outgoing("1"))
    chats.update_delivery("1", Delivery.DELIVERED)
    chats.update_delivery("1", Delivery.SENT)  # a late "sent" after the receipt
    assert chats.messages("alice@x.org")[0].delivery is Delivery.DELIVERED


def test_typing_shows_until_their_message_arrives() -> None:
    chats = Conversations()
    events: list[ConversationChanged] = []
    chats.changed.subscribe(events.append)
    chats.set_typing("alice@x.org", True)
    assert chats.is_typing("alice@x.org")
    chats.add(incoming(message_id="1", peer=ALICE, thread="t1"))
    assert not chats.is_typing("alice@x.org")
    assert all(e.peer == "alice@x.org" for e in events)


def test_history_loaded_for_a_chat_comes_before_new_messages() -> None:
    chats = Conversations()
    chats.load("alice@x.org", [outgoing("old")])
    chats.add(incoming(message_id="new", peer=ALICE, thread="t1"))
    assert [m.id for m in chats.messages("alice@x.org")] == ["old", "new"]
    chats.update_delivery("old", Delivery.SENT)
    assert chats.find("old") is not None and chats.find("old").delivery is Delivery.SENT  # type: ignore[union-attr]


def test_a_relayed_earlier_message_goes_in_time_order_without_unread_or_notification() -> None:
    from datetime import UTC, datetime

    from supporttray.core.messages import ChatMessage, Direction

    t = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    chats = Conversations()
    arrived: list[str] = []
    chats.arrived.subscribe(lambda m: arrived.append(m.id))
    chats.add(ChatMessage("late", "ann@example.org", Direction.OUT, "Hi", t.replace(minute=5)))
    chats.add_earlier(ChatMessage("q", "ann@example.org", Direction.IN, "VPN?", t))
    chats.add_earlier(ChatMessage("q", "ann@example.org", Direction.IN, "VPN?", t))  # once
    assert [m.id for m in chats.messages("ann@example.org")] == ["q", "late"]
    assert chats.unread("ann@example.org") == 0 and arrived == []
    assert chats.find("late") is not None and chats.find("late").body == "Hi"


def test_a_message_older_than_the_chat_goes_in_time_order_and_counts_unread() -> None:
    # caught up from the server's archive after a newer one arrived live
    t = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    chats = Conversations()
    chats.add(ChatMessage("new", ANN, Direction.IN, "Still broken", t.replace(minute=9)))
    chats.add(ChatMessage("old", ANN, Direction.IN, "VPN drops", t.replace(minute=1)))
    assert [m.id for m in chats.messages(ANN)] == ["old", "new"]
    assert chats.unread(ANN) == 2
    assert chats.find("new") == chats.messages(ANN)[1]  # the index follows the move


def test_an_answer_from_another_client_reads_what_came_before_it_only() -> None:
    t = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    chats = Conversations()
    changes: list[str] = []
    chats.changed.subscribe(lambda c: changes.append(c.peer))
    for minute, body in ((1, "VPN drops"), (2, "Any idea?"), (9, "Thanks, works")):
        chats.add(ChatMessage(f"q{minute}", ANN, Direction.IN, body, t.replace(minute=minute)))
    # the staff member's answer from their phone, between the questions and the thanks
    answer = ChatMessage("a", ANN, Direction.OUT, "Use the other profile", t.replace(minute=5),
                         delivery=Delivery.SENT)
    chats.add(answer)
    changes.clear()
    chats.answered(answer)
    assert chats.unread(ANN) == 1 and changes == [ANN]
    chats.answered(answer)  # again: nothing more to read, nothing announced
    assert chats.unread(ANN) == 1 and changes == [ANN]


def test_a_forgotten_chat_shows_nothing_and_counts_nothing() -> None:
    conversations = Conversations()
    conversations.add(ChatMessage("m1", "alice@example.org", Direction.IN, "hi", T0))
    conversations.forget("alice@example.org/laptop")
    assert conversations.messages("alice@example.org") == []
    assert conversations.unread("alice@example.org") == 0
    # and the same message may come again (caught up from the server's archive)
    conversations.add(ChatMessage("m1", "alice@example.org", Direction.IN, "hi", T0))
    assert conversations.unread("alice@example.org") == 1
