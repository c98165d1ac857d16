"""Figure 4, presence flood: a staff member with 1,000 requesters online logs in.

The requesters (raw clients from bench.swarm, all online first) are in the staff account's
roster in the group "Requesters", with mutual subscriptions; the policy names that group as the
people to follow (support.group), so each one is a PresenceBook member. The app is the real
`supporttray run` (children/flood_app.py wraps three names from outside to watch it), offscreen,
so its status window is the view. Measured from slixmpp's session_start: every requester
available in the model, then in the view (the first coalesced flush after that); and the
heartbeat's longest gap (a 10 ms Qt timer) during that time and in the second after it, when
the app's per-contact time and idle queries come back.
"""

from __future__ import annotations

import json
import subprocess

from bench.cold_start import bare_account
from bench.common import CHILDREN, REQUESTER_GROUP, LineReader, Row, Run, stop_process

FIGURE = "presence flood"


def measure(run: Run) -> list[Row]:
    n = run.requester_count
    tail = 0.5 if run.smoke else 1.0
    profile = run.profile(run.DESK, **{
        "support.mode": "staff", "support.group": REQUESTER_GROUP,
        "support.auto_accept_domains": [run.domain],
    })
    with run.swarm(run.requester_names()) as swarm_seconds:
        bare = bare_flood(run, n)
        process = subprocess.Popen(
            [run.python, str(CHILDREN / "flood_app.py"), str(profile.directory),
             str(profile.policy), str(n), str(tail)],
            env=run.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            assert process.stdout is not None
            line = LineReader(process.stdout).wait_for(lambda s: s.startswith("{"), 90)
            process.wait(timeout=20)
        finally:
            stop_process(process)
    result = json.loads(line)
    marks = result["marks"]
    start = marks.get("session_start")
    if start is None:
        raise RuntimeError(f"the staff app never started a session: {result}")
    model = marks.get("model")
    view = marks.get("view")
    counts = result["counts"]
    note = (f"{result['available']} of {n} available; {counts['book_events']} model events, "
            f"{counts['flushes_before_view']} view refreshes until complete "
            f"({counts['bridge_flushes']} in all); launch -> session start "
            f"{start - marks['launched']:.2f} s; {n} clients online in {swarm_seconds:.1f} s")
    if result["reason"] != "done":
        note += f"; ENDED BY {result['reason'].upper()}"
    base_label = "bare slixmpp, asyncio"
    return [
        Row(FIGURE, f"{n} presences: in the model after session start",
            model - start if model else None, "s", budget=1.0, note=note,
            baseline=bare["all"], baseline_label=base_label),
        Row(FIGURE, f"{n} presences: in the view after session start",
            view - start if view else None, "s", budget=1.0,
            baseline=bare["all"], baseline_label=base_label,
            note=f"{result['rows']} rows in the status window"),
        Row(FIGURE, "longest UI stall, session start -> all shown",
            result["max_gap_during"] * 1000, "ms", budget=50.0,
            baseline=bare["max_gap"] * 1000, baseline_label=base_label + " heartbeat",
            note="heartbeat: 10 ms Qt PreciseTimer; the gap between two ticks",
            detail={"worst_gaps_after_session_start": result["worst_gaps"],
                    "marks_after_session_start": {k: v - start for k, v in marks.items()},
                    "ticks": result["ticks"]}),
        Row(FIGURE, f"longest UI stall, {tail:g} s after all shown",
            result["max_gap_after"] * 1000, "ms", budget=50.0),
    ]


def bare_flood(run: Run, n: int) -> dict[str, float]:
    """The same login by a bare slixmpp client: seconds until all n presences, longest gap."""
    process = subprocess.Popen(
        [run.python, str(CHILDREN / "bare_flood.py")], env=run.env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({**bare_account(run, run.DESK), "n": n}) + "\n")
        process.stdin.flush()
        line = LineReader(process.stdout).wait_for(lambda s: s.startswith("{"), 90)
        process.wait(timeout=10)
    finally:
        stop_process(process)
        if process.stdin is not None:
            process.stdin.close()
    result: dict[str, float] = json.loads(line)
    if result["all"] is None:
        raise RuntimeError(f"the bare client saw only {result['seen']} of {n} presences")
    return result
