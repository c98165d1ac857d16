"""What the running instance does with `open-link` (ipc/commands.py): a requester's ask window
for that person, or for staff (who have no ask window) the chat with them."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from supporttray.ipc.commands import ControlCommands
from supporttray.ipc.protocol import OpenLinkRequest


class FakeWindows:
    def __init__(self, *, can_ask: bool) -> None:
        self.can_ask = can_ask
        self.opened: list[tuple[str, str, str | None]] = []

    def activate(self) -> None:
        self.opened.append(("status", "", None))

    def open_ask(self, text: str = "", *, to: str | None = None,
                 new_request: bool = False) -> bool:
        if self.can_ask:
            self.opened.append(("ask", text, to))
        return self.can_ask

    def open_chat(self, peer: str, text: str = "") -> None:
        self.opened.append(("chat", text, peer))


def open_link(windows: FakeWindows, wire: dict[str, Any]) -> dict[str, Any]:
    commands = ControlCommands(cast(Any, None), cast(Any, None), windows)
    return asyncio.run(commands.handlers()[OpenLinkRequest.cmd](wire))


def test_a_link_opens_the_requesters_ask_window_for_that_person() -> None:
    windows = FakeWindows(can_ask=True)
    answer = open_link(windows, OpenLinkRequest("alice@example.org", "Hi").to_wire())
    assert answer == {"ok": True, "result": {"opened": "ask"}}
    assert windows.opened == [("ask", "Hi", "alice@example.org")]


def test_staff_get_the_chat_with_that_person_instead() -> None:
    windows = FakeWindows(can_ask=False)
    answer = open_link(windows, OpenLinkRequest("ann@example.org", "Hi").to_wire())
    assert answer == {"ok": True, "result": {"opened": "chat"}}
    assert windows.opened == [("chat", "Hi", "ann@example.org")]


def test_a_link_to_nobody_is_a_sentence() -> None:
    windows = FakeWindows(can_ask=True)
    answer = open_link(windows, {"cmd": "open-link", "to": None})
    assert answer == {"ok": False, "error": "The link names nobody to write to."}
    assert windows.opened == []
