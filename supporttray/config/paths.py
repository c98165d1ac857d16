"""Where SupportTray keeps its files: one profile directory, or the platform's usual places."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

log = logging.getLogger("supporttray.config")

APP_DIR_NAME = "supporttray"
HOME_ENV = "SUPPORTTRAY_HOME"

# sun_path holds 108 bytes on Linux and 104 on macOS and the BSDs, one of them the final NUL.
SOCKET_PATH_MAX = 103 if sys.platform == "darwin" or "bsd" in sys.platform else 107


@dataclass(frozen=True)
class Paths:
    """The directories of one app instance and the files in them."""

    config_dir: Path
    data_dir: Path
    log_dir: Path
    runtime_dir: Path
    # Where received files are saved: the user's Downloads folder, or <profile>/downloads, so
    # tests and a second instance never write into the real one.
    downloads_dir: Path | None = None

    @property
    def downloads(self) -> Path:
        return self.downloads_dir or platformdirs.user_downloads_path()

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def outbox_file(self) -> Path:
        """history.enabled = false: the messages not sent yet, and only while there are any."""
        return self.data_dir / "outbox.json"

    @property
    def presence_file(self) -> Path:
        """Staff mode: the presence the person chose, kept across restarts (JSON)."""
        return self.data_dir / "presence.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "supporttray.log"

    @property
    def control_socket(self) -> Path:
        """Where the running instance listens; pass `str()` of it to QLocalServer.

        POSIX: `runtime_dir/control.sock`. An AF_UNIX path may be at most SOCKET_PATH_MAX
        bytes (107 on Linux), which a deep --profile directory easily exceeds; then the socket
        goes to `<tmp>/supporttray-<uid>/<hash>.sock` instead, where the hash is of the runtime
        directory, so the same profile always maps to the same socket and two profiles never
        share one. `ensure()` creates that directory owner-only and refuses one that someone
        else owns.

        Windows: a named pipe `\\\\.\\pipe\\supporttray-<hash>`, the hash of user name and runtime
        directory, because pipe names are global to the machine.
        """
        if os.name == "nt":
            user = os.environ.get("USERNAME", "")
            return Path(r"\\.\pipe" + "\\" + f"supporttray-{_digest(f'{user}|{self.runtime_dir}')}")
        preferred = self.runtime_dir / "control.sock"
        if len(os.fsencode(preferred)) <= SOCKET_PATH_MAX:
            return preferred
        return _short_socket_dir() / f"{_digest(os.fspath(self.runtime_dir))}.sock"

    @property
    def instance_lock(self) -> Path:
        """The lock that keeps one running instance per profile (platform/instance_lock.py):
        beside the control socket, so one profile always means one lock; on Windows, where the
        socket is a pipe name, in the runtime directory."""
        if os.name == "nt":
            return self.runtime_dir / "instance.lock"
        return self.control_socket.with_suffix(".lock")

    def ensure(self) -> None:
        """Create the directories, owner-only (0700) on POSIX: they hold chats and a socket."""
        for directory in (self.config_dir, self.data_dir, self.log_dir, self.runtime_dir):
            _make_private_dir(directory)
        socket_dir = self.control_socket.parent
        if os.name != "nt" and socket_dir != self.runtime_dir:
            _make_private_dir(socket_dir, must_own=True)
            log.debug("control socket path shortened to %s", self.control_socket)


def resolve_paths(profile: str | None, environ: Mapping[str, str]) -> Paths:
    """The paths for `--profile DIR`, else $SUPPORTTRAY_HOME, else the platform's directories.

    With a profile everything lives under DIR: config/, data/, logs/ and run/ (the control
    socket, unless that path is too long; see Paths.control_socket). Without one, platformdirs
    decides (it reads XDG_* from the process environment, not from `environ`).
    """
    home = profile or environ.get(HOME_ENV, "").strip()
    if home:
        # resolve(): two spellings of one profile must find the same running instance.
        root = Path(home).expanduser().resolve()
        return Paths(
            config_dir=root / "config",
            data_dir=root / "data",
            log_dir=root / "logs",
            runtime_dir=root / "run",
            downloads_dir=root / "downloads",
        )
    with warnings.catch_warnings(record=True) as caught:
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, ssh) and falls back to
        # a safe per-user temp directory itself; that is worth a debug line, not a warning.
        warnings.simplefilter("always")
        paths = Paths(
            config_dir=platformdirs.user_config_path(APP_DIR_NAME, appauthor=False),
            data_dir=platformdirs.user_data_path(APP_DIR_NAME, appauthor=False),
            log_dir=platformdirs.user_log_path(APP_DIR_NAME, appauthor=False),
            runtime_dir=platformdirs.user_runtime_path(APP_DIR_NAME, appauthor=False),
        )
    for warning in caught:
        log.debug("platformdirs: %s", warning.message)
    return paths


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _short_socket_dir() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    for base in (tempfile.gettempdir(), "/tmp"):
        candidate = Path(base) / f"supporttray-{uid}"
        # 16 hex digits + ".sock" + a separator.
        if len(os.fsencode(candidate)) + 22 <= SOCKET_PATH_MAX:
            return candidate
    return Path("/tmp") / f"supporttray-{uid}"  # pragma: no cover - /tmp is always short


def _make_private_dir(directory: Path, *, must_own: bool = False) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "nt":
        return
    info = directory.lstat()
    if must_own and (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()):
        # A shared temp directory: someone else may have created it first to catch our socket.
        raise PermissionError(
            f"{directory} is not a directory owned by you; "
            "remove it or use a shorter --profile path"
        )
    if stat.S_IMODE(info.st_mode) != 0o700:
        directory.chmod(0o700)
