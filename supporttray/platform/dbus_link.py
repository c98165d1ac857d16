"""One connection to a D-Bus (session or system) on the app's asyncio loop, with jeepney.

Every step has a timeout, so a hung bus or service never stalls the app, and a service that
answers with a D-Bus error raises `Refused`: the callers (the desktop's notifications, the
network and sleep watch) then fall back to what works without it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from jeepney import MatchRule, Message
    from jeepney.io.asyncio import DBusRouter

# Long enough for a service that D-Bus starts on demand; short enough that a hung one is
# noticed before anyone wonders.
CALL_TIMEOUT_S: Final = 3.0


class Refused(Exception):
    """The bus or a service answered a call with a D-Bus error."""


class DBusLink:
    """`await link.open()`, then `call`, `listen`; `close()` at the end (again is fine).

    `bus` is "SESSION", "SYSTEM" or an address."""

    def __init__(self, bus: str) -> None:
        self._bus = bus
        self._context: Any = None
        self._router: DBusRouter | None = None
        self._filters = contextlib.ExitStack()

    async def open(self) -> None:
        """Connect; OSError, KeyError (no such bus in the environment), ValueError (a bad
        address) or TimeoutError where it cannot."""
        from jeepney.io.asyncio import open_dbus_router

        context = open_dbus_router(bus=self._bus)
        self._router = await asyncio.wait_for(context.__aenter__(), CALL_TIMEOUT_S)
        self._context = context

    def listen(self, rules: tuple[MatchRule, ...]) -> asyncio.Queue[Message]:
        """A queue the signals matching `rules` arrive in (tell the bus with `add_matches`)."""
        assert self._router is not None
        queue: asyncio.Queue[Message] = asyncio.Queue()
        for rule in rules:
            self._filters.enter_context(self._router.filter(rule, queue=queue))
        return queue

    async def add_matches(self, rules: tuple[MatchRule, ...]) -> None:
        """Ask the bus to send us the signals `rules` match."""
        from jeepney.bus_messages import message_bus

        for rule in rules:
            await self.call(message_bus.AddMatch(rule))

    async def call(self, message: Message) -> tuple[Any, ...]:
        """The reply's body; Refused for a D-Bus error, TimeoutError after CALL_TIMEOUT_S."""
        from jeepney import MessageType

        assert self._router is not None
        reply = await asyncio.wait_for(self._router.send_and_get_reply(message),
                                       CALL_TIMEOUT_S)
        if reply.header.message_type is MessageType.error:
            raise Refused(str(reply.body[0]) if reply.body else "an error")
        return tuple(reply.body)

    async def close(self) -> None:
        self._filters.close()
        context, self._context = self._context, None
        self._router = None
        if context is not None:
            with contextlib.suppress(Exception):
                await context.__aexit__(None, None, None)
