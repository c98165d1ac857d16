"""A desktop notification service of our own on a private session D-Bus, for the tests.

`with NotificationService(tmp) as service:` starts a `dbus-daemon --session` (never the
machine's bus) with an `org.freedesktop.Notifications` spoken through jeepney from a thread of
the test. It records every Notify (summary, body, actions, hints, replaces_id) and
CloseNotification, and the test makes it say what a person did: `click`, `choose`, `dismiss`.
`inhibited` stands for the desktop's do-not-disturb (None: a server without the property).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, new_error, new_method_return, new_signal

from tests.private_bus import PrivateBus, StandIn

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
DISMISSED = 2  # NotificationClosed reason: the person closed it

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
        self._bus = PrivateBus(directory, kind="session")
        self._serve_notifications = serve
        self.inhibited = inhibited
        self.address = ""
        self.notified: list[Notified] = []
        self.closed: list[int] = []  # ids the app closed (CloseNotification)
        self._next_id = 1
        self._service: StandIn | None = None

    def __enter__(self) -> NotificationService:
        self.address = self._bus.__enter__().address
        if self._serve_notifications:
            self._service = StandIn(self.address, (NAME,), self._answer)
            self._service.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._service is not None:
            self._service.close()
        self._bus.__exit__(*exc)

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
        assert self._service is not None
        self._service.send(message)

    def _answer(self, message: Any) -> Any:
        member = message.header.fields.get(HeaderFields.member)
        if member == "GetServerInformation":
            return new_method_return(message, "ssss", ("Test", "tests", "1.0", "1.2"))
        if member == "Notify":
            return self._notify(message)
        if member == "CloseNotification":
            self.closed.append(int(message.body[0]))
            return new_method_return(message)
        if member == "Get" and message.body[1] == "Inhibited" and self.inhibited is not None:
            return new_method_return(message, "v", (("b", self.inhibited),))
        return new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")

    def _notify(self, message: Any) -> Any:
        if message.header.fields.get(HeaderFields.signature) != "susssasa{sv}i":
            # As GDBus servers do (GNOME Shell, dunst): a wrong type is refused, not guessed.
            return new_error(message, "org.freedesktop.DBus.Error.InvalidArgs")
        _app, replaces, _icon, summary, body, actions, hints, _expire = message.body
        notification_id = replaces or self._next_id
        if not replaces:
            self._next_id += 1
        self.notified.append(Notified(
            notification_id, replaces, summary, body, dict(zip(actions[::2], actions[1::2],
                                                               strict=True)),
            {name: value for name, (_sig, value) in hints.items()}))
        return new_method_return(message, "u", (notification_id,))
