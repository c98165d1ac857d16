"""Figure 1, cold start: `supporttray run` launched -> tray (or fallback window) shown -> online.

Each launch is a new process with an existing profile (the daily start at login), offscreen, with
the ten staff online. SupportTray's own log lines give the moments ("tray shown after", "connection:
online", asctime with milliseconds); the launch moment is taken just before Popen. Baselines are
launched the same way, in the same rounds (app, bare tray, bare login, bare tray+login, then the
next round), so a busy machine slows all of them alike.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

from bench.common import CHILDREN, LineReader, Profile, Row, Run, log_events, median, stop_process

FIGURE = "cold start"
LAUNCH_TIMEOUT = 30.0


def launch_app(run: Run, profile: Profile) -> tuple[float, float]:
    """(seconds to tray shown, seconds to online) of one `supporttray run`."""
    log_file = profile.log_file
    offset = log_file.stat().st_size if log_file.exists() else 0
    wanted = {"shown": "supporttray: tray shown after", "online": "supporttray: connection: online",
              "error": "supporttray: connection: error"}
    launched = time.time()
    process = subprocess.Popen(
        [*run.supporttray, "run", "--profile", str(profile.directory),
         "--policy", str(profile.policy)],
        env=run.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + LAUNCH_TIMEOUT
        while True:
            # Polling only decides when to stop: the times come from the log lines themselves.
            time.sleep(0.02)
            events = log_events(log_file, offset, wanted)
            if "error" in events:
                raise RuntimeError(f"SupportTray reported a connection error; see {log_file}")
            if "shown" in events and "online" in events:
                return events["shown"] - launched, events["online"] - launched
            if process.poll() is not None:
                raise RuntimeError(f"supporttray run exited with {process.returncode}: "
                                   f"{process.stderr.read() if process.stderr else ''}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"supporttray run was not online within {LAUNCH_TIMEOUT} s")
    finally:
        stop_process(process)
        if process.stderr is not None:
            process.stderr.close()


def launch_bare(run: Run, flags: list[str], account: dict[str, Any] | None) -> dict[str, float]:
    """Seconds from launch to each line (`shown`, `online`) the baseline script prints."""
    launched = time.time()
    process = subprocess.Popen(
        [run.python, str(CHILDREN / "bare_client.py"), *flags], env=run.env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        if account is not None:
            process.stdin.write(json.dumps(account) + "\n")
            process.stdin.flush()
        reader = LineReader(process.stdout)
        last = "online" if "--xmpp" in flags else "shown"
        reader.wait_for(lambda line: line.startswith(last), LAUNCH_TIMEOUT)
        times = {}
        for _, line in reader.lines:
            name, _, stamp = line.partition(" ")
            if name in ("shown", "online"):
                times[name] = float(stamp) - launched
        return times
    finally:
        stop_process(process)
        process.stdin.close()


def bare_account(run: Run, username: str) -> dict[str, Any]:
    sandbox = run.sandbox
    return {"jid": run.jid(username), "password": run.password(username), "host": sandbox.host,
            "port": sandbox.c2s_port, "ca_file": str(sandbox.ca_file)}


def measure(run: Run) -> list[Row]:
    rounds = 2 if run.smoke else 10
    profile = run.profile("me", **run.requester_policy())
    account = bare_account(run, "base")
    app_shown: list[float] = []
    app_online: list[float] = []
    tray: list[float] = []
    login: list[float] = []
    both_shown: list[float] = []
    both_online: list[float] = []
    variants: list[Callable[[bool], None]] = []

    def app(keep: bool) -> None:
        shown, online = launch_app(run, profile)
        if keep:
            app_shown.append(shown)
            app_online.append(online)

    def bare_tray(keep: bool) -> None:
        times = launch_bare(run, ["--qt"], None)
        if keep:
            tray.append(times["shown"])

    def bare_login(keep: bool) -> None:
        times = launch_bare(run, ["--xmpp"], account)
        if keep:
            login.append(times["online"])

    def bare_both(keep: bool) -> None:
        times = launch_bare(run, ["--qt", "--xmpp"], account)
        if keep:
            both_shown.append(times["shown"])
            both_online.append(times["online"])

    variants = [app, bare_tray, bare_login, bare_both]
    with run.swarm(run.staff_names()):
        if not run.smoke:
            for variant in variants:  # one unmeasured launch each: page cache, .pyc files
                variant(False)
        for _ in range(rounds):
            for variant in variants:
                variant(True)

    def ms(values: list[float]) -> list[float]:
        return [round(v * 1000, 1) for v in values]

    return [
        Row(FIGURE, "launch -> tray shown (median)", median(app_shown), "s",
            baseline=median(tray), baseline_label="bare PySide6 tray", budget=0.25,
            samples=ms(app_shown), note=f"{rounds} launches; min {min(app_shown):.3f}, "
                                        f"max {max(app_shown):.3f} s"),
        Row(FIGURE, "launch -> online (median)", median(app_online), "s",
            baseline=median(both_online), baseline_label="bare tray + slixmpp on qasync",
            budget=0.40, samples=ms(app_online),
            note=f"min {min(app_online):.3f}, max {max(app_online):.3f} s"),
        Row(FIGURE, "baseline: bare slixmpp login -> online", median(login), "s",
            samples=ms(login), note="asyncio, C PBKDF2, roster + presence"),
        Row(FIGURE, "baseline: bare tray + slixmpp -> shown", median(both_shown), "s",
            samples=ms(both_shown)),
    ]
