"""Figure 3, message latency: send -> the other side has it, through the sandbox server.

Three processes: SupportTray's chat path (children/chat_app.py: ChatService + XmppConnection on
the app's Qt/qasync loop), a bare slixmpp sender (children/chat_peer.py) and the peer, a plain
slixmpp client. Messages alternate between the app and the bare sender every few milliseconds
(a pace, not a flood: each message's latency is its own, not a queue's), so both see the same
machine. Outbound: app -> peer and bare -> peer, from just before ChatService.send (which
first writes the history) or send_message, to the peer's message handler. Inbound: peer -> app
until the message is stored and in the conversation model, and peer -> bare until its handler.
Times are time.perf_counter() in each process (CLOCK_MONOTONIC, one clock for all).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from bench.cold_start import bare_account
from bench.common import CHILDREN, LineReader, Row, Run, percentile, stop_process

FIGURE = "message latency"
PACE_S = 0.005  # between two sends (app and bare alternate)
WARMUP = 10


class Side:
    """A child speaking the send/sent/got line protocol."""

    def __init__(self, process: subprocess.Popen[str], jid: str) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self.jid = jid
        self.reader = LineReader(process.stdout)

    def send(self, to: str, seq: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"send {to} {seq}\n")
        self.process.stdin.flush()

    def times(self, kind: str, other: str) -> dict[int, float]:
        """seq -> perf_counter of `sent` to / `got` from `other`."""
        found = {}
        for _, line in self.reader.lines:
            parts = line.split()
            if len(parts) == 4 and parts[0] == kind and parts[1] == other:
                found[int(parts[2])] = float(parts[3])
        return found


@contextmanager
def child(run: Run, script: str, first_line: dict[str, object], jid: str) -> Iterator[Side]:
    process = subprocess.Popen(
        [run.python, str(CHILDREN / script)], env=run.env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdin is not None
        process.stdin.write(json.dumps(first_line) + "\n")
        process.stdin.flush()
        side = Side(process, jid)
        line = side.reader.wait_for(lambda s: s.startswith(("online", "error")), 30)
        if line.startswith("error"):
            raise RuntimeError(f"{script} could not log in: {line}")
        yield side
    finally:
        if process.stdin is not None and not process.stdin.closed:
            process.stdin.close()  # the children quit (and log off) when stdin ends
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            stop_process(process)


def latencies_ms(sent: dict[int, float], got: dict[int, float], seqs: range) -> list[float]:
    return [(got[s] - sent[s]) * 1000 for s in seqs if s in sent and s in got]


def measure(run: Run) -> list[Row]:
    count = 20 if run.smoke else 200
    profile = run.profile("latapp")
    with ExitStack() as stack:
        peer = stack.enter_context(child(run, "chat_peer.py", bare_account(run, "peer"),
                                         run.jid("peer")))
        bare = stack.enter_context(child(run, "chat_peer.py", bare_account(run, "latbare"),
                                         run.jid("latbare")))
        app = stack.enter_context(child(
            run, "chat_app.py", {"profile": str(profile.directory), "policy": str(profile.policy)},
            run.jid("latapp")))
        warmup = range(100_000, 100_000 + WARMUP)
        measured = range(count)
        for seqs in (warmup, measured):
            for seq in seqs:
                app.send(peer.jid, seq)
                time.sleep(PACE_S)
                bare.send(peer.jid, seq)
                time.sleep(PACE_S)
            for seq in seqs:
                peer.send(app.jid, seq)
                time.sleep(PACE_S)
                peer.send(bare.jid, seq)
                time.sleep(PACE_S)
        last = measured[-1]
        peer.reader.wait_for(lambda s: s.startswith(f"got {bare.jid} {last} "), 15)
        peer.reader.wait_for(lambda s: s.startswith(f"got {app.jid} {last} "), 15)
        app.reader.wait_for(lambda s: s.startswith(f"got {peer.jid} {last} "), 15)
        bare.reader.wait_for(lambda s: s.startswith(f"got {peer.jid} {last} "), 15)
        out_app = latencies_ms(app.times("sent", peer.jid), peer.times("got", app.jid), measured)
        out_bare = latencies_ms(bare.times("sent", peer.jid), peer.times("got", bare.jid),
                                measured)
        in_app = latencies_ms(peer.times("sent", app.jid), app.times("got", peer.jid), measured)
        in_bare = latencies_ms(peer.times("sent", bare.jid), bare.times("got", peer.jid),
                               measured)
    rows = []
    for direction, ours, base in (("send -> peer has it", out_app, out_bare),
                                  ("peer's reply -> stored and in the model", in_app, in_bare)):
        lost = count - len(ours)
        for p, budget in ((50, 3.0), (99, 15.0)):
            rows.append(Row(
                FIGURE, f"{direction} p{p}", percentile(ours, p), "ms",
                baseline=percentile(base, p), baseline_label="bare slixmpp", budget=budget,
                budget_ratio=3.0,
                samples=[round(v, 3) for v in ours] if p == 50 else [],
                note=(f"{len(ours)} messages, max {max(ours):.2f} ms" +
                      (f"; {lost} NOT RECEIVED" if lost else "")) if p == 50 else "",
            ))
    return rows
