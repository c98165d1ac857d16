"""Figure 2, idle cost: memory, CPU and wake-ups of an app that is online and has nothing to do.

SupportTray (requester, ten staff online in its roster) and then the baseline (a bare tray with
slixmpp on qasync, logged in with the same roster) each run alone through the same procedure:
online, 60 s to settle (the login's aftermath: time and idle queries to each staff member, and
the timers of every reply that came back, which qasync lets fire even when cancelled), then a
window of 60 s (smoke mode: 0.5 s and 1 s) in which:

- CPU is the sum over all threads of /proc/PID/task/*/schedstat (ns), per minute;
- wake-ups are voluntary context switches over all threads (each one is a sleep that ended: a
  timer, a socket, a signal), per second;
- memory is /proc/PID/smaps_rollup at the window's end: PSS, and USS and RSS, which do not
  depend on what else maps the same libraries.

One at a time, because two Qt processes side by side share (and so halve) each other's PSS.

The idle state of a tray app on a desktop is an icon and no window: that is where memory, CPU
and wake-ups are budgeted, on Xvfb with a real tray host (trayer), SupportTray and then the bare
baseline on the same desktop, whose system bus (a private dbus-daemon) has stand-ins for
NetworkManager and logind, as every Linux laptop has them (the app listens there for the network
coming back; without them it would load Qt's network plugins instead). Memory is budgeted as a
ratio to that baseline (PSS moves with whatever else the machine maps; the same-run ratio much
less). Offscreen there is no system
tray, so SupportTray shows its fallback status window, which redraws when a shown local time
changes (once a minute) and looks for a tray once a minute: those rows say what an open window
costs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.cold_start import bare_account
from bench.common import (
    CHILDREN,
    IdleWindow,
    LineReader,
    Row,
    Run,
    idle_window,
    log_events,
    memory_kib,
    smaps_by_mapping,
    stop_process,
    thread_samples,
)

FIGURE = "idle"
# MB as in the figures (10^6 bytes); /proc reports KiB.
KIB_PER_MB = 1e6 / 1024


@dataclass(frozen=True)
class Idle:
    window: IdleWindow
    memory: dict[str, int]  # KiB
    largest: list[tuple[str, int]]  # PSS KiB per mapping

    def mb(self, key: str) -> float:
        return self.memory.get(key, 0) / KIB_PER_MB


def observe(pid: int, window: float, settle: float) -> Idle:
    time.sleep(settle)
    before = thread_samples(pid)
    began = time.monotonic()
    time.sleep(window)
    after = thread_samples(pid)
    seconds = time.monotonic() - began
    return Idle(idle_window(before, after, seconds), memory_kib(pid), smaps_by_mapping(pid, 8))


def idle_app(run: Run, window: float, settle: float, *, env: dict[str, str] | None = None,
             name: str = "idleapp") -> Idle:
    profile = run.profile(name, **run.requester_policy())
    offset = profile.log_file.stat().st_size if profile.log_file.exists() else 0
    app = subprocess.Popen(
        [*run.supporttray, "run", "--profile", str(profile.directory),
         "--policy", str(profile.policy)],
        env=env or run.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while "online" not in log_events(profile.log_file, offset,
                                         {"online": "connection: online"}):
            if app.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"SupportTray did not get online; see {profile.log_file}")
            time.sleep(0.05)
        return observe(app.pid, window, settle)
    finally:
        stop_process(app)


def idle_bare(run: Run, flags: list[str], window: float, settle: float, *,
              env: dict[str, str] | None = None, account: str = "baseidle") -> Idle:
    process = subprocess.Popen(
        [run.python, str(CHILDREN / "bare_client.py"), *flags, "--stay"],
        env=env or run.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        if "--xmpp" in flags:
            process.stdin.write(json.dumps(bare_account(run, account)) + "\n")
            process.stdin.flush()
        last = "online" if "--xmpp" in flags else "shown"
        LineReader(process.stdout).wait_for(lambda line: line.startswith(last), 30)
        return observe(process.pid, window, settle)
    finally:
        stop_process(process)
        if process.stdin is not None:
            process.stdin.close()


def measure(run: Run) -> list[Row]:
    window = 1.0 if run.smoke else 60.0
    # A minute online first: what login leaves behind (reply timeouts, the TLS handshake's
    # 60 s guard, time queries to each staff member) is over; what remains is idle.
    settle = 0.5 if run.smoke else 60.0
    with run.swarm(run.staff_names()):
        ours = idle_app(run, window, settle)
        base = idle_bare(run, ["--qt", "--xmpp"], window, settle)
        desktop = idle_on_a_desktop(run, window, settle)
    tray = idle_bare(run, ["--qt"], 0.2, 0.3)
    w, b = ours.window, base.window
    woke = ", ".join(f"{k} {v}" for k, v in sorted(w.by_thread.items(), key=lambda kv: -kv[1]))
    online = f"{settle + window:.0f} s online, 10 staff"
    return [
        *desktop_rows(desktop, online),
        Row(FIGURE, f"PSS, no tray (fallback window open), {online}", ours.mb("Pss"), "MB",
            baseline=base.mb("Pss"), baseline_label="bare tray + slixmpp + qasync",
            note=memory_note(ours, base)),
        Row(FIGURE, "baseline: bare PySide6 tray PSS", tray.mb("Pss"), "MB",
            note=f"USS {tray.mb('Uss'):.1f} MB"),
        Row(FIGURE, "CPU while idle, no tray (fallback window open)", w.cpu_per_minute, "s/min",
            baseline=b.cpu_per_minute, baseline_label="bare", budget=0.01,
            note=f"{w.cpu_seconds * 1000:.1f} ms CPU in {w.seconds:.0f} s"),
        Row(FIGURE, "wake-ups while idle, no tray (fallback window open)",
            w.wakeups_per_second, "/s", baseline=b.wakeups_per_second, baseline_label="bare",
            note=f"{w.wakeups} in {w.seconds:.0f} s" + (f" ({woke})" if woke else "")
                 + "; offscreen: the window redraws its clocks each minute and the app looks "
                   "for a tray each minute"),
    ]


def memory_note(ours: Idle, base: Idle) -> str:
    """USS, RSS and anonymous memory beside the baseline's, and our largest mappings."""
    mappings = ", ".join(f"{name.rsplit('/', 1)[-1]} {kib / KIB_PER_MB:.1f}" for name, kib in
                         ours.largest)
    return (f"USS {ours.mb('Uss'):.1f} (bare {base.mb('Uss'):.1f}), RSS {ours.mb('Rss'):.1f} "
            f"(bare {base.mb('Rss'):.1f}), anonymous {ours.mb('Anonymous'):.1f} "
            f"(bare {base.mb('Anonymous'):.1f}) MB; largest PSS (MB): {mappings}")


def desktop_rows(desktop: tuple[Idle, Idle] | str, online: str) -> list[Row]:
    if isinstance(desktop, str):
        return [Row(FIGURE, f"PSS in the tray (icon only), {online}", None, "MB",
                    budget_ratio=1.10, note=desktop),
                Row(FIGURE, "wake-ups while idle, in the tray", None, "/s", budget=0.0,
                    note=desktop)]
    ours_idle, base_idle = desktop
    ours, base = ours_idle.window, base_idle.window
    woke = ", ".join(f"{k} {v}" for k, v in sorted(ours.by_thread.items(), key=lambda kv: -kv[1]))
    label = "bare tray + slixmpp + qasync, same desktop"
    return [
        Row(FIGURE, f"PSS in the tray (icon only), {online}", ours_idle.mb("Pss"), "MB",
            baseline=base_idle.mb("Pss"), baseline_label=label, budget_ratio=1.10,
            note=memory_note(ours_idle, base_idle) + "; Xvfb + trayer"),
        Row(FIGURE, "USS in the tray (private memory)", ours_idle.mb("Uss"), "MB",
            baseline=base_idle.mb("Uss"), baseline_label=label),
        Row(FIGURE, "CPU while idle, in the tray", ours.cpu_per_minute, "s/min",
            baseline=base.cpu_per_minute, baseline_label="bare, same desktop", budget=0.01,
            note=f"{ours.cpu_seconds * 1000:.1f} ms CPU in {ours.seconds:.0f} s; Xvfb + trayer"),
        Row(FIGURE, "wake-ups while idle, in the tray", ours.wakeups_per_second, "/s",
            baseline=base.wakeups_per_second, baseline_label="bare, same desktop", budget=0.0,
            note=f"{ours.wakeups} in {ours.seconds:.0f} s" + (f" ({woke})" if woke else "")),
    ]


def idle_on_a_desktop(run: Run, window: float, settle: float) -> tuple[Idle, Idle] | str:
    """SupportTray and then the bare baseline on Xvfb with a tray host; or why not."""
    missing = [tool for tool in ("Xvfb", "trayer") if shutil.which(tool) is None]
    if missing:
        return (f"not measured: {' and '.join(missing)} not installed "
                "(scripts/bootstrap installs them)")
    from tests.system_bus import SystemBus

    # A Linux desktop's system bus, NetworkManager and logind on it (the tests' stand-ins on a
    # private dbus-daemon): what the app listens to on every laptop, which this machine lacks.
    with x11_desktop() as display, tempfile.TemporaryDirectory() as bus_dir, \
            SystemBus(Path(bus_dir)) as bus:
        env = {k: v for k, v in run.env.items() if k != "QT_QPA_PLATFORM"}
        env["DISPLAY"] = display
        env["DBUS_SYSTEM_BUS_ADDRESS"] = bus.address
        # One after the other, as offscreen: side by side they would halve each other's PSS.
        ours = idle_app(run, window, settle, env=env, name="idletray")
        base = idle_bare(run, ["--qt", "--xmpp"], window, settle, env=env, account="basetray")
        return ours, base


@contextlib.contextmanager
def x11_desktop() -> Iterator[str]:
    """An Xvfb screen on a free display number, with trayer as the system tray."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    trayer: subprocess.Popen[bytes] | None = None
    try:
        with os.fdopen(read_end) as numbers:
            display = f":{numbers.readline().strip()}"
        trayer = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--SetDockType", "true"],
            env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.7)  # trayer takes the tray selection
        yield display
    finally:
        for process in (trayer, xvfb):
            if process is not None:
                stop_process(process)
