"""NetworkManager's state and logind's wake-ups, heard on the system D-Bus with jeepney.

Linux's own sources for "the network is back" and "the lid opened". Read here with jeepney on
the app's asyncio loop (jeepney is already loaded for the desktop's notifications), not through
Qt's QNetworkInformation and QtDBus: those two pulled QtNetwork, GIO, Kerberos and three network
plugins into an idle tray, about 5 MB of its memory, to hear two signals.

- NetworkManager: its `State` property (NM_STATE_*: 70 connected to the internet, 60 site, 50
  local, below that not connected) and `PrimaryConnection` (which connection carries the
  default route: a change while connected is a move to another network), through
  `org.freedesktop.DBus.Properties.PropertiesChanged` on its root object.
- logind: `PrepareForSleep(false)` means the computer woke up.
Every call has a short timeout (dbus_link.py), so a hung bus never stalls the app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from supporttray.platform.dbus_link import DBusLink, Refused

if TYPE_CHECKING:
    from jeepney import Message

log = logging.getLogger("supporttray.platform")

NM_SERVICE: Final = "org.freedesktop.NetworkManager"
NM_PATH: Final = "/org/freedesktop/NetworkManager"
LOGIND_SERVICE: Final = "org.freedesktop.login1"
LOGIND_PATH: Final = "/org/freedesktop/login1"
LOGIND_MANAGER: Final = "org.freedesktop.login1.Manager"
PROPERTIES: Final = "org.freedesktop.DBus.Properties"

# NM_STATE_* -> how far the network reaches (0 none, 1 local, 2 site, 3 the internet), the
# same scale as Qt's reachability, so "stronger than before" means "the server may be back".
_NM_REACH: Final = {50: 1, 60: 2, 70: 3}


def reach_of(nm_state: int) -> int:
    """How far the network reaches in NetworkManager's `nm_state`: 0 (not connected) to 3."""
    return _NM_REACH.get(nm_state, 0)


class SystemBusWatch:
    """Calls `on_reach(reach)` when NetworkManager's state changes, `on_moved()` when its
    primary connection changes, `on_woke()` when logind says the computer woke."""

    def __init__(self, *, on_reach: Callable[[int], None], on_moved: Callable[[], None],
                 on_woke: Callable[[], None]) -> None:
        self._on_reach = on_reach
        self._on_moved = on_moved
        self._on_woke = on_woke
        self._link = DBusLink("SYSTEM")
        self._listener: asyncio.Task[None] | None = None
        self._primary: str | None = None
        self.reach = 0  # NetworkManager's at start, then as it changes
        self.network_manager = False  # found at start
        self.logind = False

    async def start(self) -> str | None:
        """Connect and find the two services; None when there is no system bus at all, else
        what was found, for the log."""
        from jeepney import MatchRule

        try:
            await self._link.open()
        except (OSError, KeyError, ValueError, TimeoutError) as exc:
            log.info("no system bus: %r", exc)
            return None
        rules = (MatchRule(type="signal", interface=PROPERTIES, member="PropertiesChanged",
                           path=NM_PATH),
                 MatchRule(type="signal", interface=LOGIND_MANAGER, member="PrepareForSleep",
                           path=LOGIND_PATH))
        queue = self._link.listen(rules)
        try:
            await self._link.add_matches(rules)
            self.network_manager = await self._has_owner(NM_SERVICE)
            self.logind = await self._has_owner(LOGIND_SERVICE)
            if self.network_manager:
                state = await self._property(NM_SERVICE, NM_PATH, "State")
                self.reach = reach_of(int(state))
                self._primary = str(await self._property(NM_SERVICE, NM_PATH,
                                                         "PrimaryConnection", default=""))
        except (OSError, TimeoutError, Refused) as exc:
            log.info("the system bus does not answer: %s", exc)
            await self.stop()
            return None
        self._listener = asyncio.ensure_future(self._listen(queue))
        return (f"NetworkManager {'found' if self.network_manager else 'not running'}, "
                f"logind {'found' if self.logind else 'not running'}")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            self._listener = None
        await self._link.close()

    # -- calls ------------------------------------------------------------------------------
    async def _has_owner(self, name: str) -> bool:
        from jeepney.bus_messages import message_bus

        reply = await self._link.call(message_bus.NameHasOwner(name))
        return bool(reply[0])

    async def _property(self, service: str, path: str, name: str, *,
                        default: object = 0) -> Any:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(path, bus_name=service, interface=PROPERTIES)
        try:
            reply = await self._link.call(new_method_call(address, "Get", "ss", (service, name)))
        except Refused:
            return default  # an older NetworkManager without it
        return reply[0][1]

    # -- signals ----------------------------------------------------------------------------
    async def _listen(self, queue: asyncio.Queue[Message]) -> None:
        from jeepney import HeaderFields

        while True:
            message = await queue.get()
            member = message.header.fields.get(HeaderFields.member)
            try:
                if member == "PrepareForSleep":
                    going_to_sleep = bool(message.body[0])
                    log.info("the computer %s",
                             "goes to sleep" if going_to_sleep else "woke from sleep")
                    if not going_to_sleep:
                        self._on_woke()
                elif member == "PropertiesChanged" and message.body[0] == NM_SERVICE:
                    self._network_properties(message.body[1])
            except Exception:
                # One odd signal (a malformed body) must not end the listening.
                log.exception("cannot read a signal from the system bus")

    def _network_properties(self, changed: dict[str, tuple[str, Any]]) -> None:
        if "State" in changed:
            state = int(changed["State"][1])
            log.info("NetworkManager state: %d", state)
            self.reach = reach_of(state)
            self._on_reach(self.reach)
        if "PrimaryConnection" in changed:
            primary = str(changed["PrimaryConnection"][1])
            before, self._primary = self._primary, primary
            if primary not in (before, "/") and self.reach > 0:
                log.info("network: another primary connection")
                self._on_moved()
