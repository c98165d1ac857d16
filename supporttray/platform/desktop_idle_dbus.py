"""Idle time from the Wayland desktop's own service on the session D-Bus (GNOME, KDE).

A Wayland compositor tells an ordinary application nothing about input elsewhere, but GNOME and
KDE answer on the session bus: Mutter's `org.gnome.Mutter.IdleMonitor.GetIdletime` (milliseconds
since the last input) and KDE's screen locker, `org.freedesktop.ScreenSaver`. KDE returns
milliseconds there, not the seconds gnome-screensaver used, and on Wayland its
`GetSessionIdleTime` answers NotSupported; its `GetActiveTime` (how long the screen has been
locked) still works, so that is the idle time then: a lower bound, since the person left at
least that long ago.

The calls are blocking (jeepney) on the event loop with a short timeout: auto-away looks rarely
(a minute before away is due at the earliest; every few seconds only while away), a local bus
answers in well under a millisecond, and a hung desktop service costs at most one timeout.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

log = logging.getLogger("supporttray.platform")

# Long enough for a busy compositor, short enough that a hung one never freezes the window.
CALL_TIMEOUT_S: Final = 0.25


@dataclass(frozen=True)
class IdleMethod:
    """One D-Bus method that answers with an unsigned count of milliseconds."""

    service: str
    path: str
    interface: str
    member: str


MUTTER: Final = IdleMethod("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
                           "org.gnome.Mutter.IdleMonitor", "GetIdletime")
_SCREENSAVER = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver")
KDE_SESSION_IDLE: Final = IdleMethod(*_SCREENSAVER, "GetSessionIdleTime")
KDE_LOCKED_TIME: Final = IdleMethod(*_SCREENSAVER, "GetActiveTime")


def seconds_from_milliseconds(body: object) -> float | None:
    """The reply's one unsigned integer of milliseconds, in seconds; None for anything else."""
    if not isinstance(body, tuple) or len(body) != 1:
        return None
    (value,) = body
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value / 1000.0


class DBusIdleReader:
    """Reads one method's idle time; opens the session bus again after it went away (a
    compositor or bus restart), and answers None while it cannot read."""

    def __init__(self, method: IdleMethod, bus: str = "SESSION") -> None:
        self.method = method
        self._bus = bus
        self._connection: DBusConnection | None = None
        self.last_error = ""  # why the last read failed, for doctor and the log

    def __call__(self) -> float | None:
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call
        from jeepney.wrappers import unwrap_msg

        method = self.method
        call = new_method_call(DBusAddress(method.path, bus_name=method.service,
                                           interface=method.interface), method.member)
        try:
            connection = self._connect()
            reply = connection.send_and_get_reply(call, timeout=CALL_TIMEOUT_S)
            seconds = seconds_from_milliseconds(unwrap_msg(reply))
        except DBusErrorResponse as exc:
            why = f"{method.service} answered {exc.name}"
        except TimeoutError:
            why = f"{method.service} did not answer within {CALL_TIMEOUT_S} s"
        except KeyError:
            why = "there is no session D-Bus (DBUS_SESSION_BUS_ADDRESS is unset)"
        except (OSError, ValueError) as exc:
            self.close()  # the bus itself went away: connect afresh next time
            why = f"the session D-Bus could not be reached ({exc})"
        else:
            if seconds is not None:
                self.last_error = ""
                return seconds
            why = f"{method.service} answered something other than milliseconds"
        if why != self.last_error:  # logged once per change, not at every look while it lasts
            log.info("idle time: %s", why)
        self.last_error = why
        return None

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
            self._connection = None

    def _connect(self) -> DBusConnection:
        from jeepney.io.blocking import open_dbus_connection

        if self._connection is None:
            self._connection = open_dbus_connection(bus=self._bus, auth_timeout=CALL_TIMEOUT_S)
        return self._connection
