"""The staff room, in-process, for the staff-room figure: the app's XmppConnection + StaffRoom on
the app's Qt/qasync loop (launcher.run_qt), as a staff client runs them.

1. A colleague's client fills the room: REQUESTS requests, a claim for half of them and a
   resolution for a quarter (what a busy team's 14 days of archive hold).
2. A fresh staff client logs in and joins: how long from connecting to the queue rebuilt from
   the archive, and the longest UI stall meanwhile (a 10 ms Qt heartbeat).
3. That client takes requests one at a time: post -> the room's echo applied (the claim counts).

argv[1]: JSON {"host", "port", "ca_file", "domain", "room", "requests", "claims",
"filler": [jid, password], "measured": [jid, password]}. Prints one JSON line.
"""

import asyncio
import gc
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path


async def online_client(job, account, queue, room_jid, staff):
    from supporttray.core.connection import ConnectionMonitor, ConnectionState
    from supporttray.core.own_presence import OwnPresence
    from supporttray.core.presence import PresenceBook
    from supporttray.core.staff_directory import StaffDirectory
    from supporttray.xmpp.connection import XmppConnection
    from supporttray.xmpp.endpoint import ServerEndpoint
    from supporttray.xmpp.staff_room import StaffRoom

    where = ServerEndpoint(job["domain"], job["host"], job["port"], ca_file=Path(job["ca_file"]))
    room = StaffRoom(room_jid, account[0], queue, staff=lambda: staff)
    monitor = ConnectionMonitor()
    connection = XmppConnection(account[0], account[1], where,
                                StaffDirectory(staff=tuple(staff), staff_mode=True),
                                PresenceBook(), monitor, OwnPresence(), staff_room=room)
    joined = asyncio.Event()
    room.changed.subscribe(lambda status: joined.set() if status.joined else None)
    await connection.start()
    await asyncio.wait_for(joined.wait(), 60)
    assert monitor.status.state in (ConnectionState.ONLINE, ConnectionState.CONNECTING)
    return connection, room


async def until(condition, timeout=120.0, say=lambda: ""):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"condition not met {say()}")
        await asyncio.sleep(0.002)


def main() -> int:
    job = json.loads(sys.argv[1])
    from PySide6.QtCore import QTimer

    from supporttray.core.requests import RequestQueue, SupportRequest
    from supporttray.launcher import run_qt

    filler, measured = job["filler"], job["measured"]
    room_jid, count, claims = job["room"], job["requests"], job["claims"]

    async def run() -> int:
        # 1. a colleague fills the room, and waits until the room has echoed everything
        filled = RequestQueue()
        connection, room = await online_client(job, filler, filled, room_jid, [measured[0]])
        now = datetime.now(UTC)
        for i in range(count):
            room.post_request(SupportRequest(
                id=f"r{i}", requester=f"req{i % 500}@{job['domain']}", thread=f"r{i}",
                first_line=f"Question number {i}: the VPN drops every few minutes", opened=now,
                summary="Windows 11 Pro · Latitude 7440", question="The VPN drops " * 20,
                sysinfo=(("os.name", "Windows 11 Pro"), ("hw.model", "Latitude 7440"))))
            if i % 100 == 99:
                await asyncio.sleep(0)  # let the stream drain
        await until(lambda: len(filled.requests()) == count)
        for i in range(0, count, 2):
            room.post_claim(filled.find(f"r{i}"))
        for i in range(0, count, 4):
            room.post_resolved(filled.find(f"r{i}"))
        expected_open = count - len(range(0, count, 4))
        await until(lambda: len(filled.requests()) == expected_open)
        events = count + len(range(0, count, 2)) + len(range(0, count, 4))

        # 2. a fresh client joins and rebuilds the queue from the archive; heartbeat meanwhile.
        # As `supporttray run` does once started: what exists now stays out of full GC passes.
        gc.freeze()
        gaps = []
        last = [time.perf_counter()]

        def beat():
            t = time.perf_counter()
            gaps.append(t - last[0])
            stamps.append(t)
            last[0] = t

        stamps = []

        heartbeat = QTimer()
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(beat)
        queue = RequestQueue()
        heartbeat.start()
        t0 = time.perf_counter()
        mine, my_room = await online_client(job, measured, queue, room_jid, [filler[0]])
        await until(lambda: len(queue.requests()) == expected_open
                    and sum(1 for r in queue.requests() if r.claimed_by) == count // 4,
                    timeout=30,
                    say=lambda: f"{len(queue.requests())} open, "
                                f"{sum(1 for r in queue.requests() if r.claimed_by)} claimed")
        rebuilt = time.perf_counter() - t0
        heartbeat.stop()
        top = sorted(((g, s - t0) for g, s in zip(gaps, stamps, strict=True)), reverse=True)[:5]

        # 3. take requests one by one: post -> echo applied
        rtts = []
        unclaimed = [r for r in queue.requests() if r.claimed_by is None][:claims]
        for request in unclaimed:
            t = time.perf_counter()
            my_room.post_claim(request)
            await until(lambda rid=request.id: queue.find(rid).claimed_by is not None)
            rtts.append(time.perf_counter() - t)
        print(json.dumps({"events": events, "open": expected_open, "rebuilt": rebuilt,
                          "max_gap": max(gaps) if gaps else 0.0, "top_gaps": top,
                          "claim_rtts": rtts}),
              flush=True)
        await mine.stop()
        await connection.stop()
        return 0

    return run_qt(run)


if __name__ == "__main__":
    sys.exit(main())
