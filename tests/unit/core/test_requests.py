"""Staff mode's request queue: a requester's new thread opens a request; the rest join it."""

from __future__ import annotations

from datetime import datetime, timedelta

from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.requests import RequestQueue, SupportRequest
from supporttray.core.text import FIRST_LINE_CHARS
from tests.helpers import T0, incoming

ANN = "ann@example.org/laptop"  # a full JID: the queue knows her by the bare one
SYSINFO = (("os.name", "Debian GNU/Linux 12 (bookworm)"), ("hw.model", "ThinkPad T14 (20S0)"))


def test_a_new_thread_opens_a_request_with_its_first_line_and_machine() -> None:
    queue = RequestQueue()
    opened: list[str] = []
    queue.opened.subscribe(lambda r: opened.append(r.id))
    queue.note(incoming("\n  Printer on floor 3 jams  \nsince this morning", peer=ANN, thread="t1",
                        sysinfo=SYSINFO))
    queue.note(incoming("Still jammed", at=T0 + timedelta(minutes=2), peer=ANN, thread="t1"))
    (request,) = queue.requests()
    assert opened == ["t1"]
    assert (request.requester, request.first_line, request.summary) == (
        "ann@example.org", "Printer on floor 3 jams", "Debian 12 · ThinkPad T14")
    assert request.as_status(T0 + timedelta(minutes=3)) == {
        "id": "t1", "from": "ann@example.org", "thread": "t1", "waiting_seconds": 180,
        "claimed_by": None, "summary": "Debian 12 · ThinkPad T14"}


def test_requests_are_oldest_first_and_threadless_ones_are_one_per_person() -> None:
    queue = RequestQueue()
    queue.note(incoming("VPN?", peer="bob@example.org", thread=None, at=T0 + timedelta(1)))
    queue.note(incoming("and mail?", peer="bob@example.org", thread=None, at=T0 + timedelta(2)))
    queue.note(incoming("Printer", thread="t1", at=T0, peer=ANN))
    assert [(r.id, r.first_line) for r in queue.requests()] == [
        ("t1", "Printer"), ("peer:bob@example.org", "VPN?")]


def test_our_own_messages_open_nothing_and_long_lines_are_cut() -> None:
    queue = RequestQueue()
    out = ChatMessage("x", "ann@example.org", Direction.OUT, "Hello", T0, thread="t9")
    assert queue.note(out) is None
    request = queue.note(incoming("x" * 500, peer=ANN, thread="t1"))
    assert request is not None and len(request.first_line) == FIRST_LINE_CHARS
    assert request.first_line.endswith("…")


# -- the team's events, from the staff room, in room order --------------------------------------


def announced(request_id: str = "t1", *, at: datetime = T0) -> SupportRequest:
    return SupportRequest(id=request_id, requester="ann@example.org", thread=request_id,
                          first_line="VPN drops", opened=at, summary="Windows 11")


def test_the_first_claim_wins_and_later_ones_change_nothing() -> None:
    queue = RequestQueue()
    changes: list[None] = []
    queue.changed.subscribe(changes.append)
    assert queue.announced(announced())
    assert queue.claimed("t1", "alice@example.org/laptop")
    assert not queue.claimed("t1", "bob@example.org")
    assert queue.find("t1") is not None and queue.find("t1").claimed_by == "alice@example.org"
    assert len(changes) == 2  # announced, claimed: the losing claim changed nothing


def test_an_announcement_of_a_known_request_keeps_the_first_and_its_owner() -> None:
    queue = RequestQueue()
    queue.note(incoming("VPN drops", thread="t1", peer=ANN))
    queue.claimed("t1", "alice@example.org")
    assert not queue.announced(announced(at=T0 + timedelta(minutes=5)))
    (request,) = queue.requests()
    assert (request.opened, request.claimed_by) == (T0, "alice@example.org")


def test_resolved_requests_leave_the_queue_and_a_new_message_opens_them_unclaimed() -> None:
    queue = RequestQueue()
    queue.note(incoming("VPN drops", thread="t1", peer=ANN))
    queue.claimed("t1", "alice@example.org")
    assert queue.resolved("t1") is not None
    assert queue.requests() == [] and queue.resolved("t1") is None
    reopened = queue.note(incoming("It is back", thread="t1", at=T0 + timedelta(hours=1), peer=ANN))
    assert reopened is not None and reopened.claimed_by is None


def test_claims_for_unknown_requests_are_ignored_and_unclaimed_counts_the_badge() -> None:
    queue = RequestQueue()
    assert not queue.claimed("nope", "alice@example.org")
    queue.announced(announced("t1"))
    queue.announced(announced("t2", at=T0 + timedelta(minutes=1)))
    queue.announced(SupportRequest(id="t3", requester="bob@example.org", thread="t3",
                                   first_line="x", opened=T0, summary=""))
    queue.claimed("t2", "alice@example.org")
    assert queue.unclaimed() == 2
    assert queue.for_peer("ann@example.org/phone") is not None
    assert queue.for_peer("ann@example.org").id == "t2"  # her newest
    assert queue.for_peer("carol@example.org") is None
