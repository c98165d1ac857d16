"""GNOME's and KDE's idle time services of our own on a private session D-Bus, for the tests.

`with IdleMonitorService(bus_address, desktop="gnome") as desktop:` answers Mutter's
`org.gnome.Mutter.IdleMonitor.GetIdletime`; `desktop="kde"` answers KDE's screen locker,
`org.freedesktop.ScreenSaver` (`GetSessionIdleTime`, or NotSupported as Plasma on Wayland does
with `session_idle=False`, and `GetActiveTime`). Both in milliseconds, as the desktops answer.
The test sets `idle_ms` (and `locked_ms`) to say how long the person has been away; the bus is
a `dbus-daemon` the test started (tests/notification_service.py with `serve=False`).
"""

from __future__ import annotations

from typing import Any, Literal

from jeepney import HeaderFields, new_error, new_method_return

from tests.private_bus import StandIn

MUTTER = "org.gnome.Mutter.IdleMonitor"
SCREENSAVER = "org.freedesktop.ScreenSaver"


class IdleMonitorService:
    def __init__(self, bus_address: str, *, desktop: Literal["gnome", "kde"],
                 session_idle: bool = True, answer: bool = True) -> None:
        self._name = MUTTER if desktop == "gnome" else SCREENSAVER
        self._session_idle = session_idle
        self.answer = answer  # False: take calls and never reply (a hung compositor)
        self.idle_ms = 0
        self.locked_ms = 0
        self._service = StandIn(bus_address, (self._name,), self._answer)

    @property
    def calls(self) -> list[str]:
        """"path member" of every call."""
        return self._service.calls

    def __enter__(self) -> IdleMonitorService:
        self._service.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._service.close()

    def _answer(self, message: Any) -> Any:
        if not self.answer:
            return None
        fields = message.header.fields
        member, path = fields.get(HeaderFields.member), fields.get(HeaderFields.path)
        interface = fields.get(HeaderFields.interface)
        if self._name == MUTTER:
            known = (path == "/org/gnome/Mutter/IdleMonitor/Core" and interface == MUTTER
                     and member == "GetIdletime")
            reply = new_method_return(message, "t", (self.idle_ms,)) if known else None
        elif path != "/org/freedesktop/ScreenSaver" or interface != SCREENSAVER:
            reply = None
        elif member == "GetSessionIdleTime" and self._session_idle:
            reply = new_method_return(message, "u", (self.idle_ms,))
        elif member == "GetSessionIdleTime":
            reply = new_error(message, "org.freedesktop.DBus.Error.NotSupported", "s",
                              ("GetSessionIdleTime is not supported on this platform",))
        elif member == "GetActiveTime":
            reply = new_method_return(message, "u", (self.locked_ms,))
        else:
            reply = None
        if reply is None:
            reply = new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
        return reply
