"""The history window is loaded when it is first opened, not with the tray or a chat; the tray
menu has "History…" in both modes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Runs in a fresh interpreter: this test session has long since imported everything.
SCRIPT = """
import json, sys
from PySide6.QtWidgets import QApplication
from supporttray.core.connection import ConnectionMonitor
from supporttray.core.presence import PresenceBook
from supporttray.ui.tray import TrayController
from tests.ui.chat_fakes import FakeChat, Spawner

def history_modules():
    return sorted(name for name in sys.modules if name.startswith("supporttray.ui.history"))

app = QApplication([])
app.setQuitOnLastWindowClosed(False)
seen = {}
tray = TrayController(PresenceBook(), ConnectionMonitor(), app_name="SupportTray",
                      mode=sys.argv[1], on_reconnect=lambda: None, on_quit=lambda: None,
                      tray_available=lambda: False, tray_retry_ms=(60_000,),
                      chat=FakeChat(), spawn=Spawner())
tray.start()
tray.open_chat("alice@example.org")
seen["chat"] = history_modules()
tray.menu.aboutToShow.emit()
seen["menu"] = [action.text() for action in tray.menu.actions()]
next(a for a in tray.menu.actions() if a.text() == "History…").trigger()
seen["history"] = history_modules()
seen["shown"] = tray.history_window is not None and tray.history_window.isVisible()
tray.close()
print(json.dumps(seen))
"""


def run(mode: str) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=60)
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_history_is_loaded_only_when_chosen_from_the_tray_menu() -> None:
    seen = run("requester")
    assert seen["chat"] == []
    assert "History…" in seen["menu"]  # type: ignore[operator]
    assert "supporttray.ui.history.window" in seen["history"]  # type: ignore[operator]
    assert seen["shown"] is True


def test_staff_have_history_in_the_tray_menu_too() -> None:
    assert "History…" in run("staff")["menu"]  # type: ignore[operator]
