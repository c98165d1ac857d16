"""The PyInstaller one-folder bundle against the installed environment: size and cold start.

    python -m bench.bundle --installed /opt/supporttray/venv/bin/supporttray [--rounds 5]

Builds the bundle (packaging/pyinstaller/supporttray.spec) in an environment of its own under
build/ (the app installed from this checkout, not editable, and PyInstaller), unless
`--bundle DIR` names one already built. Then launches each `supporttray run` alternately,
as cold_start.py does (an existing profile, offscreen, ten staff online, the app's own log
lines for "tray shown" and "online"), and prints one table. Both log in and read their
password through the session's Secret Service, as installed copies do: run it inside a
desktop session or `dbus-run-session` with gnome-keyring unlocked (scripts/package-check
does). Not part of `python -m bench`: the build alone takes about half a minute.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from bench.cold_start import launch_app
from bench.common import REPO, Run, median

BUILD = REPO / "build" / "bundle"


def build_bundle() -> tuple[Path, float]:
    """The bundle's folder and the seconds its build took (environment included)."""
    began = time.perf_counter()
    # The build sees the installed package only: a checkout on PYTHONPATH has no
    # supporttray/resources (setuptools maps it from resources/), so the icons would be lost.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    venv = BUILD / "venv"
    if not (venv / "bin" / "python").exists():
        # Debian's python3.11, as the .deb's environment (and stripped, unlike a pyenv build).
        python = "/usr/bin/python3.11" if Path("/usr/bin/python3.11").exists() else sys.executable
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", str(REPO), "pyinstaller"],
                   check=True, stderr=subprocess.DEVNULL, env=env)
    subprocess.run([str(venv / "bin" / "pyinstaller"), "--noconfirm", "--log-level", "ERROR",
                    "--distpath", str(BUILD / "dist"), "--workpath", str(BUILD / "work"),
                    str(REPO / "packaging" / "pyinstaller" / "supporttray.spec")],
                   check=True, cwd=BUILD.parent, env=env)
    return BUILD / "dist" / "supporttray", time.perf_counter() - began


def size_mb(path: Path) -> float:
    """Bytes of every file under `path` (symbolic links not followed), in MB (10^6)."""
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def measure(bundle: Path, installed: Path, rounds: int) -> list[tuple[str, str, str]]:
    run = Run(smoke=True)
    # The copies under test use the session's keyring and their own packages, not the
    # checkout's (which PYTHONPATH would put first) and not the tests' file keyring.
    env = {k: v for k, v in run.env.items() if k not in ("PYTHONPATH", "PYTHON_KEYRING_BACKEND")}
    if "DBUS_SESSION_BUS_ADDRESS" not in env:
        raise SystemExit("bench.bundle needs a session bus with a Secret Service "
                         "(dbus-run-session + gnome-keyring-daemon --unlock)")
    variants = {"bundle": bundle / "supporttray", "installed": installed}
    profiles = {}
    try:
        for (label, command), user in zip(variants.items(), ("me", "idleapp"), strict=True):
            run.supporttray, saved = [str(command)], run.env
            run.env = env
            profiles[label] = run.profile(user, **run.requester_policy())
            run.env = saved
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in variants}
        with run.swarm(run.staff_names()):
            for index in range(rounds + 1):  # the first round warms the page cache
                for label, command in variants.items():
                    launched = launch_app(SimpleNamespace(supporttray=[str(command)], env=env),
                                          profiles[label])  # type: ignore[arg-type]
                    if index:
                        times[label].append(launched)
    finally:
        run.close()
    rows = []
    for what, pick in (("launch -> tray shown", 0), ("launch -> online", 1)):
        values = {label: median([t[pick] for t in times[label]]) for label in variants}
        rows.append((what, f"{values['bundle']:.3f} s", f"{values['installed']:.3f} s"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bundle", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installed", type=Path, required=True,
                        help="the installed `supporttray` to compare with (the .deb's)")
    parser.add_argument("--bundle", type=Path, help="a bundle already built (its folder)")
    parser.add_argument("--rounds", type=int, default=5, help="launches of each (median)")
    args = parser.parse_args(argv)
    if args.bundle:
        bundle, built = args.bundle, None
    else:
        bundle, built = build_bundle()
    environment = args.installed.resolve().parents[1]  # .../venv/bin/supporttray -> venv
    rows = [("size on disk", f"{size_mb(bundle):.1f} MB", f"{size_mb(environment):.1f} MB"),
            *measure(bundle, args.installed, args.rounds)]
    print(f"{'':24} {'bundle':>12} {'installed':>12}")
    for what, bundled, installed in rows:
        print(f"{what:24} {bundled:>12} {installed:>12}")
    print(f"(median of {args.rounds} launches each, alternating, 10 staff online; bundle "
          f"{bundle}{f', built in {built:.0f} s' if built else ''}; installed {environment}; "
          f"{os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
