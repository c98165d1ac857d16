"""Notifications with buttons, shown by the desktop's notification service where there is one.

The Notifier and RequestAlerts decide what to say and what each button does (NoticeAction);
this module hands that to the service (platform/desktop_notifications.py on Linux, passed in
by the composition root) and routes the person's choice back to the right callable. Where
there is no service the tray balloon shows instead, whose one click runs `on_click`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

DEFAULT_ACTION: Final = "default"  # the freedesktop key for a click on the notification


@dataclass(frozen=True)
class NoticeAction:
    """A button on a notification ("Take it"), where the desktop shows buttons."""

    label: str
    run: Callable[[], object]


class DesktopNotificationService(Protocol):
    """What the UI needs from `platform.desktop_notifications.DesktopNotifications`."""

    @property
    def available(self) -> bool: ...

    @property
    def inhibited(self) -> bool: ...

    def show(self, key: str, summary: str, body: str, *,
             actions: Sequence[tuple[str, str]] = (), on_action: Callable[[str], None],
             fallback: Callable[[], None]) -> None: ...

    def withdraw(self, key: str) -> None: ...


# The key of notices about no single chat ("5 new messages from Alice and Bob", our own
# notices): each replaces the one before it, as the chats' own do.
GENERAL_KEY: Final = ""


def show_on_desktop(service: DesktopNotificationService, title: str, text: str, *,
                    on_click: Callable[[], object], chat: str | None,
                    actions: Sequence[NoticeAction], fallback: Callable[[], None]) -> None:
    """Show the notice through `service`; the click runs `on_click`, a button its action."""
    by_key = {f"action-{index}": action for index, action in enumerate(actions)}

    def chosen(action_key: str) -> None:
        if action_key == DEFAULT_ACTION:
            on_click()
        elif action_key in by_key:
            by_key[action_key].run()

    service.show(chat or GENERAL_KEY, title, text,
                 actions=[(key, action.label) for key, action in by_key.items()],
                 on_action=chosen, fallback=fallback)
