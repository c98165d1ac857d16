"""The command line's contract without a server: exit codes, usage and sentences, never a traceback.

Each case runs `python -m supporttray` as a child process, as a script or IT would, with a temp
HOME, a file keyring and offscreen Qt (the `subprocess_env` fixture).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import supporttray

EXIT_FAILED, EXIT_USAGE = 1, 2

RunCli = Callable[..., "subprocess.CompletedProcess[str]"]


def supporttray_cli(
    env: dict[str, str], cwd: Path, *args: str, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "supporttray", *args], env=env, cwd=cwd, capture_output=True,
        text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


@pytest.fixture
def run_cli(subprocess_env: dict[str, str], tmp_path: Path) -> RunCli:
    """`supporttray ARGS...` in tmp_path; keyword arguments are extra environment variables."""

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return supporttray_cli({**subprocess_env, **env}, tmp_path, *args)

    return run


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr + done.stdout


# -- usage -------------------------------------------------------------------------------------


def test_unknown_command_exits_2_with_usage(run_cli: RunCli) -> None:
    done = run_cli("frobnicate")
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("usage: supporttray")
    assert "invalid choice: 'frobnicate'" in done.stderr
    assert_no_traceback(done)


def test_unknown_option_exits_2_with_usage(run_cli: RunCli) -> None:
    done = run_cli("run", "--frobnicate")
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("usage: supporttray")
    assert "unrecognized arguments: --frobnicate" in done.stderr
    assert_no_traceback(done)


def test_version_prints_the_version(run_cli: RunCli) -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"supporttray {supporttray.__version__}"


# -- a policy that cannot be used --------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "line", "key", "what"),
    [
        pytest.param('[enforced]\nserver.domain = "example.org\n', 2, None, "TOML syntax error",
                     id="syntax-error"),
        pytest.param('[enforced]\nserver.domain = "example.org"\nsupport.colour = "red"\n', 3,
                     "support.colour", "unknown setting", id="unknown-key"),
        pytest.param('[defaults]\n\n[enforced]\nserver.port = "5222"\n', 4, "server.port",
                     "expected a whole number", id="wrong-type"),
    ],
)  # fmt: skip
def test_run_with_a_bad_policy_exits_2_naming_file_line_and_key(
    run_cli: RunCli, tmp_path: Path, policy: str, line: int, key: str | None, what: str
) -> None:
    # given a policy file IT got wrong
    path = tmp_path / "policy.toml"
    path.write_text(policy, encoding="utf-8")

    # when the app is started with it
    done = run_cli("run", "--profile", str(tmp_path / "profile"), "--policy", str(path))

    # then nothing starts: exit 2, and one sentence says where the mistake is
    assert done.returncode == EXIT_USAGE
    assert f"{path}:{line}: " in done.stderr
    assert what in done.stderr
    if key is not None:
        assert f"(key '{key}')" in done.stderr
    assert "nothing was started" in done.stderr
    assert_no_traceback(done)


# -- login -------------------------------------------------------------------------------------


def test_login_with_something_that_is_not_a_jid_exits_2_with_a_sentence(run_cli: RunCli) -> None:
    done = run_cli("login", "not-a-jid", "--password-stdin")
    assert done.returncode == EXIT_USAGE
    assert "'not-a-jid' is not a chat account; write it like you@example.org" in done.stderr
    assert_no_traceback(done)


def test_login_without_a_terminal_or_password_stdin_exits_2_with_a_sentence(
    run_cli: RunCli, tmp_path: Path
) -> None:
    done = run_cli("login", "you@example.org", "--profile", str(tmp_path / "profile"))
    assert done.returncode == EXIT_USAGE
    assert "no terminal to ask for the password; use --password-stdin" in done.stderr
    assert_no_traceback(done)


# -- sandbox -----------------------------------------------------------------------------------


def test_sandbox_without_prosody_exits_1_with_the_install_hint(
    run_cli: RunCli, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-dir" / "prosody"
    done = run_cli("sandbox", SUPPORTTRAY_PROSODY=str(missing))
    assert done.returncode == EXIT_FAILED
    assert str(missing) in done.stderr
    assert "sudo apt-get install prosody" in done.stderr
    assert_no_traceback(done)


# -- run without an account --------------------------------------------------------------------


@dataclass
class RunningApp:
    status: subprocess.CompletedProcess[str]  # its first `status --json` answer
    stderr: str = ""  # its console log, once it has quit


@contextmanager
def running_app(env: dict[str, str], cwd: Path, profile: Path) -> Iterator[RunningApp]:
    """`supporttray run` with an empty machine policy, as a user starts it, until it answers
    `status`. Then it is asked to quit, and must exit 0."""
    policy = cwd / "policy.toml"
    policy.write_text("", encoding="utf-8")
    app = subprocess.Popen(
        [sys.executable, "-m", "supporttray", "run", "--profile", str(profile),
         "--policy", str(policy)],
        env=env, cwd=cwd, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            done = supporttray_cli(env, cwd, "status", "--json", "--profile", str(profile))
            if done.returncode != 3 or time.monotonic() > deadline or app.poll() is not None:
                break
            time.sleep(0.05)
        assert app.poll() is None, "the app quit instead of running"
        assert done.returncode == 0, done.stderr
        running = RunningApp(done)
        yield running
    finally:
        app.terminate()
        try:
            _, stderr = app.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            _, stderr = app.communicate()
    assert app.returncode == 0
    running.stderr = stderr.decode()


def test_run_without_an_account_starts_and_status_says_to_log_in(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    # given no account has ever been set up (and an empty machine policy)
    # when the app has started and a script asks for its status
    with running_app(subprocess_env, tmp_path, tmp_path / "profile") as app:
        # then the app runs, and says it has no account and what to run
        status = json.loads(app.status.stdout)
        assert status["state"] == "error"
        assert "supporttray login" in status["error"]
        assert status["account"] == ""
    assert "Traceback" not in app.stderr


def test_run_with_a_damaged_history_starts_and_status_says_where_it_went(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    # given a profile whose chat history file is damaged beyond opening
    history = tmp_path / "profile" / "data" / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"this was a chat history once\n" * 1000)
    # when the app is started on it and a script asks for its status
    with running_app(subprocess_env, tmp_path, tmp_path / "profile") as app:
        # then the app runs on a new history, and says where the old one went
        report = json.loads(app.status.stdout)["history"]
        [moved] = history.parent.glob("history.damaged-*.sqlite3")
        assert report == {"file": str(history), "notice": (
            f"Your chat history could not be opened (the file is damaged); it was moved to "
            f"{moved} and a new one was started. IT may be able to recover messages from it.")}
        assert moved.read_bytes() == b"this was a chat history once\n" * 1000
        # and the plain status says it too
        plain = supporttray_cli(subprocess_env, tmp_path, "status", "--profile",
                                str(tmp_path / "profile"))
        assert f"History: {report['notice']}" in plain.stdout.splitlines()
    # and the log says why, with SQLite's traceback
    log = (tmp_path / "profile" / "logs" / "supporttray.log").read_text(encoding="utf-8")
    assert "the file is damaged; moved to" in log
    assert "sqlite3.DatabaseError: file is not a database" in log


def test_plain_status_of_a_staff_instance_lists_the_teams_requests() -> None:
    from supporttray.cli import format_status

    status = {
        "state": "online", "error": None, "account": "dave@example.org", "mode": "staff",
        "support": "available", "summary": "1 of 1 support staff available", "staff": [],
        "requests": [
            {"id": "t1", "from": "erin@example.org", "thread": "t1", "waiting_seconds": 185,
             "claimed_by": "alice@example.org", "summary": "macOS 14.6 · MacBook Air"},
            {"id": "t2", "from": "farid@example.org", "thread": "t2", "waiting_seconds": 20,
             "claimed_by": None, "summary": ""}],
        "staff_room": {"jid": "support-staff@conference.example.org", "joined": True,
                       "error": None},
    }
    assert format_status(status).splitlines()[-4:] == [
        "Requests: 2 open, 1 not taken",
        "  erin@example.org (t1): waiting 3 min, taken by alice@example.org, "
        "macOS 14.6 · MacBook Air",
        "  farid@example.org (t2): waiting 0 min, taken by nobody yet",
        "Staff room support-staff@conference.example.org: joined",
    ]
