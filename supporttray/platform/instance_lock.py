"""One running instance per profile: a lock file beside the control socket.

Asking the control socket first is not enough: two `supporttray run` started together both
find nobody answering (the socket comes up only after the tray), and both would go on. The
lock is taken before the tray goes up and held for the life of the process.

The operating system holds the lock, not the file: POSIX `flock` and Windows `msvcrt.locking`
are released when the process ends however it ends, so an instance killed with kill -9 leaves
a file behind but no lock, and the next start takes it. (`flock`, not `fcntl.lockf`: POSIX
record locks belong to the process and vanish when any of its descriptors of the file closes.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("supporttray.platform")


class InstanceLock:
    """The lock file at `path`; `try_acquire` once, keep the object for as long as we run."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; False if another process does. Never waits."""
        if self._fd is not None:
            return True
        # Not inherited by children (PEP 446): the keyring reader must not keep it alive.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not _lock(fd):
                os.close(fd)
                return False
            if os.name != "nt":
                # Who holds it, for the sentence a second start prints while it waits. (Windows
                # keeps a locked byte from everyone else, the reader included: no point there.)
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        log.debug("instance lock %s taken", self.path)
        return True

    def holder_pid(self) -> int | None:
        """The process id the holder wrote, if it can be read (not on Windows while held)."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def release(self) -> None:
        """Let the next start have the profile (also done by the OS when we end)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            if os.name != "nt":
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
            os.close(fd)


if sys.platform == "win32":  # spelled so for mypy, which then checks each branch on its OS
    import msvcrt

    def _lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
