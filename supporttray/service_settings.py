"""What each app service needs from the settings, read into that service's own frozen config.

The composition root (launcher, doctor) reads here; the services take the typed values in
their constructors, so each says what it depends on and none holds the whole settings bag.
Read again whenever the settings change (`supporttray login` writes the account while we run).
"""

from __future__ import annotations

from supporttray.app.account import SupportConfig
from supporttray.app.chat import ChatConfig
from supporttray.config.mode import support_mode
from supporttray.config.settings import Settings
from supporttray.core.on_call import OnCallHours, OnCallHoursError, parse_on_call_hours

ON_CALL_SETTING = "presence.on_call_hours"


class OnCallSettingError(ValueError):
    """`presence.on_call_hours` cannot be read; the message is a sentence naming key and file."""


def chat_config(settings: Settings) -> ChatConfig:
    return ChatConfig(
        account_jid=settings.get_str("account.jid"),
        mode=support_mode(settings),
        fallback=settings.get_str("support.fallback"),
        sysinfo_consent=settings.get_str("sysinfo.consent"),
        new_request_after_hours=settings.get_float("sysinfo.new_request_after_hours"),
        history_enabled=settings.get_bool("history.enabled"),
        retention_days=settings.get_int("history.retention_days"),
    )


def support_config(settings: Settings) -> SupportConfig:
    return SupportConfig(
        account_jid=settings.get_str("account.jid"),
        mode=support_mode(settings),
        staff=tuple(settings.get_str_list("support.staff")),
        group=settings.get_str("support.group"),
        auto_accept_domains=tuple(settings.get_str_list("support.auto_accept_domains")),
        server_domain=settings.get_str("server.domain"),
        server_host=settings.get_str("server.host"),
        server_port=settings.get_int("server.port"),
        direct_tls=settings.get_bool("server.direct_tls"),
        ca_file=settings.get_str("server.ca_file"),
        staff_room=settings.get_str("support.staff_room"),
    )


def on_call_hours(settings: Settings) -> OnCallHours | None:
    """The on-call runner's hours; None when unset. OnCallSettingError for a bad value.

    Checked here, not by the settings schema: the grammar lives in core, which config (below
    it) must not import.
    """
    text = settings.get_str(ON_CALL_SETTING)
    try:
        return parse_on_call_hours(text)
    except OnCallHoursError as exc:
        raise OnCallSettingError(f"{ON_CALL_SETTING} {_where(settings)}{exc}.") from None


def _where(settings: Settings) -> str:
    source = settings.source(ON_CALL_SETTING)
    if source.startswith("policy"):
        table = "[enforced]" if source == "policy-enforced" else "[defaults]"
        return f"(machine policy {settings.policy.source or '<policy>'}, {table}): "
    if source == "user" and settings.path is not None:
        return f"(settings file {settings.path}): "
    return ": "
