"""Figure 8, reconnection (issue 11, "never lose a message"): the link is cut, how soon is the
app back, and what does coming back cost, when the server resumes the session (XEP-0198, the
app's default) and when it no longer has it (a fresh login).

Each client reaches the run's Prosody through its own fault proxy (supporttray.sandbox.
fault_proxy, the integration tests' proxy), which the bench cuts: a reset (both ends closed at
once) or a blackhole (nothing crosses for 0.1 s, then both ends reset), alternating. Silent
death is left out: the client notices it only by a missing ack (6 s, stream_management.py),
before the network is back, and from then on the reconnection is the one a reset starts.

"Network back" is the moment the proxy accepts the client's new TCP connection and forwards it:
the cut is over for that client (the proxy forwards again at once; the client's own retry
delay decides when it comes). From there to "online": TCP to the server, STARTTLS, SASL, then
either the resumption or a failed resumption (the client is told its session is gone: `forget`
gives it an id the server never issued, which the server answers as it does a session it
dropped) followed by bind and the whole login. Times are time.perf_counter() in the proxy (this
process) and the child (CLOCK_MONOTONIC, one clock for all).

1. 20 cuts of each kind (fresh and resumed alternating, ending resumed), the app
   (children/chat_app.py: launcher.build_chat + SupportService, the app's XmppConnection on
   its Qt + qasync loop, as a requester with ten staff in its roster) and the baseline
   (children/bare_reconnect.py: bare slixmpp with its xep_0198, reconnecting at once) cut at
   the same moment: the bare client is back long before the app's retry (1 s +- 20%) starts.
2. The staff profile of the presence flood (1,000 requesters online, bench/swarm.py), the app
   alone, then the bare client: network back -> online, -> every contact available again, and
   from the cut until the server has sent nothing for 0.3 s: the process's CPU time (all
   threads, schedstat), the stanzas it received and the bytes the proxy passed it.
3. Idle wake-ups after a resumption: the first part's app and bare client, left alone after
   their last resumption while the second part runs, counted as the idle figure counts them
   (voluntary context switches of all threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.cold_start import bare_account
from bench.common import (
    CHILDREN,
    REQUESTER_GROUP,
    LineReader,
    Row,
    Run,
    idle_window,
    median,
    stop_process,
    thread_samples,
)
from supporttray.sandbox.fault_proxy import FaultProxy

FIGURE = "reconnect"
CUTS = ("reset", "blackhole")
BLACKHOLE_S = 0.1
ONLINE_TIMEOUT_S = 20.0
QUIET_S = 0.3  # the server sent nothing this long: a reconnection's aftermath is over
QUIET_BETWEEN_CUTS_S = 0.15  # without contacts, a login's aftermath is a few round trips
IDLE_CPU_S = 0.002  # CPU per 50 ms poll below which a client counts as doing nothing


# -- the proxies -----------------------------------------------------------------------------
class ProxyLoop:
    """Fault proxies on an asyncio loop of their own (a thread), driven from the bench's."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxies",
                                        daemon=True)
        self._thread.start()
        self._proxies: list[FaultProxy] = []

    def _run(self, coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def proxy(self, host: str, port: int) -> FaultProxy:
        proxy: FaultProxy = self._run(FaultProxy(host, port).start())
        self._proxies.append(proxy)
        return proxy

    def cut(self, proxies: Sequence[FaultProxy], kind: str) -> None:
        """Cut every live link of these proxies at once (returns once they are closed)."""
        async def cut_all() -> None:  # on the proxies' loop: transports are not thread-safe
            if kind == "reset":
                for proxy in proxies:
                    proxy.reset()
            else:
                await asyncio.gather(*(proxy.blackhole(BLACKHOLE_S) for proxy in proxies))

        self._run(cut_all())

    def close(self) -> None:
        async def stop_all() -> None:
            for proxy in self._proxies:
                await proxy.stop()

        with contextlib.suppress(Exception):
            self._run(stop_all(), timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


def wait_quiet(clients: Sequence[Reconnecting], quiet: float, timeout: float = 30.0) -> None:
    """Until, for `quiet` seconds, no proxy passed its client a byte and neither the clients
    nor the server worked.

    Bytes alone are not enough: a client busy with what it read reads nothing more for a while
    (its socket fills, the proxy waits), and the server may still be working through what the
    client sent (a thousand subscriptions), both of which look like silence from the proxy.
    """
    def sample() -> list[float]:
        return [*(float(c.proxy.bytes_to_client) for c in clients),
                *(process_cpu_seconds(pid) for pid in pids)]

    pids = [c.process.pid for c in clients] + [clients[0].server_pid]
    deadline = time.monotonic() + timeout
    last = sample()
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = sample()
        busy = any(v - v0 > (IDLE_CPU_S if i >= len(clients) else 0)
                   for i, (v, v0) in enumerate(zip(now, last, strict=True)))
        last = now
        if busy:
            still_since = time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return
    raise TimeoutError(f"the clients never fell quiet within {timeout:.0f} s")


def process_cpu_seconds(pid: int) -> float:
    return sum(s.cpu_ns for s in thread_samples(pid).values()) / 1e9


# -- the clients -----------------------------------------------------------------------------
class Reconnecting:
    """A child (chat_app.py or bare_reconnect.py) online through its own fault proxy."""

    def __init__(self, run: Run, script: str, first_line: dict[str, object],
                 proxy: FaultProxy) -> None:
        self.script = script
        self.proxy = proxy
        pid = run.sandbox.pid
        assert pid is not None, "the sandbox server is not running"
        self.server_pid = pid
        # slixmpp logs every cut link to stderr ("SSL connection is closed", a send that found
        # no socket): kept out of the table, in the run's directory for a post-mortem.
        with open(run.tmp / f"{script}-{proxy.port}.stderr", "w") as errors:
            self.process = subprocess.Popen(
                [run.python, str(CHILDREN / script)], env=run.env, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=errors, text=True,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.reader = LineReader(self.process.stdout)
        self.process.stdin.write(json.dumps(first_line) + "\n")
        self.process.stdin.flush()

    def wait_online(self, timeout: float = 60.0) -> None:
        line = self.reader.wait_for(lambda s: s.startswith(("online ", "error")), timeout)
        if line.startswith("error"):
            raise RuntimeError(f"{self.script} could not log in: {line}")

    def ask(self, command: str, answer: str) -> str:
        start = len(self.reader.lines)
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.reader.wait_for(lambda s: s.startswith(answer), 10, start=start)

    def stanzas(self) -> int:
        return int(self.ask("count", "count ").split()[1])

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def close(self) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # both children log off and quit when stdin ends
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            stop_process(self.process)


@contextlib.contextmanager
def online(run: Run, proxies: ProxyLoop,
           *clients: tuple[str, dict[str, object]]) -> Iterator[list[Reconnecting]]:
    """Start these (script, first line) children through fresh proxies; all online inside."""
    sandbox = run.sandbox
    started: list[Reconnecting] = []
    try:
        for script, given in clients:
            first_line = dict(given)
            proxy = proxies.proxy(sandbox.host, sandbox.c2s_port)
            if script == "chat_app.py":
                # The profile's policy points the app at its proxy.
                profile = run.profile(str(first_line.pop("user")),
                                      **{"server.port": proxy.port, **first_line.pop("policy")})
                first_line.update(profile=str(profile.directory), policy=str(profile.policy))
            else:
                first_line["port"] = proxy.port
            started.append(Reconnecting(run, script, first_line, proxy))
        for client in started:
            client.wait_online()
        wait_quiet(started, QUIET_S)
        yield started
    finally:
        for client in started:
            client.close()


# -- one cut ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reconnection:
    kind: str  # "resumed" or "fresh": what the client reported, checked against the plan
    cut: str
    waited: float  # cut -> network back: the client's own retry delay (+ the blackhole)
    online: float  # network back -> online
    complete: float | None  # network back -> every contact available again
    cpu: float  # seconds of CPU, cut -> quiet
    stanzas: int  # received, cut -> quiet
    received: int  # bytes the proxy passed the client, cut -> quiet


def reconnect(proxies: ProxyLoop, clients: Sequence[Reconnecting], cut: str, *, fresh: bool,
              contacts: bool = False, quiet: float = QUIET_S) -> list[Reconnection]:
    """Cut every client's link at the same moment; each comes back on its own."""
    if fresh:
        for client in clients:
            client.ask("forget", "forgot")
    before = [(len(c.reader.lines), c.proxy.accepted, c.cpu_seconds(), c.stanzas(),
               c.proxy.bytes_to_client) for c in clients]
    cut_at = time.perf_counter()
    proxies.cut([c.proxy for c in clients], cut)
    expected = "fresh" if fresh else "resumed"
    moments: list[tuple[float, float, float | None]] = []
    for client, (start, accepted, *_) in zip(clients, before, strict=True):
        line = client.reader.wait_for(lambda s: s.startswith("online "), ONLINE_TIMEOUT_S,
                                      start=start)
        _, at, kind = line.split()
        if kind != expected:
            raise RuntimeError(f"{client.script} came back {kind}, not {expected}")
        if client.proxy.accepted <= accepted:
            raise RuntimeError(f"{client.script} came back without a new connection")
        back = client.proxy.accepted_at
        complete = None
        if contacts:
            line = client.reader.wait_for(lambda s: s.startswith("all "), ONLINE_TIMEOUT_S,
                                          start=start)
            complete = float(line.split()[1]) - back
        moments.append((back - cut_at, float(at) - back, complete))
    wait_quiet(clients, quiet)
    return [
        Reconnection(expected, cut, waited, back_to_online, complete,
                     client.cpu_seconds() - cpu, client.stanzas() - stanzas,
                     client.proxy.bytes_to_client - received)
        for client, (_, _, cpu, stanzas, received), (waited, back_to_online, complete)
        in zip(clients, before, moments, strict=True)
    ]


def of_kind(series: list[Reconnection], kind: str) -> list[Reconnection]:
    return [r for r in series if r.kind == kind]


# -- the figure ------------------------------------------------------------------------------
def measure(run: Run) -> list[Row]:
    proxies = ProxyLoop()
    try:
        return _measure(run, proxies)
    finally:
        proxies.close()


def _measure(run: Run, proxies: ProxyLoop) -> list[Row]:
    cuts = 1 if run.smoke else 20  # of each kind
    rounds = 1 if run.smoke else 2  # of each kind, with the contacts online
    app_cuts: list[Reconnection] = []
    bare_cuts: list[Reconnection] = []
    app_first = ("chat_app.py", {"user": "recapp", "policy": run.requester_policy()})
    bare_first = ("bare_reconnect.py", bare_account(run, "recbare"))
    with online(run, proxies, app_first, bare_first) as (app, bare):
        # 1. fresh and resumed alternating, so both see the same machine; resumed last (3.)
        for i in range(2 * cuts):
            fresh = i % 2 == 0
            a, b = reconnect(proxies, [app, bare], CUTS[i // 2 % 2], fresh=fresh,
                             quiet=QUIET_BETWEEN_CUTS_S)
            app_cuts.append(a)
            bare_cuts.append(b)
        time.sleep(0.5)
        idle_from = time.monotonic()
        idle_before = (thread_samples(app.process.pid), thread_samples(bare.process.pid))
        # 2. with 1,000 contacts online, while the first two wait
        flood = contacts_figure(run, proxies, rounds)
        seconds = time.monotonic() - idle_from
        app_idle = idle_window(idle_before[0], thread_samples(app.process.pid), seconds)
        bare_idle = idle_window(idle_before[1], thread_samples(bare.process.pid), seconds)
    rows = cut_rows(app_cuts, bare_cuts)
    rows += flood
    rows.append(Row(
        FIGURE, f"idle wake-ups in {seconds:.0f} s after a resumption", app_idle.wakeups,
        "", baseline=bare_idle.wakeups, baseline_label="bare slixmpp, after its own",
        budget=0.0,
        note=(f"headless app (no window: the idle figure measures those); CPU "
              f"{app_idle.cpu_seconds * 1000:.1f} ms, bare {bare_idle.cpu_seconds * 1000:.1f}"
              f" ms; by thread: {app_idle.by_thread or '-'}"),
    ))
    return rows


def cut_rows(app: list[Reconnection], bare: list[Reconnection]) -> list[Row]:
    rows = []
    label = "bare slixmpp"
    for kind in ("resumed", "fresh"):
        ours = [r.online for r in of_kind(app, kind)]
        base = [r.online for r in of_kind(bare, kind)]
        waited = [r.waited for r in of_kind(app, kind)]
        stanzas = [r.stanzas for r in of_kind(app, kind)]
        rows.append(Row(
            FIGURE, f"network back -> online, {kind}, median of {len(ours)}", median(ours) * 1000,
            "ms", baseline=median(base) * 1000, baseline_label=label, budget_ratio=3.0,
            samples=[round(v * 1000, 2) for v in ours],
            note=(f"cut -> network back (the app's retry delay): median {median(waited):.2f} s;"
                  f" stanzas received per reconnection: median {median(stanzas):.0f}, bare "
                  f"{median([r.stanzas for r in of_kind(bare, kind)]):.0f}"),
            detail={"bare_ms": [round(v * 1000, 2) for v in base],
                    "cuts": [r.cut for r in of_kind(app, kind)]},
        ))
        rows.append(Row(
            FIGURE, f"network back -> online, {kind}, worst of {len(ours)}", max(ours) * 1000,
            "ms", baseline=max(base) * 1000, baseline_label=label, budget_ratio=3.0,
        ))
    resumed, fresh = rows[0], rows[2]
    if resumed.value and fresh.value:
        resumed.note += f"; resumed / fresh: {resumed.value / fresh.value:.2f}x"
    return rows


def contacts_figure(run: Run, proxies: ProxyLoop, rounds: int) -> list[Row]:
    """Part 2: the staff profile with its requesters online, the app then the bare client."""
    n = run.requester_count
    policy = {"support.mode": "staff", "support.group": REQUESTER_GROUP,
              "support.auto_accept_domains": [run.domain],
              # The room's archive holds what the staff-room figure left in it: its catch-up
              # would swamp the presence figure; that cost is the staff-room figure's.
              "support.staff_room": "off"}
    series: dict[str, list[Reconnection]] = {}
    with run.swarm(run.requester_names()):
        for name, first_line in (
            ("app", ("chat_app.py", {"user": run.DESK, "policy": policy, "contacts": n})),
            ("bare", ("bare_reconnect.py", {**bare_account(run, run.DESK), "contacts": n})),
        ):
            with online(run, proxies, first_line) as (client,):
                client.reader.wait_for(lambda s: s.startswith("all "), ONLINE_TIMEOUT_S)
                series[name] = []
                for i in range(2 * rounds):
                    series[name] += reconnect(proxies, [client], CUTS[i // 2 % 2],
                                              fresh=i % 2 == 1, contacts=True)
    app, bare = series["app"], series["bare"]

    def mid(values: list[Reconnection], kind: str, field: str, scale: float = 1.0) -> float:
        return median([getattr(r, field) * scale for r in of_kind(values, kind)])

    fresh_label = "fresh login, same app"
    bare_note = "bare slixmpp resumed / fresh: "
    return [
        Row(FIGURE, f"{n} contacts: network back -> online, resumed",
            mid(app, "resumed", "online", 1000), "ms",
            baseline=mid(bare, "resumed", "online", 1000), baseline_label="bare slixmpp",
            budget_ratio=3.0,
            note=(f"median of {rounds}; every contact available again at the same moment "
                  f"(the app keeps what it knew across the drop)")),
        Row(FIGURE, f"{n} contacts: network back -> online, fresh",
            mid(app, "fresh", "online", 1000), "ms",
            baseline=mid(bare, "fresh", "online", 1000), baseline_label="bare slixmpp",
            note="online: roster in, presence and the subscriptions to every contact sent"),
        Row(FIGURE, f"{n} contacts: network back -> all available, fresh",
            mid(app, "fresh", "complete", 1000), "ms",
            baseline=mid(bare, "fresh", "complete", 1000), baseline_label="bare slixmpp",
            budget_ratio=3.0),
        Row(FIGURE, f"{n} contacts: CPU, cut -> quiet, resumed",
            mid(app, "resumed", "cpu", 1000), "ms",
            baseline=mid(app, "fresh", "cpu", 1000), baseline_label=fresh_label, budget_ratio=0.1,
            note=bare_note + f"{mid(bare, 'resumed', 'cpu', 1000):.0f} / "
                             f"{mid(bare, 'fresh', 'cpu', 1000):.0f} ms"),
        Row(FIGURE, f"{n} contacts: stanzas received, resumed",
            mid(app, "resumed", "stanzas"), "",
            baseline=mid(app, "fresh", "stanzas"), baseline_label=fresh_label, budget_ratio=0.1,
            note=bare_note + f"{mid(bare, 'resumed', 'stanzas'):.0f} / "
                             f"{mid(bare, 'fresh', 'stanzas'):.0f}"),
        Row(FIGURE, f"{n} contacts: kB received, resumed",
            mid(app, "resumed", "received", 1e-3), "kB",
            baseline=mid(app, "fresh", "received", 1e-3), baseline_label=fresh_label,
            budget_ratio=0.1,
            note=bare_note + f"{mid(bare, 'resumed', 'received', 1e-3):.1f} / "
                             f"{mid(bare, 'fresh', 'received', 1e-3):.1f} kB",
            detail={"app": [asdict(r) for r in app], "bare": [asdict(r) for r in bare]}),
    ]
