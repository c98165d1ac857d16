"""The tray icon really docks in a real tray host: Xvfb plus trayer, started here and cleaned up.

Offscreen Qt has no tray, so every other ui test runs the fallback path; this one proves the
main path. It needs Xvfb and trayer and fails (never skips) without them: CI installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from supporttray.platform.desktop_idle import desktop_idle

pytestmark = pytest.mark.x11

INSTALL_HINT = (
    "apt-get install xvfb trayer libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 "
    "libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libegl1 libgl1 "
    "libfontconfig1 libdbus-1-3"
)

# A 160x32 strip at the top right, docked like a panel.
TRAYER_ARGS = [
    "--edge",
    "top",
    "--align",
    "right",
    "--widthtype",
    "pixel",
    "--width",
    "160",
    "--heighttype",
    "pixel",
    "--height",
    "32",
    "--SetDockType",
    "true",
]

CHILD = """
import json
import sys
import time
from datetime import timedelta

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from supporttray.platform.desktop_idle import desktop_idle
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.presence import Availability, PresenceBook
from supporttray.ui.tray import TrayController

app = QApplication([])
app.setQuitOnLastWindowClosed(False)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)
    app.processEvents()
    return condition()


# trayer claims the tray selection a moment after it starts.
wait_for(QSystemTrayIcon.isSystemTrayAvailable, 15)

book = PresenceBook()
book.add_staff("alice@example.org", "Alice")
book.add_staff("bob@example.org", "Bob")
book.update("alice@example.org/laptop", Availability.AVAILABLE, "In the office")
book.set_utc_offset("alice@example.org", timedelta(hours=2))
connection = ConnectionMonitor()
connection.set(ConnectionState.ONLINE)
controller = TrayController(
    book, connection, app_name="SupportTray", mode="requester",
    on_reconnect=lambda: None, on_quit=app.quit,
)
controller.start()
# Docked means the tray host gave the icon a place on screen.
docked = wait_for(lambda: not controller.tray_icon.geometry().isEmpty(), 10)
geometry = controller.tray_icon.geometry()
print(json.dumps({
    "tray_available": QSystemTrayIcon.isSystemTrayAvailable(),
    "attached": controller.is_attached,
    "icon_visible": controller.tray_icon.isVisible() and docked,
    "icon_size": [geometry.width(), geometry.height()],
    # Before `controller.window`, which builds it: an icon in a tray needs no window.
    "window_loaded": "supporttray.ui.status_window" in sys.modules,
    "window_visible": controller.window.isVisible(),
    "tooltip": controller.tooltip,
}))
controller.close()
"""


def require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed; this test needs a real X tray: {INSTALL_HINT}")
    return path


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def x_display() -> Iterator[str]:
    """A fresh Xvfb on a display number it picks itself (-displayfd), with trayer docked at top."""
    xvfb, trayer = require("Xvfb"), require("trayer")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    tray_host: subprocess.Popen[bytes] | None = None
    try:
        with os.fdopen(read_fd, "rb") as reader:
            number = reader.readline().strip().decode()
        if not number:
            pytest.fail(f"Xvfb did not start (exit code {server.poll()})")
        display = f":{number}"
        tray_host = subprocess.Popen(
            [trayer, *TRAYER_ARGS],
            env=dict(os.environ, DISPLAY=display),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield display
    finally:
        if tray_host is not None:
            stop(tray_host)
        stop(server)


def test_tray_icon_docks_in_a_real_system_tray(x_display: str) -> None:
    env = dict(os.environ, DISPLAY=x_display, QT_QPA_PLATFORM="xcb")
    # No session bus: Qt would prefer a StatusNotifier host on D-Bus; trayer is an XEmbed tray.
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"the tray child failed (exit {result.returncode}); if Qt could not load the xcb "
        f"platform plugin, install: {INSTALL_HINT}\n{result.stderr}"
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["tray_available"], seen
    assert seen["attached"], seen
    assert seen["icon_visible"], seen
    assert not seen["window_visible"], "with a tray the fallback window must stay hidden"
    assert not seen["window_loaded"], "with a tray the status window is not even built"
    assert seen["tooltip"] == "SupportTray — 1 of 2 support staff available"


def test_the_desktop_idle_time_is_read_from_the_x_server(
    x_display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Auto-away's source on X11: the screen saver extension counts time without input."""
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    idle = desktop_idle()
    assert idle.read is not None, idle.description
    assert idle.description == "X11 screen saver extension"
    first = idle.read()
    assert first is not None and first >= 0
    time.sleep(1.2)
    later = idle.read()
    assert later is not None and later >= first + 1.0
