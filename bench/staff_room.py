"""Figure 7, the staff room: a busy team's archive replayed at a staff client's start, the UI
meanwhile, and how long a claim takes to count.

Runs children/staff_room_app.py (the app's XmppConnection + StaffRoom on its Qt/qasync loop)
against the run's sandbox: a colleague fills the room with requests, claims and resolutions (a
busy team's 14 days: 1,000 requests, 1,750 events), then a fresh client joins and rebuilds the
queue from the archive while a 10 ms Qt heartbeat notes the longest stall; then it takes
requests one at a time (post -> the room's echo applied).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from bench.common import CHILDREN, Row, Run, median, percentile

FIGURE = "staff room"


def measure(run: Run) -> list[Row]:
    sandbox = run.sandbox
    filler, measured = run.staff_names()[-2:]
    requests = 100 if run.smoke else 1000
    claims = 10 if run.smoke else 100
    job = {"host": sandbox.host, "port": sandbox.c2s_port, "ca_file": str(sandbox.ca_file),
           "domain": run.domain, "room": f"bench-staff@{sandbox.muc_domain}",
           "requests": requests, "claims": claims,
           "filler": [run.jid(filler), run.password(filler)],
           "measured": [run.jid(measured), run.password(measured)]}
    done = subprocess.run([run.python, str(CHILDREN / "staff_room_app.py"), json.dumps(job)],
                          env=run.env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"staff room child failed ({done.returncode}): {done.stderr[-800:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    rtts = [t * 1000 for t in result["claim_rtts"]]
    return [
        Row(FIGURE, f"start -> queue rebuilt from {result['events']} archived events",
            result["rebuilt"], "s", budget=3.0,
            note=f"{requests} requests, half claimed, a quarter resolved: {result['open']} "
                 "open; login, join, MAM replay in pages of 200"),
        Row(FIGURE, "longest UI stall while replaying", result["max_gap"] * 1000, "ms",
            budget=50.0,
            note="10 ms Qt PreciseTimer heartbeat: 10 ms is no stall; longest at "
                 + ", ".join(f"{at:.2f} s ({gap * 1000:.0f} ms)"
                             for gap, at in result.get("top_gaps", [])[:3])
                 + " after the start"),
        Row(FIGURE, "take -> the claim counts (p50)", median(rtts), "ms", budget=100.0,
            samples=[round(t, 2) for t in rtts],
            note=f"{len(rtts)} claims one at a time; p99 {percentile(rtts, 99):.1f} ms"),
    ]
