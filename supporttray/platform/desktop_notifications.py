"""The desktop's own notifications on Linux: `org.freedesktop.Notifications` on the session D-Bus.

Qt's tray balloon on freedesktop desktops adds a click action only for Critical messages, so a
click on "Alice answered" usually opened nothing. Here each notification carries its default
action (the click) and any buttons the UI asks for, and says which one the person chose. A later
notification for the same key (a chat) replaces the earlier one, and `withdraw` closes it.

Spoken with jeepney (installed on Linux with keyring) on the app's asyncio loop rather than
QtDBus: PySide6 cannot marshal a D-Bus uint (a Python int goes as int32, QDBusArgument writes
int16), and `Notify`'s replaces_id and `CloseNotification`'s id are uint, which GDBus servers
(GNOME Shell, dunst, xfce4-notifyd) check. Every call is asynchronous with a short timeout: a
hung notification service never stalls the app; it falls back to the caller's balloon.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from supporttray.platform.dbus_link import DBusLink, Refused

if TYPE_CHECKING:
    from jeepney import Message

log = logging.getLogger("supporttray.platform")

SERVICE: Final = "org.freedesktop.Notifications"
PATH: Final = "/org/freedesktop/Notifications"
DEFAULT_ACTION: Final = "default"  # the spec's key for a click on the notification itself
CATEGORY_IM: Final = "im.received"
# The server decides how long it stays; -1 is the spec's "as the server prefers".
EXPIRE_DEFAULT: Final = -1

ActionHandler = Callable[[str], None]


class DesktopNotifications:
    """Notifications with actions through the desktop's notification service.

    `available` is False until `start()` found a service that answers, and again after it
    stopped answering; the UI then uses the tray balloon. `inhibited` follows the server's
    do-not-disturb (its `Inhibited` property, where it has one).
    """

    def __init__(self, app_name: str, *, bus: str = "SESSION") -> None:
        self._app_name = app_name
        self._link = DBusLink(bus)
        self._listener: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # One Notify at a time, so a second notice for a chat replaces the first one's id.
        self._sending = asyncio.Lock()
        self._ids: dict[str, int] = {}  # key -> the id the server gave its latest notification
        self._handlers: dict[int, ActionHandler] = {}
        self._available = False
        self._inhibited = False
        self.server = ""  # "GNOME Shell 46.0", for the log and `doctor`

    @property
    def available(self) -> bool:
        return self._available

    @property
    def inhibited(self) -> bool:
        """The desktop's do-not-disturb is on (only servers with the `Inhibited` property)."""
        return self._inhibited

    async def start(self) -> str:
        """Connect and ask the service who it is; returns what was found, for the log."""
        from jeepney import MatchRule

        try:
            await self._link.open()
        except (OSError, KeyError, ValueError, TimeoutError) as exc:
            # KeyError: no DBUS_SESSION_BUS_ADDRESS (a session without D-Bus).
            return f"notifications: tray balloons (no session D-Bus: {exc!r})"
        rules = (MatchRule(type="signal", interface=SERVICE, path=PATH),
                 MatchRule(type="signal", interface="org.freedesktop.DBus.Properties",
                           member="PropertiesChanged", path=PATH))
        queue = self._link.listen(rules)
        try:
            await self._link.add_matches(rules)
            info = await self._link.call(self._method("GetServerInformation"))
        except (OSError, TimeoutError, Refused) as exc:
            return f"notifications: tray balloons (no notification service answers: {exc})"
        self.server = f"{info[0]} {info[2]}".strip()
        self._listener = asyncio.ensure_future(self._listen(queue))
        self._inhibited = await self._read_inhibited()
        self._available = True
        return f"notifications: from the desktop ({self.server})"

    async def stop(self) -> None:
        self._available = False
        for task in [*self._tasks, *([self._listener] if self._listener else [])]:
            task.cancel()
        self._listener = None
        await self._link.close()

    def show(self, key: str, summary: str, body: str, *,
             actions: Sequence[tuple[str, str]] = (), on_action: ActionHandler,
             fallback: Callable[[], None], category: str = CATEGORY_IM) -> None:
        """Show (or replace `key`'s) notification; a click calls `on_action("default")`, a
        button `on_action(its key)`. Where the service does not take it, `fallback()` runs."""
        if not self._available:
            fallback()
            return
        flat = [DEFAULT_ACTION, "Open"]
        for action_key, label in actions:
            flat += [action_key, label]
        self._spawn(self._show(key, summary, body, flat, category, on_action, fallback))

    def withdraw(self, key: str) -> None:
        """Close `key`'s notification if it is still up (the person read that chat)."""
        notification_id = self._ids.pop(key, None)
        if notification_id is not None and self._available:
            self._handlers.pop(notification_id, None)
            self._spawn(self._close(notification_id))

    # -- calls ------------------------------------------------------------------------------
    async def _show(self, key: str, summary: str, body: str, actions: list[str], category: str,
                    on_action: ActionHandler, fallback: Callable[[], None]) -> None:
        async with self._sending:
            replaces = self._ids.get(key, 0)
            hints = {"category": ("s", category), "desktop-entry": ("s", "supporttray")}
            try:
                reply = await self._link.call(self._method(
                    "Notify", "susssasa{sv}i",
                    (self._app_name, replaces, "", summary, body, actions, hints,
                     EXPIRE_DEFAULT)))
            except (OSError, TimeoutError, Refused) as exc:
                log.warning("the desktop's notification service did not take a notification "
                            "(%s); showing a tray balloon", exc)
                fallback()
                return
            notification_id = int(reply[0])
            self._handlers.pop(replaces, None)
            self._ids[key] = notification_id
            self._handlers[notification_id] = on_action

    async def _close(self, notification_id: int) -> None:
        with contextlib.suppress(OSError, TimeoutError, Refused):
            await self._link.call(self._method("CloseNotification", "u", (notification_id,)))

    async def _read_inhibited(self) -> bool:
        from jeepney import DBusAddress, new_method_call

        properties = DBusAddress(PATH, bus_name=SERVICE,
                                 interface="org.freedesktop.DBus.Properties")
        try:
            reply = await self._link.call(new_method_call(properties, "Get", "ss",
                                                     (SERVICE, "Inhibited")))
        except (OSError, TimeoutError, Refused):
            return False  # a server without do-not-disturb, or one that does not say
        return bool(reply[0][1])

    @staticmethod
    def _method(member: str, signature: str | None = None,
                body: tuple[Any, ...] = ()) -> Message:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
        return new_method_call(address, member, signature, body)

    # -- signals ----------------------------------------------------------------------------
    async def _listen(self, queue: asyncio.Queue[Message]) -> None:
        from jeepney import HeaderFields

        while True:
            message = await queue.get()
            member = message.header.fields.get(HeaderFields.member)
            try:
                if member == "ActionInvoked":
                    self._action_invoked(int(message.body[0]), str(message.body[1]))
                elif member == "NotificationClosed":
                    self._closed(int(message.body[0]))
                elif member == "PropertiesChanged" and message.body[0] == SERVICE:
                    changed = message.body[1]
                    if "Inhibited" in changed:
                        self._inhibited = bool(changed["Inhibited"][1])
                        log.info("desktop do-not-disturb %s", "on" if self._inhibited else "off")
            except Exception:
                # One odd signal (or an action whose handler failed) must not end the listening.
                log.exception("a notification signal could not be handled")

    def _action_invoked(self, notification_id: int, action: str) -> None:
        handler = self._handlers.get(notification_id)
        if handler is not None:
            log.info("notification action %r chosen", action)
            handler(action)

    def _closed(self, notification_id: int) -> None:
        self._handlers.pop(notification_id, None)
        for key, known in list(self._ids.items()):
            if known == notification_id:
                del self._ids[key]

    def _spawn(self, coroutine: Any) -> None:
        if not self._available:
            coroutine.close()
            return
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
