"""A real Prosody on loopback, for the tests, the demo and `supporttray sandbox`.

The sandbox runs the distribution's `prosody` binary as a child process with a generated config:
loopback only, free ports, no s2s, TLS required with a fresh CA that clients are told to trust.
It is the same server software a company runs, so what works here works there. Its lifetime
(start, stop, never outliving the owner) is sandbox/server.py's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from supporttray.sandbox.certificates import ServerCertificate
from supporttray.sandbox.lua import lua_list, lua_string, prosody_path_encode
from supporttray.sandbox.server import (
    Account,
    SandboxError,
    SandboxServer,
    ServerMissing,
)

__all__ = ["Account", "ProsodyMissing", "ProsodySandbox", "SandboxError", "find_prosody"]

INSTALL_HINT = "sudo apt-get install prosody"

# Where distributions put the binary, for when PATH is minimal (cron, CI steps, IDE runners).
_WELL_KNOWN_BINARIES = ("/usr/bin/prosody", "/usr/local/bin/prosody", "/usr/sbin/prosody")

# Prosody 0.12's c2s waits this long for clients to close their streams when it shuts down;
# its default (5 s) would make every stop() with a connected client slow.
_CLOSE_TIMEOUT_SECONDS = 1

_MODULES = (
    "roster", "saslauth", "tls", "disco", "carbons", "mam", "smacks", "ping", "pep",
    # 0.12 serves vCard 4 over PEP and translates the legacy vcard-temp protocol onto it.
    "vcard4", "vcard_legacy",
    "blocklist", "register", "groups", "time", "lastactivity", "version", "private", "offline",
)  # fmt: skip


class ProsodyMissing(ServerMissing):
    """The prosody binary is not installed; str() tells the user how to install it."""


def find_prosody() -> str | None:
    """The path of the prosody binary: $SUPPORTTRAY_PROSODY, else PATH, else the usual places."""
    override = os.environ.get("SUPPORTTRAY_PROSODY")
    if override:
        # An explicit choice that does not exist is an error, not a reason to pick another one.
        return shutil.which(override)
    found = shutil.which("prosody")
    if found:
        return found
    for candidate in _WELL_KNOWN_BINARIES:
        if os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate
    return None


class ProsodySandbox(SandboxServer):
    """A Prosody server on 127.0.0.1 with its own directory, ports, CA and accounts."""

    name = "Prosody"
    port_names = ("c2s", "http")
    _file_stem = "prosody"
    _muc_prefix = "conference"
    # SIGTERM -> Prosody's clean shutdown is well under a second; beyond this it is stuck.
    _stop_grace_seconds = 4.0

    def __init__(
        self,
        directory: Path | None = None,
        *,
        domain: str = "localhost",
        accounts: Iterable[tuple[str, str]] = (),
        groups: Mapping[str, Iterable[str]] | None = None,
        muc: bool = True,
        prosody_binary: str | None = None,
    ) -> None:
        self._prosody_binary = prosody_binary
        super().__init__(directory, domain=domain, accounts=accounts, groups=groups, muc=muc)

    @property
    def config_file(self) -> Path:
        return self._directory / "prosody.cfg.lua"

    # -- accounts and groups: files Prosody reads --------------------------------------------

    def _provision_account(self, account: Account) -> None:
        """Write the account straight into Prosody's internal_plain store.

        Prosody reads that file at every login and caches nothing, so no restart or prosodyctl
        is needed. A stopped temp sandbox has no directory; start() writes every account.
        """
        if self._directory.is_dir():
            self._write_account(account)

    def _prepare(self) -> None:
        for account in self._accounts.values():
            self._write_account(account)
        self._write_groups()

    def _provision_running(self) -> None:
        """Nothing more: Prosody read the accounts and groups from their files at start."""

    def _write_account(self, account: Account) -> None:
        path = (
            self._directory
            / "data"
            / prosody_path_encode(self.domain)
            / "accounts"
            / f"{prosody_path_encode(account.username)}.dat"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f'return {{\n\t["password"] = {lua_string(account.password)};\n}};\n'
        # Replace atomically: a login racing with add_account must never read half a file.
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="ascii")
        os.replace(temporary, path)

    def _write_groups(self) -> None:
        if not self._groups:
            return
        lines = []
        for group in self._groups:
            # A leading "+" makes the group public: every user of the host sees its members.
            lines.append(f"[+{group}]")
            for jid, name in self.group_members(group):
                # "jid=Alice Martin" gives the roster entry a display name (mod_groups syntax).
                lines.append(f"{jid}={name}" if name else jid)
        (self._directory / "groups.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -- running it --------------------------------------------------------------------------

    def _resolve_binary(self) -> str:
        if self._prosody_binary is not None:
            binary = shutil.which(self._prosody_binary)
            if binary is None:
                raise ProsodyMissing(
                    f"The Prosody XMPP server was not found at {self._prosody_binary}. "
                    f"Install it with: {INSTALL_HINT}"
                )
            return binary
        binary = find_prosody()
        if binary is None:
            where = os.environ.get("SUPPORTTRAY_PROSODY")
            place = f"at {where} (SUPPORTTRAY_PROSODY)" if where else "on this computer"
            raise ProsodyMissing(
                f"The sandbox needs the Prosody XMPP server, which was not found {place}. "
                f"Install it with: {INSTALL_HINT}"
            )
        return binary

    def _command(self, binary: str) -> list[str]:
        return [binary, "--config", str(self.config_file), "-F"]

    def _port_clash(self, startup_log: str) -> bool:
        return "Failed to open server port" in startup_log

    def _listening(self, startup_log: str) -> bool:
        return (
            f"Activated service 'c2s' on [{self.host}]:{self.c2s_port}" in startup_log
            and f"Activated service 'https' on [{self.host}]:{self.http_port}" in startup_log
        )

    def _startup_errors(self, startup_log: str) -> list[str]:
        return [line for line in startup_log.splitlines() if "\terror\t" in line]

    def _write_config(self, certificate: ServerCertificate) -> None:
        d = self._directory
        groups_line = f"groups_file = {lua_string(str(d / 'groups.txt'))}\n" if self._groups else ""
        log_file = lua_string(str(self.log_file))
        ssl = (
            f"certificate = {lua_string(str(certificate.certificate))}, "
            f"key = {lua_string(str(certificate.key))}"
        )
        muc_component = (
            f"""
Component {lua_string(self.muc_domain)} "muc"
    modules_enabled = {{ "muc_mam" }}
    -- A room's archive keeps this many messages, dropping the oldest (memory store: 1,000;
    -- internal: 10,000). The staff room holds ~3 per request and is read back at each start.
    storage_archive_item_limit = 100000
"""
            if self.muc_domain is not None
            else ""
        )
        config = f"""\
-- Written by SupportTray's sandbox at every start; edits are lost.
-- Foreground child process, loopback only, throw-away data.
pidfile = {lua_string(str(d / "prosody.pid"))}
-- CI containers run as root; this server never listens beyond 127.0.0.1.
run_as_root = true
data_path = {lua_string(str(d / "data"))}
certificates = {lua_string(str(d / "certs"))}
log = {{ {{ levels = {{ min = "info" }}, to = "file", filename = {log_file} }} }}

interfaces = {lua_list([self.host])}
local_interfaces = {lua_list([self.host])}
c2s_ports = {lua_list([self.c2s_port])}
c2s_direct_tls_ports = {{ }}
legacy_ssl_ports = {{ }}
s2s_ports = {{ }}
component_ports = {{ }}
-- Uploads over TLS with the server's own certificate, as on a real server: clients trust it
-- through the same CA file as for XMPP, and only https links are fetched automatically.
http_ports = {{ }}
https_ports = {lua_list([self.http_port])}
https_interfaces = {lua_list([self.host])}
https_ssl = {{ {ssl} }}
-- Without this every small stanza waits for Nagle's algorithm: ~40 ms stalls on loopback.
network_settings = {{ nagle = false }}
c2s_close_timeout = {_CLOSE_TIMEOUT_SECONDS}

c2s_require_encryption = true
allow_registration = false
-- Plain storage lets the sandbox create accounts by writing one file, with no Lua start each.
authentication = "internal_plain"
-- 0.12's file archive store rewrites the whole archive for every message: keep archives in RAM.
storage = {{ archive = "memory", muc_log = "memory" }}
ssl = {{ {ssl} }}

modules_enabled = {lua_list(_MODULES)}
modules_disabled = {{ "s2s", "s2s_auth_certs" }}
{groups_line}
VirtualHost {lua_string(self.domain)}
{muc_component}
Component {lua_string(self.upload_domain)} "http_file_share"
    -- upload.<domain> does not resolve; serve (and advertise) the files on the loopback IP.
    http_host = {lua_string(self.host)}
    http_file_share_size_limit = {self.upload_limit_bytes}
    -- Tests and benchmarks upload many large files in a day.
    http_file_share_daily_quota = {self.upload_limit_bytes * 1000}
"""
        self.config_file.write_text(config, encoding="utf-8")
