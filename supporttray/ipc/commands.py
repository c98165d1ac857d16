"""What the running instance does for each control-socket command: one method per command.

The command line's side of each request is `ipc.protocol`; the socket itself is `ipc.server`,
which gets `ControlCommands.handlers()`. The windows are reached through `Windows` (the tray
controller, from ui/ above us, passed in by the composition root).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from supporttray.app.errors import AskError, DeskError
from supporttray.app.history_query import HistoryQuery, export_history, list_history
from supporttray.core.history_errors import HistoryError
from supporttray.core.sysinfo import SysinfoItem
from supporttray.ipc import protocol
from supporttray.ipc.file_commands import send_file
from supporttray.ipc.protocol import (
    ActivateRequest,
    AskRequest,
    AskResult,
    CheckRequest,
    CheckWaitRequest,
    HistoryRequest,
    HistoryResult,
    OpenLinkRequest,
    OpenLinkResult,
    PresenceRequest,
    PresenceResult,
    ReconnectRequest,
    ResolveRequest,
    StatusRequest,
    TakeRequest,
)
from supporttray.ipc.send_protocol import SendRequest
from supporttray.ipc.server import Streaming

if TYPE_CHECKING:
    from supporttray.app.chat import ChatService
    from supporttray.app.group_check import GroupChecks
    from supporttray.app.service import SupportService
    from supporttray.app.transfers import FileTransfers
    from supporttray.core.history import HistoryStore
    from supporttray.ipc.server import Emit, Handler

log = logging.getLogger("supporttray.ipc")

STAFF_HAVE_NO_ASK_WINDOW = ("The ask window is for requesters; this instance runs in staff "
                            "mode. Use --send, or open a chat from the tray.")


class Windows(Protocol):
    """What the commands need from the tray's windows (ui.tray.TrayController)."""

    def activate(self) -> None: ...

    def open_ask(self, text: str = "", *, to: str | None = None,
                 new_request: bool = False) -> bool: ...

    def open_chat(self, peer: str, text: str = "") -> None: ...


_R = TypeVar("_R")


class ControlCommands:
    """The answers of the running instance to `status`, `ask`, `presence`, `take`, ..."""

    def __init__(self, service: SupportService, chat: ChatService, windows: Windows, *,
                 history: HistoryStore | None = None,
                 group_checks: GroupChecks | None = None,
                 files: FileTransfers | None = None) -> None:
        self._files = files
        self._service = service
        self._group_checks = group_checks
        self._chat = chat
        self._windows = windows
        self._history = history

    def handlers(self) -> Mapping[str, Handler | Streaming]:
        """For ipc.server.ControlServer: each command's name on the wire -> its method."""
        return {
            StatusRequest.cmd: _parsed(StatusRequest.from_wire, self.status),
            ActivateRequest.cmd: _parsed(ActivateRequest.from_wire, self.activate),
            ReconnectRequest.cmd: _parsed(ReconnectRequest.from_wire, self.reconnect),
            AskRequest.cmd: _parsed(AskRequest.from_wire, self.ask),
            OpenLinkRequest.cmd: _parsed(OpenLinkRequest.from_wire, self.open_link),
            PresenceRequest.cmd: _parsed(PresenceRequest.from_wire, self.presence),
            TakeRequest.cmd: _parsed(TakeRequest.from_wire, self.take),
            ResolveRequest.cmd: _parsed(ResolveRequest.from_wire, self.resolve),
            HistoryRequest.cmd: _parsed(HistoryRequest.from_wire, self.history),
            CheckRequest.cmd: _parsed(CheckRequest.from_wire, self.check),
            CheckWaitRequest.cmd: _parsed(CheckWaitRequest.from_wire, self.check_wait),
            SendRequest.cmd: Streaming(self.send_file),
        }

    async def send_file(self, message: dict[str, Any], emit: Emit | None) -> dict[str, Any]:
        """`supporttray send`: upload, send, and tell the command line how far it is."""
        return await send_file(self._files, SendRequest.from_wire(message), emit)

    async def check(self, request: CheckRequest) -> dict[str, Any]:
        """`supporttray check`: ask now; the answer is the check's first state."""
        from supporttray.app.group_check import GroupCheckError
        from supporttray.ipc.check_state import check_state

        if self._group_checks is None:
            return protocol.failure("This SupportTray asks no group checks.")
        deadline = (timedelta(seconds=request.deadline_seconds)
                    if request.deadline_seconds is not None else None)
        try:
            check = self._group_checks.start(list(request.to), request.question, deadline)
        except GroupCheckError as exc:
            return protocol.failure(str(exc))
        return protocol.ok(check_state(check, self._group_checks.version(check.id)).to_wire())

    async def check_wait(self, request: CheckWaitRequest) -> dict[str, Any]:
        """`check --wait`: held until the check changes (at most CHECK_HOLD_SECONDS)."""
        from supporttray.ipc.check_state import CHECK_HOLD_SECONDS, check_state

        checks = self._group_checks
        check = checks.get(request.id) if checks is not None else None
        if checks is None or check is None:
            return protocol.failure(f"No group check {request.id!r} in this instance.")
        version = await checks.wait_change(request.id, request.seen, CHECK_HOLD_SECONDS)
        return protocol.ok(check_state(check, version).to_wire())

    async def status(self, _request: StatusRequest) -> dict[str, Any]:
        return protocol.ok(self._service.status())

    async def activate(self, _request: ActivateRequest) -> dict[str, Any]:
        self._windows.activate()
        return protocol.ok()

    async def reconnect(self, _request: ReconnectRequest) -> dict[str, Any]:
        await self._service.reconnect_now()
        return protocol.ok()

    async def ask(self, request: AskRequest) -> dict[str, Any]:
        if request.send:
            return await self._send_ask(request)
        if not self._windows.open_ask(request.text, to=request.to, new_request=request.new):
            return protocol.failure(STAFF_HAVE_NO_ASK_WINDOW)
        return protocol.ok()

    async def open_link(self, request: OpenLinkRequest) -> dict[str, Any]:
        if not request.to:
            return protocol.failure("The link names nobody to write to.")
        if self._windows.open_ask(request.text, to=request.to):
            return protocol.ok(OpenLinkResult(opened="ask").to_wire())
        # Staff mode: no ask window; writing to that person is a chat with them.
        self._windows.open_chat(request.to, request.text)
        return protocol.ok(OpenLinkResult(opened="chat").to_wire())

    async def presence(self, request: PresenceRequest) -> dict[str, Any]:
        try:
            current = self._service.set_presence(request.show, request.status)
        except ValueError as exc:
            return protocol.failure(str(exc))
        return protocol.ok(PresenceResult.from_wire(current).to_wire())

    async def take(self, request: TakeRequest) -> dict[str, Any]:
        try:
            return protocol.ok(await self._service.take_request(request.request))
        except DeskError as exc:
            return protocol.failure(str(exc))

    async def resolve(self, request: ResolveRequest) -> dict[str, Any]:
        try:
            return protocol.ok(await self._service.resolve_request(request.request))
        except (DeskError, AskError) as exc:
            return protocol.failure(str(exc))

    async def history(self, request: HistoryRequest) -> dict[str, Any]:
        """`supporttray history`: read (or export) on an executor thread, through a reader
        connection of its own, so a search of a big history never stalls the tray."""
        if self._history is None:
            return protocol.failure("This SupportTray keeps no chat history.")
        try:
            since = datetime.fromisoformat(request.since) if request.since else None
        except ValueError:
            return protocol.failure(f"{request.since!r} is not a date and time.")
        query = HistoryQuery(with_=request.with_, search=request.search, since=since,
                             limit=request.limit)
        me = self._service.config.account_jid
        target = Path(request.export) if request.export else None
        reader = self._history.open_reader()

        def work() -> HistoryResult:
            try:
                if target is not None:
                    return HistoryResult(exported=export_history(
                        reader, query, target, me=me, redact=request.redact))
                return HistoryResult(messages=tuple(list_history(reader, query, me=me)))
            finally:
                reader.close()

        try:
            result = await asyncio.get_running_loop().run_in_executor(None, work)
        except (HistoryError, ValueError) as exc:
            return protocol.failure(str(exc))
        except OSError as exc:
            return protocol.failure(f"The export could not be written to {target} "
                                    f"({exc.strerror or exc}).")
        return protocol.ok(result.to_wire())

    async def _send_ask(self, request: AskRequest) -> dict[str, Any]:
        """`supporttray ask --send`: route, attach what policy allows, send (or queue)."""
        chat = self._chat
        try:
            plan = await chat.plan_ask(request.to, new_request=request.new)
            message = await chat.ask(plan, request.text)
            delivery = await chat.settled(message.id)  # "sent" means the server has it
        except AskError as exc:
            return protocol.failure(str(exc))
        items = [SysinfoItem(key, value) for key, value in message.sysinfo]
        return protocol.ok(AskResult(
            to=plan.to, reason=str(plan.reason), thread=plan.thread,
            nobody_online=plan.nobody_online, delivery=delivery.value,
            attached=tuple((item.key, item.label, item.value) for item in items),
        ).to_wire())


def _parsed(parse: Callable[[Mapping[str, Any]], _R],
            method: Callable[[_R], Awaitable[dict[str, Any]]]) -> Handler:
    """A socket handler: the JSON request read into its dataclass, then the method."""

    async def handle(message: dict[str, Any]) -> dict[str, Any]:
        return await method(parse(message))

    return handle
