"""One tray per profile (cli.py's `run`, platform/instance_lock.py), with real `supporttray run`
children: started at the same moment, after a kill -9, and beside a first instance that holds
the profile without answering yet. And `supporttray xmpp:...`, which reaches the one instance,
or starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supporttray import cli
from supporttray.config.paths import resolve_paths
from supporttray.platform.instance_lock import InstanceLock

ROUNDS = 8


def start_run(env: dict[str, str], profile: Path, policy: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "supporttray", "run", "--profile", str(profile),
         "--policy", str(policy)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def cli_child(env: dict[str, str], *args: str, timeout: float = 90
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supporttray", *args], env=env, timeout=timeout,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


def wait_until_answering(env: dict[str, str], profile: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while cli_child(env, "status", "--profile", str(profile)).returncode != 0:
        assert time.monotonic() < deadline, "no instance answered"
        time.sleep(0.1)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.communicate()


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text("", encoding="utf-8")
    return path


def test_two_runs_started_together_give_one_tray(
    subprocess_env: dict[str, str], tmp_path: Path, policy: Path
) -> None:
    for round_ in range(ROUNDS):
        profile = tmp_path / f"profile{round_}"
        # given two `supporttray run` started at the same moment with the same profile
        first, second = (start_run(subprocess_env, profile, policy) for _ in range(2))
        try:
            wait_until_answering(subprocess_env, profile)
            # then one hands over to the other and exits 0; one keeps running
            deadline = time.monotonic() + 30
            while first.poll() is None and second.poll() is None:
                assert time.monotonic() < deadline, "both instances keep running"
                time.sleep(0.1)
            gone, running = (first, second) if first.poll() is not None else (second, first)
            out, err = gone.communicate()
            assert gone.returncode == 0, err
            assert "already running for this profile" in out
            time.sleep(0.5)
            assert running.poll() is None
            # and there is one control socket, the one the lock holder listens on
            paths = resolve_paths(str(profile), {})
            sockets = [p for p in paths.control_socket.parent.iterdir() if p.suffix == ".sock"]
            assert sockets == [paths.control_socket]
            assert InstanceLock(paths.instance_lock).holder_pid() == running.pid
        finally:
            stop(first)
            stop(second)


def test_a_run_killed_with_sigkill_does_not_block_the_next(
    subprocess_env: dict[str, str], tmp_path: Path, policy: Path
) -> None:
    profile = tmp_path / "profile"
    # given an instance that is killed without any chance to clean up
    first = start_run(subprocess_env, profile, policy)
    try:
        wait_until_answering(subprocess_env, profile)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        stop(first)
    # when the next one starts, it comes up (the lock file and socket it left are stale)
    second = start_run(subprocess_env, profile, policy)
    try:
        wait_until_answering(subprocess_env, profile)
        assert second.poll() is None
    finally:
        stop(second)


def test_a_first_instance_that_does_not_answer_is_waited_for_then_named(
    tmp_path: Path, policy: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given another process holds this profile's lock but its control socket does not answer
    profile = tmp_path / "profile"
    paths = resolve_paths(str(profile), {})
    paths.ensure()
    holder = InstanceLock(paths.instance_lock)
    assert holder.try_acquire()
    monkeypatch.setattr(cli, "INSTANCE_WAIT_SECONDS", 0.5)
    try:
        # when a second `run` starts
        code = cli.main(["run", "--profile", str(profile), "--policy", str(policy)])
    finally:
        holder.release()
    # then it waits, says so, and gives up without a second tray
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert f"already starting for this profile (process {os.getpid()}); waiting" in err
    assert "no second one was started" in err


def test_a_link_reaches_the_running_instance(
    subprocess_env: dict[str, str], tmp_path: Path, policy: Path
) -> None:
    profile = tmp_path / "profile"
    app = start_run(subprocess_env, profile, policy)
    try:
        wait_until_answering(subprocess_env, profile)
        # when a link is opened for that profile
        done = cli_child(subprocess_env, "--profile", str(profile),
                         "xmpp:alice@example.org?message;body=Hi%20there")
        # then the requester's ask window opens for that person
        assert done.returncode == 0, done.stderr
        assert done.stdout == "The ask window is open for alice@example.org; press Send there.\n"
        assert app.poll() is None
    finally:
        stop(app)


def test_a_link_with_nothing_running_starts_the_app_then_opens_it(
    subprocess_env: dict[str, str], tmp_path: Path, policy: Path
) -> None:
    profile = tmp_path / "profile"
    done = cli_child(subprocess_env, "--profile", str(profile), "--policy", str(policy),
                     "xmpp:alice@example.org?message;body=Hi")
    paths = resolve_paths(str(profile), {})
    pid = InstanceLock(paths.instance_lock).holder_pid()
    try:
        assert done.returncode == 0, done.stderr
        assert "ask window is open for alice@example.org" in done.stdout
        assert pid is not None
        assert cli_child(subprocess_env, "status", "--profile", str(profile)).returncode == 0
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while InstanceLock(paths.instance_lock).holder_pid() and time.monotonic() < deadline:
                time.sleep(0.1)


@pytest.mark.parametrize("uri", ["xmpp:alice@example.org?roster", "xmpp:example.org",
                                 "xmpp:a@example.org?message;body=%FF"])
def test_a_bad_link_is_a_sentence_and_exit_2(
    subprocess_env: dict[str, str], tmp_path: Path, uri: str
) -> None:
    done = cli_child(subprocess_env, "--profile", str(tmp_path / "profile"), uri)
    assert done.returncode == cli.EXIT_USAGE
    assert done.stderr.startswith(f"supporttray: cannot open the link {uri!r}: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "profile").exists()  # nothing was started


def test_a_link_with_a_command_beside_it_is_bad_usage(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    done = cli_child(subprocess_env, "xmpp:alice@example.org", "status")
    assert done.returncode == cli.EXIT_USAGE
    assert "an xmpp: link is opened on its own" in done.stderr
