"""From the settings' values to what the connection needs: endpoint, account, who the staff are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from supporttray.config.mode import Mode
from supporttray.core.jid import bare_jid, domain_of
from supporttray.core.staff_directory import StaffDirectory, staff_jids
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError
from supporttray.xmpp.endpoint import ServerEndpoint


class SetupError(SentenceError):
    """The settings are not enough to connect; the sentence says what to do."""


class NoAccountError(SetupError):
    """No account is set up: the person signs in (the Sign-in window, or `supporttray login`)."""



@dataclass(frozen=True)
class SupportConfig:
    """What the connection side reads from the settings (the root reads it once, and again
    when `supporttray login` changes the account: see service_settings)."""

    account_jid: str
    mode: Mode
    staff: tuple[str, ...]  # support.staff, as written
    group: str  # support.group: a roster group of staff
    auto_accept_domains: tuple[str, ...]
    server_domain: str
    server_host: str
    server_port: int
    direct_tls: bool
    ca_file: str
    staff_room: str  # support.staff_room, as written ("off", "", a name or a JID)


@dataclass(frozen=True)
class AccountSetup:
    jid: str
    mode: Mode
    endpoint: ServerEndpoint
    directory: StaffDirectory


def account_setup(config: SupportConfig) -> AccountSetup:
    jid = bare_jid(config.account_jid)
    if not jid:
        raise NoAccountError(Sentence(N_(
            "No account is set up yet. Choose “Sign in…” in the tray menu (or run: supporttray "
            "login you@your-company.example).")))
    ca_file = config.ca_file
    if ca_file and not Path(ca_file).is_file():
        raise SetupError(Sentence(N_(
            "The policy's server.ca_file {path} does not exist or is not a file. "
            "Ask IT to fix the policy."), {"path": ca_file}))
    endpoint = ServerEndpoint(
        domain=config.server_domain or domain_of(jid),
        host=config.server_host,
        port=config.server_port,
        direct_tls=config.direct_tls,
        ca_file=Path(ca_file) if ca_file else None,
    )
    directory = StaffDirectory(
        staff=tuple(s for s in staff_jids(list(config.staff)) if s != jid),
        group=config.group,
        staff_mode=config.mode is Mode.STAFF,
        auto_accept_domains=config.auto_accept_domains,
    )
    return AccountSetup(jid=jid, mode=config.mode, endpoint=endpoint, directory=directory)
