"""config is the bottom layer: importing it pulls in neither Qt, slixmpp nor any layer above."""

from __future__ import annotations

import subprocess
import sys

UPPER_LAYERS = ("core", "xmpp", "app", "ui", "ipc", "sandbox")
FORBIDDEN = ("PySide6", "slixmpp", "qasync", *(f"supporttray.{name}" for name in UPPER_LAYERS))


def test_importing_config_loads_no_qt_no_slixmpp_and_no_upper_layer() -> None:
    # A fresh interpreter, so modules other tests imported cannot hide a stray import.
    code = (
        "import sys, pkgutil, importlib, supporttray.config as c\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module(f'{c.__name__}.{m.name}')\n"
        "print('\\n'.join(sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    loaded = result.stdout.split()
    assert [m for m in loaded if m.startswith(FORBIDDEN)] == []
