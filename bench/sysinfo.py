"""Figure 5, system info: how long SysinfoCollector.collect_async takes, first and warm, and
proof that it stays off the UI thread (every source's thread noted; a Qt heartbeat meanwhile).

Runs in a fresh process (children/sysinfo_app.py) on the app's Qt/qasync loop, with all the
standard fields (the policy default).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from bench.common import CHILDREN, Row, Run, median

FIGURE = "system info"


def collect_in_fresh_process(run: Run, warm: int) -> dict[str, Any]:
    done = subprocess.run([run.python, str(CHILDREN / "sysinfo_app.py"), str(warm)],
                          env=run.env, capture_output=True, text=True, timeout=60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"sysinfo child failed ({done.returncode}): {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def measure(run: Run) -> list[Row]:
    warm = 3 if run.smoke else 10
    # The first collection imports what the sources need (psutil, ...) on ~20 threads at once:
    # on two cores its time swings with the neighbours, so take the median of a few processes.
    processes = 1 if run.smoke else 5
    results = [collect_in_fresh_process(run, warm) for _ in range(processes)]
    result = results[0]
    firsts = [r["first"] for r in results]
    warms = [t for r in results for t in r["warm"]]
    missing = result["unavailable_first"]
    slowest = ", ".join(f"{k} {ms} ms" for k, ms in result["slowest_first"])
    return [
        Row(FIGURE, "first collection (fresh process, median)", median(firsts) * 1000, "ms",
            budget=50.0, samples=[round(t * 1000, 2) for t in firsts],
            note=f"{processes} processes, {min(firsts) * 1000:.0f}-{max(firsts) * 1000:.0f} ms; "
                 f"{result['fields']} fields; slowest sources (first process): {slowest}; "
                 f"unavailable here: {', '.join(missing) or 'none'}"),
        Row(FIGURE, "warm collection (median)", median(warms) * 1000, "ms",
            budget=50.0, samples=[round(t * 1000, 2) for t in warms],
            note=f"{len(warms)} collections, max {max(warms) * 1000:.1f} ms"),
        Row(FIGURE, "sources run on the UI thread", sum(r["on_loop"] for r in results), "calls",
            budget=0,
            note=f"{len(firsts) + len(warms)} collections; source threads seen: "
                 f"{len(result['thread_names'])} ({', '.join(result['thread_names'][:3])}, ...)"),
        Row(FIGURE, "longest UI stall while collecting",
            max(r["max_gap"] for r in results) * 1000, "ms", budget=50.0,
            note="10 ms Qt PreciseTimer heartbeat: 10 ms is no stall"),
    ]
