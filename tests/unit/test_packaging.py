"""The Linux desktop entries in packaging/ are valid for desktop-file-validate, and the menu
entry makes SupportTray the desktop's handler of xmpp: links (XEP-0147)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"


@pytest.mark.parametrize("name", ["supporttray.desktop", "supporttray-autostart.desktop"])
def test_desktop_file_is_valid(name: str) -> None:
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing: run scripts/bootstrap (desktop-file-utils)"
    done = subprocess.run([validator, str(LINUX / name)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_menu_entry_opens_xmpp_links_with_the_link_as_argument() -> None:
    lines = (LINUX / "supporttray.desktop").read_text(encoding="utf-8").splitlines()
    desktop = dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")
    assert "x-scheme-handler/xmpp" in desktop["MimeType"].split(";")
    assert desktop["Exec"] == "supporttray %u"
