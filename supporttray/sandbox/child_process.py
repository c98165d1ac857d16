"""A sandbox server as a child process that never outlives its owner, nor leaves files behind.

Shared by every sandbox server (Prosody, ejabberd): the spawner thread that sets
PR_SET_PDEATHSIG, the atexit hook that stops servers somebody forgot to stop, temporary
directories swept once their owner is gone, loopback port reservations, and the probe that
says a client port speaks XMPP.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from supporttray.xmpp.stream_probe import read_until, stream_header

log = logging.getLogger("supporttray.sandbox")


class Stoppable(Protocol):
    def stop(self) -> None: ...


# -- ending a child ------------------------------------------------------------------------------


def end_process(process: subprocess.Popen[bytes], *, grace: float, name: str) -> None:
    """SIGTERM (every sandbox server shuts down cleanly on it), then SIGKILL after `grace`."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning(
                "%s (pid %d) ignored SIGTERM for %.0f s; killing it", name, process.pid, grace
            )
            process.kill()
            process.wait()
    else:
        process.wait()


# -- loopback ports ------------------------------------------------------------------------------


def reserve_ports(host: str, preferred: Sequence[int | None]) -> list[socket.socket]:
    """Bound, not listening sockets on free loopback ports, one per entry of `preferred`.

    A bound socket with SO_REUSEADDR keeps the kernel from handing the port to anyone else
    (parallel test workers, other sandboxes), while the server, which also sets SO_REUSEADDR,
    can still bind and listen on it. A preferred port is kept if it is free, so clients find a
    restarted server again. Close the sockets once the server listens.
    """
    reservations: list[socket.socket] = []
    for port in preferred:
        reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            reservation.bind((host, port or 0))
        except OSError:
            reservation.bind((host, 0))
        reservations.append(reservation)
    return reservations


def c2s_answers(host: str, port: int, domain: str) -> bool:
    """True when the c2s port speaks XMPP: it sends stream features for our domain."""
    try:
        with socket.create_connection((host, port), timeout=2.0) as conn:
            conn.sendall(stream_header(domain))
            # The opening tag is proof enough: no need to wait for the features' end.
            received = read_until(conn, b"features")
            if b"features" not in received:
                return False
            conn.sendall(b"</stream:stream>")
            return b"<stream:features" in received
    except OSError:
        return False


# -- what the child wrote ------------------------------------------------------------------------


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def read_from(path: Path, offset: int) -> str:
    """The text of `path` after `offset` (a log that grows while we read); "" if missing."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def last_lines(text: str, count: int) -> str:
    return "\n".join(text.splitlines()[-count:])


# -- temporary directories, and cleaning up after owners that were killed ------------------------

TEMP_PREFIX = "supporttray-sandbox-"
_OWNER_FILE = "owner"
_swept = False


def make_temp_directory() -> Path:
    """A new private temp directory stamped with our pid, after sweeping abandoned ones."""
    _remove_abandoned_directories()
    path = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX)).resolve()
    (path / _OWNER_FILE).write_text(_owner_stamp(os.getpid()), encoding="ascii")
    return path


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


def _server_alive(path: Path) -> bool:
    """Whether a pid file in `path` (each server writes one) names a live process."""
    for pid_file in path.glob("*.pid"):
        with contextlib.suppress(OSError, ValueError):
            if _process_alive(int(pid_file.read_text(encoding="ascii"))):
                return True
    return False


def _remove_abandoned_directories() -> None:
    """Remove temp directories left by sandbox owners that were SIGKILLed.

    PR_SET_PDEATHSIG stops their server, but nobody is left to delete the files. A directory
    is abandoned only when its owner, in our own pid namespace (a pid from another container
    means nothing here), is gone and its server's pid file names no live process.
    """
    global _swept
    if _swept or not sys.platform.startswith("linux"):
        return
    _swept = True
    namespace = _pid_namespace()
    if not namespace:
        return
    for path in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        try:
            pid_text, _, owner_namespace = (
                (path / _OWNER_FILE).read_text(encoding="ascii").partition(" ")
            )
            owner = int(pid_text)
        except (OSError, ValueError):
            continue  # not ours, or still being created
        if owner_namespace != namespace or _process_alive(owner) or _server_alive(path):
            continue
        log.debug("Removing abandoned sandbox directory %s (owner %d is gone)", path, owner)
        shutil.rmtree(path, ignore_errors=True)


# -- keeping children from outliving us ----------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_RUNNING: set[Stoppable] = set()


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


def popen_from_spawner_thread(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
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


def register_running(sandbox: Stoppable) -> None:
    """Stop `sandbox` at interpreter exit unless forget_running() was called first."""
    global _atexit_registered
    _RUNNING.add(sandbox)
    if not _atexit_registered:
        # Registered late on purpose: atexit runs hooks last-in first-out, so this runs before
        # weakref.finalize's hook removes temp directories under a still-running server.
        atexit.register(_stop_forgotten_sandboxes)
        _atexit_registered = True


def forget_running(sandbox: Stoppable) -> None:
    _RUNNING.discard(sandbox)


def _stop_forgotten_sandboxes() -> None:
    for sandbox in list(_RUNNING):
        with contextlib.suppress(Exception):
            sandbox.stop()
