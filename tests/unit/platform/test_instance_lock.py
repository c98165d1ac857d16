"""The one-instance lock (platform/instance_lock.py): one holder at a time, and a holder that
dies, however it dies, leaves no lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from supporttray.platform.instance_lock import InstanceLock

HOLD_AND_WAIT = """
import sys, time
from supporttray.platform.instance_lock import InstanceLock
lock = InstanceLock(sys.argv[1])
print("held" if lock.try_acquire() else "busy", flush=True)
time.sleep(60)
"""


def test_second_taker_is_refused_while_the_first_holds_it(tmp_path: Path) -> None:
    first, second = InstanceLock(tmp_path / "x.lock"), InstanceLock(tmp_path / "x.lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    assert second.holder_pid() == os.getpid()
    first.release()
    assert second.try_acquire()
    second.release()


def test_a_lock_of_a_killed_instance_does_not_block_the_next(tmp_path: Path) -> None:
    # given an instance that holds the lock and is then killed with SIGKILL (no clean-up)
    path = tmp_path / "x.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AND_WAIT, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not InstanceLock(path).try_acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # then the file is still there, but the next start takes the lock
    assert path.exists()
    lock = InstanceLock(path)
    assert lock.try_acquire()
    lock.release()


def test_the_lock_is_not_inherited_by_child_processes(tmp_path: Path) -> None:
    # The keyring reader is a child: if it kept the lock, a killed app would still block.
    lock = InstanceLock(tmp_path / "x.lock")
    assert lock.try_acquire()
    # close_fds=False: whatever is inheritable goes along, as with a child started by Qt.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             close_fds=False)
    try:
        lock.release()
        again = InstanceLock(tmp_path / "x.lock")
        # The child lives on for a minute: had it inherited the lock, it would hold it all that
        # time. On a loaded machine the lock is seen busy for a moment now and then (seen about
        # 1 run in 10 under load, never reproduced outside pytest): a short grace tells the two.
        deadline = time.monotonic() + 2.0
        while not again.try_acquire():
            assert time.monotonic() < deadline, "the child process kept the lock"
            time.sleep(0.05)
        again.release()
    finally:
        child.kill()
        child.wait()
