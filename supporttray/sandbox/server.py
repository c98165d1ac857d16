"""What every sandbox server shares: its directory, CA, accounts, ports, start and stop.

A sandbox server is real server software (Prosody, ejabberd) run as our child process with a
generated config: loopback only, free ports, no s2s, TLS required with a fresh CA that clients
are told to trust. Each server's module says how to configure, start and provision it; this
one holds the lifetime: start() with port retries that returns once c2s answers, stop() that
leaves nothing running, an atexit hook for a forgotten stop(), and PR_SET_PDEATHSIG (see
child_process) for an owner that dies without either.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import subprocess
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Self

from supporttray.sandbox.certificates import (
    CertificateError,
    ServerCertificate,
    ensure_server_certificate,
)
from supporttray.sandbox.child_process import (
    c2s_answers,
    end_process,
    file_size,
    forget_running,
    last_lines,
    make_temp_directory,
    popen_from_spawner_thread,
    read_from,
    register_running,
    reserve_ports,
)

log = logging.getLogger("supporttray.sandbox")

_POLL_SECONDS = 0.01
_LOG_TAIL_LINES = 15

# Usernames go into file names and JIDs unchanged, so they must already be in the form the
# server's nodeprep would give them; a conservative ASCII set keeps that trivially true.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._+-]*\Z")
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\Z")


@dataclass(frozen=True)
class Account:
    """An XMPP account on the sandbox server."""

    jid: str  # "alice@localhost"
    password: str = field(repr=False)  # never in a log line or a test failure's repr

    @property
    def username(self) -> str:
        return self.jid.partition("@")[0]


class ServerMissing(Exception):
    """The server software is not installed; str() tells the user how to install it."""


class SandboxError(Exception):
    """The sandbox server could not be started or used; str() is a sentence with its log."""


class PortTaken(Exception):
    """The server could not bind one of the chosen ports."""


class SandboxServer(ABC):
    """A server on 127.0.0.1 with its own directory, ports, CA and accounts."""

    host = "127.0.0.1"
    name: ClassVar[str]  # "Prosody": how log lines and errors name the server
    # The ports the server listens on, "c2s" first; each is picked free at every start.
    port_names: ClassVar[tuple[str, ...]]
    _file_stem: ClassVar[str]  # "prosody": prosody.log, prosody.console
    _stop_grace_seconds: ClassVar[float]
    _muc_prefix: ClassVar[str]  # its MUC service is <prefix>.<domain>
    # HTTP upload takes files up to this size: large enough for a 1 GB benchmark transfer,
    # small enough that a test can ask for one byte more without writing it (a sparse file).
    upload_limit_bytes: ClassVar[int] = 2 * 1024**3

    def __init__(
        self,
        directory: Path | None = None,
        *,
        domain: str = "localhost",
        accounts: Iterable[tuple[str, str]] = (),
        groups: Mapping[str, Iterable[str]] | None = None,
        muc: bool = True,
    ) -> None:
        if not _DOMAIN.match(domain):
            raise ValueError(f"{domain!r} is not a usable sandbox domain (lower-case DNS name)")
        self.domain = domain
        # None: no MUC service at all, as on a server whose admin never set one up.
        self.muc_domain = f"{self._muc_prefix}.{domain}" if muc else None
        self.upload_domain = f"upload.{domain}"
        self._groups = {name: list(members) for name, members in (groups or {}).items()}
        for name in self._groups:
            if not name or any(c in name for c in "[]\r\n"):
                raise ValueError(f"{name!r} cannot be a shared roster group name")
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._console: IO[bytes] | None = None
        self._ports: dict[str, int] = {}
        self._keep_directory = directory is not None
        self._cleanup: weakref.finalize[Any, Any] | None = None
        self._directory = self._make_directory(directory)
        for username, password in accounts:
            self.add_account(username, password)

    # -- public state ------------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        return self._directory

    @property
    def ca_file(self) -> Path:
        """The CA certificate (PEM) clients must trust to talk to this server."""
        return self._directory / "certs" / "ca.pem"

    @property
    def log_file(self) -> Path:
        return self._directory / f"{self._file_stem}.log"

    @property
    def c2s_port(self) -> int:
        return self._port("c2s")

    @property
    def http_port(self) -> int:
        """Where HTTP upload slots point (https://127.0.0.1:PORT/..., the server's certificate,
        trusted through ca_file as for XMPP)."""
        return self._port("http")

    @property
    def accounts(self) -> list[Account]:
        with self._lock:
            return list(self._accounts.values())

    @property
    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def account(self, username: str) -> Account:
        with self._lock:
            try:
                return self._accounts[username]
            except KeyError:
                raise KeyError(f"The sandbox has no account {username!r}") from None

    # -- accounts ----------------------------------------------------------------------------

    def add_account(self, username: str, password: str) -> Account:
        """Create (or re-password) an account; works before start and while the server runs."""
        if not _USERNAME.match(username):
            raise ValueError(
                f"{username!r} is not a usable sandbox username "
                "(lower-case letters, digits and . _ + - only)"
            )
        if not password:
            raise ValueError("A sandbox account needs a non-empty password")
        account = Account(jid=f"{username}@{self.domain}", password=password)
        with self._lock:
            self._provision_account(account)
            self._accounts[username] = account
        return account

    def group_members(self, group: str) -> list[tuple[str, str]]:
        """(bare JID, display name or "") of each member of a shared group, as configured.

        Members are given as "alice" or "alice@elsewhere", with "=Alice Martin" for a name.
        """
        members = []
        for member in self._groups[group]:
            who, _, name = member.partition("=")
            members.append((who if "@" in who else f"{who}@{self.domain}", name))
        return members

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> None:
        """Start the server and return once c2s answers with stream features; no-op if running."""
        with self._lock:
            if self.running:
                return
            if self._process is not None:  # it died on its own; tidy up before starting anew
                self._terminate()
            binary = self._resolve_binary()
            began = time.monotonic()
            deadline = began + timeout
            if not self._directory.is_dir():  # a temp directory removed by an earlier stop()
                self._directory = self._make_directory(None)
            try:
                certificate = ensure_server_certificate(
                    self._directory / "certs", self.domain, self.host
                )
            except CertificateError as exc:
                raise SandboxError(str(exc)) from exc
            self._prepare()
            for attempt in range(3):
                reservations = reserve_ports(
                    self.host, [self._ports.get(name) for name in self.port_names]
                )
                self._ports = {
                    name: reservation.getsockname()[1]
                    for name, reservation in zip(self.port_names, reservations, strict=True)
                }
                try:
                    self._write_config(certificate)
                    log_offset = file_size(self.log_file)
                    self._spawn(binary)
                    self._wait_until_ready(deadline, log_offset)
                except PortTaken as exc:
                    self._terminate()
                    self._ports = {}
                    log.info("Sandbox port clash (%s), trying other ports (try %d)", exc, attempt)
                    continue
                except BaseException:
                    # Includes KeyboardInterrupt: never leave a half-started server behind.
                    self._terminate()
                    raise
                finally:
                    for reservation in reservations:
                        reservation.close()
                try:
                    self._provision_running()
                except BaseException:
                    self._terminate()
                    raise
                register_running(self)
                others = ", ".join(f"{name} {self._ports[name]}" for name in self.port_names[1:])
                log.info(
                    "%s sandbox for %s is ready on %s:%d%s after %.2f s, pid %d",
                    self.name, self.domain, self.host, self.c2s_port,
                    f" ({others})" if others else "", time.monotonic() - began, self.pid or 0,
                )  # fmt: skip
                return
            raise SandboxError(
                f"{self.name} could not get free ports on {self.host} after three tries; "
                "another program keeps taking them."
            )

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a few seconds); safe to call repeatedly."""
        with self._lock:
            self._terminate()
            if not self._keep_directory and self._cleanup is not None:
                self._cleanup()  # removes the temp directory, once

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()  # __exit__ will not run: remove the temp directory now
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what each server says differently ---------------------------------------------------

    @abstractmethod
    def _resolve_binary(self) -> str:
        """The program to run; raises ServerMissing with the install command."""

    @abstractmethod
    def _provision_account(self, account: Account) -> None:
        """Make `account` exist on the server now if it can (the lock is held)."""

    @abstractmethod
    def _prepare(self) -> None:
        """Write what the server reads at start besides its config (accounts, groups)."""

    @abstractmethod
    def _write_config(self, certificate: ServerCertificate) -> None:
        """Write the server's config for this start's ports (which change on a port clash)."""

    @abstractmethod
    def _command(self, binary: str) -> list[str]:
        """The command line that runs the server in the foreground with our config."""

    def _environment(self) -> dict[str, str] | None:
        """The child's environment; None inherits ours."""
        return None

    @abstractmethod
    def _port_clash(self, startup_log: str) -> bool:
        """Whether the log says one of our ports was taken (then start() picks others)."""

    @abstractmethod
    def _listening(self, startup_log: str) -> bool:
        """Whether the log proves it is *our* server on our ports (c2s_answers() then checks)."""

    @abstractmethod
    def _startup_errors(self, startup_log: str) -> list[str]:
        """The error lines of the start, if any: a server that starts half-broken is refused."""

    @abstractmethod
    def _provision_running(self) -> None:
        """Make what only a running server can take (accounts, groups over its admin API)."""

    # -- internals ---------------------------------------------------------------------------

    @property
    def _console_file(self) -> Path:
        return self._directory / f"{self._file_stem}.console"

    def _port(self, name: str) -> int:
        port = self._ports.get(name)
        if port is None:
            raise SandboxError(f"The sandbox has no {name} port yet: start() it first.")
        return port

    def _make_directory(self, directory: Path | None) -> Path:
        if directory is not None:
            directory = directory.resolve()
            directory.mkdir(parents=True, exist_ok=True)
            return directory
        path = make_temp_directory()
        # Also runs at interpreter exit or when the sandbox is garbage collected unstarted.
        self._cleanup = weakref.finalize(self, shutil.rmtree, path, ignore_errors=True)
        return path

    def _spawn(self, binary: str) -> None:
        self._console = open(self._console_file, "ab")  # noqa: SIM115
        args = self._command(binary)
        log.debug("Starting %s", " ".join(args))
        self._process = popen_from_spawner_thread(
            args,
            cwd=self._directory,
            env=self._environment(),
            stdout=self._console,
            # A config error is printed before logging is set up.
            stderr=subprocess.STDOUT,
        )

    def _wait_until_ready(self, deadline: float, log_offset: int) -> None:
        while True:
            process = self._process
            assert process is not None
            startup_log = read_from(self.log_file, log_offset)
            if self._port_clash(startup_log):
                raise PortTaken(last_lines(startup_log, 3))
            returncode = process.poll()
            if returncode is not None:
                raise SandboxError(
                    f"{self.name} stopped while starting (exit code {returncode}). "
                    f"{self._log_tail(log_offset)}"
                )
            if self._listening(startup_log) and c2s_answers(self.host, self.c2s_port, self.domain):
                if self._startup_errors(startup_log):
                    raise SandboxError(
                        f"{self.name} started but reported errors, so the sandbox would not "
                        f"behave as expected. {self._log_tail(log_offset)}"
                    )
                return
            if time.monotonic() > deadline:
                raise SandboxError(
                    f"{self.name} did not answer on its client port within the start timeout. "
                    f"{self._log_tail(log_offset)}"
                )
            time.sleep(_POLL_SECONDS)

    def _log_tail(self, offset: int) -> str:
        text = read_from(self.log_file, offset).strip()
        console = ""
        with contextlib.suppress(OSError):
            console = self._console_file.read_text("utf-8", "replace").strip()
        parts = []
        if text:
            parts.append(f"Last lines of {self.log_file}:\n{last_lines(text, _LOG_TAIL_LINES)}")
        if console:
            parts.append(f"{self.name} printed:\n{last_lines(console, _LOG_TAIL_LINES)}")
        return "\n".join(parts) if parts else f"{self.name} wrote nothing to {self.log_file}."

    def _terminate(self) -> None:
        process, self._process = self._process, None
        forget_running(self)
        if process is not None:
            was_running = process.poll() is None
            end_process(process, grace=self._stop_grace_seconds, name=self.name)
            if was_running:
                log.info("%s sandbox for %s stopped (pid %d)", self.name, self.domain, process.pid)
        if self._console is not None:
            self._console.close()
            self._console = None
