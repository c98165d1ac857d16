"""Policy keys that act at start-up, through the real `supporttray run` in a child process with
its own temp HOME (tests/conftest.py's `env`) and a policy file written here: the
autostart entry, history retention, a bad branding icon and a refused link. No XMPP server is
needed: all of it happens whether or not the app can sign in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray.config.paths import resolve_paths
from supporttray.core.history import HistoryStore
from tests.helpers import incoming

START_TIMEOUT = 30.0
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(subprocess_env: dict[str, str]) -> dict[str, str]:
    """The child imports this checkout's package, whatever the virtualenv has installed."""
    return dict(subprocess_env, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), subprocess_env.get("PYTHONPATH")])))


def supporttray(env: dict[str, str], *args: str) -> list[str]:
    return [sys.executable, "-m", "supporttray", *args]


@contextmanager
def running(env: dict[str, str], workdir: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`supporttray run ARGS` in the background, terminated at the end."""
    with open(workdir / "run.log", "ab") as output:
        process = subprocess.Popen(supporttray(env, "run", *args), env=env, cwd=workdir,
                                   stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes],
               log: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the app ended early: {log.read_text(errors='replace')}"
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s; the app said: {log.read_text(errors='replace')}")


def answers_status(env: dict[str, str], workdir: Path, *args: str) -> Callable[[], bool]:
    def check() -> bool:
        done = subprocess.run(supporttray(env, "status", *args), env=env, cwd=workdir,
                              capture_output=True, check=False, timeout=20)
        return done.returncode == 0
    return check


def write_policy(path: Path, *lines: str) -> Path:
    path.write_text("[enforced]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_app_autostart_writes_a_valid_entry_and_removes_it_when_turned_off(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Given the user's normal profile (no --profile) and a policy that turns autostart on
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "supporttray.desktop"
    policy = write_policy(tmp_path / "policy.toml", "app.autostart = true",
                          'branding.name = "Acme Help"')
    # When the app starts, then the entry is there, valid, and starts a plain supporttray
    with running(env, tmp_path, "--policy", str(policy)) as app:
        wait_until(entry.exists, app, tmp_path / "run.log")
        wait_until(answers_status(env, tmp_path), app, tmp_path / "run.log")
    text = entry.read_text(encoding="utf-8")
    assert "Name=Acme Help\n" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert "--profile" not in exec_line and "--policy" not in exec_line
    validator = shutil.which("desktop-file-validate")
    assert validator is not None, "scripts/bootstrap installs desktop-file-utils"
    assert subprocess.run([validator, str(entry)], capture_output=True, text=True,
                          check=False).stdout == ""
    # And when IT turns it off, the next start removes it
    write_policy(policy, "app.autostart = false")
    with running(env, tmp_path, "--policy", str(policy)) as app:
        wait_until(lambda: not entry.exists(), app, tmp_path / "run.log")


def test_a_run_with_its_own_profile_leaves_the_login_entry_alone(
    env: dict[str, str], tmp_path: Path
) -> None:
    autostart = Path(env["XDG_CONFIG_HOME"]) / "autostart"
    policy = write_policy(tmp_path / "policy.toml", "app.autostart = true")
    profile = ["--profile", str(tmp_path / "profile"), "--policy", str(policy)]
    with running(env, tmp_path, *profile) as app:
        wait_until(answers_status(env, tmp_path, *profile[:2]), app, tmp_path / "run.log")
    assert not autostart.exists()


def test_history_retention_deletes_old_messages_at_start_and_a_bad_icon_is_logged(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Given a history with messages 40 and 2 days old, and a policy keeping 30 days
    profile = tmp_path / "profile"
    paths = resolve_paths(str(profile), {})
    paths.ensure()
    now = datetime.now(UTC)
    store = HistoryStore(paths.history_db)
    store.add(incoming("forty days old", at=now - timedelta(days=40)))
    store.add(incoming("two days old", at=now - timedelta(days=2)))
    store.close()
    missing_icon = tmp_path / "no-such-logo.svg"
    policy = write_policy(tmp_path / "policy.toml", "history.retention_days = 30",
                          f'branding.icon = "{missing_icon}"')

    def remaining() -> list[str]:
        reader = HistoryStore(paths.history_db, read_only=True)
        try:
            return [m.body for m in reader.conversation("alice@example.org")]
        finally:
            reader.close()

    # When the app starts, then the old message goes, from search too, and the recent one stays
    with running(env, tmp_path, "--profile", str(profile), "--policy",
                 str(policy)) as app:
        wait_until(lambda: remaining() == ["two days old"], app, tmp_path / "run.log")
    reader = HistoryStore(paths.history_db, read_only=True)
    assert reader.search("forty") == []
    reader.close()
    # And the missing icon was said in the log, with what the app did instead
    log = paths.log_file.read_text(encoding="utf-8") + (tmp_path / "run.log").read_text()
    assert f"branding.icon: {missing_icon} does not exist; the built-in icon is used" in log


@pytest.mark.parametrize("url", ["http://help.example.org", "file:///etc/passwd"])
def test_a_link_other_than_https_tel_or_mailto_stops_the_start_with_the_key_named(
    env: dict[str, str], tmp_path: Path, url: str
) -> None:
    policy = write_policy(tmp_path / "policy.toml",
                          f'branding.links = {{ "Helpdesk portal" = "{url}" }}')
    done = subprocess.run(supporttray(env, "run", "--profile", str(tmp_path / "p"),
                                      "--policy", str(policy)),
                          env=env, cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=30)
    assert done.returncode == 2
    assert "key 'branding.links'" in done.stderr
    assert f'"{url}" is not a link this app opens; use https: or tel: or mailto:' in done.stderr
    assert os.path.basename(str(policy)) in done.stderr
