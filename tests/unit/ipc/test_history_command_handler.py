"""The running instance's answer to `history`: read on an executor through its own reader."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from supporttray.core.history import HistoryStore
from supporttray.core.messages import ChatMessage, Direction
from supporttray.ipc.commands import ControlCommands
from supporttray.ipc.protocol import HistoryRequest, HistoryResult

ME = "me@example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def ask(store: HistoryStore | None, request: HistoryRequest) -> dict[str, Any]:
    service = SimpleNamespace(config=SimpleNamespace(account_jid=ME))
    commands = ControlCommands(cast(Any, service), cast(Any, None), cast(Any, None),
                               history=store)
    return asyncio.run(commands.handlers()[HistoryRequest.cmd](request.to_wire()))


def test_the_instance_lists_searches_and_exports_its_history(tmp_path: Path) -> None:
    with HistoryStore(":memory:") as store:
        store.add(ChatMessage("m1", "alice@example.org", Direction.IN, "printer jams", T0))
        store.add(ChatMessage("m2", "alice@example.org", Direction.OUT, "try tray 2", T0))
        listed = HistoryResult.from_wire(ask(store, HistoryRequest())["result"])
        found = HistoryResult.from_wire(ask(store, HistoryRequest(search="printer"))["result"])
        target = tmp_path / "out.md"
        exported = ask(store, HistoryRequest(export=str(target)))
    assert [(m["id"], m["from"], m["to"]) for m in listed.messages] == [
        ("m1", "alice@example.org", ME), ("m2", ME, "alice@example.org")]
    assert [m["id"] for m in found.messages] == ["m1"]
    assert exported == {"ok": True, "result": {"messages": [], "exported": 2}}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_bad_date_or_no_history_is_a_sentence() -> None:
    with HistoryStore(":memory:") as store:
        assert ask(store, HistoryRequest(since="soon"))["ok"] is False
    assert ask(None, HistoryRequest()) == {
        "ok": False, "error": "This SupportTray keeps no chat history."}
