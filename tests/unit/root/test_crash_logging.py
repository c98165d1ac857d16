"""What a terminal nobody watches would otherwise swallow reaches the log directory: Qt's
warnings, exceptions nothing caught (also in threads) and a hard crash's tracebacks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROFILE_SETUP = """
import sys
from pathlib import Path
from supporttray.config.paths import Paths
from supporttray.logging_setup import catch_crashes, route_qt_messages, setup_logging
root = Path(sys.argv[1])
paths = Paths(config_dir=root / "config", data_dir=root / "data", log_dir=root / "logs",
              runtime_dir=root / "run")
setup_logging(paths)
catch_crashes(paths)
"""


def run_child(tmp_path: Path, body: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = PROFILE_SETUP + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_an_uncaught_exception_in_the_main_thread_is_logged_with_its_traceback(
    tmp_path: Path, subprocess_env: dict[str, str],
) -> None:
    done = run_child(tmp_path, """
        def start():
            raise ValueError("start failed")
        start()
    """, subprocess_env)

    assert done.returncode == 1
    log = (tmp_path / "logs" / "supporttray.log").read_text(encoding="utf-8")
    assert "CRITICAL supporttray: uncaught exception" in log
    assert "ValueError: start failed" in log and ", in start" in log


def test_an_exception_in_a_qt_slot_is_logged_and_the_app_goes_on(
    tmp_path: Path, subprocess_env: dict[str, str],
) -> None:
    done = run_child(tmp_path, """
        from PySide6.QtCore import QCoreApplication, QTimer
        app = QCoreApplication([])
        def on_timer():
            raise ValueError("the slot failed")
        QTimer.singleShot(0, on_timer)
        QTimer.singleShot(50, app.quit)
        app.exec()
        print("still running")
    """, subprocess_env)

    assert "still running" in done.stdout
    log = (tmp_path / "logs" / "supporttray.log").read_text(encoding="utf-8")
    assert "CRITICAL supporttray: uncaught exception" in log
    assert "in on_timer" in log and "ValueError: the slot failed" in log


def test_an_exception_in_another_thread_is_logged(
    tmp_path: Path, subprocess_env: dict[str, str],
) -> None:
    run_child(tmp_path, """
        import threading
        def work():
            raise RuntimeError("worker died")
        thread = threading.Thread(target=work, name="sysinfo")
        thread.start(); thread.join()
    """, subprocess_env)

    log = (tmp_path / "logs" / "supporttray.log").read_text(encoding="utf-8")
    assert "uncaught exception in thread sysinfo" in log and "RuntimeError: worker died" in log


def test_a_hard_crash_leaves_its_tracebacks_in_crash_log(
    tmp_path: Path, subprocess_env: dict[str, str],
) -> None:
    done = run_child(tmp_path, """
        import faulthandler
        def draw_icon():
            faulthandler._sigsegv()
        draw_icon()
    """, subprocess_env)

    assert done.returncode != 0
    crash = (tmp_path / "logs" / "crash.log").read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in crash
    assert "draw_icon" in crash


def test_qt_warnings_go_to_the_log(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    run_child(tmp_path, """
        from PySide6.QtCore import QCoreApplication, qWarning
        route_qt_messages()
        app = QCoreApplication([])
        qWarning("the tray icon could not be drawn")
    """, subprocess_env)

    log = (tmp_path / "logs" / "supporttray.log").read_text(encoding="utf-8")
    assert "WARNING supporttray.qt: default: the tray icon could not be drawn" in log
