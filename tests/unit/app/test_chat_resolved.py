"""Staff mode records in the history whether each request is resolved, for the history window."""

from __future__ import annotations

from tests.helpers import incoming
from tests.unit.app.test_chat import make_desk

REQUESTER = "erin@example.org"


def test_a_request_is_open_then_resolved_then_open_again_in_the_history() -> None:
    # given staff mode, and a requester's question
    desk = make_desk(support__mode="staff")
    desk.chat.receive(incoming("printer jams", peer=REQUESTER, thread="st-9"))
    assert desk.chat.requests is not None
    [summary] = desk.history.conversations()
    assert summary.resolved is False  # open
    # when it is resolved (here, or by a colleague through the room)
    desk.chat.requests.resolved("st-9")
    # then the history says so
    assert desk.history.conversations()[0].resolved is True
    # and a later message in its thread opens it again
    desk.chat.receive(incoming("still jams", peer=REQUESTER, thread="st-9", message_id="m2"))
    assert desk.history.conversations()[0].resolved is False
