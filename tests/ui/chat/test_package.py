"""The chat window is loaded when a chat is first opened, not with the tray or the ask window."""

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

def chat_modules():
    return sorted(name for name in sys.modules if name.startswith("supporttray.ui.chat."))

app = QApplication([])
app.setQuitOnLastWindowClosed(False)
seen = {}
tray = TrayController(PresenceBook(), ConnectionMonitor(), app_name="SupportTray",
                      mode="requester", on_reconnect=lambda: None, on_quit=lambda: None,
                      tray_available=lambda: False, tray_retry_ms=(60_000,),
                      chat=FakeChat(), spawn=Spawner())
tray.start()
seen["tray"] = chat_modules()
import supporttray.ui.ask_window
tray.open_ask("printer?")
seen["ask"] = chat_modules()
tray.open_chat("alice@example.org")
seen["chat"] = chat_modules()
tray.close()
print(json.dumps(seen))
"""

WINDOW_MODULES = {
    "supporttray.ui.chat.window",
    "supporttray.ui.chat.conversation_pane",
    "supporttray.ui.chat.message_view",
    "supporttray.ui.chat.bubble",
}


def test_opening_the_tray_and_the_ask_window_does_not_load_the_chat_window() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=60)
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert WINDOW_MODULES.isdisjoint(seen["tray"])
    # The ask window takes only the message box and the backend protocol.
    assert WINDOW_MODULES.isdisjoint(seen["ask"])
    assert "supporttray.ui.chat.message_edit" in seen["ask"]
    assert set(seen["chat"]) >= WINDOW_MODULES
