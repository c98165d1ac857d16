"""Listing and exporting the history (app/history_query.py), as `history` and the window do."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray.app.history_query import HistoryQuery, export_history, list_history
from supporttray.core.history import HistoryStore
from supporttray.core.messages import ChatMessage, Direction

ME = "me@example.org"
ALICE = "alice@example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_the_window_exports_one_request(tmp_path: Path) -> None:
    with HistoryStore(":memory:") as store:
        store.add(ChatMessage("a", ALICE, Direction.IN, "printer", T0, "st-1"))
        store.add(ChatMessage("b", ALICE, Direction.IN, "vpn", T0, "st-2"))
        written = export_history(store, HistoryQuery(with_=ALICE, thread="st-2"),
                                 tmp_path / "one.md", me=ME)
    assert written == 1
    target = tmp_path / "one.md"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    assert "vpn" in text and "printer" not in text and "Request st-2 with" in text


def test_an_export_to_an_unknown_extension_is_refused_before_anything_is_read(
    tmp_path: Path,
) -> None:
    with HistoryStore(":memory:") as store, pytest.raises(ValueError, match=r"\.md or"):
        export_history(store, HistoryQuery(), tmp_path / "out.pdf", me=ME)
    assert not (tmp_path / "out.pdf").exists()


def test_a_limited_list_is_the_newest_messages_oldest_first() -> None:
    with HistoryStore(":memory:") as store:
        for i in range(5):
            store.add(ChatMessage(f"m{i}", ALICE, Direction.IN, f"body {i}",
                                  T0 + timedelta(minutes=i)))
        listed = list_history(store, HistoryQuery(limit=2), me=ME)
    assert [m["id"] for m in listed] == ["m3", "m4"]
