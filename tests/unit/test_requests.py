"""Staff mode's request queue: a requester's new thread opens a request; the rest join it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.requests import FIRST_LINE_CHARS, RequestQueue

T0 = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
SYSINFO = (("os.name", "Debian GNU/Linux 12 (bookworm)"), ("hw.model", "ThinkPad T14 (20S0)"))


def incoming(body: str, *, peer: str = "ann@example.org/laptop", thread: str | None = "t1",
             at: datetime = T0, sysinfo: tuple[tuple[str, str], ...] = ()) -> ChatMessage:
    return ChatMessage(f"id-{body[:8]}-{at.timestamp()}", peer.split("/")[0], Direction.IN,
                       body, at, thread=thread, sysinfo=sysinfo)


def test_a_new_thread_opens_a_request_with_its_first_line_and_machine() -> None:
    queue = RequestQueue()
    opened: list[str] = []
    queue.opened.subscribe(lambda r: opened.append(r.id))
    queue.note(incoming("\n  Printer on floor 3 jams  \nsince this morning", sysinfo=SYSINFO))
    queue.note(incoming("Still jammed", at=T0 + timedelta(minutes=2)))
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
    queue.note(incoming("Printer", thread="t1", at=T0))
    assert [(r.id, r.first_line) for r in queue.requests()] == [
        ("t1", "Printer"), ("peer:bob@example.org", "VPN?")]


def test_our_own_messages_open_nothing_and_long_lines_are_cut() -> None:
    queue = RequestQueue()
    out = ChatMessage("x", "ann@example.org", Direction.OUT, "Hello", T0, thread="t9")
    assert queue.note(out) is None
    request = queue.note(incoming("x" * 500))
    assert request is not None and len(request.first_line) == FIRST_LINE_CHARS
    assert request.first_line.endswith("…")
