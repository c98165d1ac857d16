"""The services the composition root starts beside the tray, each optional: the on-call hours,
auto-away, history retention, the autostart entry, the desktop's notifications, the network and
sleep watch, and giving start-up's freed memory back. Each one that fails says so in the log
and the app runs on without it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from supporttray import APP_NAME
from supporttray.config.mode import Mode, support_mode
from supporttray.config.paths import Paths
from supporttray.config.settings import Settings

if TYPE_CHECKING:
    from supporttray.app.auto_away_runner import AutoAwayRunner
    from supporttray.app.history_retention import HistoryRetention
    from supporttray.app.on_call import OnCallRunner
    from supporttray.app.service import SupportService
    from supporttray.core.connection import ConnectionMonitor, ConnectionStatus
    from supporttray.core.history import HistoryStore
    from supporttray.core.own_presence import OwnPresence
    from supporttray.platform.desktop_notifications import DesktopNotifications
    from supporttray.platform.network_watch import NetworkWatch

log = logging.getLogger("supporttray")

# After the first login, when the memory start-up freed goes back to the OS.
MEMORY_SETTLE_S = 20.0


def free_memory_once_settled(monitor: ConnectionMonitor) -> None:
    """Once the first login and what follows it (catch-up, roster, time queries) are over, the
    memory start-up freed goes back to the OS (platform/free_memory.py)."""
    from supporttray.core.connection import ConnectionState

    loop = asyncio.get_running_loop()
    pending = True

    def changed(status: ConnectionStatus) -> None:
        nonlocal pending
        if pending and status.state is ConnectionState.ONLINE:
            pending = False
            loop.call_later(MEMORY_SETTLE_S, free_memory)

    monitor.changed.subscribe(changed)


def free_memory() -> None:
    from supporttray.platform.free_memory import release_free_memory

    if release_free_memory():
        log.info("start-up over: freed memory returned to the system")


def start_history_retention(settings: Settings, store: HistoryStore) -> HistoryRetention | None:
    """`history.retention_days`: older messages go now and once a day; 0 keeps them."""
    days = settings.get_int("history.retention_days")
    if days <= 0:
        log.info("history retention: kept forever (history.retention_days = 0)")
        return None
    from supporttray.app.history_retention import HistoryRetention

    retention = HistoryRetention(store, days)
    retention.start()
    log.info("history retention: messages older than %d day(s) are deleted at start and daily",
             days)
    return retention


def apply_autostart_setting(paths: Paths, settings: Settings) -> None:
    """`app.autostart`: write or remove the login entry, for the user's normal profile only
    (a `--profile` run is a test, a demo or a second identity: it must not change what starts
    at login). A failure is said in the log; the app runs on."""
    import os

    from supporttray.config.paths import resolve_paths

    if paths != resolve_paths(None, {}) or os.environ.get("SUPPORTTRAY_HOME", "").strip():
        log.info("autostart: left alone (a --profile or SUPPORTTRAY_HOME is not the user's "
                 "normal profile)")
        return
    from supporttray.platform.autostart import (
        AutostartError,
        apply_autostart,
        autostart_entry,
        start_command,
    )

    try:
        log.info("%s", apply_autostart(autostart_entry(), settings.get_bool("app.autostart"),
                                       start_command(), settings.get_str("branding.name")
                                       or APP_NAME))
    except AutostartError as exc:
        log.warning("%s", exc)


def start_on_call(settings: Settings, own: OwnPresence,
                   chosen_at: datetime | None) -> OnCallRunner | None:
    """Staff mode: Available when `presence.on_call_hours` begin, Away when they end; a bad
    value is said in the log and leaves the hours off."""
    if support_mode(settings) is not Mode.STAFF:
        return None
    from supporttray.app.on_call import OnCallRunner
    from supporttray.core.on_call import OnCallPresence
    from supporttray.service_settings import OnCallSettingError, on_call_hours

    try:
        hours = on_call_hours(settings)
    except OnCallSettingError as exc:
        log.error("%s On-call hours are off until it is fixed (supporttray doctor checks it).",
                  exc)
        return None
    if hours is None:
        return None
    runner = OnCallRunner(OnCallPresence(hours, own))
    runner.start(chosen_at)
    log.info("on-call: %s (%s)", hours.text, runner.rule.describe_now())
    return runner


def start_auto_away(settings: Settings, own: OwnPresence) -> AutoAwayRunner | None:
    """Staff mode: Away after `presence.auto_away_minutes` idle, extended away after
    `presence.auto_xa_minutes`, back on activity; where the desktop tells us its idle time."""
    if support_mode(settings) is not Mode.STAFF:
        return None
    from supporttray.app.auto_away_runner import AutoAwayRunner
    from supporttray.core.auto_away import AutoAway
    from supporttray.platform.desktop_idle import desktop_idle

    auto = AutoAway(own, away_minutes=settings.get_int("presence.auto_away_minutes"),
                    xa_minutes=settings.get_int("presence.auto_xa_minutes"))
    if not auto.enabled:
        return None
    idle = desktop_idle()
    if idle.read is None:
        log.warning("auto-away: %s", idle.description)
        return None
    log.info("auto-away: idle time from the %s", idle.description)
    runner = AutoAwayRunner(auto, idle.read)
    runner.start()
    return runner


def desktop_notifications(app_name: str) -> DesktopNotifications | None:
    """Linux: the desktop's notification service (clickable, with buttons); elsewhere Qt's
    balloon, which Windows and macOS make clickable themselves."""
    if not sys.platform.startswith("linux"):
        return None
    from supporttray.platform.desktop_notifications import DesktopNotifications

    return DesktopNotifications(app_name)


async def start_desktop_notifications(notifications: DesktopNotifications) -> None:
    try:
        log.info("%s", await notifications.start())
    except Exception:
        # A nicety over the balloon, which still shows every notification: never fatal.
        log.exception("cannot use the desktop's notifications; showing tray balloons")


def network_watch(service: SupportService) -> NetworkWatch:
    """Back online at once when the network returns or the computer wakes, instead of after
    the back-off; a link from before that is checked, not trusted."""
    from supporttray.platform.network_watch import NetworkWatch

    return NetworkWatch(service.network_changed)


async def start_network_watch(watch: NetworkWatch) -> None:
    try:
        log.info("reconnecting at once on %s", await watch.start())
    except Exception:
        # A nicety: without it the back-off still brings the app back, so it never stops one.
        log.exception("cannot watch the network and sleep; reconnecting on the back-off only")
