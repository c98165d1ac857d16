"""What every figure shares: result rows, statistics, /proc readers, and the run's sandbox.

The `Run` owns one sandbox Prosody for the whole run, with every account and roster the
figures need written before it starts (Prosody caches rosters once loaded, so they are files
first, logins second), and a temp directory for profiles, policies and keyrings.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from supporttray.sandbox.lua import lua_string, prosody_path_encode
from supporttray.sandbox.prosody import ProsodySandbox

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CHILDREN = BENCH_DIR / "children"
KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"
STAFF_GROUP = "Support"
REQUESTER_GROUP = "Requesters"


# -- results -----------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the table: a measured value, its same-run baseline, and its budget."""

    figure: str
    metric: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    budget: float | None = None  # the value must be <= budget (None: informational)
    budget_ratio: float | None = None  # and value / baseline <= budget_ratio
    note: str = ""
    samples: list[float] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)  # for the JSON only

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def verdict(self) -> str:
        if self.budget is None and self.budget_ratio is None:
            return "info"
        if self.value is None:
            return "FAIL"
        ok = self.budget is None or self.value <= self.budget
        if self.budget_ratio is not None:
            ratio = self.ratio
            ok = ok and ratio is not None and ratio <= self.budget_ratio
        return "PASS" if ok else "FAIL"

    def budget_text(self) -> str:
        parts = []
        if self.budget is not None:
            parts.append(f"<= {fmt(self.budget)} {self.unit}".rstrip())
        if self.budget_ratio is not None:
            parts.append(f"<= {self.budget_ratio:g}x")
        return ", ".join(parts) or "-"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["verdict"] = self.verdict
        return data


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


# -- statistics --------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); p99 of 200 samples is the 2nd largest."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


# -- /proc ---------------------------------------------------------------------------------------
def memory_kib(pid: int) -> dict[str, int]:
    """smaps_rollup in KiB: Pss, Rss, Anonymous, and Uss (private pages, clean + dirty).

    PSS splits each shared page among the processes mapping it, so it drops when any other
    process (another Qt app, a concurrent test run) maps the same libraries; USS does not.
    """
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    values["Uss"] = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return values


def pss_kib(pid: int) -> int:
    """Proportional set size of the whole process, from smaps_rollup."""
    return memory_kib(pid)["Pss"]


@dataclass(frozen=True)
class ThreadSample:
    name: str
    cpu_ns: int
    voluntary: int
    involuntary: int


def thread_samples(pid: int) -> dict[int, ThreadSample]:
    """Per thread: CPU time (schedstat, ns) and context switches; vanished threads skipped."""
    samples: dict[int, ThreadSample] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            cpu_ns = int((task / "schedstat").read_text().split()[0])
            name = (task / "comm").read_text().strip()
            voluntary = involuntary = 0
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    voluntary = int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches:"):
                    involuntary = int(line.split()[1])
            samples[int(task.name)] = ThreadSample(name, cpu_ns, voluntary, involuntary)
    return samples


@dataclass(frozen=True)
class IdleWindow:
    """What a process did between two samples."""

    seconds: float
    cpu_seconds: float
    wakeups: int  # voluntary context switches over all threads: each is a sleep ended
    by_thread: dict[str, int]

    @property
    def cpu_per_minute(self) -> float:
        return self.cpu_seconds * 60 / self.seconds

    @property
    def wakeups_per_second(self) -> float:
        return self.wakeups / self.seconds


def idle_window(before: dict[int, ThreadSample], after: dict[int, ThreadSample],
                seconds: float) -> IdleWindow:
    cpu = 0
    wakeups = 0
    by_thread: dict[str, int] = {}
    for tid, end in after.items():
        start = before.get(tid, ThreadSample(end.name, 0, 0, 0))
        cpu += end.cpu_ns - start.cpu_ns
        woke = end.voluntary - start.voluntary
        wakeups += woke
        if woke:
            by_thread[f"{end.name}:{tid}"] = woke
    return IdleWindow(seconds, cpu / 1e9, wakeups, by_thread)


def smaps_by_mapping(pid: int, top: int = 15) -> list[tuple[str, int]]:
    """PSS (KiB) per mapped file (anonymous memory as '[anon]'), largest first."""
    totals: dict[str, int] = {}
    current = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        first = line.split(maxsplit=5)
        if first and "-" in first[0] and len(first) >= 5 and ":" not in first[0]:
            current = first[5].strip() if len(first) == 6 else "[anon]"
            if current.startswith("[") and current not in ("[heap]", "[stack]"):
                current = "[anon]" if current != "[vdso]" else current
        elif line.startswith("Pss:"):
            totals[current] = totals.get(current, 0) + int(line.split()[1])
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


# -- child processes -------------------------------------------------------------------------
class LineReader:
    """Collects a child's stdout lines on a thread, with the time each arrived."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            with self._cond:
                self.lines.append((time.time(), line.rstrip("\n")))
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[str], bool], timeout: float, start: int = 0) -> str:
        """The first line (already read or still to come, from line `start` on) for which
        predicate holds."""
        deadline = time.monotonic() + timeout
        seen = start
        with self._cond:
            while True:
                for _, line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if self._closed:
                    raise RuntimeError(f"the child ended without the line we waited for; "
                                       f"it said: {self.tail()}")
                if left <= 0:
                    raise TimeoutError(f"no such line within {timeout:.0f} s; last: {self.tail()}")
                self._cond.wait(left)

    def tail(self, n: int = 8) -> str:
        return " | ".join(line for _, line in self.lines[-n:])


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM (the app quits cleanly on it), SIGKILL if it does not go."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"


def log_events(log_file: Path, offset: int, wanted: dict[str, str]) -> dict[str, float]:
    """Epoch time of the first line after `offset` containing each wanted text."""
    found: dict[str, float] = {}
    try:
        with open(log_file, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        for name, needle in wanted.items():
            if name not in found and needle in line:
                # The handler's asctime: local wall-clock time with milliseconds.
                found[name] = datetime.strptime(line[:23], _LOG_TIME).timestamp()
    return found


# -- the run -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """A SupportTray profile directory with its policy and a keyring holding its password."""

    directory: Path
    policy: Path
    jid: str

    @property
    def log_file(self) -> Path:
        return self.directory / "logs" / "supporttray.log"


class Run:
    """One benchmark run: options, the sandbox and the throw-away directories."""

    STAFF_COUNT = 10

    def __init__(self, *, smoke: bool, requesters: int | None = None) -> None:
        self.smoke = smoke
        self.requester_count = requesters or (50 if smoke else 1000)
        self.tmp = Path(tempfile.mkdtemp(prefix="supporttray-bench-"))
        self.env = self._environment()
        self._sandbox: ProsodySandbox | None = None
        self.python = sys.executable
        script = Path(sys.executable).parent / "supporttray"
        self.supporttray = [str(script)] if script.exists() else [sys.executable, "-m",
                                                                   "supporttray"]

    # -- environment ------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SUPPORTTRAY_") and k not in ("PYTEST_CURRENT_TEST",)}
        runtime = self.tmp / "xdg-runtime"
        runtime.mkdir(mode=0o700)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            PYTHON_KEYRING_BACKEND=KEYRING_BACKEND,
            HOME=str(self.tmp / "home"),
            XDG_DATA_HOME=str(self.tmp / "xdg-data"),
            XDG_CONFIG_HOME=str(self.tmp / "xdg-config"),
            XDG_RUNTIME_DIR=str(runtime),
            PYTHONUNBUFFERED="1",
        )
        # Children import `bench` (the swarm, child scripts) from the checkout.
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (env.get("PYTHONPATH", ""), str(REPO)) if p
        )
        return env

    # -- accounts ---------------------------------------------------------------------------
    @property
    def domain(self) -> str:
        return "localhost"

    def jid(self, username: str) -> str:
        return f"{username}@{self.domain}"

    def staff_names(self) -> list[str]:
        return [f"staff{i:02d}" for i in range(1, self.STAFF_COUNT + 1)]

    def requester_names(self) -> list[str]:
        return [f"req{i:04d}" for i in range(1, self.requester_count + 1)]

    # The requesters the cold-start, idle and reconnect figures run as (app and bare
    # baselines), each with the ten staff in its roster; latency has its own senders and a peer.
    FOLLOWERS = ("me", "idleapp", "base", "baseidle", "idletray", "basetray", "recapp",
                 "recbare")
    LATENCY = ("latapp", "latbare", "peer")
    DESK = "desk"

    @staticmethod
    def password(username: str) -> str:
        return f"pw-{username}-bench"

    @property
    def sandbox(self) -> ProsodySandbox:
        """The run's Prosody, started on first use with every account and roster."""
        if self._sandbox is None:
            sandbox = ProsodySandbox(self.tmp / "prosody")
            names = [*self.FOLLOWERS, *self.LATENCY, self.DESK, *self.staff_names(),
                     *self.requester_names()]
            for name in names:
                sandbox.add_account(name, self.password(name))
            staff = self.staff_names()
            for follower in self.FOLLOWERS:
                self._write_roster(sandbox, follower, {s: STAFF_GROUP for s in staff})
            for s in staff:
                self._write_roster(sandbox, s, {f: "" for f in self.FOLLOWERS})
            requesters = self.requester_names()
            self._write_roster(sandbox, self.DESK, {r: REQUESTER_GROUP for r in requesters})
            for r in requesters:
                self._write_roster(sandbox, r, {self.DESK: STAFF_GROUP})
            sandbox.start()
            self._sandbox = sandbox
        return self._sandbox

    def _write_roster(self, sandbox: ProsodySandbox, owner: str, contacts: dict[str, str]) -> None:
        """Mutual ("both") subscriptions, as after every request was approved."""
        lines = ["return {", "\t[false] = { version = 1; pending = {}; };"]
        for contact, group in contacts.items():
            groups = f"[{lua_string(group)}] = true;" if group else ""
            lines.append(f"\t[{lua_string(self.jid(contact))}] = {{ subscription = \"both\"; "
                         f"name = {lua_string(contact)}; groups = {{ {groups} }}; }};")
        lines.append("};")
        path = (sandbox.directory / "data" / prosody_path_encode(self.domain) / "roster"
                / f"{prosody_path_encode(owner)}.dat")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -- profiles ---------------------------------------------------------------------------
    def profile(self, username: str, **policy: object) -> Profile:
        """A profile for `username` with a policy pointing at the sandbox and the password
        stored the way a user does it (`supporttray login --password-stdin`)."""
        sandbox = self.sandbox
        directory = self.tmp / "profiles" / username
        directory.mkdir(parents=True, exist_ok=True)
        enforced: dict[str, object] = {
            "server.domain": self.domain,
            "server.host": sandbox.host,
            "server.port": sandbox.c2s_port,
            "server.ca_file": str(sandbox.ca_file),
            "account.jid": self.jid(username),
            **policy,
        }
        lines = ["[enforced]"] + [f"{key} = {json.dumps(value)}" for key, value in
                                  enforced.items()]
        policy_file = directory / "policy.toml"
        policy_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = subprocess.run(
            [*self.supporttray, "login", self.jid(username), "--password-stdin",
             "--profile", str(directory), "--policy", str(policy_file)],
            input=self.password(username) + "\n", text=True, env=self.env,
            capture_output=True, timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"supporttray login failed: {done.stderr.strip()}")
        return Profile(directory, policy_file, self.jid(username))

    def requester_policy(self) -> dict[str, object]:
        return {"support.mode": "requester",
                "support.staff": [self.jid(s) for s in self.staff_names()]}

    # -- swarms of simulated people -------------------------------------------------------
    @contextlib.contextmanager
    def swarm(self, usernames: Iterable[str], *, processes: int = 1, show: str = "",
              status: str = "", timeout: float = 120.0) -> Iterator[float]:
        """Keep these accounts online (raw clients in `processes` children) inside the block;
        yields the seconds it took to get them all online."""
        names = list(usernames)
        sandbox = self.sandbox
        chunks = [names[i::processes] for i in range(processes)]
        children: list[tuple[subprocess.Popen[str], LineReader]] = []
        began = time.perf_counter()
        try:
            for chunk in chunks:
                if not chunk:
                    continue
                child = subprocess.Popen(
                    [self.python, "-m", "bench.swarm"], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, text=True, env=self.env, cwd=REPO,
                )
                assert child.stdin is not None and child.stdout is not None
                job = {"host": sandbox.host, "port": sandbox.c2s_port, "domain": self.domain,
                       "ca_file": str(sandbox.ca_file), "show": show, "status": status,
                       "accounts": [[n, self.password(n)] for n in chunk]}
                child.stdin.write(json.dumps(job) + "\n")
                child.stdin.flush()
                children.append((child, LineReader(child.stdout)))
            for _, reader in children:
                line = reader.wait_for(lambda s: s.startswith(("ready", "failed")), timeout)
                if line.startswith("failed"):
                    raise RuntimeError(f"simulated people could not log in: {line}")
            yield time.perf_counter() - began
        finally:
            for child, _ in children:
                with contextlib.suppress(OSError):
                    assert child.stdin is not None
                    child.stdin.close()
            for child, _ in children:
                try:
                    child.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    stop_process(child)

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        shutil.rmtree(self.tmp, ignore_errors=True)
