"""A desktop notification service of our own on a private session D-Bus, for the tests.

`with NotificationService(tmp) as service:` starts a `dbus-daemon --session` (never the
machine's bus) with an `org.freedesktop.Notifications` spoken through jeepney from a thread of
the test. It records every Notify (summary, body, actions, hints, replaces_id) and
CloseNotification, and the test makes it say what a person did: `click`, `choose`, `dismiss`.
`inhibited` stands for the desktop's do-not-disturb (None: a server without the property).
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
DISMISSED = 2  # NotificationClosed reason: the person closed it

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass(frozen=True)
class Notified:
    """One Notify call as the service got it."""

    id: int
    replaces_id: int
    summary: str
    body: str
    actions: dict[str, str]  # action key -> label
    hints: dict[str, Any]  # name -> plain value


class NotificationService:
    def __init__(self, directory: Path, *, serve: bool = True,
                 inhibited: bool | None = None) -> None:
        self._directory = directory
        self._serve_notifications = serve
        self.inhibited = inhibited
        self.address = ""
        self.notified: list[Notified] = []
        self.closed: list[int] = []  # ids the app closed (CloseNotification)
        self._next_id = 1
        self._daemon: subprocess.Popen[bytes] | None = None
        self._connection: DBusConnection | None = None
        self._send_lock = threading.Lock()

    def __enter__(self) -> NotificationService:
        socket = self._directory / "session_bus_socket"
        config = self._directory / "session-bus.conf"
        config.write_text(_CONFIG.format(socket=socket), encoding="utf-8")
        self._daemon = subprocess.Popen(
            ["dbus-daemon", "--nofork", "--nopidfile", f"--config-file={config}",
             "--print-address=1"], stdout=subprocess.PIPE)  # fmt: skip
        assert self._daemon.stdout is not None
        self.address = self._daemon.stdout.readline().decode().strip()
        if self._serve_notifications:
            self._connection = open_dbus_connection(bus=self.address)
            self._connection.send_and_get_reply(message_bus.RequestName(NAME), timeout=5)
            threading.Thread(target=self._serve, name="notifications", daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
        if self._daemon is not None:
            self._daemon.terminate()
            self._daemon.wait(timeout=5)

    # -- what the person does -------------------------------------------------------------
    def click(self, notification_id: int) -> None:
        """A click on the notification itself: its default action."""
        self.choose(notification_id, "default")

    def choose(self, notification_id: int, action: str) -> None:
        """A button; the server then closes the notification, as servers do."""
        self._signal("ActionInvoked", "us", (notification_id, action))
        self._signal("NotificationClosed", "uu", (notification_id, DISMISSED))

    def dismiss(self, notification_id: int) -> None:
        self._signal("NotificationClosed", "uu", (notification_id, DISMISSED))

    def set_inhibited(self, inhibited: bool) -> None:
        self.inhibited = inhibited
        self._send(new_signal(
            DBusAddress(PATH, interface="org.freedesktop.DBus.Properties"),
            "PropertiesChanged", "sa{sv}as", (NAME, {"Inhibited": ("b", inhibited)}, [])))

    def wait_for(self, count: int, timeout: float = 5.0) -> Notified:
        """The `count`-th notification (1-based) once it has come."""
        deadline = time.monotonic() + timeout
        while len(self.notified) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} notification(s) expected, got {self.notified}")
            time.sleep(0.01)
        return self.notified[count - 1]

    # -- the service ----------------------------------------------------------------------
    def _signal(self, member: str, signature: str, body: tuple[Any, ...]) -> None:
        self._send(new_signal(DBusAddress(PATH, interface=NAME), member, signature, body))

    def _send(self, message: Any) -> None:
        assert self._connection is not None
        with self._send_lock:
            self._connection.send(message)

    def _serve(self) -> None:
        assert self._connection is not None
        while True:
            try:
                message = self._connection.receive()
            except Exception:  # the bus is going away with the test
                return
            if message.header.message_type is not MessageType.method_call:
                continue
            self._answer(message, message.header.fields.get(HeaderFields.member))

    def _answer(self, message: Any, member: str | None) -> None:
        if member == "GetServerInformation":
            self._send(new_method_return(message, "ssss", ("Test", "tests", "1.0", "1.2")))
        elif member == "Notify":
            self._notify(message)
        elif member == "CloseNotification":
            self.closed.append(int(message.body[0]))
            self._send(new_method_return(message))
        elif member == "Get" and message.body[1] == "Inhibited" and self.inhibited is not None:
            self._send(new_method_return(message, "v", (("b", self.inhibited),)))
        else:
            self._send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))

    def _notify(self, message: Any) -> None:
        if message.header.fields.get(HeaderFields.signature) != "susssasa{sv}i":
            # As GDBus servers do (GNOME Shell, dunst): a wrong type is refused, not guessed.
            self._send(new_error(message, "org.freedesktop.DBus.Error.InvalidArgs"))
            return
        _app, replaces, _icon, summary, body, actions, hints, _expire = message.body
        notification_id = replaces or self._next_id
        if not replaces:
            self._next_id += 1
        self.notified.append(Notified(
            notification_id, replaces, summary, body, dict(zip(actions[::2], actions[1::2],
                                                               strict=True)),
            {name: value for name, (_sig, value) in hints.items()}))
        self._send(new_method_return(message, "u", (notification_id,)))
