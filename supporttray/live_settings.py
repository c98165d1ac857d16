"""The running app follows a saved Settings window: each changed key reaches what reads it.

The composition root reads settings once into typed configs (`service_settings`) and starts
the timers that depend on them; here the same readers run again for the keys that changed,
and a timer whose setting changed is stopped and started anew. Keys not listed here are read
where they are used (`staff.canned_replies`) or at the next start (`app.language`: windows are
translated when they are built).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from supporttray.config.settings import Settings
from supporttray.service_settings import chat_config

if TYPE_CHECKING:
    from supporttray.app.chat import ChatService
    from supporttray.app.service import SupportService

log = logging.getLogger("supporttray")

# history.retention_days too: the chats' privacy line says how long they are kept.
CHAT_KEYS = frozenset({"sysinfo.consent", "sysinfo.fields", "sysinfo.new_request_after_hours",
                       "support.fallback", "history.retention_days"})
AUTO_AWAY_KEYS = frozenset({"presence.auto_away_minutes", "presence.auto_xa_minutes"})


class Stoppable(Protocol):
    def stop(self) -> None: ...


class AlertSoundSwitch(Protocol):
    def set_alert_sound(self, on: bool) -> None: ...


Starter = Callable[[], Stoppable | None]


class LiveSettings:
    """Owns the setting-driven timers (history retention, auto-away, on-call) so that it can
    replace them; `stop()` at quit stops whichever runs then."""

    def __init__(self, settings: Settings, *, chat: ChatService, tray: AlertSoundSwitch,
                 apply_autostart: Callable[[], None], start_retention: Starter,
                 start_auto_away: Starter, start_on_call: Starter,
                 service: SupportService | None = None) -> None:
        self._settings = settings
        self._chat = chat
        self._tray = tray
        self._apply_autostart = apply_autostart
        self._starters = {"retention": start_retention, "auto_away": start_auto_away,
                          "on_call": start_on_call}
        self._running: dict[str, Stoppable | None] = {}
        self.service = service

    def adopt(self, name: str, runner: Stoppable | None) -> None:
        """A timer the root started before this existed (`retention`, `auto_away`,
        `on_call`)."""
        self._running[name] = runner

    def changed(self, keys: frozenset[str]) -> None:
        """Listener of the settings editor: called with the keys a save changed. Each part
        follows on its own, so one that fails (logged) does not keep the others behind."""
        settings = self._settings
        steps: list[tuple[bool, Callable[[], object]]] = [
            (bool(keys & CHAT_KEYS), lambda: self._chat.reconfigure(
                chat_config(settings), settings.get_str_list("sysinfo.fields"))),
            ("staff.sound" in keys,
             lambda: self._tray.set_alert_sound(settings.get_bool("staff.sound"))),
            ("history.retention_days" in keys, lambda: self._restart("retention")),
            (bool(keys & AUTO_AWAY_KEYS), lambda: self._restart("auto_away")),
            ("presence.on_call_hours" in keys, self._restart_on_call),
            ("app.autostart" in keys, self._apply_autostart),
        ]
        for wanted, step in steps:
            if not wanted:
                continue
            try:
                step()
            except Exception:
                log.exception("a changed setting could not be applied; it applies at next start")

    def _restart_on_call(self) -> None:
        runner = self._restart("on_call")
        if self.service is not None:
            self.service.on_call = runner  # type: ignore[assignment]

    def running(self, name: str) -> Stoppable | None:
        return self._running.get(name)

    def stop(self) -> None:
        for name in list(self._running):
            runner = self._running.pop(name)
            if runner is not None:
                runner.stop()

    def _restart(self, name: str) -> Stoppable | None:
        old = self._running.pop(name, None)
        if old is not None:
            old.stop()
        runner = self._starters[name]()
        self._running[name] = runner
        log.info("settings: %s %s", name.replace("_", "-"), "restarted" if runner else "off")
        return runner
