"""A real Prosody on loopback, for the tests, the demo and `supporttray sandbox`.

The sandbox runs the distribution's `prosody` binary as a child process with a generated config:
loopback only, free ports, no s2s, TLS required with a fresh CA that clients are told to trust.
It is the same server software a company runs, so what works here works there.

Lifetime is tied to the owner: stop() terminates it, an atexit hook catches a forgotten stop(),
and on Linux PR_SET_PDEATHSIG makes the kernel send SIGTERM if the owner dies without either
(SIGKILL, a crash, an interrupted test run).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import logging
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from supporttray.sandbox.certificates import CertificateError, ensure_server_certificate
from supporttray.sandbox.lua import lua_list, lua_string, prosody_path_encode

log = logging.getLogger("supporttray.sandbox")

INSTALL_HINT = "sudo apt-get install prosody"

# Where distributions put the binary, for when PATH is minimal (cron, CI steps, IDE runners).
_WELL_KNOWN_BINARIES = ("/usr/bin/prosody", "/usr/local/bin/prosody", "/usr/sbin/prosody")

# Prosody 0.12's c2s waits this long for clients to close their streams when it shuts down;
# its default (5 s) would make every stop() with a connected client slow.
_CLOSE_TIMEOUT_SECONDS = 1
# SIGTERM -> Prosody's clean shutdown is well under a second; beyond this it is stuck.
_STOP_GRACE_SECONDS = 4.0
_POLL_SECONDS = 0.01
_LOG_TAIL_LINES = 15

# Usernames go into file names and JIDs unchanged, so they must already be in the form
# Prosody's nodeprep would give them; a conservative ASCII set keeps that trivially true.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._+-]*\Z")
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\Z")

_MODULES = (
    "roster", "saslauth", "tls", "disco", "carbons", "mam", "smacks", "ping", "pep",
    # 0.12 serves vCard 4 over PEP and translates the legacy vcard-temp protocol onto it.
    "vcard4", "vcard_legacy",
    "blocklist", "register", "groups", "time", "lastactivity", "version", "private", "offline",
)  # fmt: skip


@dataclass(frozen=True)
class Account:
    """An XMPP account on the sandbox server."""

    jid: str  # "alice@localhost"
    password: str = field(repr=False)  # never in a log line or a test failure's repr

    @property
    def username(self) -> str:
        return self.jid.partition("@")[0]


class ProsodyMissing(Exception):
    """The prosody binary is not installed; str() tells the user how to install it."""


class SandboxError(Exception):
    """The sandbox server could not be started or used; str() is a sentence with Prosody's log."""


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


class ProsodySandbox:
    """A Prosody server on 127.0.0.1 with its own directory, ports, CA and accounts."""

    host = "127.0.0.1"

    def __init__(
        self,
        directory: Path | None = None,
        *,
        domain: str = "localhost",
        accounts: Iterable[tuple[str, str]] = (),
        groups: Mapping[str, Iterable[str]] | None = None,
        prosody_binary: str | None = None,
    ) -> None:
        if not _DOMAIN.match(domain):
            raise ValueError(f"{domain!r} is not a usable sandbox domain (lower-case DNS name)")
        self.domain = domain
        self.muc_domain = f"conference.{domain}"
        self.upload_domain = f"upload.{domain}"
        self._prosody_binary = prosody_binary
        self._groups = {name: list(members) for name, members in (groups or {}).items()}
        for name in self._groups:
            if not name or any(c in name for c in "[]\r\n"):
                raise ValueError(f"{name!r} cannot be a shared roster group name")
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._console: IO[bytes] | None = None
        self._c2s_port: int | None = None
        self._http_port: int | None = None
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
        return self._directory / "prosody.log"

    @property
    def config_file(self) -> Path:
        return self._directory / "prosody.cfg.lua"

    @property
    def c2s_port(self) -> int:
        return self._port(self._c2s_port, "c2s")

    @property
    def http_port(self) -> int:
        return self._port(self._http_port, "http")

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
        """The Prosody process id while it runs."""
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
        """Create (or re-password) an account; works before start and while the server runs.

        The account is written straight into Prosody's internal_plain store: Prosody reads
        that file at every login and caches nothing, so no restart or prosodyctl is needed.
        """
        if not _USERNAME.match(username):
            raise ValueError(
                f"{username!r} is not a usable sandbox username "
                "(lower-case letters, digits and . _ + - only)"
            )
        if not password:
            raise ValueError("A sandbox account needs a non-empty password")
        account = Account(jid=f"{username}@{self.domain}", password=password)
        with self._lock:
            # A stopped temp sandbox has no directory; start() writes every account anyway.
            if self._directory.is_dir():
                self._write_account(account)
            self._accounts[username] = account
        return account

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

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> None:
        """Start Prosody and return once c2s answers with stream features; no-op if running."""
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
            for account in self._accounts.values():
                self._write_account(account)
            self._write_groups()
            for attempt in range(3):
                reservations = self._reserve_ports()
                try:
                    self._write_config(certificate.certificate, certificate.key)
                    log_offset = self._log_size()
                    self._spawn(binary)
                    self._wait_until_ready(deadline, log_offset)
                except _PortTaken as exc:
                    self._terminate()
                    self._c2s_port = self._http_port = None
                    log.info("Sandbox port clash (%s), trying other ports (try %d)", exc, attempt)
                    continue
                except BaseException:
                    # Includes KeyboardInterrupt: never leave a half-started server behind.
                    self._terminate()
                    raise
                finally:
                    for reservation in reservations:
                        reservation.close()
                _register_running(self)
                log.info(
                    "Prosody sandbox for %s is ready on %s:%d (http %d) after %.2f s, pid %d",
                    self.domain, self.host, self.c2s_port, self.http_port,
                    time.monotonic() - began, self.pid or 0,
                )  # fmt: skip
                return
            raise SandboxError(
                "Prosody could not get free ports on 127.0.0.1 after three tries; "
                "another program keeps taking them."
            )

    def stop(self) -> None:
        """Stop Prosody (SIGTERM, then SIGKILL after a few seconds); safe to call repeatedly."""
        with self._lock:
            self._terminate()
            if not self._keep_directory and self._cleanup is not None:
                self._cleanup()  # removes the temp directory, once

    def __enter__(self) -> ProsodySandbox:
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

    # -- internals ---------------------------------------------------------------------------

    def _port(self, port: int | None, name: str) -> int:
        if port is None:
            raise SandboxError(f"The sandbox has no {name} port yet: start() it first.")
        return port

    def _make_directory(self, directory: Path | None) -> Path:
        if directory is not None:
            directory = directory.resolve()
            directory.mkdir(parents=True, exist_ok=True)
            return directory
        _remove_abandoned_directories()
        path = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX)).resolve()
        (path / _OWNER_FILE).write_text(_owner_stamp(os.getpid()), encoding="ascii")
        # Also runs at interpreter exit or when the sandbox is garbage collected unstarted.
        self._cleanup = weakref.finalize(self, shutil.rmtree, path, ignore_errors=True)
        return path

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

    def _reserve_ports(self) -> list[socket.socket]:
        """Pick free loopback ports and hold them until Prosody has bound them.

        A bound but not listening socket with SO_REUSEADDR keeps the kernel from handing the
        port to anyone else (parallel test workers, other sandboxes), while Prosody, which
        also sets SO_REUSEADDR, can still bind and listen on it.
        """
        reservations: list[socket.socket] = []
        ports: list[int] = []
        # Prefer the previous ports on a restart so connected clients find the server again.
        for preferred in (self._c2s_port, self._http_port):
            reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                reservation.bind((self.host, preferred or 0))
            except OSError:
                reservation.bind((self.host, 0))
            reservations.append(reservation)
            ports.append(reservation.getsockname()[1])
        self._c2s_port, self._http_port = ports
        return reservations

    def _write_groups(self) -> None:
        if not self._groups:
            return
        lines = []
        for name, members in self._groups.items():
            # A leading "+" makes the group public: every user of the host sees its members.
            lines.append(f"[+{name}]")
            for member in members:
                # "alice=Alice Martin" gives the roster entry a display name (mod_groups syntax).
                who, _, name = member.partition("=")
                jid = who if "@" in who else f"{who}@{self.domain}"
                lines.append(f"{jid}={name}" if name else jid)
        (self._directory / "groups.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_config(self, certificate: Path, key: Path) -> None:
        d = self._directory
        groups_line = f"groups_file = {lua_string(str(d / 'groups.txt'))}\n" if self._groups else ""
        log_file = lua_string(str(self.log_file))
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
http_ports = {lua_list([self.http_port])}
http_interfaces = {lua_list([self.host])}
https_ports = {{ }}
-- Without this every small stanza waits for Nagle's algorithm: ~40 ms stalls on loopback.
network_settings = {{ nagle = false }}
c2s_close_timeout = {_CLOSE_TIMEOUT_SECONDS}

c2s_require_encryption = true
allow_registration = false
-- Plain storage lets the sandbox create accounts by writing one file, with no Lua start each.
authentication = "internal_plain"
-- 0.12's file archive store rewrites the whole archive for every message: keep archives in RAM.
storage = {{ archive = "memory", muc_log = "memory" }}
ssl = {{ certificate = {lua_string(str(certificate))}, key = {lua_string(str(key))} }}

modules_enabled = {lua_list(_MODULES)}
modules_disabled = {{ "s2s", "s2s_auth_certs" }}
{groups_line}
VirtualHost {lua_string(self.domain)}

Component {lua_string(self.muc_domain)} "muc"
    modules_enabled = {{ "muc_mam" }}
    -- A room's archive keeps this many messages, dropping the oldest (memory store: 1,000;
    -- internal: 10,000). The staff room holds ~3 per request and is read back at each start.
    storage_archive_item_limit = 100000

Component {lua_string(self.upload_domain)} "http_file_share"
    -- upload.<domain> does not resolve; serve (and advertise) the files on the loopback IP.
    http_host = {lua_string(self.host)}
"""
        self.config_file.write_text(config, encoding="utf-8")

    def _log_size(self) -> int:
        try:
            return self.log_file.stat().st_size
        except FileNotFoundError:
            return 0

    def _spawn(self, binary: str) -> None:
        self._console = open(self._directory / "prosody.console", "ab")  # noqa: SIM115
        args = [binary, "--config", str(self.config_file), "-F"]
        log.debug("Starting %s", " ".join(args))
        self._process = _popen_from_spawner_thread(
            args,
            cwd=self._directory,
            stdout=self._console,
            # An "Include" typo or a Lua error is printed before logging is set up.
            stderr=subprocess.STDOUT,
        )

    def _wait_until_ready(self, deadline: float, log_offset: int) -> None:
        c2s_line = f"Activated service 'c2s' on [{self.host}]:{self.c2s_port}"
        http_line = f"Activated service 'http' on [{self.host}]:{self.http_port}"
        while True:
            process = self._process
            assert process is not None
            startup_log = self._read_log(log_offset)
            if "Failed to open server port" in startup_log:
                raise _PortTaken(_last_lines(startup_log, 3))
            returncode = process.poll()
            if returncode is not None:
                raise SandboxError(
                    f"Prosody stopped while starting (exit code {returncode}). "
                    f"{self._log_tail(log_offset)}"
                )
            # The log lines prove it is *our* Prosody on those ports, the probe that it serves.
            if (
                c2s_line in startup_log
                and http_line in startup_log
                and _c2s_answers(self.host, self.c2s_port, self.domain)
            ):
                errors = [line for line in startup_log.splitlines() if "\terror\t" in line]
                if errors:
                    raise SandboxError(
                        "Prosody started but reported errors, so the sandbox would not behave "
                        f"as expected. {self._log_tail(log_offset)}"
                    )
                return
            if time.monotonic() > deadline:
                raise SandboxError(
                    "Prosody did not answer on its client port within the start timeout. "
                    f"{self._log_tail(log_offset)}"
                )
            time.sleep(_POLL_SECONDS)

    def _read_log(self, offset: int) -> str:
        try:
            with open(self.log_file, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def _log_tail(self, offset: int) -> str:
        text = self._read_log(offset).strip()
        console = ""
        with contextlib.suppress(OSError):
            console = (self._directory / "prosody.console").read_text("utf-8", "replace").strip()
        parts = []
        if text:
            parts.append(f"Last lines of {self.log_file}:\n{_last_lines(text, _LOG_TAIL_LINES)}")
        if console:
            parts.append(f"Prosody printed:\n{_last_lines(console, _LOG_TAIL_LINES)}")
        return "\n".join(parts) if parts else f"Prosody wrote nothing to {self.log_file}."

    def _terminate(self) -> None:
        process, self._process = self._process, None
        _RUNNING.discard(self)
        if process is not None and process.poll() is None:
            process.terminate()  # Prosody's mod_posix shuts down cleanly on SIGTERM
            try:
                process.wait(timeout=_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                log.warning(
                    "Prosody (pid %d) ignored SIGTERM for %.0f s; killing it",
                    process.pid, _STOP_GRACE_SECONDS,
                )  # fmt: skip
                process.kill()
                process.wait()
            log.info("Prosody sandbox for %s stopped (pid %d)", self.domain, process.pid)
        elif process is not None:
            process.wait()
        if self._console is not None:
            self._console.close()
            self._console = None


class _PortTaken(Exception):
    """Prosody could not bind one of the chosen ports."""


def _last_lines(text: str, count: int) -> str:
    return "\n".join(text.splitlines()[-count:])


def _c2s_answers(host: str, port: int, domain: str) -> bool:
    """True when the c2s port speaks XMPP: it sends stream features for our domain."""
    header = (
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        "xmlns:stream='http://etherx.jabber.org/streams' "
        f"to={_xml_attr(domain)} version='1.0'>"
    ).encode()
    try:
        with socket.create_connection((host, port), timeout=2.0) as conn:
            conn.sendall(header)
            received = b""
            while b"features" not in received:
                chunk = conn.recv(4096)
                if not chunk:
                    return False
                received += chunk
            conn.sendall(b"</stream:stream>")
            return b"<stream:features" in received
    except OSError:
        return False


def _xml_attr(value: str) -> str:
    return "'" + value.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;") + "'"


# -- cleaning up after owners that were killed --------------------------------------------------

_TEMP_PREFIX = "supporttray-sandbox-"
_OWNER_FILE = "owner"
_swept = False


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _owner_stamp(pid: int) -> str:
    return f"{pid} {_pid_namespace()}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_directories() -> None:
    """Remove temp directories left by sandbox owners that were SIGKILLed.

    PR_SET_PDEATHSIG stops their Prosody, but nobody is left to delete the files. A directory
    is abandoned only when its owner, in our own pid namespace (a pid from another container
    means nothing here), is gone and its Prosody's pid file names no live process.
    """
    global _swept
    if _swept or not sys.platform.startswith("linux"):
        return
    _swept = True
    namespace = _pid_namespace()
    if not namespace:
        return
    for path in Path(tempfile.gettempdir()).glob(_TEMP_PREFIX + "*"):
        try:
            pid_text, _, owner_namespace = (
                (path / _OWNER_FILE).read_text(encoding="ascii").partition(" ")
            )
            owner = int(pid_text)
        except (OSError, ValueError):
            continue  # not ours, or still being created
        if owner_namespace != namespace or _process_alive(owner):
            continue
        with contextlib.suppress(OSError, ValueError):
            if _process_alive(int((path / "prosody.pid").read_text(encoding="ascii"))):
                continue
        log.debug("Removing abandoned sandbox directory %s (owner %d is gone)", path, owner)
        shutil.rmtree(path, ignore_errors=True)


# -- keeping children from outliving us --------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_RUNNING: set[ProsodySandbox] = set()


def _load_prctl() -> Callable[[int, int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    result: Callable[[int, int, int, int, int], int] = prctl
    return result


# Resolved once in the parent: between fork and exec the child must not import or dlopen.
_PRCTL = _load_prctl()


def _death_signal_preexec(parent_pid: int) -> Callable[[], None]:
    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        # The parent may have died between fork() and prctl(): then nobody would signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class _SpawnRequest:
    def __init__(self, args: list[str], kwargs: dict[str, Any]) -> None:
        self.args = args
        self.kwargs = kwargs
        self.result: concurrent.futures.Future[subprocess.Popen[bytes]] = (
            concurrent.futures.Future()
        )


_spawn_queue: queue.SimpleQueue[_SpawnRequest] = queue.SimpleQueue()
_spawner_lock = threading.Lock()
_spawner: threading.Thread | None = None


def _spawner_loop() -> None:
    while True:
        request = _spawn_queue.get()
        try:
            request.result.set_result(subprocess.Popen(request.args, **request.kwargs))
        except BaseException as exc:
            request.result.set_exception(exc)


def _popen_from_spawner_thread(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Popen from one daemon thread that lives as long as the process.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process. A
    sandbox started from an executor or a short-lived thread would otherwise be SIGTERMed when
    that thread finishes.
    """
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = threading.Thread(
                target=_spawner_loop, name="supporttray-sandbox-spawner", daemon=True
            )
            _spawner.start()
    request = _SpawnRequest(
        args,
        dict(
            kwargs,
            stdin=subprocess.DEVNULL,
            # Own process group: Ctrl-C in a terminal goes to the owner, which then stops the
            # server in order, instead of racing it with its own SIGINT.
            process_group=0,
            preexec_fn=_death_signal_preexec(os.getpid()),
        ),
    )
    _spawn_queue.put(request)
    return request.result.result()


_atexit_registered = False


def _register_running(sandbox: ProsodySandbox) -> None:
    global _atexit_registered
    _RUNNING.add(sandbox)
    if not _atexit_registered:
        # Registered late on purpose: atexit runs hooks last-in first-out, so this runs before
        # weakref.finalize's hook removes temp directories under a still-running Prosody.
        atexit.register(_stop_forgotten_sandboxes)
        _atexit_registered = True


def _stop_forgotten_sandboxes() -> None:
    for sandbox in list(_RUNNING):
        with contextlib.suppress(Exception):
            sandbox.stop()
