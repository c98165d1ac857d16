"""`history.enabled = false`: the history stays in memory; only unsent messages reach the disk,
in an outbox file that is gone once they are sent."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from supporttray.app.unkept_history import OutboxOnlyHistory, remove_history_file
from supporttray.core.messages import ChatMessage, Delivery, Direction

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def queued(id: str, body: str = "is the printer fixed?") -> ChatMessage:
    return ChatMessage(id, "alice@example.org", Direction.OUT, body, T0, "st-1",
                       Delivery.QUEUED, sysinfo=(("os.name", "Debian"),))


def test_an_unsent_message_waits_in_an_owner_only_outbox_file(tmp_path: Path) -> None:
    outbox = tmp_path / "data" / "outbox.json"
    history = OutboxOnlyHistory(outbox)
    history.add(ChatMessage("in", "alice@example.org", Direction.IN, "hello", T0))
    assert not outbox.exists()  # received messages are never written
    history.add(queued("q1"))
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o600
    assert "hello" not in outbox.read_text(encoding="utf-8")
    history.close()


def test_the_outbox_survives_a_restart_until_sent_then_the_file_goes(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.json"
    first = OutboxOnlyHistory(outbox)
    first.add(queued("q1"))
    first.close()  # the app quits while offline
    again = OutboxOnlyHistory(outbox)
    assert [(m.id, m.sysinfo) for m in again.outbox()] == [("q1", (("os.name", "Debian"),))]
    assert again.set_delivery("q1", Delivery.SENT)
    assert not outbox.exists()
    assert [m.id for m in again.conversation("alice@example.org")] == ["q1"]  # still shown
    again.close()


def test_a_history_file_left_from_before_is_deleted(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
        (tmp_path / name).write_bytes(b"x")
    assert remove_history_file(db)
    assert list(tmp_path.iterdir()) == []
    assert not remove_history_file(db)


def test_an_unreadable_outbox_file_starts_empty(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.json"
    outbox.write_text("{not json", encoding="utf-8")
    history = OutboxOnlyHistory(outbox)
    assert history.outbox() == []
    history.close()
