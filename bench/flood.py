"""Figure 4, presence flood: a staff member with 1,000 requesters online logs in.

The requesters (raw clients from bench.swarm, all online first) are in the staff account's
roster in the group "Requesters", with mutual subscriptions; the policy names that group as the
people to follow (support.group), so each one is a PresenceBook member. The app is the real
`supporttray run` (children/flood_app.py wraps three names from outside to watch it), offscreen,
so its status window is the view. Measured from slixmpp's session_start: every requester
available in the model, then in the view (the first coalesced flush after that); and the
heartbeat's longest gap (a 10 ms Qt timer) during that time and in the second after it, when
the app's per-contact time and idle queries come back.

The app logs in twice and the second login is the figure. Our presence carries entity
capabilities (XEP-0115); a Prosody that has not seen that hash yet (a server just started, or a
new app version) has each requester's PEP service ask us for it (mod_pep: 1,000 disco#info
queries arriving during the flood, 1,000 answers, and the server's own work on them). Prosody
keeps the hash for every later login by anyone, so the first login since the server started is
reported beside it, for information.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

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
        first = app_flood(run, profile.directory, profile.policy, n, tail)
        result = app_flood(run, profile.directory, profile.policy, n, tail)
    marks = result["marks"]
    start = marks["session_start"]
    model = marks.get("model")
    view = marks.get("view")
    counts = result["counts"]
    note = (f"{result['available']} of {n} available; {counts['book_events']} model events, "
            f"{counts['flushes_before_view']} view refreshes until complete "
            f"({counts['bridge_flushes']} in all); launch -> session start "
            f"{start - marks['launched']:.2f} s; {n} clients online in {swarm_seconds:.1f} s; "
            f"CPU session start -> all in the model {cpu_seconds(result, 'model')} "
            f"(bare {bare['cpu']:.3f} s)")
    if result["reason"] != "done":
        note += f"; ENDED BY {result['reason'].upper()}"
    base_label = "bare slixmpp, asyncio"
    first_start = first["marks"]["session_start"]
    first_model = first["marks"].get("model")
    return [
        Row(FIGURE, f"{n} presences: in the model after session start",
            model - start if model else None, "s", budget=1.0, note=note,
            baseline=bare["all"], baseline_label=base_label),
        Row(FIGURE, f"{n} presences in the model, first login since the server started",
            first_model - first_start if first_model else None, "s",
            baseline=bare["all"], baseline_label=base_label,
            note=f"the server asks each requester's PEP service for our caps meanwhile "
                 f"({first['counts']['disco_info_asked']} disco#info queries; second login "
                 f"{counts['disco_info_asked']}); CPU {cpu_seconds(first, 'model')}"
                 + ("" if first["reason"] == "done" else f"; ENDED BY {first['reason'].upper()}")),
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


def app_flood(run: Run, directory: Path, policy: Path, n: int, tail: float) -> dict[str, Any]:
    """One login of the instrumented `supporttray run` (children/flood_app.py): its result."""
    process = subprocess.Popen(
        [run.python, str(CHILDREN / "flood_app.py"), str(directory), str(policy), str(n),
         str(tail)],
        env=run.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        line = LineReader(process.stdout).wait_for(lambda s: s.startswith("{"), 90)
        process.wait(timeout=20)
    finally:
        stop_process(process)
    result: dict[str, Any] = json.loads(line)
    if "session_start" not in result["marks"]:
        raise RuntimeError(f"the staff app never started a session: {result}")
    return result


def cpu_seconds(result: dict[str, Any], until: str) -> str:
    """Process CPU from session start to a mark, as text ('-' if the mark never came)."""
    cpu = result["cpu"]
    return f"{cpu[until] - cpu['session_start']:.3f} s" if until in cpu else "-"


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
