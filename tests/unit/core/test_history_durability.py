"""`kill -9` in the middle of a burst of writes: every message `add()` returned for is there.

A real child process writes to a real file and is killed with SIGKILL at seeded random moments;
each next writer starts on the -wal and -shm the killed one left, as the app does after a crash.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

from supporttray.core.history import HistoryStore
from supporttray.core.history_file import check_history
from supporttray.core.messages import Delivery

ROUNDS = 8
# How long each writer runs after its first acknowledgement before it is killed, at most: some
# hundreds of messages, so that most kills land during a write and some during a checkpoint.
MAX_BURST_S = 0.3

# Prints "added ID" once add() has returned, "sent ID" once set_delivery() has: what the app
# would have acknowledged (shown the message, handed it to the server). Each line is one write;
# a line the kill cut short was never acknowledged.
WRITER = textwrap.dedent("""
    import itertools, os, random, sys
    from datetime import UTC, datetime, timedelta
    from supporttray.core.history import HistoryStore
    from supporttray.core.messages import ChatMessage, Delivery, Direction

    path, run = sys.argv[1], int(sys.argv[2])
    store = HistoryStore(path)
    rng = random.Random(run)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    for i in itertools.count():
        mid = f"run{run}-{i}"
        # Up to 6 kB: overflow pages, so the -wal fills and is checkpointed every few hundred.
        body = f"message {i} " + "x" * rng.randrange(0, 6000)
        direction = Direction.IN if i % 4 == 3 else Direction.OUT
        store.add(ChatMessage(id=mid, peer=f"person{i % 7}@example.org", direction=direction,
                              body=body, timestamp=t0 + timedelta(seconds=i), thread="t"))
        os.write(1, f"added {mid}\\n".encode())
        if direction is Direction.OUT and i % 3 == 0:
            store.set_delivery(mid, Delivery.SENT)
            os.write(1, f"sent {mid}\\n".encode())
""")


def write_until_killed(path: Path, run: int, after_s: float, log: Path) -> list[str]:
    """Start a writer, let it write for `after_s` past its first message, SIGKILL it; the whole
    lines it printed."""
    with log.open("wb") as stderr:
        # Unbuffered: readline() takes only the first line, the rest stays for communicate().
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(run)],
                                 stdout=subprocess.PIPE, stderr=stderr, bufsize=0)
    assert child.stdout is not None
    first = child.stdout.readline().decode()
    assert first.startswith("added"), log.read_text()
    try:
        out, _ = child.communicate(timeout=after_s)  # reads on while it writes
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
    assert child.returncode == -signal.SIGKILL, log.read_text()
    *complete, _cut_short = (first + out.decode()).split("\n")
    return complete


def test_every_acknowledged_message_survives_kill_9_during_a_write_burst(tmp_path: Path) -> None:
    # Given writers killed with SIGKILL at random moments of their bursts, one after the other
    # on the same history file
    path = tmp_path / "history.sqlite3"
    rng = random.Random(20260301)
    acknowledged: dict[str, Delivery] = {}
    for run in range(ROUNDS):
        for line in write_until_killed(path, run, rng.uniform(0, MAX_BURST_S),
                                       tmp_path / f"writer{run}.log"):
            what, mid = line.split()
            acknowledged[mid] = Delivery.SENT if what == "sent" else acknowledged.get(
                mid, Delivery.QUEUED)
    assert len(acknowledged) > ROUNDS * 10, "the writers were killed before they got going"

    # When the app starts on what they left
    check = check_history(path)
    # Then nothing had to be set aside, the file is whole, and every message they were told
    # was stored is there, as far along as they were told it got
    assert check.notice is None
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    with HistoryStore(path) as store:
        found = {mid: store.delivery(mid) for mid in acknowledged}
        assert [mid for mid, delivery in found.items() if delivery is None] == []
        for mid, delivery in acknowledged.items():
            if delivery is Delivery.SENT:
                assert found[mid] is Delivery.SENT, mid
        assert len(store.search("message")) == 50  # and the search index follows
