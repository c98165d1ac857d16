"""A real ejabberd on loopback, beside the Prosody sandbox, for the tests and `supporttray sandbox`.

The distribution's ejabberd (Debian 23.01) runs as our child process on its own Erlang VM, with
a generated ejabberd.yml, spool and log: loopback only, free ports, no s2s, STARTTLS required
with the sandbox CA. We start `erl` ourselves rather than `ejabberdctl foreground`: that script
switches to the ejabberd user and turns on Erlang distribution, which starts an epmd daemon
that outlives the server. Without distribution the VM is an unnamed node (nonode@nohost), so
no two sandboxes can clash over a node name and nothing but the VM and its port helpers runs.

Accounts, shared roster groups and display names go through ejabberd's own admin API
(mod_http_api), served only on a Unix socket in a directory of ours that only we may enter;
a call takes a few milliseconds, so tests create accounts on demand while the server runs.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supporttray.sandbox.certificates import ServerCertificate
from supporttray.sandbox.child_process import make_temp_directory
from supporttray.sandbox.server import (
    Account,
    SandboxError,
    SandboxServer,
    ServerMissing,
)

__all__ = ["EjabberdMissing", "EjabberdSandbox", "find_ejabberd"]

INSTALL_HINT = "sudo apt-get install ejabberd"

# Where installations put ejabberdctl (Debian: /usr/sbin, often not on a user's PATH).
_WELL_KNOWN_CTL = (
    "/usr/sbin/ejabberdctl",
    "/usr/local/sbin/ejabberdctl",
    "/opt/ejabberd/bin/ejabberdctl",
)
# ejabberdctl names the Erlang runtime and library directory ejabberd was installed with.
_CTL_SETTING = re.compile(r"""^(ERL|ERL_LIBS)=["']?([^"'$\s]+)["']?\s*$""", re.MULTILINE)
_APP_VERSION = re.compile(r'\{vsn,\s*"([^"]+)"\}')

# The hidden shared roster group that shows the configured groups to every user, as a
# Prosody "[+Group]" does; its own members (@all@) are shown to nobody.
_EVERYONE_GROUP = "supporttray-sandbox-everyone"
# sun_path holds 108 bytes; a deeper sandbox directory gets its socket in a short temp one.
_MAX_SOCKET_PATH = 100
_API_TIMEOUT_SECONDS = 10.0
_FAILING_LINE = re.compile(r"\S+ \[(error|critical|alert|emergency)\] ")


class EjabberdMissing(ServerMissing):
    """ejabberd is not installed; str() tells the user how to install it."""


@dataclass(frozen=True)
class EjabberdInstallation:
    """Where ejabberd lives: the Erlang runtime to start and the directory of its code."""

    erl: str
    erl_libs: Path  # holds ejabberd-<version>/ebin, passed to the VM as ERL_LIBS
    version: str


def find_ejabberd(ejabberdctl: str | None = None) -> EjabberdInstallation | None:
    """The installation that `ejabberdctl` (else $SUPPORTTRAY_EJABBERDCTL, PATH, the usual
    places) belongs to; None when there is none."""
    override = ejabberdctl or os.environ.get("SUPPORTTRAY_EJABBERDCTL")
    if override:
        # An explicit choice that does not exist is an error, not a reason to pick another one.
        ctl = shutil.which(override)
    else:
        ctl = shutil.which("ejabberdctl") or next(
            (c for c in _WELL_KNOWN_CTL if os.access(c, os.X_OK) and Path(c).is_file()), None
        )
    if ctl is None:
        return None
    try:
        script = Path(ctl).read_text(encoding="utf-8", errors="replace")
        settings = dict(_CTL_SETTING.findall(script))
    except OSError:
        return None
    erl = shutil.which(settings.get("ERL", "erl"))
    libs = Path(settings.get("ERL_LIBS", "/usr/lib/erlang/lib"))
    apps = sorted(libs.glob("ejabberd-*/ebin/ejabberd.app"))
    if erl is None or not apps:
        return None
    version = _APP_VERSION.search(apps[-1].read_text(encoding="utf-8", errors="replace"))
    return EjabberdInstallation(erl, libs, version.group(1) if version else "unknown")


class EjabberdSandbox(SandboxServer):
    """An ejabberd server on 127.0.0.1 with its own directory, ports, CA and accounts."""

    name = "ejabberd"
    port_names = ("c2s", "http")
    _file_stem = "ejabberd"
    # Not conference.<domain> on purpose: clients must find the service by discovery.
    _muc_prefix = "rooms"
    # SIGTERM -> the VM stops ejabberd and flushes Mnesia, well under a second.
    _stop_grace_seconds = 10.0

    def __init__(
        self,
        directory: Path | None = None,
        *,
        domain: str = "localhost",
        accounts: Iterable[tuple[str, str]] = (),
        groups: Mapping[str, Iterable[str]] | None = None,
        muc: bool = True,
        ejabberdctl: str | None = None,
    ) -> None:
        self._ejabberdctl = ejabberdctl
        self._installation: EjabberdInstallation | None = None
        self._socket_directory: Path | None = None
        super().__init__(directory, domain=domain, accounts=accounts, groups=groups, muc=muc)

    @property
    def config_file(self) -> Path:
        return self._directory / "ejabberd.yml"

    @property
    def version(self) -> str:
        """The ejabberd version, known once the sandbox has started."""
        return self._installation.version if self._installation else "unknown"

    # -- accounts and groups: ejabberd's admin API -------------------------------------------

    def _provision_account(self, account: Account) -> None:
        # Before start() the account waits in self._accounts; start() registers them all.
        if self.running:
            self._register(account)

    def _prepare(self) -> None:
        """Nothing to write: accounts and groups go through the admin API once ejabberd runs."""

    def _provision_running(self) -> None:
        for account in self._accounts.values():
            self._register(account)
        self._create_groups()

    def _register(self, account: Account) -> None:
        user = {"user": account.username, "host": self.domain}
        status, answer = self._api("register", **user, password=account.password)
        if status == http.client.CONFLICT:  # known already (a kept directory, a re-password)
            status, answer = self._api("change_password", **user, newpass=account.password)
        if status != http.client.OK:
            raise SandboxError(f"ejabberd did not create the account {account.jid}: {answer}")

    def _create_groups(self) -> None:
        if not self._groups:
            return
        for group in self._groups:
            self._create_group(group, shown="")
            for jid, name in self.group_members(group):
                user, _, host = jid.partition("@")
                self._add_to_group(group, user, host)
                if name and host == self.domain:
                    # mod_shared_roster names a roster entry after the member's vCard FN.
                    self._api_ok("set_vcard", user=user, host=host, name="FN", content=name)
        # ejabberd splits `display` on a literal backslash-n.
        self._create_group(_EVERYONE_GROUP, shown="\\n".join(self._groups))
        self._add_to_group(_EVERYONE_GROUP, "@all@", self.domain)

    def _create_group(self, group: str, *, shown: str) -> None:
        """A shared roster group whose members see the groups in `shown`."""
        self._api_ok(
            "srg_create", group=group, host=self.domain, label=group, description="", display=shown
        )

    def _add_to_group(self, group: str, user: str, host: str) -> None:
        self._api_ok("srg_user_add", user=user, host=host, group=group, grouphost=self.domain)

    def _api_ok(self, command: str, **arguments: str) -> None:
        status, answer = self._api(command, **arguments)
        if status != http.client.OK:
            raise SandboxError(f"ejabberd refused {command} ({status}): {answer}")

    def _api(self, command: str, **arguments: str) -> tuple[int, Any]:
        """POST one mod_http_api command; its HTTP status and decoded JSON answer."""
        connection = _UnixHTTPConnection(self._api_socket)
        try:
            connection.request(
                "POST", f"/api/{command}", body=json.dumps(arguments),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            response = connection.getresponse()
            body = response.read()
        except OSError as exc:
            raise SandboxError(
                f"ejabberd's admin API did not answer {command} ({exc}). {self._log_tail(0)}"
            ) from exc
        finally:
            connection.close()
        try:
            answer: Any = json.loads(body)
        except ValueError:
            answer = body.decode("utf-8", "replace")
        return response.status, answer

    @property
    def _api_socket(self) -> Path:
        directory = self._socket_directory or self._directory / "run"
        return directory / "api.sock"

    # -- running it --------------------------------------------------------------------------

    def stop(self) -> None:
        with self._lock:
            super().stop()
            if self._socket_directory is not None:
                shutil.rmtree(self._socket_directory, ignore_errors=True)
                self._socket_directory = None

    def _resolve_binary(self) -> str:
        installation = find_ejabberd(self._ejabberdctl)
        if installation is None:
            where = self._ejabberdctl or os.environ.get("SUPPORTTRAY_EJABBERDCTL")
            place = f"at {where}" if where else "on this computer"
            raise EjabberdMissing(
                f"The sandbox needs the ejabberd XMPP server, which was not found {place}. "
                f"Install it with: {INSTALL_HINT}"
            )
        self._installation = installation
        return installation.erl

    def _command(self, binary: str) -> list[str]:
        return [
            binary,
            "-noinput", "-noshell",
            # The VM's console process takes a whole second to exit; without it stop() takes
            # 50 ms. ejabberd logs to its own file (a config error too); a VM that cannot even
            # boot still prints why to stderr, our console file.
            "-nouser", "-kernel", "logger", "[{handler,default,undefined}]",
            "-kernel", "error_logger", "silent",
            # Periodic df and memory probes: nothing a throw-away server needs.
            "-os_mon", "start_cpu_sup", "false", "start_disksup", "false",
            "start_memsup", "false", "start_os_sup", "false",
            "-mnesia", "dir", _erlang_string(str(self._directory / "spool")),
            "-s", "ejabberd",
        ]  # fmt: skip

    def _environment(self) -> dict[str, str]:
        assert self._installation is not None
        # The user's ERL_FLAGS could turn distribution on (-sname); HOME keeps their
        # .erlang and .erlang.cookie out of the sandbox's VM.
        environment = {
            key: value for key, value in os.environ.items()
            if key not in ("ERL_FLAGS", "ERL_AFLAGS", "ERL_ZFLAGS", "ERL_LIBS")
        }  # fmt: skip
        environment.update(
            HOME=str(self._directory),
            ERL_LIBS=str(self._installation.erl_libs),
            ERL_CRASH_DUMP_BYTES="0",
            EJABBERD_CONFIG_PATH=str(self.config_file),
            EJABBERD_LOG_PATH=str(self.log_file),
            EJABBERD_PID_PATH=str(self._directory / "ejabberd.pid"),
        )
        return environment

    def _port_clash(self, startup_log: str) -> bool:
        return "eaddrinuse" in startup_log

    def _listening(self, startup_log: str) -> bool:
        accepting = "Start accepting {} connections at {} for {}"
        return all(
            accepting.format(transport, where, module) in startup_log
            for transport, where, module in (
                ("TCP", f"{self.host}:{self.c2s_port}", "ejabberd_c2s"),
                ("TLS", f"{self.host}:{self.http_port}", "ejabberd_http"),  # upload over https
                ("TCP", f"unix:{self._api_socket}", "ejabberd_http"),
            )
        )

    def _startup_errors(self, startup_log: str) -> list[str]:
        return [line for line in startup_log.splitlines() if _FAILING_LINE.match(line)]

    def _write_config(self, certificate: ServerCertificate) -> None:
        self._prepare_api_socket()
        (self._directory / "upload").mkdir(exist_ok=True)
        q = json.dumps  # a JSON string is a YAML double-quoted scalar
        muc = (
            f"""\
  mod_muc:
    host: {q(self.muc_domain)}
    access: all
    access_create: all
    access_persistent: all
    access_mam: all
    access_admin: none
    default_room_options:
      mam: true
"""
            if self.muc_domain is not None
            else ""
        )
        config = f"""\
# Written by SupportTray's sandbox at every start; edits are lost.
# Foreground child process, loopback only, throw-away data.
hosts: [{q(self.domain)}]
loglevel: info
# We read the log from where this start began: ejabberd must not rotate it away.
log_rotate_count: 0
hide_sensitive_log_data: true
language: "en"
certfiles: [{q(str(certificate.certificate))}, {q(str(certificate.key))}]
ca_file: {q(str(certificate.ca_file))}
# Never ask a public CA for a certificate, never talk to another server.
acme:
  auto: false
s2s_access: none
auth_method: internal
# A few large queues on a busy test machine are no reason to kill sessions.
oom_killer: false

listen:
  -
    port: {self.c2s_port}
    ip: {q(self.host)}
    module: ejabberd_c2s
    starttls_required: true
    # What Prosody allows too: the app must cope with what servers cap.
    max_stanza_size: 262144
    shaper: none
  -
    port: {self.http_port}
    ip: {q(self.host)}
    module: ejabberd_http
    # Uploads over TLS with the server's certificate (certfiles), as on a real server.
    tls: true
    request_handlers:
      /upload: mod_http_upload
  -
    port: {q("unix:" + str(self._api_socket))}
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api

# Only the owner can reach the socket (a directory of mode 0700), so anyone there is the owner.
api_permissions:
  "sandbox owner":
    from: mod_http_api
    who: all
    what: "*"

modules:
  mod_roster: {{}}
  mod_disco: {{}}
  mod_caps: {{}}
  mod_stream_mgmt: {{}}
  mod_carboncopy: {{}}
  # Archive every chat, as Prosody's mod_mam does by default.
  mod_mam:
    default: always
  mod_offline: {{}}
  mod_time: {{}}
  mod_last: {{}}
  mod_vcard:
    search: false
  mod_ping: {{}}
  mod_version:
    show_os: false
  mod_privacy: {{}}
  mod_blocking: {{}}
  mod_shared_roster: {{}}
  mod_admin_extra: {{}}
{muc}\
  mod_http_upload:
    host: {q(self.upload_domain)}
    access: all
    # upload.<domain> does not resolve; serve (and advertise) the files on the loopback IP.
    put_url: {q(f"https://{self.host}:{self.http_port}/upload")}
    max_size: {self.upload_limit_bytes}
    docroot: {q(str(self._directory / "upload"))}
    thumbnail: false
"""
        self.config_file.write_text(config, encoding="utf-8")

    def _prepare_api_socket(self) -> None:
        run = self._directory / "run"
        if len(os.fsencode(run / "api.sock")) > _MAX_SOCKET_PATH:
            if self._socket_directory is None or not self._socket_directory.is_dir():
                self._socket_directory = make_temp_directory()
        else:
            run.mkdir(exist_ok=True)
            run.chmod(stat.S_IRWXU)
        # A socket left by a server that was killed would make the new one fail to bind.
        self._api_socket.unlink(missing_ok=True)


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket: ejabberd's admin API where only the owner can reach it."""

    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=_API_TIMEOUT_SECONDS)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(os.fspath(self._path))
        except OSError:
            sock.close()
            raise
        self.sock = sock


def _erlang_string(text: str) -> str:
    """An Erlang string literal, as `erl -mnesia dir` wants its argument."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
