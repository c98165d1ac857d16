"""From settings to what the connection needs: endpoint, account, who the staff are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from supporttray.config.settings import Settings
from supporttray.core.jid import bare_jid, domain_of
from supporttray.core.staff_directory import StaffDirectory, staff_jids
from supporttray.xmpp.endpoint import ServerEndpoint


class SetupError(Exception):
    """The settings are not enough to connect; the sentence says what to do."""


@dataclass(frozen=True)
class AccountSetup:
    jid: str
    mode: str
    endpoint: ServerEndpoint
    directory: StaffDirectory


def account_setup(settings: Settings) -> AccountSetup:
    jid = bare_jid(settings.get_str("account.jid"))
    if not jid:
        raise SetupError(
            "No account is set up yet. Run: supporttray login you@your-company.example"
        )
    mode = settings.get_str("support.mode")
    ca_file = settings.get_str("server.ca_file")
    if ca_file and not Path(ca_file).is_file():
        raise SetupError(
            f"The policy's server.ca_file {ca_file} does not exist or is not a file. "
            "Ask IT to fix the policy."
        )
    endpoint = ServerEndpoint(
        domain=settings.get_str("server.domain") or domain_of(jid),
        host=settings.get_str("server.host"),
        port=settings.get_int("server.port"),
        direct_tls=settings.get_bool("server.direct_tls"),
        ca_file=Path(ca_file) if ca_file else None,
    )
    directory = StaffDirectory(
        staff=tuple(s for s in staff_jids(settings.get_str_list("support.staff")) if s != jid),
        group=settings.get_str("support.group"),
        staff_mode=mode == "staff",
        auto_accept_domains=tuple(settings.get_str_list("support.auto_accept_domains")),
    )
    return AccountSetup(jid=jid, mode=mode, endpoint=endpoint, directory=directory)
