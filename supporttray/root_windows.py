"""The windows the composition root builds on first use (Sign-in, Settings), what a saved
Settings window changes in the running app, and Sign out."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from supporttray import APP_NAME, root_services
from supporttray.config.mode import support_mode
from supporttray.config.paths import Paths
from supporttray.config.settings import Settings
from supporttray.language.sentence import shown
from supporttray.ui.on_demand import OnDemand

if TYPE_CHECKING:
    from supporttray.app.chat import ChatService
    from supporttray.app.findings import Finding
    from supporttray.app.history_retention import HistoryRetention
    from supporttray.app.service import SupportService
    from supporttray.config.password_source import PasswordKeeper, PasswordSource
    from supporttray.core.connection import ConnectionStatus
    from supporttray.core.history import HistoryStore
    from supporttray.core.own_presence import OwnPresence
    from supporttray.live_settings import LiveSettings
    from supporttray.ui.settings_window import SettingsWindow
    from supporttray.ui.sign_in_window import SignInWindow
    from supporttray.ui.tray import TrayController

W = TypeVar("W")
Spawn = Callable[[Coroutine[Any, Any, Any]], None]


def sign_in_window(settings: Settings, passwords: PasswordSource, service: SupportService,
                    tray: TrayController, spawn: Spawn,
                    ) -> OnDemand[SignInWindow] | None:
    """The Sign-in window, opened by itself whenever only signing in helps (first start, a
    refused password, Sign out), and built then; None where the password source cannot store
    (a test's)."""
    from supporttray.config.password_source import PasswordKeeper

    if not isinstance(passwords, PasswordKeeper):
        return None
    keeper = passwords
    window = OnDemand(lambda: build_sign_in_window(settings, keeper, service, spawn))

    def connection_changed(status: ConnectionStatus) -> None:
        if status.needs_sign_in or window.built is not None:
            window.get().connection_changed(status)

    tray.bridge.connection_changed.connect(connection_changed)
    return window


def build_sign_in_window(settings: Settings, passwords: PasswordKeeper,
                          service: SupportService, spawn: Spawn) -> SignInWindow:
    from supporttray.app.sign_in import SignIn
    from supporttray.ui.sign_in_window import SignInWindow

    def check(jid: str, password: str) -> list[Finding]:
        # Loaded when the person first asks: the tray does not otherwise need doctor.
        from supporttray.doctor import sign_in_findings

        return sign_in_findings(settings, jid, password)

    backend = SignIn(settings, passwords, service, check)
    return SignInWindow(backend, spawn,
                        app_name=settings.get_str("branding.name") or APP_NAME)


def dispose_if_built(window: OnDemand[W], dispose: Callable[[W], None]) -> None:
    """At quit: the window's clean-up, if it was ever built."""
    if window.built is not None:
        dispose(window.built)


def live_settings(paths: Paths, settings: Settings, chat: ChatService, tray: TrayController,
                   own: OwnPresence, store: HistoryStore) -> LiveSettings:
    """What a saved Settings window changes in the running app (see live_settings)."""
    from supporttray.live_settings import LiveSettings

    def start_retention() -> HistoryRetention | None:
        return root_services.start_history_retention(settings, store)

    return LiveSettings(
        settings, chat=chat, tray=tray,
        apply_autostart=lambda: root_services.apply_autostart_setting(paths, settings),
        start_retention=start_retention,
        start_auto_away=lambda: root_services.start_auto_away(settings, own),
        # A new rule starts from now: the person's own choice before it no longer counts.
        start_on_call=lambda: root_services.start_on_call(settings, own, None))


def settings_window(settings: Settings, live: LiveSettings) -> SettingsWindow:
    from supporttray.app.settings_editor import SettingsEditor
    from supporttray.ui.settings_window import SettingsWindow

    editor = SettingsEditor(settings, support_mode(settings))
    editor.subscribe(live.changed)
    return SettingsWindow(editor, app_name=settings.get_str("branding.name") or APP_NAME)


async def sign_out(window: SignInWindow, tray: TrayController) -> None:
    """Forget the password, go offline; the window then opens by itself (needs_sign_in)."""
    from supporttray.app.sign_in import SignInError

    try:
        await window.backend.sign_out()
    except SignInError as exc:
        tray.show_notice(shown(exc))
