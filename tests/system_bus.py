"""A private D-Bus standing in for the system bus, with logind and NetworkManager on it.

The app listens on the system bus for logind's PrepareForSleep and NetworkManager's State and
PrimaryConnection (platform/system_bus_watch.py): a child
`supporttray run` given `DBUS_SYSTEM_BUS_ADDRESS=SystemBus.address` hears these stand-ins, so
a test can say "the machine woke up" or "the network is back" the way the desktop says it.
The bus is a `dbus-daemon` of our own (never the machine's); the services speak through
jeepney from a thread of the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, new_method_return, new_signal

from tests.private_bus import PrivateBus, StandIn

NM_NAME = "org.freedesktop.NetworkManager"
NM_PATH = "/org/freedesktop/NetworkManager"
NM_STATE_DISCONNECTED = 20
NM_STATE_CONNECTED_GLOBAL = 70
NM_CONNECTIVITY = {NM_STATE_DISCONNECTED: 1, NM_STATE_CONNECTED_GLOBAL: 4}  # none / full
LOGIND_NAME = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"


class SystemBus:
    """`with SystemBus(tmp) as bus:` a bus at `bus.address`, NetworkManager saying `state`."""

    def __init__(self, directory: Path, *, state: int = NM_STATE_CONNECTED_GLOBAL,
                 network_manager: bool = True) -> None:
        self._bus = PrivateBus(directory, kind="system")
        self._state = state
        self._primary = "/org/freedesktop/NetworkManager/ActiveConnection/1"
        self._names = (NM_NAME, LOGIND_NAME) if network_manager else (LOGIND_NAME,)
        self.address = ""
        self._services: StandIn | None = None

    @property
    def calls(self) -> list[str]:
        """"path member" of every method call the services got."""
        return self._services.calls if self._services is not None else []

    def __enter__(self) -> SystemBus:
        self.address = self._bus.__enter__().address
        self._services = StandIn(self.address, self._names, self._answer)
        self._services.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._services is not None:
            self._services.close()
        self._bus.__exit__(*exc)

    # -- what the desktop says ------------------------------------------------------------------
    def network(self, state: int) -> None:
        """NetworkManager's State changes (70: connected, 20: disconnected)."""
        self._state = state
        self._send(new_signal(
            DBusAddress(NM_PATH, interface="org.freedesktop.DBus.Properties"),
            "PropertiesChanged", "sa{sv}as", (NM_NAME, self._properties(), [])))

    def moved(self) -> None:
        """NetworkManager's primary connection is another one (Wi-Fi to Ethernet, say)."""
        number = int(self._primary.rsplit("/", 1)[1]) + 1
        self._primary = f"/org/freedesktop/NetworkManager/ActiveConnection/{number}"
        self._send(new_signal(
            DBusAddress(NM_PATH, interface="org.freedesktop.DBus.Properties"),
            "PropertiesChanged", "sa{sv}as", (NM_NAME, self._properties(), [])))

    def woke(self) -> None:
        """logind: the machine has resumed from sleep."""
        self._send(new_signal(
            DBusAddress(LOGIND_PATH, interface="org.freedesktop.login1.Manager"),
            "PrepareForSleep", "b", (False,)))

    # -- the services -------------------------------------------------------------------------
    def _properties(self) -> dict[str, tuple[str, Any]]:
        return {"State": ("u", self._state),
                "Connectivity": ("u", NM_CONNECTIVITY.get(self._state, 0)),
                "PrimaryConnection": ("o", self._primary)}

    def _send(self, message: Any) -> None:
        assert self._services is not None
        self._services.send(message)

    def _answer(self, message: Any) -> Any:
        member = message.header.fields.get(HeaderFields.member)
        if member == "GetAll":
            return new_method_return(message, "a{sv}", (self._properties(),))
        if member == "Get":
            value = self._properties().get(message.body[1], ("u", 0))
            return new_method_return(message, "v", (value,))
        return new_method_return(message)
