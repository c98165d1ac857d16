"""GNOME's and KDE's idle time services of our own on a private session D-Bus, for the tests.

`with IdleMonitorService(bus_address, desktop="gnome") as desktop:` answers Mutter's
`org.gnome.Mutter.IdleMonitor.GetIdletime`; `desktop="kde"` answers KDE's screen locker,
`org.freedesktop.ScreenSaver` (`GetSessionIdleTime`, or NotSupported as Plasma on Wayland does
with `session_idle=False`, and `GetActiveTime`). Both in milliseconds, as the desktops answer.
The test sets `idle_ms` (and `locked_ms`) to say how long the person has been away; the bus is
a `dbus-daemon` the test started (tests/notification_service.py with `serve=False`).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Literal

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

MUTTER = "org.gnome.Mutter.IdleMonitor"
SCREENSAVER = "org.freedesktop.ScreenSaver"


class IdleMonitorService:
    def __init__(self, bus_address: str, *, desktop: Literal["gnome", "kde"],
                 session_idle: bool = True, answer: bool = True) -> None:
        self._address = bus_address
        self._name = MUTTER if desktop == "gnome" else SCREENSAVER
        self._session_idle = session_idle
        self.answer = answer  # False: take calls and never reply (a hung compositor)
        self.idle_ms = 0
        self.locked_ms = 0
        self.calls: list[str] = []  # "path member" of every call
        self._connection: DBusConnection | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> IdleMonitorService:
        self._connection = open_dbus_connection(bus=self._address)
        self._connection.send_and_get_reply(message_bus.RequestName(self._name), timeout=5)
        threading.Thread(target=self._serve, name="idle-monitor", daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()

    def _serve(self) -> None:
        assert self._connection is not None
        while True:
            try:
                message = self._connection.receive()
            except Exception:  # the bus is going away with the test
                return
            if message.header.message_type is not MessageType.method_call:
                continue
            fields = message.header.fields
            self.calls.append(f"{fields.get(HeaderFields.path)} {fields.get(HeaderFields.member)}")
            if self.answer:
                self._answer(message, fields)

    def _answer(self, message: Any, fields: dict[HeaderFields, Any]) -> None:
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
        with self._lock:
            assert self._connection is not None
            self._connection.send(reply)
